"""``kg fetch`` against a real HTTP server on 127.0.0.1 serving pages shaped like each service's.

The pages in tests/data/fetch/ were written by hand from the services' documented responses
(arXiv API Atom feeds, OpenAlex ``/works`` list pages with ``meta.next_cursor``, Semantic
Scholar ``/paper/search`` and ``/paper/search/bulk`` pages): five papers, two to a page. Nothing
here leaves the machine: every fetch gets ``--base-url`` pointing at the local server.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.sources import detect, read_file

DATA = Path(__file__).parent / "data" / "fetch"
OPENALEX_CURSORS = [json.loads((DATA / f"openalex-{n}.json").read_text())["meta"]["next_cursor"] for n in (1, 2)]
TITLES = [
    "Adam: A Method for Stochastic Optimization",
    "Attention Is All You Need",
    "BERT: Pre-training of Deep Bidirectional Transformers for Language Understanding",
    "Deep Residual Learning for Image Recognition",
    "The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks",
]
FAST = ["--interval", "0", "--backoff", "0.01", "--page-size", "2"]
Reply = tuple[int, dict[str, str], bytes]


@dataclass
class Seen:
    """One request the server answered: path, parameters, headers (names lower-cased), when (monotonic s)."""

    path: str
    params: dict[str, str]
    headers: dict[str, str]
    at: float


@dataclass
class Server:
    """The local service: pages chosen by cursor, and an optional fault for the n-th request."""

    url: str
    seen: list[Seen] = field(default_factory=list)
    fault: Callable[[int, Seen], Reply | None] = lambda n, s: None


def page_file(seen: Seen) -> Path:
    """The sample page a request asks for, chosen by its cursor as the real service would."""
    p = seen.params
    if seen.path.endswith("/query"):
        return DATA / f"arxiv-{int(p['start']) // 2 + 1}.atom"
    if seen.path.endswith("/works"):
        return DATA / f"openalex-{(['*', *OPENALEX_CURSORS]).index(p['cursor']) + 1}.json"
    if seen.path.endswith("/paper/search/bulk"):
        return DATA / f"semanticscholar-bulk-{2 if p.get('token') else 1}.json"
    return DATA / f"semanticscholar-{int(p['offset']) // 2 + 1}.json"


@pytest.fixture
def server() -> Iterator[Server]:
    state = Server(url="")

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urllib.parse.urlsplit(self.path)
            seen = Seen(
                parts.path,
                dict(urllib.parse.parse_qsl(parts.query)),
                {k.lower(): v for k, v in self.headers.items()},
                time.monotonic(),
            )
            state.seen.append(seen)
            reply = state.fault(len(state.seen), seen)
            if reply is None:
                body = page_file(seen).read_bytes()
                kind = "application/atom+xml" if seen.path.endswith("/query") else "application/json"
                reply = (200, {"Content-Type": kind}, body)
            status, headers, body = reply
            self.send_response(status)
            for name, value in {**headers, "Content-Length": str(len(body))}.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    yield state
    httpd.shutdown()
    httpd.server_close()


def base(server: Server, service: str) -> str:
    return server.url + {"arxiv": "/api", "openalex": "", "semanticscholar": "/graph/v1"}[service]


def run_fetch(server: Server, service: str, out: Path, *extra: str, env: dict[str, str] | None = None):
    args = ["fetch", service, "neural networks", "-o", str(out), "--base-url", base(server, service), *FAST, *extra]
    return CliRunner().invoke(main, args, env=env)


@pytest.mark.parametrize(
    ("service", "reader", "cursor"),
    [
        ("arxiv", "arxiv-atom", "start"),
        ("openalex", "openalex", "cursor"),
        ("semanticscholar", "semanticscholar", "offset"),
    ],
)
def test_pages_until_the_limit_into_a_file_the_reader_reads(
    server: Server, tmp_path: Path, service: str, reader: str, cursor: str
) -> None:
    out = tmp_path / f"{service}.out"
    result = run_fetch(server, service, out, "--limit", "3")
    assert result.exit_code == 0, result.output
    assert f"wrote 3 records to {out}" in result.stderr
    assert [s.params[cursor] for s in server.seen] == {
        "arxiv": ["0", "2"],
        "openalex": ["*", OPENALEX_CURSORS[0]],
        "semanticscholar": ["0", "2"],
    }[service]
    size = {"arxiv": "max_results", "openalex": "per-page", "semanticscholar": "limit"}[service]
    assert [s.params[size] for s in server.seen] == ["2", "1"]  # the last page asks only for what is missing
    assert detect(out).name == reader
    records = list(read_file(out))
    assert [r.title for r in records] == [
        "The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks",
        "Attention Is All You Need",
        "Deep Residual Learning for Image Recognition",
    ]
    assert "arxiv:1706.03762" in records[1].external_ids
    assert [a.name for a in records[2].authors] == ["Kaiming He", "Xiangyu Zhang", "Shaoqing Ren", "Jian Sun"]
    assert not out.with_name(out.name + ".partial").exists()
    assert not out.with_name(out.name + ".partial.state").exists()


def test_all_pages_then_stops_and_asks_for_the_documented_fields(server: Server, tmp_path: Path) -> None:
    env = {"KG_MAILTO": "ada@example.org"}
    for service in ("arxiv", "openalex", "semanticscholar"):
        result = run_fetch(server, service, tmp_path / service, "--since", "2016", env=env)
        assert result.exit_code == 0, result.output
        assert "wrote 5 records" in result.stderr
    assert len(server.seen) == 9  # three pages each; the last page's cursor ends the fetch
    arxiv, openalex, s2 = server.seen[0], server.seen[3], server.seen[6]
    assert arxiv.params["search_query"] == (
        "(all:neural AND all:networks) AND submittedDate:[201601010000 TO 999912312359]"
    )
    assert arxiv.params["sortBy"] == "submittedDate"
    assert openalex.params["filter"] == "from_publication_date:2016-01-01"
    assert openalex.params["mailto"] == "ada@example.org"
    assert {"id", "title", "authorships", "abstract_inverted_index", "primary_location"} <= set(
        openalex.params["select"].split(",")
    )
    assert s2.path == "/graph/v1/paper/search" and s2.params["year"] == "2016-"
    assert {"paperId", "externalIds", "title", "abstract", "authors", "year", "venue", "tldr"} <= set(
        s2.params["fields"].split(",")
    )
    for seen in server.seen:
        assert seen.headers["user-agent"].startswith(f"kg/{kg.__version__} (")
        assert "mailto:ada@example.org" in seen.headers["user-agent"]
    tldrs = [r.tldr for r in read_file(tmp_path / "semanticscholar")]
    assert len(tldrs) == 5 and all(tldrs)


def test_semanticscholar_bulk_search_pages_by_token(server: Server, tmp_path: Path) -> None:
    out = tmp_path / "s2.jsonl"
    result = run_fetch(server, "semanticscholar", out, "--limit", "5000")
    assert result.exit_code == 0, result.output
    assert [(s.path, s.params.get("token")) for s in server.seen] == [
        ("/graph/v1/paper/search/bulk", None),
        ("/graph/v1/paper/search/bulk", "PCOA3RZZB2ADADAEYCX2BLJJRDEGL6JFKNZCOQ4IZACMADAB"),
    ]
    assert "tldr" not in server.seen[0].params["fields"]  # the bulk search does not serve it
    assert len(list(read_file(out))) == 5


def test_429_with_retry_after_is_waited_out(server: Server, tmp_path: Path) -> None:
    server.fault = lambda n, s: (429, {"Retry-After": "1"}, b'{"message": "Too Many Requests"}') if n == 1 else None
    result = run_fetch(server, "openalex", tmp_path / "w.jsonl")
    assert result.exit_code == 0, result.output
    first, again = server.seen[0], server.seen[1]
    assert first.params == again.params  # the same page asked again
    assert again.at - first.at >= 0.95  # Retry-After (1 s) honoured though --backoff is 0.01
    assert len(list(read_file(tmp_path / "w.jsonl"))) == 5


def test_500_exhausts_the_retries_exit_1_naming_the_url_without_secrets(server: Server, tmp_path: Path) -> None:
    server.fault = lambda n, s: (500, {}, b"Internal Server Error")
    env = {"KG_MAILTO": "ada@example.org", "S2_API_KEY": "s3cr3t-key-value"}
    out = tmp_path / "s2.jsonl"
    result = run_fetch(server, "semanticscholar", out, "--retries", "2", env=env)
    assert result.exit_code == 1
    line = result.stderr.strip()
    assert line.count("\n") == 0 and "Traceback" not in result.output
    assert line.startswith(f"kg: error: {server.url}/graph/v1/paper/search?query=neural+networks")
    assert "HTTP 500" in line and "gave up after 3 attempts" in line
    assert len(server.seen) == 3
    assert "s3cr3t" not in result.output and "ada@example.org" not in result.output
    assert not out.exists()


def test_a_malformed_page_is_exit_2_naming_url_and_page(server: Server, tmp_path: Path) -> None:
    server.fault = lambda n, s: (
        (200, {"Content-Type": "text/html"}, b"<html>Service Unavailable</html>") if n == 2 else None
    )
    out = tmp_path / "w.jsonl"
    result = run_fetch(server, "openalex", out)
    assert result.exit_code == 2
    assert "(page 2): not JSON" in result.stderr and f"{server.url}/works?search=neural+networks" in result.stderr
    assert not out.exists()
    state = json.loads(out.with_name("w.jsonl.partial.state").read_text())
    assert (state["pages"], state["records"], state["cursor"]) == (1, 2, OPENALEX_CURSORS[0])


@pytest.mark.parametrize(
    ("service", "page", "message"),
    [
        ("arxiv", b'<?xml version="1.0"?><feed xmlns="http://www.w3.org/2005/Atom"><entry/></feed>', "totalResults"),
        ("semanticscholar", b'{"total": 5, "offset": 0, "data": [{"title": "no id"}]}', "'paperId'"),
        ("openalex", b'{"results": []}', "not an OpenAlex list page"),
    ],
)
def test_pages_missing_fields_are_exit_2(
    server: Server, tmp_path: Path, service: str, page: bytes, message: str
) -> None:
    server.fault = lambda n, s: (200, {}, page)
    result = run_fetch(server, service, tmp_path / "out")
    assert result.exit_code == 2 and "(page 1)" in result.stderr and message in result.stderr


def test_resume_after_a_failure_continues_from_the_saved_cursor(server: Server, tmp_path: Path) -> None:
    out = tmp_path / "works.jsonl"
    server.fault = lambda n, s: (503, {}, b"") if s.params["cursor"] == OPENALEX_CURSORS[1] else None
    failed = run_fetch(server, "openalex", out, "--retries", "1")
    assert failed.exit_code == 1 and "HTTP 503" in failed.stderr
    assert [s.params["cursor"] for s in server.seen] == [
        "*",
        OPENALEX_CURSORS[0],
        OPENALEX_CURSORS[1],
        OPENALEX_CURSORS[1],
    ]
    partial = out.with_name("works.jsonl.partial")
    assert len(partial.read_text().splitlines()) == 4
    with partial.open("ab") as handle:  # as if killed after appending a page but before saving the state
        handle.write(b'{"id": "https://openalex.org/W1", "title": "half a pa')
    server.seen.clear()
    server.fault = lambda n, s: None
    resumed = run_fetch(server, "openalex", out, "--retries", "1")
    assert resumed.exit_code == 0, resumed.output
    assert [s.params["cursor"] for s in server.seen] == [OPENALEX_CURSORS[1]]  # not from the start
    assert "wrote 5 records" in resumed.stderr
    assert sorted(r.title for r in read_file(out)) == TITLES  # each once; the stray half line is gone


def test_a_different_query_refuses_an_unfinished_fetch_unless_restart(server: Server, tmp_path: Path) -> None:
    out = tmp_path / "w.jsonl"
    server.fault = lambda n, s: (500, {}, b"") if n >= 2 else None
    assert run_fetch(server, "openalex", out, "--retries", "0").exit_code == 1
    server.fault = lambda n, s: None
    args = ["fetch", "openalex", "graphs", "-o", str(out), "--base-url", server.url, *FAST]
    refused = CliRunner().invoke(main, args)
    assert refused.exit_code == 2
    assert "holds an unfinished fetch of openalex 'neural networks'" in refused.stderr and "--restart" in refused.stderr
    server.seen.clear()
    restarted = CliRunner().invoke(main, [*args, "--restart"])
    assert restarted.exit_code == 0, restarted.output
    assert server.seen[0].params["cursor"] == "*" and server.seen[0].params["search"] == "graphs"


def test_ctrl_c_exits_130_and_the_rerun_continues(server: Server, tmp_path: Path) -> None:
    release = threading.Event()

    def hang_on_page_2(n: int, seen: Seen) -> Reply | None:
        if seen.params["start"] == "2" and not release.is_set():
            release.wait(30)
        return None

    server.fault = hang_on_page_2
    out = tmp_path / "feed.atom"
    kg_script = Path(sys.executable).parent / "kg"
    args = [
        str(kg_script),
        "fetch",
        "arxiv",
        "neural networks",
        "-o",
        str(out),
        "--base-url",
        base(server, "arxiv"),
        *FAST,
    ]
    process = subprocess.Popen(
        args, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"}
    )
    deadline = time.monotonic() + 60
    while len(server.seen) < 2 and time.monotonic() < deadline:
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    release.set()
    assert process.returncode == 130, stderr
    assert b"2 records in" in stderr and b"run the same command again" in stderr
    server.seen.clear()
    server.fault = lambda n, s: None
    done = subprocess.run(args, capture_output=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert [s.params["start"] for s in server.seen] == ["2", "4"]
    assert sorted(r.title for r in read_file(out)) == TITLES


def test_the_semantic_scholar_key_goes_in_a_header_only(server: Server, tmp_path: Path) -> None:
    out = tmp_path / "s2.jsonl"
    result = run_fetch(server, "semanticscholar", out, env={"S2_API_KEY": "s3cr3t-key-value"})
    assert result.exit_code == 0, result.output
    assert all(s.headers.get("x-api-key") == "s3cr3t-key-value" for s in server.seen)
    assert all("s3cr3t" not in json.dumps(s.params) for s in server.seen)
    assert "s3cr3t" not in result.output and b"s3cr3t" not in out.read_bytes()
    no_key = run_fetch(server, "openalex", tmp_path / "w.jsonl", env={"S2_API_KEY": "s3cr3t-key-value"})
    assert no_key.exit_code == 0 and "x-api-key" not in server.seen[-1].headers


def test_base_url_from_the_environment_and_only_http(server: Server, tmp_path: Path) -> None:
    out = tmp_path / "w.jsonl"
    args = ["fetch", "openalex", "neural networks", "-o", str(out), *FAST]
    result = CliRunner().invoke(main, args, env={"KG_FETCH_OPENALEX_URL": server.url})
    assert result.exit_code == 0 and len(server.seen) == 3
    refused = CliRunner().invoke(main, [*args, "--base-url", f"file://{tmp_path}"])
    assert refused.exit_code == 2 and "not an http(s) URL" in refused.stderr


@pytest.mark.slow
def test_kg_build_on_the_fetched_files_gives_the_five_papers(server: Server, tmp_path: Path) -> None:
    files = []
    for service in ("arxiv", "openalex", "semanticscholar"):
        files.append(tmp_path / f"{service}.fetched")
        assert run_fetch(server, service, files[-1]).exit_code == 0
    store = tmp_path / "store"
    built = CliRunner().invoke(main, ["build", *map(str, files), "--store", str(store), "--no-model"])
    assert built.exit_code == 0, built.output
    rows = kg.open_store(store).sparql("SELECT ?t WHERE { ?p a kg:Paper ; dcterms:title ?t } ORDER BY ?t").rows
    assert [r["t"] for r in rows] == TITLES  # three services, one node per paper (shared arXiv ids and DOIs)


def test_a_refused_query_is_exit_2_and_a_dead_server_exit_1(server: Server, tmp_path: Path) -> None:
    body = b'{"error": "Invalid query parameters", "message": "search is not a valid parameter"}'
    server.fault = lambda n, s: (400, {"Content-Type": "application/json"}, body)
    refused = run_fetch(server, "openalex", tmp_path / "w.jsonl", env={"KG_MAILTO": "ada@example.org"})
    assert refused.exit_code == 2 and len(server.seen) == 1  # not retried: asking again would not help
    assert "HTTP 400, the service refused the request: " in refused.stderr and "Invalid query" in refused.stderr
    assert "ada@example.org" not in refused.stderr
    arxiv_error = (
        (DATA / "arxiv-1.atom")
        .read_text()
        .replace(
            "http://arxiv.org/abs/1803.03635v5</id>", "http://arxiv.org/api/errors#incorrect_id_format_for_1234</id>", 1
        )
    )
    server.fault = lambda n, s: (200, {}, arxiv_error.encode())
    arxiv = run_fetch(server, "arxiv", tmp_path / "a.atom")
    assert arxiv.exit_code == 2 and "arXiv refused the query: Neural network pruning" in arxiv.stderr
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        closed = probe.getsockname()[1]
    args = ["fetch", "openalex", "x", "-o", str(tmp_path / "d.jsonl"), "--base-url", f"http://127.0.0.1:{closed}"]
    dead = CliRunner().invoke(main, [*args, *FAST, "--retries", "1"])
    assert dead.exit_code == 1 and "cannot connect" in dead.stderr and "gave up after 2 attempts" in dead.stderr


def test_requests_keep_the_interval(server: Server) -> None:
    from kg.fetch.client import PoliteClient

    pauses: list[float] = []
    client = PoliteClient(interval=30.0, sleep=pauses.append)  # records the waits instead of sleeping them
    for start in ("0", "2", "4"):
        client.get(f"{base(server, 'arxiv')}/query?search_query=all:x&start={start}")
    assert len(server.seen) == 3 and len(pauses) == 2  # no wait before the first request
    assert all(25.0 < p <= 30.0 for p in pauses)  # the rest of the 30 s interval, before each later one


def test_a_redirect_to_another_host_does_not_carry_the_key(server: Server, tmp_path: Path) -> None:
    def elsewhere(n: int, seen: Seen) -> Reply | None:
        if n == 1:
            query = urllib.parse.urlencode(seen.params)
            return 302, {"Location": f"{server.url.replace('127.0.0.1', 'localhost')}{seen.path}?{query}"}, b""
        return None

    server.fault = elsewhere
    result = run_fetch(server, "semanticscholar", tmp_path / "s2.jsonl", env={"S2_API_KEY": "s3cr3t-key-value"})
    assert result.exit_code == 0, result.output
    assert server.seen[0].headers["x-api-key"] == "s3cr3t-key-value"
    assert "x-api-key" not in server.seen[1].headers and server.seen[1].headers["host"].startswith("localhost")
    assert server.seen[2].headers["x-api-key"] == "s3cr3t-key-value"  # the next page, at the service again


def test_environment_values_a_header_cannot_carry_are_refused(server: Server, tmp_path: Path) -> None:
    bad_mail = run_fetch(server, "openalex", tmp_path / "w.jsonl", env={"KG_MAILTO": "ada@example.org\r\nX-Evil: 1"})
    assert bad_mail.exit_code == 2 and "KG_MAILTO must be an e-mail address" in bad_mail.stderr
    bad_key = run_fetch(server, "semanticscholar", tmp_path / "s.jsonl", env={"S2_API_KEY": "s3cr3t\nkey"})
    assert bad_key.exit_code == 2 and "S2_API_KEY holds characters" in bad_key.stderr
    assert "s3cr3t" not in bad_key.output and not server.seen
    assert not list(tmp_path.iterdir())  # refused before any file was made


def test_the_python_api_reports_progress_per_page(server: Server, tmp_path: Path) -> None:
    from kg.fetch import OpenAlex, Politeness, Query, fetch

    calls: list[tuple[str, int, int]] = []
    fetcher = OpenAlex(Query("neural networks", limit=4, page_size=2), server.url)
    written = fetch(fetcher, tmp_path / "w.jsonl", Politeness(interval=0), progress=lambda *c: calls.append(c))
    assert written == 4
    assert calls == [("openalex: asking", 0, 4), ("openalex: page 1", 2, 4), ("openalex: page 2", 4, 4)]
