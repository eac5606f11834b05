"""Measure the Cypher store: what loading it adds to `kg build`, and how fast the query catalogue
answers in both embedded engines (LadybugDB for Cypher, Oxigraph for SPARQL).

    python benchmarks/bench_cypher.py [--builds N] [--runs N]

Builds run in fresh `kg` processes on the default corpus; the Cypher load time is the build
report's `cypher_load` (schema, CSV files, COPY FROM, checkpoint). Each catalogue query runs once
to warm up, then `--runs` times on an open store; p50/p95 are over those runs. Targets from the
issue: load under 1 s, every catalogue query under 50 ms in the embedded Cypher engine.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
QUERIES = ROOT / "docs" / "queries"
CHILD = """
import json, os, kg
report = kg.build(None, store=os.environ['KG_STORE'])
print(json.dumps({"seconds": report.seconds, "nodes": sum(report.counts["nodes"].values()),
                  "edges": sum(report.counts["edges"].values())}))
"""
LOAD_TARGET, QUERY_TARGET = 1.0, 0.050


def build(store: Path) -> dict:
    env = {**os.environ, "KG_STORE": str(store)}
    done = subprocess.run([sys.executable, "-c", CHILD], capture_output=True, text=True, env=env, check=True)
    return json.loads(done.stdout)


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


def declared_params(text: str, comment: str) -> dict[str, str]:
    for line in text.splitlines():
        if line.startswith(comment) and "params:" in line:
            pairs = line.split("params:", 1)[1].split(";")
            return dict(pair.strip().split("=", 1) for pair in pairs if pair.strip())
    return {}


def timed(function: Callable[[], Any], runs: int) -> tuple[list[float], int]:
    rows = len(function().rows)  # warm-up (also opens the database on first use)
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        function()
        times.append(time.perf_counter() - started)
    return times, rows


def table(rows: list[dict], title: str) -> None:
    columns = list(rows[0])
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in columns]
    print(f"\n{title}")
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in rows:
        print("  ".join(str(row[c]).ljust(w) for c, w in zip(columns, widths, strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=3, help="fresh-process builds to time the load over")
    parser.add_argument("--runs", type=int, default=50, help="timed runs per query and engine")
    args = parser.parse_args()

    import kg
    from kg.query.cypher import parameters

    with tempfile.TemporaryDirectory() as tmp:
        reports = [build(Path(tmp) / f"store{i}") for i in range(args.builds)]
        loads = [r["seconds"]["cypher_load"] for r in reports]
        totals = [r["seconds"]["total"] for r in reports]
        table(
            [
                {
                    "corpus": "default (5 files)",
                    "nodes": reports[0]["nodes"],
                    "edges": reports[0]["edges"],
                    "cypher load s (median)": f"{statistics.median(loads):.3f}",
                    "min": f"{min(loads):.3f}",
                    "max": f"{max(loads):.3f}",
                    "build total s (median)": f"{statistics.median(totals):.2f}",
                    "share": f"{statistics.median(loads) / statistics.median(totals):.0%}",
                    "< 1 s": "ok" if statistics.median(loads) < LOAD_TARGET else "MISSED",
                }
            ],
            f"Cypher load added to `kg build` ({args.builds} builds, fresh processes)",
        )

        handle = kg.open_store(Path(tmp) / "store0")
        rows = []
        for path in sorted(QUERIES.glob("*.cypher")):
            cypher_text = path.read_text(encoding="utf-8")
            sparql_text = path.with_suffix(".rq").read_text(encoding="utf-8")
            params = declared_params(cypher_text, "//")
            c_times, c_rows = timed(partial(handle.cypher, cypher_text, parameters(params)), args.runs)
            s_times, _ = timed(partial(handle.sparql, sparql_text, params), args.runs)
            c95 = percentile(c_times, 0.95)
            rows.append(
                {
                    "query": path.stem,
                    "rows": c_rows,
                    "cypher p50 ms": f"{percentile(c_times, 0.5) * 1000:.1f}",
                    "cypher p95 ms": f"{c95 * 1000:.1f}",
                    "sparql p50 ms": f"{percentile(s_times, 0.5) * 1000:.1f}",
                    "sparql p95 ms": f"{percentile(s_times, 0.95) * 1000:.1f}",
                    "cypher < 50 ms": "ok" if c95 < QUERY_TARGET else "MISSED",
                }
            )
        table(rows, f"Query catalogue (docs/queries), {args.runs} runs each after one warm-up")
    print(f"\n(python {sys.version.split()[0]}, {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
