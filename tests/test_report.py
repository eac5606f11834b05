"""``kg report`` in a real browser (Debian's chromium, network off), its escaping of document
text, the pages for scopes with nothing in them, and the notebook views (networkx, pandas)."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.errors import UsageError
from kg.query.frames import FRAMES
from tests.test_viz import browser  # noqa: F401 (the module's chromium, launched offline)

SECTIONS = ("overview", "top", "trends", "communities", "institutions", "central")
HOSTILE = '<script>window.__pwned=1</script><img src=x onerror="window.__pwned=1">'


def _open(browser: Any, path: Path) -> dict[str, Any]:  # noqa: F811
    """What chromium sees of a page opened offline: requests, errors, sections, charts."""
    context = browser.new_context(offline=True)
    requests: list[str] = []
    errors: list[str] = []
    context.route(re.compile(r"^(?!file:).*"), lambda route: (errors.append(route.request.url), route.abort()))
    page = context.new_page()
    page.on("request", lambda request: requests.append(request.url))
    page.on("console", lambda message: errors.append(message.text) if message.type == "error" else None)
    page.on("pageerror", lambda error: errors.append(str(error)))
    try:
        page.goto(path.as_uri())
        seen = page.evaluate(
            """() => ({
          sections: [...document.querySelectorAll('section[id]')].map(s => s.id),
          scripts: document.querySelectorAll('script').length,
          pwned: window.__pwned === 1,
          text: document.body.innerText,
          links: [...document.querySelectorAll('a[href^="http"]')].map(a => a.href),
          charts: [...document.querySelectorAll('svg.chart')].map(svg => ({
            role: svg.getAttribute('role'),
            title: svg.querySelector(':scope > title')?.textContent || '',
            desc: svg.querySelector(':scope > desc')?.textContent || '',
            axes: svg.querySelectorAll('.axis-label').length,
            width: svg.getBoundingClientRect().width,
          })),
        })"""
        )
    finally:
        context.close()
    return {**seen, "requests": requests, "errors": errors}


@pytest.mark.slow
def test_report_renders_offline_with_every_section_and_accessible_charts(
    browser: Any,  # noqa: F811
    built_store: Path,
    tmp_path: Path,
) -> None:
    output = tmp_path / "report.html"
    result = CliRunner().invoke(
        main, ["report", "-o", str(output), "--base-url", "http://127.0.0.1:8000/", "--store", str(built_store)]
    )
    assert result.exit_code == 0, result.output
    seen = _open(browser, output)
    assert seen["errors"] == [] and seen["requests"] == [output.as_uri()]
    assert seen["scripts"] == 0 and tuple(seen["sections"]) == SECTIONS
    assert len(seen["charts"]) >= 8
    for chart in seen["charts"]:
        assert chart["role"] == "img" and chart["title"] and chart["axes"] >= 2 and chart["width"] > 100
        assert re.search(r": .+\d", chart["desc"]), chart  # the text alternative carries the numbers
    handle = kg.open_store(built_store)
    top = handle.analyses().top("method", 1)[0]
    assert f"{top.name}\t{top.papers}" in seen["text"]  # the page shows the numbers `kg top` prints
    assert "http://127.0.0.1:8000/node/author/yoshua-bengio" in seen["links"]
    assert "modularity " + str(handle.meta["communities"]["modularity"]) in seen["text"]
    assert output.stat().st_size < 3_000_000


@pytest.mark.slow
def test_document_text_is_shown_never_run(browser: Any, tmp_path: Path) -> None:  # noqa: F811
    papers = tmp_path / "hostile.jsonl"
    lines = []
    for year in (2020, 2021):
        for n in range(3):
            lines.append(
                {
                    "title": f"Robust {HOSTILE} learning {year} {n}",
                    "year": year,
                    "venue": f"Venue {HOSTILE}",
                    "authors": [f"Ada {HOSTILE} Lovelace", "Alan Turing"],
                    "abstract": "We train a Transformer on ImageNet with dropout for image classification.",
                }
            )
    papers.write_text("\n".join(json.dumps(line) for line in lines) + "\n", encoding="utf-8")
    store = tmp_path / ".kg"
    kg.build([papers], store=store)
    output = tmp_path / "report.html"
    kg.open_store(store).report(output)
    html = output.read_text(encoding="utf-8")
    assert "<script" not in html and "<img" not in html and "&lt;script&gt;" in html
    seen = _open(browser, output)
    assert not seen["pwned"] and seen["scripts"] == 0 and seen["errors"] == []
    assert "Robust <script>window.__pwned=1</script>" in seen["text"]


def test_scopes_with_nothing_in_them_say_so(built_store: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    for option, expected in (
        (["--topic", "zzqqxx nothing like it"], "no concept or topic matches"),
        (["--since", "2100"], "no papers in scope: from 2100 on"),
    ):
        output = tmp_path / "empty.html"
        result = runner.invoke(main, ["report", "-o", str(output), *option, "--store", str(built_store)])
        assert result.exit_code == 2 and "the report says so" in result.output
        html = output.read_text(encoding="utf-8")
        assert "Nothing to show" in html and expected in html and "<svg" not in html


def test_an_empty_store_gives_a_page_saying_so(tmp_path: Path) -> None:
    inputs = tmp_path / "inputs"
    inputs.mkdir()  # no input files: an empty store, on purpose
    store = tmp_path / ".kg"
    kg.build([inputs], store=store, allow_empty=True)
    output = tmp_path / "empty.html"
    result = CliRunner().invoke(main, ["report", "-o", str(output), "--store", str(store)])
    assert result.exit_code == 2 and "the store holds no papers" in result.output
    html = output.read_text(encoding="utf-8")
    assert "Nothing to show" in html and "the store holds no papers" in html and "<svg" not in html
    assert CliRunner().invoke(main, ["top", "method", "--store", str(store)]).exit_code == 2


def test_to_networkx_is_typed_with_properties(handle: kg.KnowledgeGraph) -> None:
    g = handle.to_networkx()
    counts = handle.stats()["nodes"]
    assert g.number_of_nodes() == sum(counts.values())
    bengio = g.nodes["author/yoshua-bengio"]
    assert bengio["type"] == "Author" and bengio["name"] == "Yoshua Bengio" and isinstance(bengio["community"], int)
    edge = next(iter(g.get_edge_data(*next(iter(g.edges()))).values()))
    assert edge["relation"] in handle.graph().ontology.relations and isinstance(edge["sources"], list)


def test_frames_match_the_store(handle: kg.KnowledgeGraph) -> None:
    pytest.importorskip("pandas")
    counts = handle.stats()["nodes"]
    papers = handle.frame("papers")
    assert len(papers) == counts["Paper"] and {"id", "title", "year", "venue", "abstract"} <= set(papers.columns)
    authors = handle.frame("authors")
    assert len(authors) == counts["Author"] and authors["community"].min() == 1
    assert authors["papers"].sum() == len(handle.frame("authorships")) == handle.stats()["edges"]["authored_by"]
    mentions = handle.frame("mentions")
    evidence = handle.sparql(
        "SELECT (COUNT(*) AS ?n) WHERE { ?s rdf:subject ?p ; prov:wasDerivedFrom ?m . ?p a kg:Paper . ?m a kg:Mention }"
    ).rows[0]["n"]
    assert mentions["mention"].notna().sum() == evidence
    assert set(mentions["concept_type"]) == {"Method", "Dataset", "Task", "Topic"}
    with pytest.raises(UsageError, match="choose from"):
        handle.frame("nothing")
    assert FRAMES == ("papers", "authors", "authorships", "mentions")


def test_frames_without_pandas_name_the_extra(handle: kg.KnowledgeGraph, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "pandas", None)  # what `import pandas` meets when it is not installed
    with pytest.raises(UsageError, match=r"kg\[analysis\]"):
        handle.frame("papers")


def test_viz_colours_authors_by_community(handle: kg.KnowledgeGraph, tmp_path: Path) -> None:
    from kg.query.focus import Focus
    from kg.viz import COMMUNITY_PALETTE

    output = tmp_path / "view.html"
    handle.viz(output, Focus(around=("Yoshua Bengio",), types=("author",)), color_by="community")
    payload = re.search(r'<script type="application/json"[^>]*>(.*?)</script>', output.read_text("utf-8"), re.S)
    data = json.loads(payload.group(1))
    community = {r["id"]: r["c"] for r in handle.cypher("MATCH (a:Author) RETURN a.id AS id, a.community AS c").rows}
    colour_of: dict[int, str] = {}
    for node in data["nodes"]:
        colour_of.setdefault(community[node["id"]], node["color"])
        assert colour_of[community[node["id"]]] == node["color"]  # one colour per community
    assert colour_of[community["author/yoshua-bengio"]] == COMMUNITY_PALETTE[0]
    assert data["legend"]["communities"][0]["label"].startswith("community ")
