"""Time `kg build` end to end and per stage, with peak memory, on the default corpus and the
real paperlists corpus (../shared/corpora/paperlists, read in place, never copied).

    python benchmarks/bench_build.py [--repeat N] [--corpora DIR]

Each build runs in a fresh `kg` process (interpreter start included, as a user sees it); the
per-stage split comes from the build report the process prints; peak RSS is the child's
maximum resident set size.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
from pathlib import Path

from _common import CORPORA, print_table, run_build


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    args = parser.parse_args()
    cases = {"default corpus (5 files)": []}
    paperlists = sorted((args.corpora / "paperlists").glob("*.json"))
    if paperlists:
        cases[f"paperlists ({len(paperlists)} files)"] = [str(p) for p in paperlists]
    else:
        print(f"note: {args.corpora / 'paperlists'} not found; only the default corpus is measured", file=sys.stderr)
    rows = []
    for name, paths in cases.items():
        runs = []
        for _ in range(args.repeat):
            with tempfile.TemporaryDirectory() as tmp:
                runs.append(run_build(paths, Path(tmp) / "store"))
        best = min(runs, key=lambda r: r["wall"])
        rows.append(
            {
                "corpus": name,
                "records": best["records"],
                "triples": best["triples"],
                "wall s (median)": statistics.median(r["wall"] for r in runs),
                "read s": best["seconds"]["read"],
                "resolve s": best["seconds"]["resolve"],
                "rdf write s": best["seconds"]["rdf_write"],
                "records/s": best["records"] / best["wall"],
                "peak RSS MB": max(r["peak_rss_mb"] for r in runs),
            }
        )
    print_table(rows)
    print(
        f"\n(python {sys.version.split()[0]}, {os.cpu_count()} cores, best/median of {args.repeat} runs; "
        f"resource max RSS of this script: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
