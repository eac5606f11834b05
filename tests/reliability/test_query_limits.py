"""Queries a user types cannot make kg send requests, run forever or fill the memory (issue 22,
items 2 and 3), and an unknown SPARQL prefix is named rather than reported as a parser token.

A real HTTP server on 127.0.0.1 counts every request: the federated tricks are first shown to
reach it through a bare Oxigraph store (so the test would see an escape), then refused by kg.
"""

from __future__ import annotations

import contextlib
import http.server
import itertools
import json
import signal
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.errors import LimitReached, QueryError
from kg.query import sparql
from kg.query.limits import QueryLimits


class _Counting(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []  # noqa: RUF012  (one list per server, set below)

    def _answer(self) -> None:
        self.hits.append(self.path)
        body = json.dumps({"head": {"vars": ["s"]}, "results": {"bindings": []}}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/sparql-results+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_POST = _answer

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def listener() -> Iterator[tuple[str, list[str]]]:
    handler = type("Handler", (_Counting,), {"hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/sparql", handler.hits
    finally:
        server.shutdown()


def _tricks(url: str) -> dict[str, str]:
    """The two escapes the issue found, written against ``url``."""
    return {
        "default-prefix": f"PREFIX : <{url}#> SELECT * WHERE {{ SERVICE:y {{ ?s ?p ?o }} }}",
        "escaped-hash": f"SELECT * WHERE {{ BIND(kgid:x\\#y AS ?z) SERVICE <{url}> {{ ?s ?p ?o }} }}",
    }


def test_the_known_tricks_do_reach_a_bare_engine(listener: tuple[str, list[str]]) -> None:
    url, hits = listener
    store = ox.Store()
    for name, query in _tricks(url).items():
        before = len(hits)
        with contextlib.suppress(SyntaxError, OSError, RuntimeError):
            list(store.query(query, prefixes=sparql.PREFIXES))
        assert len(hits) == before + 1, f"{name} no longer reaches the engine's HTTP client; the test proves nothing"


def _variants(url: str) -> Iterator[str]:
    """SERVICE written every way the grammar, escapes and case allow, around comment, escape,
    string and IRI noise that confused the old guard."""
    keyword_forms = [
        "SERVICE",
        "service",
        "SeRvIcE",
        "\\u0053ERVICE",
        "SERV\\u0049CE",
        "\\U00000053\\U00000045RVICE",
        "SERVICE SILENT",
    ]
    escaped_url = url.replace("1", "\\u0031", 1)
    targets = [f"<{url}>", ":y", "ex:y", f"<{escaped_url}>"]
    noise = [
        "",
        "# SERVICE in a comment\n",
        "?a kg:x\\#y ?b .\n",
        '?a kg:title "# not a comment" .\n',
        "?a kg:title '''\n# still a string\n''' .\n",
        f"?a <{url}#frag> ?b .\n",
        "?a kg:x\\#y ?b .\r",
    ]
    prologue = f"PREFIX : <{url}#> PREFIX ex: <{url}?q=> "
    for keyword, target, before in itertools.product(keyword_forms, targets, noise):
        yield f"{prologue}SELECT * WHERE {{ {before}{keyword} {target} {{ ?s ?p ?o }} }}"
        yield f"{prologue}SELECT * WHERE {{ {before}{keyword}{target} {{ ?s ?p ?o }} }}"


def test_no_federated_variant_sends_a_request(handle: kg.KnowledgeGraph, listener: tuple[str, list[str]]) -> None:
    url, hits = listener
    before = len(hits)
    variants = [*_tricks(url).values(), *_variants(url)]
    assert len(variants) > 300
    for query in variants:
        with pytest.raises(QueryError, match="SERVICE is refused"):
            handle.sparql(query)
    time.sleep(0.2)
    assert len(hits) == before


def test_federation_refusal_through_the_command_line(built_store: Path, listener: tuple[str, list[str]]) -> None:
    url, hits = listener
    before = len(hits)
    for query in _tricks(url).values():
        result = CliRunner().invoke(main, ["sparql", query, "--store", str(built_store)])
        assert result.exit_code == 2 and result.stdout == ""
        assert result.stderr.startswith("kg: error: SERVICE is refused") and result.stderr.count("\n") == 1
    assert len(hits) == before


def test_ordinary_queries_still_run(handle: kg.KnowledgeGraph) -> None:
    rows = handle.sparql("SELECT ?t WHERE { ?p a kg:Paper ; dcterms:title ?t } ORDER BY ?t LIMIT 2").rows
    assert len(rows) == 2
    found = handle.sparql(
        "SELECT ?p ?word WHERE { ?p dcterms:title ?t FILTER(CONTAINS(LCASE(?t), ?word)) }", {"word": "lstm"}
    )
    assert found.rows


# ---------------------------------------------------------------- limits

CROSS = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def test_a_row_limit_streams_the_first_rows_and_says_so(built_store: Path) -> None:
    for fmt in ("csv", "json", "table"):
        result = CliRunner().invoke(
            main, ["sparql", CROSS, "--limit", "5", "--format", fmt, "--store", str(built_store)]
        )
        assert result.exit_code == 0, result.output
        assert "stopped at --limit 5 rows" in result.stderr
    rows = json.loads(
        CliRunner()
        .invoke(main, ["sparql", CROSS, "--limit", "5", "--format", "json", "--store", str(built_store)])
        .stdout
    )
    assert len(rows) == 5 and set(rows[0]) == set("abcdefghi")
    small = CliRunner().invoke(
        main,
        [
            "sparql",
            "SELECT ?n WHERE { ?p a kg:Paper } LIMIT 3",
            "--limit",
            "3",
            "--format",
            "csv",
            "--store",
            str(built_store),
        ],
    )
    assert small.exit_code == 0 and "stopped" not in small.stderr  # exactly the limit: nothing was cut


def test_a_time_limit_stops_a_runaway_sparql_query(handle: kg.KnowledgeGraph, built_store: Path) -> None:
    started = time.monotonic()
    with pytest.raises(LimitReached, match=r"time limit \(1 s\)"):
        handle.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }", limits=QueryLimits(timeout=1))
    assert time.monotonic() - started < 30
    result = CliRunner().invoke(
        main,
        [
            "sparql",
            "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }",
            "--timeout",
            "1",
            "--store",
            str(built_store),
        ],
    )
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("kg: error: SPARQL query stopped by its time limit (1 s)")


CYPHER_CROSS = "MATCH (a), (b), (c) RETURN a.id AS x, b.id AS y, c.id AS z"


def test_cypher_row_limit_and_memory_budget(built_store: Path) -> None:
    result = CliRunner().invoke(
        main, ["cypher", CYPHER_CROSS, "--limit", "4", "--format", "csv", "--store", str(built_store)]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines()[0] == "x,y,z" and len(result.stdout.splitlines()) == 5
    assert "stopped at --limit 4 rows" in result.stderr
    ordered = CliRunner().invoke(
        main, ["cypher", CYPHER_CROSS + " ORDER BY z DESC", "--limit", "4", "--store", str(built_store)]
    )
    # a sorted cross product must be materialised: the query's memory budget stops it
    assert ordered.exit_code == 1 and "needs more memory than the query budget" in ordered.stderr, ordered.output


def test_cypher_time_limit(built_store: Path) -> None:
    query = "MATCH (a), (b), (c) WHERE a.id < b.id AND b.id < c.id RETURN count(*) AS n"
    result = CliRunner().invoke(main, ["cypher", query, "--timeout", "1", "--store", str(built_store)])
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith("kg: error: Cypher query stopped by its time limit (1 s)"), result.stderr


# ---------------------------------------------------------------- messages


def test_an_unknown_prefix_is_named(built_store: Path) -> None:
    result = CliRunner().invoke(main, ["sparql", "SELECT * WHERE { ?s ex:p ?o }", "--store", str(built_store)])
    assert result.exit_code == 2
    assert result.stderr.startswith("kg: error: unknown prefix `ex:` (predeclared: kg:, kgid:"), result.stderr
    assert "expected" not in result.stderr
    declared = CliRunner().invoke(
        main, ["sparql", "PREFIX ex: <http://e/> SELECT * WHERE { ?s ex:p ?o }", "--store", str(built_store)]
    )
    assert declared.exit_code == 0, declared.output


@pytest.mark.parametrize(
    "command",
    [
        ["sparql", "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"],
        ["cypher", "MATCH (a), (b), (c) WHERE a.id < b.id AND b.id < c.id RETURN count(*) AS n"],
    ],
    ids=["sparql", "cypher"],
)
def test_ctrl_c_stops_a_query_at_once(built_store: Path, command: list[str]) -> None:
    """A real process, a real SIGINT while the engine is deep in one step of the query."""
    from tests.reliability.test_hostile import kg_command

    process = subprocess.Popen(
        [*kg_command(), *command, "--timeout", "0", "--store", str(built_store)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(8)  # past start-up even on a loaded machine: the query never ends by itself (--timeout 0)
    assert process.poll() is None, process.communicate()
    process.send_signal(signal.SIGINT)
    out, err = process.communicate(timeout=20)
    assert process.returncode == 130 and out == ""
    assert err.count("\n") == 1 and err.startswith("kg: error: ") and "interrupted (Ctrl-C)" in err, err
