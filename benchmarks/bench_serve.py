"""`kg serve` under load, on loopback: requests per second, latency percentiles, errors, limits.

Starts the real command (``kg serve --store S --port P`` in its own process, so the load
generator does not share its interpreter) and drives it with ``--clients`` concurrent keep-alive
connections for ``--seconds``. The clients speak HTTP/1.1 over raw asyncio streams, with every
request's bytes prepared before the clock starts: the generator shares the machine's cores with
the server, and httpx cost 2.6-3.3 ms of CPU per request, so it measured itself as much as the
server. Its own CPU per request is reported (``client CPU ms/req``).

1. one kind at a time, with one client (latency unloaded) and with ``--clients``: a paper page
   (a random paper each request), a search (a random author's surname) and a SPARQL query (the
   catalogue's co-authors query for a random author, bound with ``param.name``);
2. a mix of the kinds people and tools send: paper and author pages, search, who-works-on,
   SPARQL and Cypher (each picked at random per request), with p50/p95/p99 and errors per kind;
3. the limits: a server started with ``--timeout 2`` gets a query that would run for ever and,
   at the same time, quick ones: the slow one must get 503 near the limit, the others 200.

Targets (issue 19, on 2 cores): zero errors, p95 page ≤ 100 ms, p95 search ≤ 50 ms.

The server keeps answers per store generation (:mod:`kg.serve.cache`), and the random picks
repeat (504 papers, about 1,900 authors), so after a few seconds most answers come from that
cache; ``--no-cache`` starts the server with ``KG_SERVE_CACHE_MB=0`` to measure the work itself.

    .venv/bin/python benchmarks/bench_serve.py [--store DIR] [--seconds 30] [--clients 32] [--no-cache]
        [--processes N]

Without ``--store`` the default corpus is built into a temporary store first.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import random
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
from _common import QUERIES, ROOT, percentile, print_table, run_build

sys.path.insert(0, str(ROOT))

import kg

Request = tuple[str, bytes]  # kind, the whole HTTP/1.1 request as sent
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class Server:
    """``kg serve`` in a child process on a free loopback port."""

    def __init__(self, store: Path, *options: str, cache: bool = True) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        command = [str(Path(sys.executable).parent / "kg"), "serve", "--store", str(store), "--port", str(self.port)]
        self.log = tempfile.TemporaryFile("w+")  # noqa: SIM115 - the server's messages, read and closed on exit
        env = {**os.environ, **({} if cache else {"KG_SERVE_CACHE_MB": "0"})}
        self.process = subprocess.Popen([*command, *options], stderr=self.log, env=env)

    def __enter__(self) -> Server:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(self.url + "/sparql", params={"query": "ASK {}"}).status_code == 200:
                    return self
            except httpx.TransportError:
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("kg serve did not start")
            time.sleep(0.2)

    def __exit__(self, *_: Any) -> None:
        self.process.terminate()
        self.process.wait(30)
        self.log.seek(0)
        lines = [line for line in self.log.read().splitlines() if "serving" not in line]
        if lines:
            print("server log:\n" + "\n".join(lines[-40:]), file=sys.stderr)
        self.log.close()


def http_request(method: str, target: str, port: int, body: bytes = b"", content_type: str = "") -> bytes:
    """The bytes of one HTTP/1.1 keep-alive request to 127.0.0.1:``port``."""
    head = [f"{method} {target} HTTP/1.1", f"Host: 127.0.0.1:{port}", "Accept: */*"]
    if body or method == "POST":
        head += [f"Content-Type: {content_type}", f"Content-Length: {len(body)}"]
    return ("\r\n".join(head) + "\r\n\r\n").encode("ascii") + body


def request_makers(store: Path, rng: random.Random, port: int) -> dict[str, Callable[[], Request]]:
    index = kg.open_store(store).lookup_index
    papers = [p[0] for p in index.papers]
    authors = index.authors
    topics = [label for _, label, _, present in index.concepts.values() if present]
    coauthors_rq = (QUERIES / "coauthors.rq").read_text(encoding="utf-8")
    coauthors_cypher = (QUERIES / "coauthors.cypher").read_text(encoding="utf-8")

    def name() -> str:
        return rng.choice(authors)[1]

    def get(kind: str, path: str, **params: str) -> Request:
        return kind, http_request("GET", path + ("?" + urlencode(params) if params else ""), port)

    def cypher() -> Request:
        body = json.dumps({"query": coauthors_cypher, "parameters": {"name": name()}}).encode("utf-8")
        return "cypher", http_request("POST", "/cypher", port, body, "application/json")

    return {
        "paper page": lambda: get("paper page", "/" + rng.choice(papers)),
        "author page": lambda: get("author page", "/" + rng.choice(authors)[0]),
        "search": lambda: get("search", "/search", q=name().split()[-1]),
        "who works on": lambda: get("who works on", "/who-works-on", topic=rng.choice(topics)),
        "sparql": lambda: get("sparql", "/sparql", **{"query": coauthors_rq, "param.name": name()}),
        "cypher": cypher,
    }


class Connection:
    """One keep-alive HTTP/1.1 connection over asyncio streams: a request's bytes out, the
    status and body back (``Content-Length`` or chunked bodies; reconnects when the server
    closes)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def send(self, request: bytes) -> tuple[int, bytes]:
        if self.writer is None:
            self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)
        assert self.reader is not None
        self.writer.write(request)
        head = await self.reader.readuntil(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        status = int(lines[0].split(" ", 2)[1])
        headers = {k.strip().lower(): v.strip() for k, _, v in (line.partition(":") for line in lines[1:] if line)}
        if "content-length" in headers:
            body = await self.reader.readexactly(int(headers["content-length"]))
        elif headers.get("transfer-encoding", "").lower() == "chunked":
            body = await self._chunked()
        else:
            body = await self.reader.read()
            headers["connection"] = "close"
        if headers.get("connection", "").lower() == "close":
            await self.close()
        return status, body

    async def _chunked(self) -> bytes:
        assert self.reader is not None
        parts = []
        while True:
            size = int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16)
            chunk = await self.reader.readexactly(size + 2)
            if size == 0:
                return b"".join(parts)
            parts.append(chunk[:-2])

    async def close(self) -> None:
        if self.writer is not None:
            self.writer.close()
            with contextlib.suppress(OSError):  # the server may have closed first
                await self.writer.wait_closed()
        self.reader = self.writer = None


async def load(port: int, requests: list[Request], clients: int, seconds: float) -> dict[str, list[Any]]:
    """``clients`` connections sending ``requests`` (in turn, from a shared cursor) for
    ``seconds``: per kind, the latency of each answer and the statuses that were not 200."""
    found: dict[str, list[Any]] = {}
    deadline = time.perf_counter() + seconds
    cursor = iter(range(1 << 62))

    async def one_client() -> None:
        connection = Connection(port)
        while time.perf_counter() < deadline:
            kind, request = requests[next(cursor) % len(requests)]
            started = time.perf_counter()
            try:
                status: int | str = (await connection.send(request))[0]
            except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ValueError) as err:
                status = type(err).__name__
                await connection.close()
            latency = time.perf_counter() - started
            entry = found.setdefault(kind, [[], []])
            entry[0].append(latency)
            if status != 200:
                entry[1].append(status)
        await connection.close()

    await asyncio.gather(*(one_client() for _ in range(clients)))
    return found


def measured(port: int, requests: list[Request], clients: int, seconds: float) -> tuple[dict[str, list[Any]], float]:
    """:func:`load`'s findings and the load generator's own CPU milliseconds per request."""
    cpu = time.process_time()
    found = asyncio.run(load(port, requests, clients, seconds))
    done = sum(len(v[0]) for v in found.values())
    return found, (time.process_time() - cpu) * 1000 / max(done, 1)


def tree_cpu(pid: int) -> float:
    """CPU seconds (user and system) used so far by ``pid`` and every process under it (its
    server processes and query workers), from /proc; 0 where there is none. Unlike latency on
    cores other work shares, CPU per request barely depends on what else runs."""
    parents: dict[int, int] = {}
    times: dict[int, float] = {}
    tick = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(") ", 1)[1].split()
        except (OSError, IndexError):
            continue
        child = int(stat.parent.name)
        parents[child] = int(fields[1])
        times[child] = (int(fields[11]) + int(fields[12])) / tick
    tree, grown = {pid}, True
    while grown:
        more = {child for child, parent in parents.items() if parent in tree} - tree
        tree |= more
        grown = bool(more)
    return sum(times.get(member, 0.0) for member in tree)


def rows(found: dict[str, list[Any]], seconds: float, client_cpu: float) -> list[dict[str, Any]]:
    table = []
    for kind, (latencies, errors) in sorted(found.items()):
        table.append(
            {
                "kind": kind,
                "requests": len(latencies),
                "req/s": round(len(latencies) / seconds, 1),
                "p50 ms": round(percentile(latencies, 0.50) * 1000, 1),
                "p95 ms": round(percentile(latencies, 0.95) * 1000, 1),
                "p99 ms": round(percentile(latencies, 0.99) * 1000, 1),
                "errors": len(errors),
                "statuses": ", ".join(sorted({str(e) for e in errors})) or "-",
                "client CPU ms/req": round(client_cpu, 3),
            }
        )
    total = sum(len(v[0]) for v in found.values())
    table.append({"kind": "all", "requests": total, "req/s": round(total / seconds, 1)})
    return table


def limits_check(store: Path, options: tuple[str, ...] = ()) -> list[dict[str, Any]]:
    """A never-ending query against ``--timeout 2`` while quick queries keep coming."""
    with Server(store, "--timeout", "2", *options) as server:

        async def run() -> list[dict[str, Any]]:
            async with httpx.AsyncClient(base_url=server.url, timeout=60) as client:

                async def timed(query: str) -> tuple[int, float, str]:
                    started = time.perf_counter()
                    response = await client.get("/sparql", params={"query": query})
                    message = response.json().get("error", "") if response.status_code != 200 else ""
                    return response.status_code, time.perf_counter() - started, message

                slow = asyncio.create_task(timed(SLOW))
                await asyncio.sleep(0.3)
                quick = [await timed("ASK { ?s ?p ?o }") for _ in range(20)]
                status, seconds, message = await slow
                after = await timed("ASK { ?s ?p ?o }")
            return [
                {"request": "never-ending query", "status": status, "seconds": round(seconds, 2), "message": message},
                {
                    "request": "20 quick queries meanwhile",
                    "status": ", ".join(sorted({str(q[0]) for q in quick})),
                    "seconds": round(max(q[1] for q in quick), 3),
                    "message": "slowest of the 20",
                },
                {"request": "a query afterwards", "status": after[0], "seconds": round(after[1], 3), "message": ""},
            ]

        return asyncio.run(run())


def prepared(make: Callable[[], Request], count: int) -> list[Request]:
    """``count`` requests made before the clock starts (so encoding them is not measured)."""
    return [make() for _ in range(count)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path, help="a built store (default: build the default corpus)")
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--single-seconds", type=float, default=10.0, help="per kind in the one-kind runs")
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--no-cache", action="store_true", help="serve with the answer cache off (KG_SERVE_CACHE_MB=0)")
    parser.add_argument("--skip-limits", action="store_true", help="leave out the --timeout check")
    parser.add_argument("--processes", type=int, help="kg serve --processes (default: the server's, one per core)")
    parser.add_argument("--workers", type=int, help="kg serve --workers (default: the server's)")
    parser.add_argument("--mix-only", action="store_true", help="leave out the one-kind-at-a-time runs")
    args = parser.parse_args()
    processes = () if args.processes is None else ("--processes", str(args.processes))
    processes += () if args.workers is None else ("--workers", str(args.workers))
    with tempfile.TemporaryDirectory(prefix="kg-bench-serve-") as scratch:
        store = args.store
        if store is None:
            store = Path(scratch) / ".kg"
            run_build([], store)
        rng = random.Random(7)
        cache = "off" if args.no_cache else "on"
        with Server(store, *processes, cache=not args.no_cache) as server:
            makers = request_makers(store, rng, server.port)
            for make in makers.values():  # warm: indexes, vocabularies, workers' handles
                asyncio.run(load(server.port, [make()], 1, 0.01))
            for clients in () if args.mix_only else (1, args.clients):
                single: list[dict[str, Any]] = []
                for kind in ("paper page", "search", "sparql"):
                    found, cpu = measured(server.port, prepared(makers[kind], 20_000), clients, args.single_seconds)
                    single.extend(r for r in rows(found, args.single_seconds, cpu) if r["kind"] != "all")
                title = f"one kind at a time: {clients} client(s), {args.single_seconds:g} s each, cache {cache}"
                print_table(single, title)
            kinds = list(makers.values())
            mix = prepared(lambda: rng.choice(kinds)(), 60_000)
            before, load_average = tree_cpu(server.process.pid), os.getloadavg()
            found, cpu = measured(server.port, mix, args.clients, args.seconds)
            served = sum(len(v[0]) for v in found.values())
            server_cpu = (tree_cpu(server.process.pid) - before) * 1000 / max(served, 1)
            print_table(
                rows(found, args.seconds, cpu), f"mixed: {args.clients} clients for {args.seconds:g} s, cache {cache}"
            )
            print(
                f"server CPU (all its processes): {server_cpu:.2f} ms/request; load average before: "
                f"{load_average[0]:.2f} (other work on the machine: latencies are then upper bounds)"
            )
        if not args.skip_limits:
            print_table(limits_check(store, processes), "limits: --timeout 2")


if __name__ == "__main__":
    main()
