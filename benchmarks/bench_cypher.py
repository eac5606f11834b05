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
import os
import statistics
import sys
import tempfile
from functools import partial
from pathlib import Path

from _common import catalogue, percentile, print_table, run_build, timed

LOAD_TARGET, QUERY_TARGET = 1.0, 0.050


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--builds", type=int, default=3, help="fresh-process builds to time the load over")
    parser.add_argument("--runs", type=int, default=50, help="timed runs per query and engine")
    args = parser.parse_args()

    import kg
    from kg.query.cypher import parameters

    with tempfile.TemporaryDirectory() as tmp:
        reports = [run_build([], Path(tmp) / f"store{i}") for i in range(args.builds)]
        loads = [r["seconds"]["cypher_load"] for r in reports]
        totals = [r["seconds"]["total"] for r in reports]
        print_table(
            [
                {
                    "corpus": "default (5 files)",
                    "nodes": sum(reports[0]["counts"]["nodes"].values()),
                    "edges": sum(reports[0]["counts"]["edges"].values()),
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
        for name, cypher_text, sparql_text, params in catalogue():
            c_times, c_rows = timed(partial(handle.cypher, cypher_text, parameters(params)), args.runs)
            s_times, _ = timed(partial(handle.sparql, sparql_text, params), args.runs)
            c95 = percentile(c_times, 0.95)
            rows.append(
                {
                    "query": name,
                    "rows": c_rows,
                    "cypher p50 ms": f"{percentile(c_times, 0.5) * 1000:.1f}",
                    "cypher p95 ms": f"{c95 * 1000:.1f}",
                    "sparql p50 ms": f"{percentile(s_times, 0.5) * 1000:.1f}",
                    "sparql p95 ms": f"{percentile(s_times, 0.95) * 1000:.1f}",
                    "cypher < 50 ms": "ok" if c95 < QUERY_TARGET else "MISSED",
                }
            )
        print_table(rows, f"Query catalogue (docs/queries), {args.runs} runs each after one warm-up")
    print(f"\n(python {sys.version.split()[0]}, {os.cpu_count()} cores)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
