"""Time `kg build` end to end and per stage, with peak memory, on the default corpus and the
real paperlists corpus (../shared/corpora/paperlists, read in place, never copied).

    python benchmarks/bench_build.py [--repeat N] [--corpora DIR]

Each build runs in a fresh `kg` process (interpreter start included, as a user sees it); the
per-stage split comes from the build report the process prints; peak RSS is the child's
maximum resident set size.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CHILD = """
import json, sys, resource, kg
report = kg.build(sys.argv[1:] or None, store=__import__('os').environ['KG_STORE'])
print(json.dumps({"records": report.records, "triples": report.triples, "seconds": report.seconds,
                  "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))
"""


def run_once(paths: list[str], store: Path) -> dict:
    env = {**os.environ, "KG_STORE": str(store)}
    started = time.perf_counter()
    done = subprocess.run([sys.executable, "-c", CHILD, *paths], capture_output=True, text=True, env=env, check=True)
    wall = time.perf_counter() - started
    result = json.loads(done.stdout)
    result["wall"] = wall
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
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
                runs.append(run_once(paths, Path(tmp) / "store"))
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
    columns = list(rows[0])
    widths = [max(len(c), *(len(_fmt(r[c])) for r in rows)) for c in columns]
    print("  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True)))
    for row in rows:
        print("  ".join(_fmt(row[c]).ljust(w) for c, w in zip(columns, widths, strict=True)))
    print(
        f"\n(python {sys.version.split()[0]}, {os.cpu_count()} cores, best/median of {args.repeat} runs; "
        f"resource max RSS of this script: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB)"
    )
    return 0


def _fmt(value: object) -> str:
    return f"{value:.2f}" if isinstance(value, float) else str(value)


if __name__ == "__main__":
    raise SystemExit(main())
