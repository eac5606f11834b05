"""`kg serve` pages over the default corpus's store: content, links, JSON twins, errors, escaping."""

from __future__ import annotations

import html
import re
from pathlib import Path
from typing import Any

import pytest

import kg
from kg.ontology import load as load_ontology
from tests.serve.conftest import ATTRIBUTE, IMAGE, SCRIPT, TestClient, create_app, settings

LOTTERY = "paper/the-lottery-ticket-hypothesis-finding-sparse-trainable-neura-76d9b1"
SPR = "paper/untitled-6353fad2d98e"  # Schwarzer et al., ICLR 2021: SPR, data augmentation, Atari


def as_json(client: TestClient, url: str) -> Any:
    response = client.get(url, headers={"accept": "application/json"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/json")
    return response.json()


def hrefs(page: str) -> list[str]:
    return [html.unescape(h) for h in re.findall(r'href="([^"]+)"', page)]


def test_home_counts_and_search_box(client: TestClient, handle: kg.KnowledgeGraph) -> None:
    page = client.get("/")
    assert page.status_code == 200 and page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<form class="search big" action="/search"' in page.text
    data = as_json(client, "/")
    stats = handle.stats()
    assert data["nodes"]["Paper"] == stats["nodes"]["Paper"] == 504
    assert all(data["nodes"].get(kind, 0) == count for kind, count in stats["nodes"].items())
    assert data["triples"] == stats["triples"]
    assert {i["file"] for i in data["inputs"]} == set(stats["sources"])


def test_every_page_has_a_json_twin(client: TestClient) -> None:
    for url in ("/", "/search?q=bengio", "/who-works-on?topic=GNNs", "/author/yoshua-bengio", f"/{SPR}"):
        by_accept = as_json(client, url)
        separator = "&" if "?" in url else "?"
        by_parameter = client.get(f"{url}{separator}format=json")
        assert by_parameter.json() == by_accept
        browser = client.get(url, headers={"accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
        assert browser.headers["content-type"].startswith("text/html")


def test_search_is_fuzzy_and_typed(client: TestClient) -> None:
    bengio = as_json(client, "/search?q=bengio")["results"]
    ids = [r["id"] for r in bengio]
    assert {"author/yoshua-bengio", "author/samy-bengio"} <= set(ids)
    assert bengio[0]["type"] == "Author"  # people before papers whose label holds the name
    assert as_json(client, "/search?q=GNNs")["results"][0]["id"] == "concept/graph-neural-network"
    assert as_json(client, "/search?q=frankle")["results"][0]["id"] == "author/jonathan-frankle"
    assert as_json(client, "/search?q=Mila")["results"][0]["id"] == "institution/mila"
    typo = as_json(client, "/search?q=lotery ticket hypothesis")["results"]
    assert LOTTERY in [r["id"] for r in typo]
    nothing = client.get("/search?q=qqqzzzxxx")
    assert nothing.status_code == 200 and 'id="no-results"' in nothing.text
    assert all(r["url"] == "/" + r["id"] for r in bengio)


def test_author_page(client: TestClient, handle: kg.KnowledgeGraph) -> None:
    data = as_json(client, "/author/yoshua-bengio")
    profile = handle.profile("author/yoshua-bengio")
    papers = [p["id"] for year in data["papers_by_year"].values() for p in year]
    assert papers == [p.id for p in profile.papers] and data["paper_count"] == len(papers)
    years = [y for y in data["papers_by_year"] if y.isdigit()]
    assert years == sorted(years, reverse=True)
    assert [c["id"] for c in data["coauthors"]] == [c.id for c in profile.coauthors]
    assert data["institutions"] and all(i["url"].startswith("/institution/") for i in data["institutions"])
    page = client.get("/author/yoshua-bengio").text
    assert '<h1 id="title">Yoshua Bengio</h1>' in page
    assert 'href="/graph/author/yoshua-bengio"' in page


def test_paper_page_authors_venue_and_evidence(client: TestClient, handle: kg.KnowledgeGraph) -> None:
    data = as_json(client, f"/{SPR}")
    byline = handle.cypher(
        "MATCH (p:Paper)-[r:AUTHORED_BY]->(a:Author) WHERE p.id = $id RETURN a.id AS id ORDER BY r.position",
        {"id": SPR},
    ).rows
    assert [a["id"] for a in data["authors"]] == [r["id"] for r in byline]
    assert data["venue"] == [{"id": "venue/iclr", "type": "Venue", "label": "ICLR", "url": "/venue/iclr"}]
    assert data["year"] == 2021 and data["abstract"].startswith("While deep reinforcement learning")
    assert data["tldr"] and data["sources"][0]["file"].endswith("iclr2021_authors_tldr_abstracts.txt")
    concepts = {c["id"]: c for c in data["concepts"]}
    used = handle.sparql(
        "SELECT ?p ?c WHERE { ?p kg:usesMethod|kg:usesDataset|kg:addressesTask ?c }", {"p": f"<{_iri(SPR)}>"}
    ).rows
    assert set(concepts) == {_id(r["c"]) for r in used}
    augmentation = concepts["concept/data-augmentation"]["evidence"]
    assert augmentation["match"].lower() == "data augmentation"
    sentence = augmentation["before"] + augmentation["match"] + augmentation["after"]
    assert sentence in data["abstract"] and sentence.startswith("We further improve performance")
    page = client.get(f"/{SPR}").text
    assert "adding <mark>data augmentation</mark> to the future prediction loss" in page


def test_paper_with_summaries_and_institutions(client: TestClient, handle: kg.KnowledgeGraph) -> None:
    stated = as_json(client, "/paper/comparing-fine-tuning-and-rewinding-in-neural-network-prunin-cbb94d")
    frankle = next(a for a in stated["authors"] if a["id"] == "author/jonathan-frankle")
    assert [i["label"] for i in frankle["institutions"]] == ["MIT"]  # the affiliation stated on that paper
    data = as_json(client, f"/{LOTTERY}")
    assert all(a["institutions"] == [] for a in data["authors"])  # none stated in this paper's sources
    assert data["summaries"] and all(s["text"] and s["source"] for s in data["summaries"])
    assert [s["file"] for s in data["sources"]] == ["data/corpus/shortscience_iclr_papers.txt"]
    texts = handle.sparql("SELECT ?p ?t WHERE { ?s kg:summarises ?p ; schema:text ?t }", {"p": f"<{_iri(LOTTERY)}>"})
    assert sorted(s["text"] for s in data["summaries"]) == sorted(r["t"] for r in texts.rows)


def test_institution_and_concept_pages(client: TestClient, handle: kg.KnowledgeGraph) -> None:
    mila = as_json(client, "/institution/mila")
    assert mila["name"] == "Mila" and mila["people"] and mila["paper_count"] >= 1
    concept = as_json(client, "/concept/kullback-leibler-divergence")
    assert concept["type"] == "Method" and "KL divergence" in concept["aliases"]
    assert concept["broader"] == [
        {"id": "concept/loss-function", "type": "Method", "label": "Loss Function", "url": "/concept/loss-function"}
    ]
    using = handle.sparql("SELECT ?m ?p WHERE { ?p kg:usesMethod ?m }", {"m": f"<{_iri(concept['id'])}>"}).rows
    assert {p["id"] for p in concept["papers"]} == {_id(r["p"]) for r in using}
    assert concept["top_authors"] and all(a["type"] == "Author" for a in concept["top_authors"])
    assert concept["related"] and concept["who_works_on_url"].startswith("/who-works-on?topic=")
    narrower = as_json(client, "/concept/loss-function")["narrower"]
    assert "concept/kullback-leibler-divergence" in {n["id"] for n in narrower}


def test_other_nodes_have_pages(client: TestClient) -> None:
    venue = as_json(client, "/venue/iclr")
    assert len(venue["links_in"]["published in"]) > 400
    source = as_json(client, as_json(client, f"/{SPR}")["sources"][0]["url"])
    assert source["type"] == "SourceRecord" and source["properties"]["reader"] == "iclr-list"


def test_who_works_on(client: TestClient, handle: kg.KnowledgeGraph) -> None:
    data = as_json(client, "/who-works-on?topic=lottery+tickets")
    expected = handle.who_works_on("lottery tickets")
    assert [r["author"]["id"] for r in data["results"]] == [r.author.id for r in expected.results]
    first_two = {r["author"]["label"]: r for r in data["results"][:2]}
    assert set(first_two) == {"Jonathan Frankle", "Michael Carbin"}  # first and last author of the lottery papers
    assert first_two["Jonathan Frankle"]["author"]["institutions"][0]["url"] == "/institution/mit"
    assert data["searched_text"]  # no concept is called that: the papers' text answers
    gnn = as_json(client, "/who-works-on?topic=GNNs")["understood_as"]
    assert gnn[0]["id"] == "concept/graph-neural-network" and gnn[0]["kind"] == "alias"
    page = client.get("/who-works-on?topic=lottery+tickets&since=2019&limit=3")
    assert page.status_code == 200 and page.text.count('<li>\n    <p><a href="/author/') <= 3
    empty = client.get("/who-works-on")
    assert empty.status_code == 200 and 'id="who-form"' in empty.text and "who-results" not in empty.text
    missing = client.get("/who-works-on?topic=qqqzzzxxx", headers={"accept": "application/json"})
    assert missing.status_code == 404 and "qqqzzzxxx" in missing.json()["error"]
    assert client.get("/who-works-on?topic=GNNs&since=soon").status_code == 400


def test_links_between_pages_resolve(client: TestClient) -> None:
    """Every link on a handful of pages (search, author, co-author, paper, concept) leads to a page."""
    seen: set[str] = set()
    for start in ("/search?q=bengio", "/author/yoshua-bengio", f"/{LOTTERY}", "/concept/graph-neural-network"):
        for href in hrefs(client.get(start).text):
            if href.startswith("/") and not href.startswith(("/static/", "/graph/")) and href not in seen:
                seen.add(href)
    assert len(seen) > 60
    broken = [h for h in sorted(seen) if client.get(h).status_code != 200]
    assert broken == []


def test_unknown_ids_are_404_without_a_traceback(client: TestClient) -> None:
    for url in ("/author/nobody-at-all", "/nothing/here", "/paper/%3Cscript%3Ealert(1)%3C%2Fscript%3E", "/a/b/c d"):
        page = client.get(url)
        assert page.status_code == 404, url
        assert "Traceback" not in page.text and "<script>alert" not in page.text
        assert 'id="error"' in page.text
        api = client.get(url, headers={"accept": "application/json"})
        assert api.status_code == 404 and api.json()["status"] == 404 and api.json()["error"]
    assert client.get("/graph/author/nobody-at-all").status_code == 404


def test_security_headers(client: TestClient) -> None:
    for url in ("/", "/author/yoshua-bengio", "/static/kg.css", "/nothing/here", "/sparql"):
        headers = client.get(url).headers
        policy = headers["content-security-policy"]
        assert "unsafe-inline" not in policy and "default-src 'none'" in policy
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"
    view = client.get("/graph/author/yoshua-bengio")
    assert view.status_code == 200 and "script-src 'sha256-" in view.headers["content-security-policy"]
    assert "unsafe-inline" not in view.headers["content-security-policy"].split("style-src")[0]


def test_foreign_host_and_large_bodies_are_refused(client: TestClient) -> None:
    assert client.get("/", headers={"host": "evil.example"}).status_code == 400  # DNS rebinding
    big = client.post("/sparql", content=b"x" * 2_000_000, headers={"content-type": "application/sparql-query"})
    assert big.status_code == 413 and "limit" in big.json()["error"]

    def chunks() -> Any:  # no Content-Length: counted as it streams in
        for _ in range(40):
            yield b"#" * 50_000

    streamed = client.post("/sparql", content=chunks(), headers={"content-type": "application/sparql-query"})
    assert streamed.status_code == 413


@pytest.fixture(scope="module")
def hostile_client(hostile_store: Path) -> Any:
    with TestClient(create_app(settings(hostile_store)), raise_server_exceptions=False) as test_client:
        yield test_client


def test_document_text_is_escaped(hostile_client: TestClient) -> None:
    found = hostile_client.get("/search", params={"q": "Robust learning"}, headers={"accept": "application/json"})
    paper = next(r for r in found.json()["results"] if r["type"] == "Paper")
    urls = (paper["url"], "/search?q=Robust+learning", "/author/mallory-evil")
    pages = [hostile_client.get(url).text for url in urls]
    institution = next(r for r in hostile_client.get("/search?q=Bad University&format=json").json()["results"])
    pages.append(hostile_client.get(institution["url"]).text)
    for page in pages:
        for hostile in (SCRIPT, IMAGE, ATTRIBUTE, "<b>Bad</b>"):
            assert hostile not in page
    assert html.escape(SCRIPT) in pages[0] and "&lt;img src=x onerror=" in pages[0]
    assert "&lt;b&gt;Bad&lt;/b&gt; University" in pages[3]
    echoed = hostile_client.get("/search", params={"q": f"{SCRIPT}{ATTRIBUTE}"}).text
    assert SCRIPT not in echoed and ATTRIBUTE not in echoed


def _iri(node_id: str) -> str:
    return load_ontology().node_iri(node_id)


def _id(iri: str) -> str:
    return load_ontology().node_id(iri) or iri
