"""Time and size of the HTML view and the graph exports, and how long the page takes to settle.

    .venv/bin/python benchmarks/bench_viz.py [--store DIR] [--paperlists]

Builds the default corpus into a temporary store (or reads --store), writes ``kg viz`` (default
cap), GraphML, GEXF and JSON-LD, and opens the page in headless Debian chromium (when
/usr/bin/chromium and playwright are installed) to measure the time until the network settles.
``--paperlists`` repeats it on ../shared/corpora/paperlists (a longer build).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

import kg
from kg.export import export
from kg.viz import write_html

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = Path("/usr/bin/chromium")


def settle_seconds(page: Path) -> float | None:
    """Seconds from navigation until the page reports ``data-state=settled`` (None: no browser)."""
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return None
    if not CHROMIUM.exists():
        return None
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM),
            args=["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"],
        )
        context = browser.new_context(offline=True, viewport={"width": 1400, "height": 900})
        tab = context.new_page()
        started = time.perf_counter()
        tab.goto(page.as_uri())
        tab.wait_for_selector("body[data-state=settled]", state="attached", timeout=120_000)
        seconds = time.perf_counter() - started
        browser.close()
    return seconds


def measure(name: str, store: Path, directory: Path) -> list[tuple[str, str, str, str]]:
    started = time.perf_counter()
    graph = kg.open_store(store).graph()
    rows = [(name, "read graph", f"{time.perf_counter() - started:.2f}", f"{len(graph)} nodes")]
    page = directory / f"{name}.html"
    report = write_html(graph, page)
    rows.append((name, "kg viz (html)", f"{report.seconds:.2f}", f"{report.bytes / 1e6:.2f} MB, {report.nodes} nodes"))
    settle = settle_seconds(page)
    rows.append((name, "page settles (chromium)", f"{settle:.2f}" if settle is not None else "-", ""))
    for fmt in ("graphml", "gexf", "jsonld"):
        output = directory / f"{name}.{fmt}"
        started = time.perf_counter()
        export(graph, fmt, output)
        rows.append((name, fmt, f"{time.perf_counter() - started:.2f}", f"{output.stat().st_size / 1e6:.2f} MB"))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--store", type=Path, help="a built store (default: build the default corpus)")
    parser.add_argument("--paperlists", action="store_true", help="also the paperlists corpus (slow build)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as temporary:
        directory = Path(temporary)
        store = args.store
        if store is None:
            store = directory / "default.kg"
            kg.build(None, store=store)
        rows = measure("default", store, directory)
        corpus = ROOT.parent / "shared" / "corpora" / "paperlists"
        if args.paperlists and corpus.exists():
            kg.build([corpus], store=directory / "paperlists.kg")
            rows += measure("paperlists", directory / "paperlists.kg", directory)
    widths = [max(len(r[i]) for r in [("corpus", "step", "seconds", "size"), *rows]) for i in range(4)]
    for row in [("corpus", "step", "seconds", "size"), *rows]:
        print("  ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)))


if __name__ == "__main__":
    main()
