"""Hostile input: user text is data, read-only modes refuse writes, document text never runs in
the HTML view, credentials never reach a message, and inputs cannot steer paths out of a store.

Everything runs against real stores (the default corpus's, and one built from the hostile records
of :mod:`tests.reliability.hostile`), through the Python API, the CLI in-process (CliRunner) and
a few real subprocesses. "Nothing changed" is checked byte for byte on every file of the store,
and on what the store holds: the triple count, a hash of the sorted N-Triples and the Cypher
node and relationship counts.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import socket
import subprocess
import sys
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ladybug
import pyoxigraph as ox
import pytest
from click.testing import CliRunner, Result
from markupsafe import escape

import kg
from kg.cli import main
from kg.errors import QueryError, StoreError, UsageError
from kg.query import cypher as cypher_query
from kg.remote import neo4j
from kg.store import cypher as cypher_store
from kg.store import layout, rdf
from tests.reliability.conftest import HostileBuild
from tests.reliability.hostile import HOSTILE_FILE_NAME, PAYLOADS, SCRIPT, TEMPLATE
from tests.test_viz import Page, browser  # noqa: F401  (the view tests' headless Chromium, reused)

LONG = "x" * 100_000
INJECTIONS = {
    "sparql-close": '"} ; DROP ALL ; #',
    "sql-or": "' OR 1=1 --",
    "sparql-insert": '") } INSERT DATA { <a> <b> <c> } #',
    "cypher-delete": "MATCH (n) DETACH DELETE n //",
    "cypher-param": "$param",
    "sparql-union": "?x } UNION { ?s ?p ?o",
    "sql-drop": "'; DROP TABLE papers; --",
    "backslashes": "\\\\'\\\"\\",
    "quotes": "'\"`'''\"\"\"",
    "newlines": "dropout\nMATCH (n) DELETE n\r\n",
    "nul": "drop\x00out",
    "long": LONG,
    "long-words": "graph neural " * 9_000,
    "rtl": "\u202edropout\u202c",
    "markup": "dropout [/] [bold]x[/bold] [link=u]y[/link]",
    "terminal-escape": "dropout \x1b]0;owned\x07\x1b[31m",
    "template": "{{ 7*7 }} {% raw %} ${7*7}",
    "blank": "   ",
}
LOOKUPS = {
    "who_works_on": "who-works-on",
    "institutions_on": "institutions-on",
    "profile": "profile",
    "related": "related",
}


# ---------------------------------------------------------------------- helpers


def invoke(*args: str, env: dict[str, str | None] | None = None) -> Result:
    return CliRunner().invoke(main, list(args), env=env)


def assert_clean(result: Result, codes: tuple[int, ...] = (0, 2)) -> None:
    """The designed exit status, no traceback, printable stderr; a failure is one line `kg: error: …`."""
    assert result.exit_code in codes, (result.exit_code, result.output[-2000:])
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert all(line.isprintable() for line in lines), result.stderr[:2000]
    if result.exit_code != 0:
        assert len(lines) == 1 and lines[0].startswith("kg: error: "), result.stderr[:2000]
        assert len(lines[0]) < 2000


def store_bytes(store: Path) -> dict[str, str]:
    """Every file of the store with the SHA-256 of its bytes."""
    return {
        str(path.relative_to(store)): hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(store.rglob("*"))
        if path.is_file()
    }


def contents(store: Path) -> dict[str, Any]:
    """What the store holds: triple count and hash of the sorted N-Triples, Cypher counts."""
    generation = layout.current_generation(store)
    dump = rdf.open_read_only(generation.rdf_dir).dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    lines = sorted(dump.splitlines())
    database = cypher_store.open_database(generation.cypher_dir)
    connection = ladybug.Connection(database)
    try:
        nodes = connection.execute("MATCH (n) RETURN count(*)").get_all()[0][0]
        relationships = connection.execute("MATCH ()-[r]->() RETURN count(*)").get_all()[0][0]
    finally:
        connection.close()
        database.close()
    return {
        "triples": len(lines),
        "ntriples_sha256": hashlib.sha256(b"\n".join(lines)).hexdigest(),
        "nodes": nodes,
        "relationships": relationships,
    }


@pytest.fixture(scope="module")
def baseline(built_store: Path) -> dict[str, Any]:
    return {"bytes": store_bytes(built_store), "contents": contents(built_store)}


def assert_unchanged(store: Path, baseline: dict[str, Any], deep: bool = False) -> None:
    assert store_bytes(store) == baseline["bytes"]
    if deep:
        assert contents(store) == baseline["contents"]


def kg_command() -> list[str]:
    executable = shutil.which("kg", path=str(Path(sys.executable).parent)) or shutil.which("kg")
    return [executable] if executable else [sys.executable, "-m", "kg.cli"]


# ---------------------------------------------------------------------- lookups: text is data


@pytest.mark.parametrize("payload", INJECTIONS.values(), ids=INJECTIONS.keys())
def test_lookups_treat_text_as_data(
    handle: kg.KnowledgeGraph, built_store: Path, baseline: dict[str, Any], payload: str
) -> None:
    for method, command in LOOKUPS.items():
        try:
            found = getattr(handle, method)(payload)
        except QueryError as err:  # no match / several matches: exit status 2 on the command line
            message = str(err)
            assert "\n" not in message and "\r" not in message and len(message) < 2000, message[:300]
            assert LONG not in message  # the text is quoted (cut, escaped), not echoed whole
        else:
            json.dumps(found.as_json())
        result = invoke(command, payload, "--store", str(built_store))
        assert_clean(result)
        if result.exit_code == 0 and method != "profile":
            assert result.stdout.strip()
        assert "\x1b" not in result.stdout and "\x00" not in result.stdout
    assert_unchanged(built_store, baseline)


@pytest.mark.parametrize("command", LOOKUPS.values())
def test_lookup_json_output_holds_text_as_data(built_store: Path, command: str) -> None:
    for payload in (INJECTIONS["sql-or"], INJECTIONS["nul"], "\x1b\x07dropout"):
        result = invoke(command, payload, "--json", "--store", str(built_store))
        assert_clean(result)
        if result.exit_code == 0:
            assert isinstance(json.loads(result.stdout), (list, dict))


def test_table_output_shows_markup_as_text(built_store: Path) -> None:
    result = invoke("who-works-on", "dropout [/]", "--store", str(built_store))  # "[/]" closes no rich tag
    assert_clean(result, (0,))
    assert "Who works on dropout [/]" in result.stdout
    markup = "[bold]b[/bold] [link=u]y[/link] [/]"
    table = invoke("sparql", "SELECT ?x WHERE {}", "--param", f"x={markup}", "--store", str(built_store))
    assert_clean(table, (0,))
    assert markup in table.stdout  # shown as written: not interpreted, nothing dropped
    escaped = invoke("who-works-on", "\x1b\x07dropout", "--store", str(built_store))  # matches "dropout"
    assert_clean(escaped, (0,))
    assert "Who works on \\x1b\\x07dropout" in escaped.stdout and "\x1b" not in escaped.stdout
    sequence = invoke("sparql", "SELECT ?x WHERE {}", "--param", "x=\x1b]0;owned\x07", "--store", str(built_store))
    assert_clean(sequence, (0,))
    assert "\\x1b]0;owned\\x07" in sequence.stdout and "\x1b" not in sequence.stdout


def test_lookup_messages_quote_text_on_one_line(built_store: Path) -> None:
    result = invoke("profile", "nobody\nkg: error: forged second line\u202e", "--store", str(built_store))
    assert_clean(result, (2,))
    assert "nobody\\nkg: error: forged second line\\u202e" in result.stderr
    long = invoke("related", LONG, "--store", str(built_store))
    assert_clean(long, (2,))
    assert len(long.stderr) < 300 and "…" in long.stderr


def test_lookups_in_a_real_process(built_store: Path, baseline: dict[str, Any]) -> None:
    for payload in (INJECTIONS["sparql-insert"], INJECTIONS["long-words"], INJECTIONS["newlines"]):
        for command in ("who-works-on", "profile"):
            run = subprocess.run(
                [*kg_command(), command, payload, "--store", str(built_store)],
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert run.returncode in (0, 2), run.stderr[-2000:]
            assert "Traceback" not in run.stderr
            if run.returncode:
                assert run.stderr.count("\n") == 1 and run.stderr.startswith("kg: error: "), run.stderr[:2000]
    assert_unchanged(built_store, baseline)


# ---------------------------------------------------------------------- --param values are bound


PARAM_VALUES = {
    **{name: value for name, value in INJECTIONS.items() if name != "blank"},
    "equals": "a=b=c",
    "iri-like": "<http://example.org/a b>",  # has a space: a string, not an IRI
    "sparql-var": "?x",
    "cypher-var": "$x",
}


@pytest.mark.parametrize("value", PARAM_VALUES.values(), ids=PARAM_VALUES.keys())
def test_param_values_come_back_as_literals(built_store: Path, baseline: dict[str, Any], value: str) -> None:
    store = ("--store", str(built_store))
    sparql = invoke("sparql", "SELECT ?x WHERE {}", "--param", f"x={value}", "--format", "json", *store)
    assert_clean(sparql, (0,))
    assert json.loads(sparql.stdout) == [{"x": value}]
    cypher = invoke("cypher", "RETURN $x AS x", "--param", f"x={value}", "--format", "json", *store)
    assert_clean(cypher, (0,))
    assert json.loads(cypher.stdout) == [{"x": value}]
    assert_unchanged(built_store, baseline)


def test_param_values_in_the_python_api(handle: kg.KnowledgeGraph) -> None:
    for value in PARAM_VALUES.values():
        assert handle.sparql("SELECT ?x WHERE {}", {"x": value}).rows == [{"x": value}]
        assert handle.cypher("RETURN $x AS x", {"x": value}).rows == [{"x": value}]


@pytest.mark.parametrize("value", ["<script>alert(1)</script>", "<>", "<../../etc/x>", '<a:b"c>'])
def test_param_that_looks_like_an_iri_but_is_not_one(built_store: Path, value: str) -> None:
    result = invoke("sparql", "SELECT ?x WHERE {}", "--param", f"x={value}", "--store", str(built_store))
    assert_clean(result, (2,))
    assert "is not an IRI" in result.stderr


def test_integer_params_beyond_64_bits_stay_strings(built_store: Path) -> None:
    big = "9" * 30
    result = invoke("cypher", "RETURN $x AS x", "--param", f"x={big}", "--format", "json", "--store", str(built_store))
    assert_clean(result, (0,))
    assert json.loads(result.stdout) == [{"x": big}]


def test_param_values_leave_the_store_as_it_was(built_store: Path, baseline: dict[str, Any]) -> None:
    assert_unchanged(built_store, baseline, deep=True)


# ---------------------------------------------------------------------- read-only SPARQL


SPARQL_UPDATES = [
    "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "insert data { <urn:a> <urn:b> <urn:c> }",
    "# a comment first\nPREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }",
    "PREFIX ex: <http://example.org/#> BASE <http://example.org/> delete where { ?s ?p ?o }",
    "PREFIX x:<http://example.org/>INSERT DATA { <urn:a> <urn:b> 'x' }",
    "PREFIX ex: <http://example.org/'#> insert data { <urn:a> <urn:b> 'x' }",
    "DELETE WHERE { ?s ?p ?o }",
    "WITH <urn:g> DELETE { ?s ?p ?o } WHERE { ?s ?p ?o }",
    "LOAD <file:///etc/passwd>",
    "load silent <http://127.0.0.1:1/x> into graph <urn:g>",
    "CLEAR ALL",
    "clear default",
    "DROP ALL",
    "drop graph <urn:g>",
    "CREATE GRAPH <urn:g>",
    "ADD DEFAULT TO <urn:g>",
    "COPY DEFAULT TO <urn:g>",
    "MOVE DEFAULT TO <urn:g>",
]
# Updates behind a query: not refused as updates, but the query interface cannot run them.
SPARQL_SMUGGLED = [
    "SELECT * WHERE { ?s ?p ?o } LIMIT 1 ; INSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "SELECT * WHERE { ?s ?p ?o } LIMIT 0 #\nINSERT DATA { <urn:a> <urn:b> <urn:c> }",
    "ASK {} DELETE WHERE { ?s ?p ?o }",
]


def test_sparql_updates_are_refused(built_store: Path, baseline: dict[str, Any]) -> None:
    for update in SPARQL_UPDATES:
        result = invoke("sparql", update, "--store", str(built_store))
        assert_clean(result, (2,))
        assert "SPARQL UPDATE is refused" in result.stderr, update
    for update in SPARQL_SMUGGLED:
        result = invoke("sparql", update, "--store", str(built_store))
        assert_clean(result, (2,))
        assert "syntax error" in result.stderr, update
    assert_unchanged(built_store, baseline, deep=True)


@pytest.fixture
def listener() -> Iterator[tuple[str, list[str]]]:
    """A local HTTP address that records every connection to it and closes it at once (so a
    query that did send a request fails fast instead of waiting for an answer)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    server.settimeout(0.05)
    connections: list[str] = []
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                connection, peer = server.accept()
            except TimeoutError:
                continue
            connections.append(f"{peer[0]}:{peer[1]}")
            connection.close()

    thread = threading.Thread(target=serve, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.getsockname()[1]}/sparql", connections
    stop.set()
    thread.join()
    server.close()


def test_sparql_service_is_refused_and_nothing_is_sent(
    built_store: Path, listener: tuple[str, list[str]], handle: kg.KnowledgeGraph
) -> None:
    url, connections = listener
    queries = [
        f"SELECT * WHERE {{ SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"select * where {{ service silent <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ # a comment ends at CR\r SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND('''it's''' AS ?x) SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ BIND(1 AS ?a) BIND(2 AS ?b) FILTER(?a<?b)SERVICE<{url}>{{?s ?p ?o}} }}",
        f"SELECT * WHERE {{ <http://x/\\u0041#> ?p ?o . SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"SELECT * WHERE {{ ?s ?p 1SERVICE <{url}> {{ ?s ?p ?o }} }}",
        f"PREFIX s: <{url}> ASK {{ SERVICE s: {{ ?s ?p ?o }} }}",
    ]
    for query in queries:
        result = invoke("sparql", query, "--store", str(built_store))
        assert_clean(result, (2,))
        assert "SERVICE is refused" in result.stderr, query
        with pytest.raises(QueryError, match="SERVICE is refused"):
            handle.sparql(query)
    assert connections == []  # nothing was sent
    # the word anywhere is refused (a tokenising check was fooled: tests/reliability/test_query_limits.py);
    # text that mentions it is bound as a parameter instead
    with pytest.raises(QueryError, match="SERVICE is refused"):
        handle.sparql("SELECT ?service WHERE { BIND('SERVICE' AS ?service) }")
    assert handle.sparql("SELECT ?word WHERE { }", {"word": "SERVICE"}).rows == [{"word": "SERVICE"}]


# ---------------------------------------------------------------------- read-only Cypher


def cypher_writes(tmp: Path) -> list[str]:
    leak, other = tmp / "leak.csv", tmp / "other.lbug"
    return [
        "CREATE (:Topic {id: 'topic/x', label: 'x'})",
        "create (:Topic {id: 'topic/x', label: 'x'})",
        "MERGE (t:Topic {id: 'topic/x'})",
        "MATCH (t:Topic) SET t.label = 'x'",
        "MATCH (t:Topic) DELETE t",
        "MATCH (n) DETACH DELETE n",
        "match (n) detach delete n",
        "MATCH (t:Topic) REMOVE t.label",
        "// a comment first\nMATCH (n) DETACH DELETE n",
        "/* a comment */ CREATE (:Topic {id: 'topic/x'})",
        "RETURN 1 AS x //\rCREATE (:Topic {id: 'topic/x'})",
        "MATCH (n) RETURN count(*) AS n; CREATE (:Topic {id: 'topic/x'})",
        "RETURN 1 AS x;MATCH (n) DETACH DELETE n",
        "UNWIND [1] AS i WITH i LIMIT 1CREATE (:Topic {id: 'topic/x', label: 'x'})",
        "UNWIND [1] AS i WITH i LIMIT 1LOAD FROM '/etc/hostname' (file_format='csv', header=false) RETURN *",
        "LOAD FROM '/etc/passwd' (file_format='csv', header=false) RETURN *",
        "load from '/etc/passwd' return *",
        f"COPY (MATCH (t:Topic) RETURN t.id) TO '{leak}'",
        f"RETURN 1 AS x; /* then */ copy (MATCH (t:Topic) RETURN t.id) TO '{leak}'",
        "COPY Topic FROM '/etc/passwd'",
        f"EXPORT DATABASE '{tmp / 'exported'}'",
        f"IMPORT DATABASE '{tmp / 'exported'}'",
        f"ATTACH '{other}' AS other (dbtype lbug)",
        "INSTALL httpfs",
        "LOAD EXTENSION httpfs",
        "CALL threads=1",
        "CALL`threads`=1",
        "CALL clear_warnings()",
        "CALL create_fts_index('Paper', 'paper_text', ['title'])",
        "UNWIND [1] AS i WITH i LIMIT 1CALL clear_warnings() RETURN 1",
        "CHECKPOINT",
        "BEGIN TRANSACTION",
        "DROP TABLE Topic",
        "ALTER TABLE Topic ADD x INT64",
        "CREATE MACRO m(x) AS x",
        "MATCH (t:Topic) FOREACH (x IN [1] | SET t.label = 'y')",
    ]


# What the engine's read-only mode refuses by itself (file reads and writes, extensions and
# transactions it does not: only the clause check stops those).
ENGINE_WRITES = [
    "CREATE (:Topic {id: 'topic/x', label: 'x'})",
    "MERGE (t:Topic {id: 'topic/x'})",
    "MATCH (t:Topic) SET t.label = 'x'",
    "MATCH (t:Topic) DELETE t",
    "match (n) detach delete n",
    "MATCH (t:Topic) REMOVE t.label",
    "/* a comment */ CREATE (:Topic {id: 'topic/x'})",
    "MATCH (n) RETURN count(*) AS n; CREATE (:Topic {id: 'topic/x'})",
    "UNWIND [1] AS i WITH i LIMIT 1CREATE (:Topic {id: 'topic/x', label: 'x'})",
    "DROP TABLE Topic",
    "ALTER TABLE Topic ADD x INT64",
]


def test_cypher_writes_are_refused(built_store: Path, baseline: dict[str, Any], tmp_path: Path) -> None:
    for query in cypher_writes(tmp_path):
        result = invoke("cypher", query, "--store", str(built_store))
        assert_clean(result, (2,))
        assert "is refused: `kg cypher` is read-only" in result.stderr, query
    assert list(tmp_path.iterdir()) == []  # no COPY TO, EXPORT or ATTACH wrote anything
    assert_unchanged(built_store, baseline, deep=True)


def test_cypher_database_itself_refuses_writes(built_store: Path, baseline: dict[str, Any]) -> None:
    """Past the clause check (``write=True`` on a read-only connection) the engine refuses."""
    database = cypher_store.open_database(layout.current_generation(built_store).cypher_dir)
    connection = ladybug.Connection(database)
    try:
        for query in ENGINE_WRITES:
            with pytest.raises(QueryError, match=r"read-only|failed"):
                cypher_query.run(connection, query, write=True)
    finally:
        connection.close()
        database.close()
    assert_unchanged(built_store, baseline)


def test_cypher_clause_check_keeps_read_queries(handle: kg.KnowledgeGraph) -> None:
    for query in (
        "MATCH (t:Topic) RETURN t.label AS `create` ORDER BY t.label LIMIT 1",
        "MATCH (p:Paper) WHERE p.title CONTAINS 'LOAD FROM' RETURN count(*) AS n",
        "RETURN 'x1CREATE' AS text",
        "MATCH (t:Topic) RETURN t.label AS x1create LIMIT 1",
        "RETURN 'a\\' ; MATCH (n) DETACH DELETE n ; RETURN ' AS text",  # one string, as the engine reads it
        "CALL show_tables() RETURN name",
    ):
        assert cypher_query.write_clause(query) is None, query
        handle.cypher(query)


# ---------------------------------------------------------------------- the HTML view


def _split(html: str) -> tuple[str, str]:
    """(the embedded graph JSON, the rest of the page)."""
    before, found, tail = html.partition('<script type="application/json" id="kg-data">')
    assert found
    data, _, after = tail.partition("</script>")
    return data, before + after


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


TEXT_TAGS = ["SECTION", "DIV", "DL", "DT", "DD", "UL", "LI", "H2", "P", "SPAN"]  # what view.js builds
MARKUP = ("<script", "</script", "<img", "<svg", "<b>", "<!--", "<iframe", "]]>")


@dataclass(frozen=True)
class Views:
    """Pages written by `kg viz`: by name, and the label of the hostile author ``around`` is about."""

    pages: dict[str, Path]
    author: str

    def __getitem__(self, name: str) -> Path:
        return self.pages[name]


@pytest.fixture(scope="module")
def pages(hostile_build: HostileBuild, tmp_path_factory: pytest.TempPathFactory) -> Views:
    """The hostile store's view (whole, and around the hostile author: its name is the title),
    and a reference page: the same template and scripts, but only a venue in its data and no
    document text in its title."""
    out = tmp_path_factory.mktemp("views")
    graph = kg.open_store(hostile_build.store).graph()
    author = next(n for n in graph.nodes("Author") if "Mallory" in str(n.props.get("name")))
    runs = {
        "whole": ["--store", str(hostile_build.store)],
        "around": ["--store", str(hostile_build.store), "--around", author.id, "--depth", "2"],
        "titled": ["--store", str(hostile_build.store), "--title", f"{TEMPLATE} {SCRIPT}"],
        "reference": ["--store", str(hostile_build.store), "--types", "venue"],
    }
    paths = {}
    for name, args in runs.items():
        paths[name] = out / f"{name}.html"
        result = invoke("viz", "-o", str(paths[name]), *args)
        assert_clean(result, (0,))
    return Views(paths, str(author.props["label"]))


def test_view_file_holds_document_text_only_as_data(pages: Views) -> None:
    _, reference = _split(pages["reference"].read_text(encoding="utf-8"))
    for name in ("whole", "around"):
        data, rest = _split(pages[name].read_text(encoding="utf-8"))
        assert "<" not in data and ">" not in data and "&" not in data  # `</` and `<!--` cannot end the block
        texts = "\n".join(_strings(json.loads(data)))
        for payload in PAYLOADS:
            assert payload in texts, (name, payload)  # every payload is there, intact, as text
        for payload in PAYLOADS:
            if payload != TEMPLATE:
                assert payload not in rest, (name, payload)
        for token in MARKUP:
            assert rest.count(token) == reference.count(token), (name, token)  # no markup beyond the page's own
    around = pages["around"].read_text(encoding="utf-8")
    assert f"<title>kg: {escape(pages.author)}</title>" in around and "&lt;" in escape(pages.author)
    titled = pages["titled"].read_text(encoding="utf-8")
    assert "<title>{{ 7*7 }}{% raw %}${7*7} &lt;script&gt;alert(1)&lt;/script&gt;</title>" in titled


@pytest.mark.slow
def test_view_runs_no_document_text_in_a_browser(browser: Any, pages: Views) -> None:  # noqa: F811
    reference = Page(browser, pages["reference"])
    try:
        scripts = reference.evaluate("() => document.scripts.length")
    finally:
        reference.close()
    for name in ("whole", "around"):
        page = Page(browser, pages[name])
        try:
            headings = page.evaluate("() => kgView.data.nodes.map(n => n.info.heading)")
            hostile = [h for h in headings if any(p in h for p in PAYLOADS)]
            assert hostile, name
            for heading in hostile:
                node = page.evaluate("(h) => kgView.data.nodes.find(n => n.info.heading === h).id", heading)
                page.evaluate("(id) => kgView.focusNode(id)", node)
                shown = page.evaluate("() => document.getElementById('kg-details').textContent")
                assert heading in shown  # the text, shown as text
            injected = page.evaluate(
                """() => [...document.querySelectorAll('#kg-side *, div.vis-tooltip *')]
                       .map(e => e.tagName).filter(t => !TEXT_TAGS.includes(t))
                       .concat([...document.querySelectorAll('img, svg, iframe, object, embed, '
                         + '[onerror], [onload], a[href^="javascript:"]')].map(e => e.tagName))
                """.replace("TEXT_TAGS", json.dumps(TEXT_TAGS))
            )
            assert injected == [], name
            assert page.evaluate("() => document.scripts.length") == scripts  # none from the data
            assert page.evaluate("() => document.title").startswith("kg")
            assert page.dialogs == [] and page.errors == [] and page.blocked == [], name
            page.evaluate("() => alert('the harness sees dialogs')")
            assert page.dialogs == ["alert: the harness sees dialogs"]
        finally:
            page.close()


# ---------------------------------------------------------------------- credentials

SECRET = "some-secret-value"
URI_SECRET = "uri-only-secret"


@pytest.fixture
def closed_port() -> int:
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    return port


def _no_secret(*texts: str) -> None:
    for text in texts:
        assert SECRET not in text and URI_SECRET not in text, text[:2000]


def test_neo4j_errors_never_show_the_password(
    hostile_build: HostileBuild, closed_port: int, caplog: pytest.LogCaptureFixture
) -> None:
    store = hostile_build.store  # small: `push` reads the whole graph before it connects
    caplog.set_level(logging.DEBUG)
    caplog.set_level(logging.DEBUG, logger="kg")
    caplog.set_level(logging.DEBUG, logger="neo4j")
    uri = f"bolt://127.0.0.1:{closed_port}"
    env = {"NEO4J_PASSWORD": SECRET, "NEO4J_URI": uri}
    for args in (("neo4j", "push"), ("cypher", "--neo4j", "RETURN 1 AS x")):
        result = invoke(*args, "--store", str(store), env=env)
        assert_clean(result, (1,))
        assert result.stderr.startswith(f"kg: error: store {uri}: cannot reach Neo4j")
        _no_secret(result.output, caplog.text)
    with_userinfo = f"bolt://neo4j:{URI_SECRET}@127.0.0.1:{closed_port}"
    for args in (("neo4j", "push"), ("cypher", "--neo4j", "RETURN 1 AS x")):
        result = invoke(*args, "--store", str(store), env={**env, "NEO4J_URI": with_userinfo})
        assert_clean(result, (2,))
        assert f"--uri bolt://***@127.0.0.1:{closed_port}: credentials in the URI are refused" in result.stderr
        _no_secret(result.output, caplog.text)
    # the library, with the driver's own debug log on (the command line turns it off): the secret is in neither
    caplog.set_level(logging.DEBUG, logger="neo4j")
    os.environ["NEO4J_PASSWORD"] = SECRET
    try:
        with pytest.raises(StoreError) as unreachable, neo4j.connect(f"neo4j://127.0.0.1:{closed_port}"):
            pass
        with pytest.raises(UsageError) as refused, neo4j.connect(f"bolt://u:{SECRET}/x@127.0.0.1:{closed_port}"):
            pass
    finally:
        del os.environ["NEO4J_PASSWORD"]
    assert "neo4j" in caplog.text.lower()  # the driver did log, at debug level
    _no_secret(str(unreachable.value), str(refused.value), caplog.text)
    assert unreachable.value.__cause__ is None and unreachable.value.__suppress_context__


def test_neo4j_error_is_one_line_in_a_real_process(built_store: Path, closed_port: int) -> None:
    env = {**os.environ, "NEO4J_PASSWORD": SECRET, "NEO4J_URI": f"neo4j://127.0.0.1:{closed_port}"}
    run = subprocess.run(
        [*kg_command(), "cypher", "--neo4j", "RETURN 1"], capture_output=True, text=True, env=env, timeout=120
    )
    assert run.returncode == 1 and run.stdout == ""
    assert run.stderr.count("\n") == 1 and run.stderr.startswith("kg: error: store neo4j://127.0.0.1:"), run.stderr
    _no_secret(run.stderr)


def test_password_never_comes_from_the_command_line(built_store: Path) -> None:
    for args in (("neo4j", "push"), ("cypher", "--neo4j", "RETURN 1")):
        refused = invoke(*args, "--password", SECRET, "--store", str(built_store), env={"NEO4J_PASSWORD": None})
        assert refused.exit_code == 2 and "No such option" in refused.stderr and "--password" in refused.stderr
        helped = invoke(*args[:-1] if args[0] == "cypher" else args, "--help")
        assert helped.exit_code == 0 and "--password" not in helped.stdout
    missing = invoke("neo4j", "push", "--store", str(built_store), env={"NEO4J_PASSWORD": None})
    assert_clean(missing, (2,))
    assert "set NEO4J_PASSWORD" in missing.stderr


# ---------------------------------------------------------------------- paths


NAME = re.compile(r"[A-Za-z0-9_.-]+")


def test_document_text_never_names_a_file(hostile_build: HostileBuild, tmp_path: Path) -> None:
    store = hostile_build.store
    generation = layout.current_generation(store)
    assert {p.name for p in store.iterdir()} <= {"CURRENT", "PREVIOUS", "LOCK", ".kg-store", generation.path.name}
    files = {"rdf", "cypher", "lookup.sqlite", "meta.json", "resolution.json", "inputs"}
    assert {p.name for p in generation.path.iterdir()} <= files
    assert all(re.fullmatch(r"[0-9a-f]{16}\.jsonl\.gz", p.name) for p in (generation.path / "inputs").iterdir())
    iris = kg.open_store(store).sparql("SELECT DISTINCT ?s WHERE { ?s ?p ?o }").rows
    for row in iris:
        assert re.fullmatch(r"https://w3id\.org/kg/(id/[a-z]+|concept)/[a-z0-9-]+", row["s"]), row["s"]
    outside = sorted(str(p) for p in hostile_build.root.rglob("*") if not p.is_relative_to(store))
    for export, target in (("csv", "csv"), ("neo4j-csv", "neo4j"), ("graphml", "g.graphml"), ("jsonl", "p.jsonl")):
        result = invoke("export", "--format", export, "-o", str(tmp_path / target), "--store", str(store))
        assert_clean(result, (0,))
    assert_clean(invoke("viz", "-o", str(tmp_path / "v.html"), "--store", str(store)), (0,))
    written = sorted(p.relative_to(tmp_path) for p in tmp_path.rglob("*"))
    assert {str(p) for p in written if len(p.parts) == 1} == {"csv", "neo4j", "g.graphml", "p.jsonl", "v.html"}
    assert sorted(p.name for p in (tmp_path / "csv").iterdir()) == ["edges.csv", "nodes.csv"]
    for path in written:
        assert NAME.fullmatch(path.name) and not any(t in str(path) for t in ("etc", "passwd", "abs", "windows"))
    assert all(
        re.fullmatch(r"[A-Z][A-Za-z]*\.nodes\.csv|[A-Z_]+\.[A-Za-z]+\.[A-Za-z]+\.relationships\.csv|import\.sh", p.name)
        for p in (tmp_path / "neo4j").iterdir()
    )
    assert sorted(str(p) for p in hostile_build.root.rglob("*") if not p.is_relative_to(store)) == outside


def test_hostile_input_file_name_is_only_text(hostile_build: HostileBuild) -> None:
    """The input file's name (newline, `$(…)`, quotes, RTL override, `<script>`) is provenance
    text: listed by `kg stats`, never run, never a path inside the store."""
    stats = invoke("stats", "--json", "--store", str(hostile_build.store))
    assert_clean(stats, (0,))
    sources = json.loads(stats.stdout)["sources"]
    assert [name for name in sources if name.endswith(HOSTILE_FILE_NAME)] and len(sources) == 2
    table = invoke("stats", "--store", str(hostile_build.store))
    assert_clean(table, (0,))
    assert "\x1b" not in table.stdout and "Sources" in table.stdout
    assert not list(hostile_build.root.rglob("pwned")) and not (Path.cwd() / "pwned").exists()
    assert not any(HOSTILE_FILE_NAME in p.name for p in hostile_build.store.rglob("*"))


def test_store_option_naming_a_file(hostile_build: HostileBuild, tmp_path: Path) -> None:
    file = tmp_path / "not-a-store"
    file.write_text("x", encoding="utf-8")
    for args in (("stats",), ("who-works-on", "dropout"), ("sparql", "ASK {}")):
        result = invoke(*args, "--store", str(file))
        assert result.exit_code == 2 and "is a file" in result.stderr
    with pytest.raises(StoreError, match="is a file, not a store directory"):
        kg.open_store(file)
    with pytest.raises(StoreError, match="is a file, not a store directory"):
        kg.build([hostile_build.source], store=file, extract=False)
    with pytest.raises(StoreError, match="cannot be created as a store directory"):
        kg.build([hostile_build.source], store=file / "sub", extract=False)
    assert file.read_text(encoding="utf-8") == "x"


@pytest.fixture
def tampered(hostile_build: HostileBuild, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of the hostile store, and outside it a complete copy of its generation (what a
    tampered CURRENT could point at: if kg followed it, the commands would succeed)."""
    store = tmp_path / "store"
    shutil.copytree(hostile_build.store, store)
    generation = layout.current_generation(store).path
    outside = tmp_path / "outside" / generation.name
    shutil.copytree(generation, outside)
    return store, outside


def _pointers(store: Path, outside: Path) -> dict[str, str]:
    name = outside.name
    return {
        "parent": f"../outside/{name}",
        "absolute": str(outside),
        "dotdot-inside": f"{name}/../../outside/{name}",
        "dot": ".",
        "dotdot": "..",
        "nul": f"{name}\x00",
        "empty": "",
        "blank": " \n",
        "missing": "gen-00000000T000000-1-000000",
    }


@pytest.mark.parametrize(
    "case", ["parent", "absolute", "dotdot-inside", "dot", "dotdot", "nul", "empty", "blank", "missing"]
)
def test_tampered_current_is_refused(tampered: tuple[Path, Path], case: str) -> None:
    store, outside = tampered
    (store / "CURRENT").write_text(_pointers(store, outside)[case], encoding="utf-8")
    for args in (("stats",), ("who-works-on", "dropout"), ("sparql", "ASK {}"), ("cypher", "RETURN 1 AS x")):
        result = invoke(*args, "--store", str(store))
        assert_clean(result, (2,))
        assert f"kg: error: store {store}: " in result.stderr and "rebuild it with `kg build`" in result.stderr
    with pytest.raises(StoreError, match="CURRENT"):
        kg.open_store(store)


def test_generation_linked_out_of_the_store_is_refused(tampered: tuple[Path, Path]) -> None:
    store, outside = tampered
    generation = layout.current_generation(store).path
    shutil.rmtree(generation)
    generation.symlink_to(outside, target_is_directory=True)
    result = invoke("stats", "--store", str(store))
    assert_clean(result, (2,))
    assert "is a link out of the store" in result.stderr
    assert outside.is_dir()
