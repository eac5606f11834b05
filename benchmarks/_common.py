"""Helpers the benchmark scripts share: fresh-process builds with peak memory, percentiles,
timed repeats, the query catalogue, lookup latencies and plain tables.

Kept here so every script measures the same way (a build is always a fresh interpreter with its
own maximum resident set size; a percentile is always the nearest-rank one) and a fix to one
measurement reaches all of them. Importing this module imports no ``kg`` code: scripts that time
``import kg`` itself stay honest.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
CORPORA = ROOT.parent / "shared" / "corpora"
QUERIES = ROOT / "docs" / "queries"
EVAL = ROOT / "benchmarks" / "data" / "who_works_on_eval.jsonl"

# What `kg build` does, plus the report on stdout as JSON (the CLI prints only the total).
BUILD_CHILD = """
import json, os, sys, kg
report = kg.build(sys.argv[1:] or None, store=os.environ['KG_STORE'])
print(json.dumps({"records": report.records, "triples": report.triples, "seconds": report.seconds,
                  "counts": report.counts}))
"""


@dataclass(frozen=True)
class Measured:
    """One finished child process: wall seconds, its own peak RSS (MB), exit status and output;
    ``timed_out`` when it was killed for running past its time limit."""

    wall: float
    peak_rss_mb: float
    returncode: int
    stdout: str
    stderr: str
    timed_out: bool = False


def run_measured(
    command: Sequence[str],
    env: dict[str, str] | None = None,
    timeout: float | None = None,
    memory_limit_mb: float | None = None,
) -> Measured:
    """Run ``command`` to completion (or kill it after ``timeout`` seconds); wall time, and peak
    RSS from the kernel's rusage of that one child (``os.wait4``), so earlier children and this
    process never inflate it.

    ``memory_limit_mb`` caps the child's address space (``RLIMIT_AS``): past it allocations fail
    (a MemoryError in Python) instead of the whole machine running out of memory. Only for
    children that reserve little address space (LadybugDB reserves terabytes: not for builds).
    """

    def limit() -> None:
        if memory_limit_mb is not None:
            size = int(memory_limit_mb * 1024 * 1024)
            resource.setrlimit(resource.RLIMIT_AS, (size, size))

    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        process = subprocess.Popen(list(command), stdout=out, stderr=err, env=env, text=True, preexec_fn=limit)
        fired = threading.Event()

        def kill() -> None:
            fired.set()
            process.kill()

        killer = threading.Timer(timeout, kill) if timeout is not None else None
        if killer is not None:
            killer.start()
        try:
            _, status, usage = os.wait4(process.pid, 0)
        finally:
            if killer is not None:
                killer.cancel()
        wall = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        return Measured(wall, usage.ru_maxrss / 1024, process.returncode, out.read(), err.read(), fired.is_set())


def run_build(paths: Sequence[str | Path], store: Path) -> dict[str, Any]:
    """Build ``paths`` (none: the default corpus) into ``store`` in a fresh interpreter.

    Returns the build report (``records``, ``triples``, ``seconds`` per stage, ``counts``) with
    ``wall`` (interpreter start included, as a user sees it) and ``peak_rss_mb``.
    """
    env = {**os.environ, "KG_STORE": str(store)}
    done = run_measured([sys.executable, "-c", BUILD_CHILD, *map(str, paths)], env)
    if done.returncode != 0:
        raise RuntimeError(f"build of {list(paths) or 'the default corpus'} failed:\n{done.stderr}")
    result = json.loads(done.stdout)
    result["wall"] = done.wall
    result["peak_rss_mb"] = done.peak_rss_mb
    return result


def percentile(values: Sequence[float], share: float) -> float:
    """Nearest-rank percentile (``share`` in 0..1) of a non-empty sequence."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def timed(function: Callable[[], Any], runs: int, budget: float | None = None) -> tuple[list[float], int]:
    """Seconds of ``runs`` calls after one warm-up call, and the warm-up's row count.

    ``budget``: stop early once the timed calls have taken that many seconds (after at least
    three), and when the warm-up alone took longer, return its time as the only one; so a query
    that is slow at scale cannot hold a benchmark for an hour.
    """
    started = time.perf_counter()
    rows = len(function().rows)  # warm-up (also opens the database on first use)
    warm = time.perf_counter() - started
    if budget is not None and warm > budget:
        return [warm], rows
    times: list[float] = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
        if budget is not None and len(times) >= 3 and sum(times) > budget:
            break
    return times, rows


def declared_params(text: str, comment: str) -> dict[str, str]:
    """``// params: a=1; b=two`` (Cypher) or ``# params: …`` (SPARQL) from a catalogue query's header."""
    for line in text.splitlines():
        if line.startswith(comment) and "params:" in line:
            pairs = line.split("params:", 1)[1].split(";")
            return dict(pair.strip().split("=", 1) for pair in pairs if pair.strip())
    return {}


def catalogue() -> list[tuple[str, str, str, dict[str, str]]]:
    """The query catalogue (docs/queries): ``(name, cypher, sparql, example params)`` per question."""
    pairs = []
    for path in sorted(QUERIES.glob("*.cypher")):
        cypher_text = path.read_text(encoding="utf-8")
        pairs.append(
            (
                path.stem,
                cypher_text,
                path.with_suffix(".rq").read_text(encoding="utf-8"),
                declared_params(cypher_text, "//"),
            )
        )
    return pairs


def load_eval() -> list[dict[str, Any]]:
    """The who-works-on evaluation topics (benchmarks/data/who_works_on_eval.jsonl)."""
    return [json.loads(line) for line in EVAL.read_text(encoding="utf-8").splitlines() if line.strip()]


def lookup_latencies(index: Any, topics: Sequence[str], names: Sequence[str]) -> dict[str, list[float]]:
    """Milliseconds per call of each lookup: who-works-on, institutions-on and related over
    ``topics``, profile over ``names``. A topic without concepts or an ambiguous or unknown name
    is timed too (answering "no match" is part of the job)."""
    from kg.query.lookup import institutions_on, who_works_on
    from kg.query.profile import profile
    from kg.query.related import related

    kinds: dict[str, tuple[Callable[[str], Any], Sequence[str]]] = {
        "who-works-on": (lambda t: who_works_on(index, t), topics),
        "institutions-on": (lambda t: institutions_on(index, t), topics),
        "related": (lambda t: related(index, t), topics),
        "profile": (lambda n: profile(index, n), names),
    }
    result: dict[str, list[float]] = {}
    for kind, (call, arguments) in kinds.items():
        times = []
        for argument in arguments:
            started = time.perf_counter()
            try:
                call(argument)
            except Exception as err:  # a topic without concepts (related) or an ambiguous name
                if type(err).__name__ not in {"NoMatchError", "AmbiguousMatchError", "NothingLeftError"}:
                    raise
            times.append((time.perf_counter() - started) * 1000)
        result[kind] = times
    return result


def fmt(value: object) -> str:
    """Floats with two decimals, everything else as ``str``."""
    return f"{value:.2f}" if isinstance(value, float) else str(value)


def print_table(rows: Iterable[dict[str, Any]], title: str | None = None, markdown: bool = False) -> None:
    """Rows (dicts with the same keys) as aligned columns, or as a Markdown table."""
    rows = list(rows)
    if title:
        print(f"\n### {title}\n" if markdown else f"\n{title}")
    if not rows:
        print("(nothing measured)")
        return
    columns = list(rows[0])
    cells = [[fmt(row.get(c, "")) for c in columns] for row in rows]
    widths = [max(len(c), *(len(r[i]) for r in cells)) for i, c in enumerate(columns)]
    if markdown:
        print("| " + " | ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)) + " |")
        print("| " + " | ".join("-" * w for w in widths) + " |")
        for row in cells:
            print("| " + " | ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)) + " |")
        return
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in cells:
        print("  ".join(v.ljust(w) for v, w in zip(row, widths, strict=True)))
