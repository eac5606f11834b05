"""The answer cache (kg/serve/cache.py): hits, eviction by bytes, a new generation empties it,
non-deterministic queries are never kept, and answers are the same with and without it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

import kg
from kg.errors import UsageError
from kg.serve.app import create_app
from kg.serve.cache import AnswerCache, deterministic_cypher, deterministic_sparql
from tests.serve.conftest import TestClient, settings

COAUTHORS = (
    "SELECT ?name ?coauthor (COUNT(DISTINCT ?p) AS ?papers) WHERE { ?a foaf:name ?name . ?p kg:authoredBy ?a , ?c . "
    "?c foaf:name ?coauthor FILTER(?c != ?a) } GROUP BY ?name ?coauthor ORDER BY DESC(?papers) ?coauthor"
)
CYPHER = "MATCH (a:Author)<-[:AUTHORED_BY]-(p:Paper) WHERE a.name = $name RETURN p.title AS title ORDER BY title"


@pytest.fixture(scope="module")
def uncached(built_store: Path) -> Iterator[TestClient]:
    """The same app with the cache turned off, as the reference."""
    with TestClient(
        create_app(settings(built_store, cache_bytes=0, workers=1)), raise_server_exceptions=False
    ) as test_client:
        yield test_client


def test_hit_and_least_recently_used_eviction_by_bytes() -> None:
    cache = AnswerCache(8_000)  # an entry below costs 200 + len(repr(key)) + 400 = 603 bytes: 13 fit
    for name in "abc":
        cache.put("gen-1", name, name.encode() * 200, 200)
    assert cache.get("gen-1", "a") == b"a" * 200  # a is now the most recently used
    assert (cache.hits, cache.misses) == (1, 0)
    for name in "defghijklm":
        cache.put("gen-1", name, name.encode() * 200, 200)
    assert len(cache) == 13 and cache.bytes == 13 * 603
    cache.put("gen-1", "n", b"n" * 200, 200)  # one too many: the least recently used (b) goes
    assert cache.get("gen-1", "b") is None and cache.get("gen-1", "a") is not None
    cache.put("gen-1", "o", b"o" * 200, 200)  # then c (a was used again just now)
    assert cache.get("gen-1", "c") is None and cache.get("gen-1", "a") is not None
    assert len(cache) == 13 and cache.bytes <= 8_000
    cache.put("gen-1", "huge", b"x", 1_001)  # over an eighth of the bound: never kept
    assert cache.get("gen-1", "huge") is None


def test_a_new_generation_empties_the_cache_and_late_answers_are_dropped() -> None:
    cache = AnswerCache(1_000_000)
    cache.put("gen-1", "q", b"old", 3)
    assert cache.get("gen-2", "q") is None and len(cache) == 0 and cache.bytes == 0
    cache.put("gen-1", "q", b"old", 3)  # computed from the replaced generation: not kept
    assert cache.get("gen-2", "q") is None
    cache.put("gen-2", "q", b"new", 3)
    assert cache.get("gen-2", "q") == b"new"


def test_non_deterministic_queries_are_recognised() -> None:
    for query in (
        "SELECT (RAND() AS ?r) {}",
        "SELECT ?x WHERE { BIND(now () AS ?x) }",
        "SELECT (UUID() AS ?u) (STRUUID() AS ?s) {}",
        "SELECT (BNODE() AS ?b) {}",
        "CONSTRUCT { _:x <urn:p> ?o } WHERE { ?s <urn:p> ?o }",
        "CONSTRUCT { [] <urn:p> ?o } WHERE { ?s <urn:p> ?o }",
    ):
        assert not deterministic_sparql(query), query
    assert deterministic_sparql(COAUTHORS)
    assert deterministic_sparql("CONSTRUCT { ?s <urn:p> ?o } WHERE { ?s <urn:p> ?o }")
    assert deterministic_sparql("SELECT ?s WHERE { ?s <urn:p> [] }")  # a blank node only in the pattern
    for query in ("RETURN random() AS r", "RETURN randomUUID()", "RETURN timestamp()", "RETURN date() AS d"):
        assert not deterministic_cypher(query), query
    assert deterministic_cypher(CYPHER)


PAGES = [
    ("GET", "/", {}),
    ("GET", "/?format=json", {}),
    ("GET", "/search?q=bengio", {}),
    ("GET", "/search?q=grpah neural network&format=json", {}),
    ("GET", "/author/yoshua-bengio", {}),
    ("GET", "/author/yoshua-bengio", {"headers": {"accept": "application/json"}}),
    ("GET", "/who-works-on?topic=dropout", {}),
]
QUERIES = [
    ("GET", "/sparql", {"params": {"query": COAUTHORS, "param.name": "Yoshua Bengio"}}),
    ("GET", "/sparql", {"params": {"query": COAUTHORS, "param.name": "Yoshua Bengio", "format": "csv"}}),
    ("POST", "/sparql", {"data": {"query": COAUTHORS, "param.name": "Yoshua Bengio"}}),
    ("POST", "/cypher", {"json": {"query": CYPHER, "parameters": {"name": "Yoshua Bengio"}}}),
]


def _same_answers(client: TestClient, uncached: TestClient, requests: list[tuple[str, str, dict]]) -> None:
    """Each request answers the same from the cached app (a miss, then a hit) as from the other."""
    cache = client.app.state.kg.cache
    for method, url, arguments in requests:
        reference = uncached.request(method, url, **arguments)
        assert reference.status_code == 200, url
        hits = cache.hits
        for _ in range(2):
            answer = client.request(method, url, **arguments)
            assert (answer.status_code, answer.content) == (reference.status_code, reference.content), url
            for header in ("content-type", "content-security-policy", "x-kg-rows"):
                assert answer.headers.get(header) == reference.headers.get(header), (url, header)
        assert cache.hits >= hits + 1, url  # the second at least (a POST form = the GET before it)
    assert uncached.app.state.kg.cache.hits == 0 and len(uncached.app.state.kg.cache) == 0


def test_pages_are_the_same_with_and_without_the_cache(client: TestClient, uncached: TestClient) -> None:
    _same_answers(client, uncached, PAGES)


def test_query_answers_are_the_same_with_and_without_the_cache(client: TestClient, uncached: TestClient) -> None:
    _same_answers(client, uncached, QUERIES)


def test_rand_is_never_cached(client: TestClient) -> None:
    cache = client.app.state.kg.cache
    query = "SELECT (RAND() AS ?r) WHERE {}"
    values = set()
    for _ in range(3):
        answer = client.get("/sparql", params={"query": query})
        values.add(answer.json()["results"]["bindings"][0]["r"]["value"])
    keys = [k for k in cache._entries if isinstance(k, tuple) and query in k]
    assert len(values) == 3 and keys == []
    answer = client.post("/cypher", json={"query": "RETURN random() AS r"})
    assert answer.status_code == 200 and not [k for k in cache._entries if "RETURN random() AS r" in k]


def test_errors_are_not_cached(client: TestClient) -> None:
    cache = client.app.state.kg.cache
    before = len(cache)
    assert client.get("/author/nobody-at-all").status_code == 404
    assert client.get("/sparql", params={"query": "SELECT WHERE {"}).status_code == 400
    assert len(cache) == before


def test_a_rebuilt_store_empties_the_cache(tmp_path: Path) -> None:
    store = tmp_path / ".kg"
    source = tmp_path / "papers.jsonl"
    source.write_text(json.dumps({"title": "First Paper On Graphs", "authors": ["Ada Lovelace"]}) + "\n")
    kg.build([source], store=store, extract=False)
    count = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper }"
    with TestClient(create_app(settings(store)), raise_server_exceptions=False) as test_client:
        cache = test_client.app.state.kg.cache
        for _ in range(2):
            assert test_client.get("/?format=json").json()["nodes"]["Paper"] == 1
            assert (
                test_client.get("/sparql", params={"query": count}).json()["results"]["bindings"][0]["n"]["value"]
                == "1"
            )
        assert cache.hits == 2
        with source.open("a") as more:
            more.write(json.dumps({"title": "Second Paper On Trees", "authors": ["Ada Lovelace"]}) + "\n")
        kg.build([source], store=store, extract=False)
        assert test_client.get("/?format=json").json()["nodes"]["Paper"] == 2
        assert test_client.get("/sparql", params={"query": count}).json()["results"]["bindings"][0]["n"]["value"] == "2"
        assert len(cache) == 2 and cache.hits == 2


def test_the_bound_is_a_setting(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.delenv("KG_SERVE_CACHE_MB", raising=False)
    assert settings(tmp_path).cache_bytes == 64 * 1024 * 1024
    monkeypatch.setenv("KG_SERVE_CACHE_MB", "0.5")
    assert settings(tmp_path).cache_bytes == 512 * 1024
    monkeypatch.setenv("KG_SERVE_CACHE_MB", "0")
    assert settings(tmp_path).cache_bytes == 0
    for bad in ("lots", "-1", "nan", "inf"):
        monkeypatch.setenv("KG_SERVE_CACHE_MB", bad)
        with pytest.raises(UsageError, match="KG_SERVE_CACHE_MB"):
            settings(tmp_path)
