"""The HTML view in a real browser: Debian's chromium driven by Playwright, network off.

Skips (with the reason) when /usr/bin/chromium or the playwright package is missing; `.ci/run`
installs both. Playwright's own browser downloads are never used (`executable_path`).
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kg
from kg.query.focus import Focus
from kg.viz import write_html

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
SCRIPT = "<script>window.__pwned=1</script>"
IMAGE = '<img src=x onerror="window.__pwned=1">'
HOSTILE_TITLE = f"Robust {SCRIPT} learning {IMAGE}"

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does)")
    sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is missing: pip install -e '.[dev]'")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        yield launched
        launched.close()


class Page:
    """An offline page with every request, console message, page error and dialog (``alert``,
    ``confirm``, ``prompt``: dismissed) recorded from the first script on."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.context = browser.new_context(offline=True, viewport={"width": 1400, "height": 900})
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.route(re.compile(r"^(?!file:).*"), self._abort)
        self.page = self.context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("requestfailed", lambda request: self.errors.append(f"failed: {request.url}"))
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("dialog", self._dialog)
        self.page.goto(path.as_uri())
        self.page.wait_for_selector("body[data-state=settled]", state="attached", timeout=10_000)

    def _console(self, message: Any) -> None:
        if message.type == "error":
            self.errors.append(f"console error: {message.text}")

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(f"{dialog.type}: {dialog.message}")
        dialog.dismiss()

    def _abort(self, route: Any) -> None:
        self.blocked.append(route.request.url)
        route.abort()

    def evaluate(self, script: str, arg: Any = None) -> Any:
        return self.page.evaluate(script, arg)

    def close(self) -> None:
        self.context.close()


DRAWN = """() => {
  const network = kgView.network;
  network.fit({animation: false});
  network.redraw();
  const canvas = network.canvas.frame.canvas;
  const box = canvas.getBoundingClientRect();
  const positions = network.getPositions();
  let inside = 0;
  for (const id in positions) {
    const p = network.canvasToDOM(positions[id]);
    if (p.x >= 0 && p.y >= 0 && p.x <= box.width && p.y <= box.height) inside++;
  }
  const pixels = canvas.getContext("2d").getImageData(0, 0, canvas.width, canvas.height).data;
  let painted = 0;
  for (let i = 3; i < pixels.length; i += 4 * 7) if (pixels[i] > 0) painted++;
  return {data: kgView.data.nodes.length, body: network.body.nodeIndices.length, inside, painted,
          settleMs: kgView.settleMs, state: document.body.dataset.state};
}"""


def _search(page: Page, text: str) -> dict[str, Any]:
    page.page.fill("#kg-search", text)
    page.page.press("#kg-search", "Enter")
    return page.evaluate(
        """() => {
      const n = kgView.network, id = n.getSelectedNodes()[0];
      const at = id && n.getPosition(id), view = n.getViewPosition();
      return {id, distance: id ? Math.hypot(at.x - view.x, at.y - view.y) : null,
              details: document.getElementById('kg-details').textContent,
              status: document.getElementById('kg-status').textContent};
    }"""
    )


def test_default_view_draws_every_node_offline(browser: Any, handle: kg.KnowledgeGraph, tmp_path: Path) -> None:
    output = tmp_path / "graph.html"
    report = write_html(handle.graph(), output)
    assert report.nodes == 1500  # how long it takes is measured in benchmarks/bench_viz.py
    page = Page(browser, output)
    try:
        drawn = page.evaluate(DRAWN)
        assert drawn["data"] == drawn["body"] == drawn["inside"] == report.nodes
        assert drawn["painted"] > 1000  # the canvas is not blank
        assert drawn["state"] == "settled"  # within Page's 10 s wait; timings: bench_viz.py
        bengio = _search(page, "Yoshua Bengio")
        assert bengio["id"] == "author/yoshua-bengio"
        assert bengio["distance"] < 1 and "Yoshua Bengio" in bengio["details"]
        assert _search(page, "no such node anywhere")["status"].startswith("no node matches")
        legend = page.evaluate("document.getElementById('kg-legend').textContent")
        assert "Paper (" in legend and "Author (" in legend and "authored by" in legend
        screenshot = tmp_path / "viz-screenshot.png"
        page.evaluate("() => kgView.network.fit({animation: false})")
        page.page.screenshot(path=str(screenshot))
        assert screenshot.stat().st_size > 10_000
        (ROOT / "out").mkdir(exist_ok=True)
        shutil.copyfile(screenshot, ROOT / "out" / "viz-screenshot.png")  # /out/ is git-ignored
        assert page.errors == []
        assert page.blocked == [] and page.requests == [output.as_uri()]
    finally:
        page.close()


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("hostile")
    papers = [
        {
            "title": HOSTILE_TITLE,
            "abstract": f"We show {IMAGE} and {SCRIPT} are text. Uses dropout on MNIST.",
            "authors": [{"name": "Mallory Evil", "institutions": [{"name": "<b>Bad</b> University"}]}, "Ada Lovelace"],
            "year": 2021,
        },
        {"title": "A Quiet Paper", "authors": ["Ada Lovelace"], "abstract": "Nothing to see."},
    ]
    source = directory / "hostile.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in papers), encoding="utf-8")
    store = directory / ".kg"
    kg.build([source], store=store)
    return store


def test_hostile_record_shows_as_text(browser: Any, hostile_store: Path, tmp_path: Path) -> None:
    output = tmp_path / "hostile.html"
    report = write_html(kg.open_store(hostile_store).graph(), output, Focus(max_nodes=1500))
    html = output.read_text(encoding="utf-8")
    assert SCRIPT not in html and IMAGE not in html and "<b>Bad" not in html  # only as escaped JSON
    assert "window.__pwned" in html  # the text is there, as escaped data
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html)  # nothing to fetch
    page = Page(browser, output)
    try:
        assert page.evaluate("() => kgView.data.nodes.length") == report.nodes
        assert page.evaluate("() => typeof window.__pwned") == "undefined"
        found = _search(page, "Robust")
        assert found["id"].startswith("paper/") and SCRIPT in found["details"] and IMAGE in found["details"]
        # hover the paper: vis-network shows its tooltip, which is built from text
        point = page.evaluate(
            """(id) => { const n = kgView.network, box = n.canvas.frame.canvas.getBoundingClientRect();
                         const p = n.canvasToDOM(n.getPosition(id)); return {x: box.left + p.x, y: box.top + p.y}; }""",
            found["id"],
        )
        page.page.mouse.move(point["x"] + 40, point["y"] + 40)
        page.page.mouse.move(point["x"], point["y"], steps=5)
        page.page.wait_for_selector("div.vis-tooltip", state="visible", timeout=5_000)
        tooltip = page.evaluate(
            """() => { const t = document.querySelector('div.vis-tooltip');
                       return {text: t.textContent, elements: t.querySelectorAll('script, img, b').length}; }"""
        )
        assert SCRIPT in tooltip["text"] and IMAGE in tooltip["text"] and tooltip["elements"] == 0
        assert page.evaluate("() => document.querySelectorAll('body img, #kg-main script').length") == 0
        assert page.evaluate("() => typeof window.__pwned") == "undefined"
        page.page.screenshot(path=str(tmp_path / "hostile.png"))
        assert page.errors == [] and page.blocked == [] and page.dialogs == []
    finally:
        page.close()


def test_empty_focus_page_settles(browser: Any, hostile_store: Path, tmp_path: Path) -> None:
    output = tmp_path / "empty.html"
    report = write_html(kg.open_store(hostile_store).graph(), output, Focus(types=("venue",)))
    assert report.nodes == 0
    page = Page(browser, output)
    try:
        assert "Nothing to show" in page.evaluate("document.getElementById('kg-progress').textContent")
        assert page.errors == []
    finally:
        page.close()
