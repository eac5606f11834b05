"""A real server on 127.0.0.1 and real clients: SPARQLWrapper, rdflib's SPARQLStore, httpx;
`kg serve` itself as a process; a store rebuilt while it serves."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
from pathlib import Path

import httpx
import pytest
import rdflib
from rdflib.plugins.stores.sparqlstore import SPARQLStore

import kg
from tests.serve.conftest import LiveServer, free_port

SPARQLWrapper = pytest.importorskip("SPARQLWrapper", reason="pip install -e '.[dev]' installs SPARQLWrapper")

PREFIXES = "PREFIX foaf: <http://xmlns.com/foaf/0.1/>\nPREFIX kg: <https://w3id.org/kg/ontology#>\n"
COAUTHORS = (
    PREFIXES + "SELECT ?coauthor (COUNT(DISTINCT ?p) AS ?papers) WHERE { ?a foaf:name 'Yoshua Bengio' . "
    "?p kg:authoredBy ?a , ?c . ?c foaf:name ?coauthor FILTER(?c != ?a) } GROUP BY ?coauthor ORDER BY ?coauthor"
)


def test_sparqlwrapper_select_construct_and_ask(live_server: LiveServer, handle: kg.KnowledgeGraph) -> None:
    expected = [(r["coauthor"], r["papers"]) for r in handle.sparql(COAUTHORS).rows]
    assert expected
    client = SPARQLWrapper.SPARQLWrapper(f"{live_server.url}/sparql")
    client.setQuery(COAUTHORS)
    client.setReturnFormat(SPARQLWrapper.JSON)
    bindings = client.queryAndConvert()["results"]["bindings"]
    assert [(b["coauthor"]["value"], int(b["papers"]["value"])) for b in bindings] == expected
    client.setReturnFormat(SPARQLWrapper.XML)  # parsed by SPARQLWrapper into a DOM
    assert len(client.queryAndConvert().getElementsByTagName("result")) == len(expected)
    client.setMethod(SPARQLWrapper.POST)
    client.setQuery(PREFIXES + "CONSTRUCT { ?a foaf:name ?n } WHERE { ?a a kg:Author ; foaf:name ?n } LIMIT 10")
    client.setReturnFormat(SPARQLWrapper.TURTLE)
    graph = rdflib.Graph().parse(data=client.queryAndConvert(), format="turtle")
    assert len(graph) == 10
    client.setQuery("ASK { ?s ?p ?o }")
    client.setReturnFormat(SPARQLWrapper.JSON)
    assert client.queryAndConvert()["boolean"] is True
    client.setQuery("INSERT DATA { <urn:a> <urn:b> <urn:c> }")
    with pytest.raises(urllib.error.HTTPError, match=r"HTTP Error 403"):  # SPARQLWrapper passes 403 on
        client.query()


def test_rdflib_sparqlstore(live_server: LiveServer, handle: kg.KnowledgeGraph) -> None:
    store = SPARQLStore(f"{live_server.url}/sparql", returnFormat="json")
    graph = rdflib.Graph(store=store)
    rows = [(str(r.coauthor), int(r.papers)) for r in graph.query(COAUTHORS)]
    assert rows == [(r["coauthor"], r["papers"]) for r in handle.sparql(COAUTHORS).rows]
    bengio = rdflib.URIRef("https://w3id.org/kg/id/author/yoshua-bengio")
    names = set(graph.objects(bengio, rdflib.URIRef("http://xmlns.com/foaf/0.1/name")))
    assert names == {rdflib.Literal("Yoshua Bengio")}
    assert len(store) == handle.stats()["triples"]  # SPARQLStore counts with a COUNT query


def test_pages_and_cypher_over_the_network(live_server: LiveServer) -> None:
    with httpx.Client(base_url=live_server.url, timeout=30) as client:
        page = client.get("/author/yoshua-bengio")
        assert page.status_code == 200 and "Yoshua Bengio" in page.text
        answer = client.post("/cypher", json={"query": "MATCH (p:Paper) RETURN count(*) AS papers"})
        assert answer.json()["rows"] == [{"papers": 504}]
        assert client.get("/static/kg.css").headers["content-type"].startswith("text/css")


def _jsonl(path: Path, titles: list[str]) -> Path:
    rows = [{"title": t, "authors": ["Ada Lovelace", f"Author {i}"], "year": 2020 + i} for i, t in enumerate(titles)]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def test_a_rebuilt_store_is_served_at_the_next_request(tmp_path: Path) -> None:
    store = tmp_path / ".kg"
    source = _jsonl(tmp_path / "papers.jsonl", ["First Paper On Graphs"])
    kg.build([source], store=store, extract=False)
    with LiveServer(store) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        count = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper }"
        assert client.get("/?format=json").json()["nodes"]["Paper"] == 1
        assert client.get("/sparql", params={"query": count}).json()["results"]["bindings"][0]["n"]["value"] == "1"
        _jsonl(source, ["First Paper On Graphs", "Second Paper On Trees"])
        kg.build([source], store=store, extract=False)  # a new generation, switched atomically
        assert client.get("/?format=json").json()["nodes"]["Paper"] == 2
        assert client.get("/sparql", params={"query": count}).json()["results"]["bindings"][0]["n"]["value"] == "2"
        cypher = client.post("/cypher", json={"query": "MATCH (p:Paper) RETURN p.title AS t ORDER BY t"})
        assert [r["t"] for r in cypher.json()["rows"]] == ["First Paper On Graphs", "Second Paper On Trees"]
        assert client.get("/search?q=second paper on trees&format=json").json()["results"][0]["type"] == "Paper"
        (store / "CURRENT").rename(store / "CURRENT.away")  # the store taken away: 503, and the server lives on
        gone = client.get("/author/ada-lovelace", headers={"accept": "application/json"})
        assert gone.status_code == 503 and "no store here" in gone.json()["error"]
        (store / "CURRENT.away").rename(store / "CURRENT")
        assert client.get("/author/ada-lovelace").status_code == 200


@pytest.mark.slow
def test_kg_serve_command(built_store: Path, tmp_path: Path) -> None:
    """The real command: serves on the port asked, warns when bound beyond this machine, and
    refuses a missing store before binding."""
    kg_command = str(Path(sys.executable).parent / "kg")
    missing = subprocess.run(
        [kg_command, "serve", "--store", str(tmp_path / "nothing")], capture_output=True, text=True, timeout=60
    )
    assert missing.returncode == 2 and missing.stderr.startswith("kg: error: store ") and "kg build" in missing.stderr
    assert "Traceback" not in missing.stderr
    without = "import sys; sys.modules['uvicorn'] = None; from kg.cli import main; main()"
    extra = subprocess.run(
        [sys.executable, "-c", without, "serve", "--store", str(built_store)], capture_output=True, text=True
    )
    assert extra.returncode == 2 and "pip install 'kg[serve]'" in extra.stderr and "uvicorn" in extra.stderr
    bad = subprocess.run(
        [kg_command, "serve", "--store", str(built_store), "--timeout", "0"], capture_output=True, text=True
    )
    assert bad.returncode == 2 and "--timeout" in bad.stderr
    for argv, env in ((["--cache-mb", "-1"], {}), ([], {"KG_SERVE_CACHE_MB": "lots"})):
        refused = subprocess.run(
            [kg_command, "serve", "--store", str(built_store), *argv],
            capture_output=True,
            text=True,
            env={**os.environ, **env},
        )
        assert refused.returncode == 2 and "--cache-mb" in refused.stderr and "Traceback" not in refused.stderr
    port = free_port()
    process = subprocess.Popen(
        [kg_command, "serve", "--store", str(built_store), "--host", "0.0.0.0", "--port", str(port)],
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/sparql", params={"query": "ASK { ?s ?p ?o }"})
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "kg serve did not start"
                time.sleep(0.2)
        assert response.json()["boolean"] is True
    finally:
        process.terminate()
        _, stderr = process.communicate(timeout=30)
    assert "anyone who can reach this address can read the whole store" in stderr
    assert f"serving {built_store} on http://0.0.0.0:{port}/" in stderr
