"""`kg serve` in a real browser: Debian's chromium driven by Playwright against a real server.

A person's path through the pages (search a name, open the author, follow a co-author, open a
concept, ask who works on it, open the neighbourhood graph), with every request recorded:
none may leave the server on 127.0.0.1, and no console error or page error may occur. A store
of hostile titles shows them as text, and nothing in it runs. Skips (with the reason) when
/usr/bin/chromium or playwright is missing (tests/test_viz.py's ``browser`` fixture, shared by
tests/serve/conftest.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.serve.conftest import HOSTILE_TITLE, SCRIPT, LiveServer

pytestmark = pytest.mark.slow


class Visit:
    """A browser context that lets requests reach only ``server`` and records everything else."""

    def __init__(self, browser: Any, server: LiveServer) -> None:
        self.origin = server.url
        self.context = browser.new_context(viewport={"width": 1300, "height": 900})
        self.requests: list[str] = []
        self.blocked: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.route(re.compile(r".*"), self._route)
        self.page = self.context.new_page()
        self.page.on("request", lambda request: self.requests.append(request.url))
        self.page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        self.page.on("pageerror", lambda error: self.errors.append(f"page error: {error}"))
        self.page.on("dialog", self._dialog)

    def _route(self, route: Any) -> None:
        if route.request.url.startswith(self.origin + "/"):
            route.continue_()
        else:
            self.blocked.append(route.request.url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def go(self, path: str) -> None:
        response = self.page.goto(self.origin + path)
        assert response is not None and response.status == 200, path

    def follow(self, selector: str) -> None:
        with self.page.expect_navigation():
            self.page.click(selector)

    def text(self, selector: str) -> str:
        return str(self.page.text_content(selector) or "")

    def check_clean(self) -> None:
        assert self.errors == [] and self.dialogs == []
        assert self.blocked == []
        assert all(url.startswith(self.origin + "/") for url in self.requests)

    def close(self) -> None:
        self.context.close()


def test_a_browsing_session(browser: Any, live_server: LiveServer) -> None:
    visit = Visit(browser, live_server)
    try:
        visit.go("/")
        visit.page.fill("form.search.big input[name=q]", "Yoshua Bengio")
        visit.follow("form.search.big button")
        assert visit.page.url.startswith(live_server.url + "/search?q=Yoshua")
        visit.follow("#results a[href='/author/yoshua-bengio']")
        assert visit.text("#title") == "Yoshua Bengio"
        coauthor = visit.page.get_attribute("#coauthors a", "href")
        name = visit.text("#coauthors a")
        visit.follow("#coauthors a")
        assert visit.page.url == live_server.url + coauthor and visit.text("#title") == name
        visit.go("/author/yoshua-bengio")
        concept = visit.text("#concepts a")
        visit.follow("#concepts a")
        assert visit.text("#title") == concept and visit.page.url.startswith(live_server.url + "/concept/")
        visit.follow("#who-link")
        assert visit.page.input_value("#who-form input[name=topic]") == concept
        assert visit.page.locator("#who-results > li").count() >= 1
        visit.follow("#who-results a.t-author")
        assert visit.page.url.startswith(live_server.url + "/author/")
        visit.follow("#graph-link")
        visit.page.wait_for_selector("body[data-state=settled]", state="attached", timeout=20_000)
        drawn = visit.page.evaluate("() => ({nodes: kgView.data.nodes.length, seeds: kgView.data.seeds})")
        assert drawn["nodes"] > 1 and len(drawn["seeds"]) == 1
        visit.go("/query?example=coauthors&lang=sparql")
        visit.follow("#query-form button")
        assert visit.page.locator("#answer table tr").count() > 2
        visit.check_clean()
        assert any("/static/kg.css" in url for url in visit.requests)
    finally:
        visit.close()


@pytest.fixture(scope="module")
def hostile_server(hostile_store: Path) -> Iterator[LiveServer]:
    with LiveServer(hostile_store) as server:
        yield server


def test_hostile_text_does_not_run(browser: Any, hostile_server: LiveServer) -> None:
    visit = Visit(browser, hostile_server)
    try:
        visit.go("/search?q=Robust+learning")
        visit.follow("#results a.t-paper")
        assert visit.text("#title") == HOSTILE_TITLE  # shown as the characters it is
        assert SCRIPT in visit.text("#abstract")
        for element in visit.page.query_selector_all("a, p, h1, td, q, mark"):
            element.hover(timeout=2000, force=True)  # an onmouseover smuggled into an attribute would fire
        assert visit.page.evaluate("() => typeof window.__pwned") == "undefined"
        assert visit.page.locator("img").count() == 0 and visit.page.locator("main script").count() == 0
        paper_url = visit.page.url
        visit.follow("#graph-link")
        visit.page.wait_for_selector("body[data-state=settled]", state="attached", timeout=20_000)
        visit.page.fill("#kg-search", "Robust")
        visit.page.press("#kg-search", "Enter")
        assert "Robust <script>" in visit.text("#kg-details")
        assert visit.page.evaluate("() => typeof window.__pwned") == "undefined"
        visit.go("/author/mallory-evil")
        assert "<b>Bad</b> University" in visit.text("body")
        assert visit.page.evaluate("() => typeof window.__pwned") == "undefined"
        visit.check_clean()
        assert paper_url.startswith(hostile_server.url + "/paper/")
    finally:
        visit.close()
