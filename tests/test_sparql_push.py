"""`kg push --sparql-endpoint`: the built store pushed for real into a local Oxigraph server
(`oxigraph serve`, the PyPI package `oxigraph` in the dev extra), then read back over SPARQL.

Basic auth is tested through a small authenticating reverse proxy in front of that server (the
set-up Oxigraph's own documentation gives for protecting /store), so the credentials are checked
by a real HTTP hop and the triples still land in the real server.
"""

from __future__ import annotations

import base64
import http.server
import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.errors import EndpointError, UsageError
from kg.remote import sparql_http

USER, PASSWORD = "kg-pusher", "s3cret-Pa55-do-not-print"
GRAPH = "https://example.org/graphs/kg"


def _oxigraph() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.exists() else shutil.which("oxigraph")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _post_query(base: str, query: str) -> dict:
    request = urllib.request.Request(
        f"{base}/query",
        data=query.encode(),
        headers={"Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def _update(base: str, update: str) -> None:
    request = urllib.request.Request(
        f"{base}/update", data=update.encode(), headers={"Content-Type": "application/sparql-update"}
    )
    urllib.request.urlopen(request, timeout=60).close()


def count(base: str, graph: str | None = None) -> int:
    pattern = "?s ?p ?o" if graph is None else f"GRAPH <{graph}> {{ ?s ?p ?o }}"
    answer = _post_query(base, f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} }}")
    return int(answer["results"]["bindings"][0]["n"]["value"])


def holds(base: str, triple: ox.Triple, graph: str | None = None) -> bool:
    pattern = f"{triple.subject} {triple.predicate} {triple.object}"
    if graph is not None:
        pattern = f"GRAPH <{graph}> {{ {pattern} }}"
    return _post_query(base, f"ASK {{ {pattern} }}")["boolean"]


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real Oxigraph SPARQL server on a free loopback port; yields its base URL."""
    binary = _oxigraph()
    if binary is None:
        pytest.skip("no `oxigraph` server binary: install the dev extra (pip install -e '.[dev]', package `oxigraph`)")
    directory = tmp_path_factory.mktemp("oxigraph")
    port = _free_port()
    log = (directory / "server.log").open("w")
    process = subprocess.Popen(
        [binary, "serve", "--location", str(directory / "db"), "--bind", f"127.0.0.1:{port}"],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:  # wait until it answers (bounded; a dead process fails at once)
            if process.poll() is not None:
                pytest.fail(f"oxigraph serve exited: {(directory / 'server.log').read_text()}")
            try:
                _post_query(base, "ASK { ?s ?p ?o }")
                break
            except (urllib.error.URLError, ConnectionError):
                if time.monotonic() > deadline:
                    pytest.fail("oxigraph serve did not answer within 60 s")
                time.sleep(0.1)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def local(handle: kg.KnowledgeGraph) -> list[ox.Triple]:
    """The built store's default-graph triples (what a push must reproduce)."""
    return [quad.triple for quad in handle.rdf_store.quads_for_pattern(None, None, None, ox.DefaultGraph())]


@pytest.fixture(scope="module")
def sample(local: list[ox.Triple]) -> ox.Triple:
    """A title with non-ASCII text: checks encoding as well as presence."""
    return next(t for t in local if isinstance(t.object, ox.Literal) and not t.object.value.isascii())


@pytest.fixture
def runner(monkeypatch: pytest.MonkeyPatch) -> CliRunner:
    for variable in (sparql_http.USER_VARIABLE, sparql_http.PASSWORD_VARIABLE):
        monkeypatch.delenv(variable, raising=False)
    return CliRunner()


def run(runner: CliRunner, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = runner.invoke(main, list(args), env=env, catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


# ---------------------------------------------------------------- against the real server


def test_push_mirrors_the_store(server: str, handle: kg.KnowledgeGraph, local: list, sample: ox.Triple) -> None:
    report = sparql_http.push(handle.rdf_store, f"{server}/store", batch_size=20_000)
    assert report.triples == len(local) == count(server) == handle.stats()["triples"]
    assert report.batches == -(-len(local) // 20_000) and report.graph is None
    assert holds(server, sample)


def test_push_twice_leaves_the_same_triples(
    runner: CliRunner, server: str, built_store: Path, local: list, sample: ox.Triple
) -> None:
    code, out, err = run(runner, "push", "--sparql-endpoint", f"{server}/store", "--store", str(built_store))
    assert code == 0 and out == ""
    assert f"pushed {len(local)} triples to {server}/store (the default graph)" in err
    _update(server, "INSERT DATA { <https://example.org/stray> <https://example.org/p> 'left over' }")
    assert count(server) == len(local) + 1
    code, _, _ = run(
        runner, "push", "--sparql-endpoint", f"{server}/store", "--batch-size", "7000", "--store", str(built_store)
    )
    assert code == 0
    assert count(server) == len(local)  # replaced, not added to: the stray triple is gone
    assert holds(server, sample)


def test_push_into_a_named_graph(
    runner: CliRunner, server: str, built_store: Path, local: list, sample: ox.Triple
) -> None:
    other = "https://example.org/graphs/other"
    _update(server, f"INSERT DATA {{ GRAPH <{other}> {{ <https://example.org/s> <https://example.org/p> 1 }} }}")
    before = count(server)
    for _ in range(2):
        code, _, err = run(
            runner, "push", "--sparql-endpoint", f"{server}/store", "--graph", GRAPH, "--store", str(built_store)
        )
        assert code == 0 and f"(graph <{GRAPH}>)" in err
        assert count(server, GRAPH) == len(local)
    assert holds(server, sample, GRAPH)
    assert count(server) == before and count(server, other) == 1  # nothing else touched


def test_an_http_error_is_one_line_with_the_status(runner: CliRunner, server: str, built_store: Path) -> None:
    code, out, err = run(runner, "push", "--sparql-endpoint", f"{server}/nowhere", "--store", str(built_store))
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith(f"kg: error: store {server}/nowhere: PUT of batch 1: HTTP 404")
    with pytest.raises(EndpointError) as caught:
        sparql_http.push(kg.open_store(built_store).rdf_store, f"{server}/nowhere")
    assert caught.value.status == 404 and caught.value.endpoint == f"{server}/nowhere"


# ---------------------------------------------------------------- credentials


class _AuthProxy(http.server.BaseHTTPRequestHandler):
    """Basic auth in front of the real server: 401 without the right credentials, else forward."""

    upstream = ""
    expected = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()

    def _forward(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.headers.get("Authorization") != self.expected:
            self.send_response(401, "Unauthorized")
            self.send_header("WWW-Authenticate", 'Basic realm="kg"')
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        request = urllib.request.Request(
            self.upstream + self.path,
            data=body,
            method=self.command,
            headers={"Content-Type": self.headers.get("Content-Type", "")},
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                status, payload = response.status, response.read()
        except urllib.error.HTTPError as err:
            status, payload = err.code, err.read()
        self.send_response(status)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_PUT = do_POST = _forward

    def log_message(self, *args: object) -> None:  # quiet
        pass


@pytest.fixture
def protected(server: str) -> Iterator[str]:
    """The server's /store behind basic auth (USER, PASSWORD); yields the protected endpoint."""
    handler = type("Proxy", (_AuthProxy,), {"upstream": server})
    proxy = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{proxy.server_address[1]}/store"
    finally:
        proxy.shutdown()
        proxy.server_close()


def test_credentials_come_from_the_environment_and_are_never_printed(
    runner: CliRunner, server: str, protected: str, built_store: Path, local: list
) -> None:
    graph = "https://example.org/graphs/protected"
    args = ("push", "--sparql-endpoint", protected, "--graph", graph, "--store", str(built_store))
    code, out, err = run(runner, *args)
    assert code == 1 and "HTTP 401" in err and sparql_http.USER_VARIABLE in err
    good = {sparql_http.USER_VARIABLE: USER, sparql_http.PASSWORD_VARIABLE: PASSWORD}
    code, out, err = run(runner, *args, env=good)
    assert code == 0 and count(server, graph) == len(local)
    assert PASSWORD not in out + err
    wrong = {**good, sparql_http.PASSWORD_VARIABLE: PASSWORD + "-wrong"}
    code, out, err = run(runner, *args, env=wrong)
    assert code == 1 and "HTTP 401" in err and PASSWORD not in out + err
    closed = f"http://127.0.0.1:{_free_port()}/store"
    code, out, err = run(runner, "push", "--sparql-endpoint", closed, "--store", str(built_store), env=good)
    assert code == 1 and PASSWORD not in out + err


def test_credentials_in_the_url_are_refused_and_masked(runner: CliRunner, built_store: Path) -> None:
    url = f"http://{USER}:{PASSWORD}@127.0.0.1:{_free_port()}/store"
    code, out, err = run(runner, "push", "--sparql-endpoint", url, "--store", str(built_store))
    assert code == 2 and out == "" and PASSWORD not in err
    assert f"http://{USER}:***@127.0.0.1" in err and sparql_http.PASSWORD_VARIABLE in err


def test_one_credential_alone_is_a_usage_error(runner: CliRunner, built_store: Path) -> None:
    code, _, err = run(
        runner,
        "push",
        "--sparql-endpoint",
        f"http://127.0.0.1:{_free_port()}/store",
        "--store",
        str(built_store),
        env={sparql_http.USER_VARIABLE: USER},
    )
    assert code == 2 and sparql_http.PASSWORD_VARIABLE in err


# ---------------------------------------------------------------- without a server


def test_an_unreachable_endpoint_is_one_line_exit_1(runner: CliRunner, built_store: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}/store"  # nothing listens there
    code, out, err = run(runner, "push", "--sparql-endpoint", url, "--store", str(built_store))
    assert code == 1 and out == ""
    assert (
        err == f"kg: error: store {url}: PUT of batch 1: {sparql_http._unreachable(ConnectionRefusedError(), 0, '')}\n"
    )


def test_the_real_command_exits_1_on_an_unreachable_endpoint(built_store: Path) -> None:
    url = f"http://127.0.0.1:{_free_port()}/store"
    done = subprocess.run(
        [sys.executable, "-m", "kg.cli", "push", "--sparql-endpoint", url, "--store", str(built_store)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 1 and done.stdout == ""
    assert done.stderr.startswith(f"kg: error: store {url}:") and "connection refused" in done.stderr


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((), "give --sparql-endpoint URL or --neo4j"),
        (("--sparql-endpoint", "http://127.0.0.1:1/store", "--neo4j"), "exactly one"),
        (("--sparql-endpoint", "ftp://127.0.0.1/store"), "expected an http(s) URL"),
        (("--sparql-endpoint", "http://127.0.0.1:1/store", "--graph", "not an iri"), "not an absolute IRI"),
        (("--sparql-endpoint", "http://127.0.0.1:1/store", "--wipe"), "--wipe is for --neo4j"),
        (("--neo4j", "--graph", GRAPH), "--graph is for --sparql-endpoint"),
    ],
)
def test_usage_errors(runner: CliRunner, built_store: Path, args: tuple[str, ...], says: str) -> None:
    code, out, err = run(runner, "push", *args, "--store", str(built_store))
    assert code == 2 and out == "" and says in err


def test_push_neo4j_is_kg_neo4j_push(runner: CliRunner, built_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    one = run(runner, "push", "--neo4j", "--store", str(built_store))
    other = run(runner, "neo4j", "push", "--store", str(built_store))
    assert one == other and one[0] == 2 and "NEO4J_PASSWORD" in one[2]


def test_graph_url_names_the_graph_the_gsp_way() -> None:
    assert sparql_http.graph_url("http://h:7878/store", None) == "http://h:7878/store?default"
    assert sparql_http.graph_url("http://h/ds/data?x=1", "https://e.org/g?a=b#c") == (
        "http://h/ds/data?x=1&graph=" + urllib.parse.quote_plus("https://e.org/g?a=b#c")
    )
    assert sparql_http.redact("https://u:p@h:1/s") == "https://u:***@h:1/s"
    assert sparql_http.redact("https://h/s") == "https://h/s"


def test_batches_are_n_triples_and_an_empty_store_still_replaces(handle: kg.KnowledgeGraph, local: list) -> None:
    size = len(local) // 3 + 1
    batches = list(sparql_http.ntriples_batches(handle.rdf_store, size))
    assert [n for _, n in batches] == [size, size, len(local) - 2 * size]
    parsed = [q.triple for body, _ in batches for q in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)]
    assert parsed == local
    assert list(sparql_http.ntriples_batches(ox.Store(), 10)) == [(b"", 0)]
    with pytest.raises(UsageError):
        next(sparql_http.ntriples_batches(ox.Store(), 0))
