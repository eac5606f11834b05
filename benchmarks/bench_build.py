"""Time `kg build` end to end and per stage, with peak memory, on the default corpus and the
real paperlists corpus (../shared/corpora/paperlists, read in place, never copied).

    python benchmarks/bench_build.py [--repeat N] [--corpora DIR] [--cache warm|cold|off] [--default-only]

Each build runs in a fresh `kg` process (interpreter start included, as a user sees it); the
per-stage split comes from the build report the process prints (medians over the runs): wall
seconds, and the CPU seconds of the build's own process meanwhile (its threads included, its
extraction worker processes not); ``process CPU`` is that process's CPU from its start, imports
included. Peak RSS is the child's maximum resident set size. ``--cache`` chooses the state of
the extraction caches the builds find (kg.extract.diskcache: the scheme and lexicon;
kg.extract.resultcache: what the pipeline found in each text): ``warm`` (a private cache filled
by one build first: what every build of the same texts after the first sees), ``cold`` (emptied
before each build: a first build, and any build of texts never seen) or ``off``. The machine's
load average is printed: on a shared machine wall times follow it (CPU times much less), so
compare runs made under similar load.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
from pathlib import Path
from typing import Any

from _common import CORPORA, print_table, run_build

# The build report's stages (store_writes is the wall time of the three writers running together).
STAGES = ("read", "extract", "resolve", "inputs_saved", "lookup_index", "rdf_write", "cypher_load", "store_writes")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--corpora", type=Path, default=CORPORA)
    parser.add_argument("--cache", choices=("warm", "cold", "off"), default="warm")
    parser.add_argument("--default-only", action="store_true", help="the default corpus alone")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as cache:
        return _measure(args, Path(cache) / "kg")


def _median_stage(runs: list[dict[str, Any]], stage: str) -> float:
    return statistics.median(r["seconds"].get(stage, 0.0) for r in runs)


def _build(paths: list[str], cache_mode: str, cache: Path) -> dict[str, Any]:
    """One build in a fresh process with the extraction cache in the state ``cache_mode`` names."""
    if cache_mode == "cold":
        shutil.rmtree(cache, ignore_errors=True)
    with tempfile.TemporaryDirectory() as tmp:
        return run_build(paths, Path(tmp) / "store")


def _measure(args: argparse.Namespace, cache: Path) -> int:
    os.environ["KG_CACHE_DIR"] = "off" if args.cache == "off" else str(cache)
    cases = {"default corpus (5 files)": []}
    paperlists = [] if args.default_only else sorted((args.corpora / "paperlists").glob("*.json"))
    if paperlists:
        cases[f"paperlists ({len(paperlists)} files)"] = [str(p) for p in paperlists]
    elif not args.default_only:
        print(f"note: {args.corpora / 'paperlists'} not found; only the default corpus is measured", file=sys.stderr)
    if args.cache == "warm":
        _build([], "warm", cache)  # fills the cache (the same for every corpus); not counted
    rows = []
    stage_rows = []
    for name, paths in cases.items():
        load = os.getloadavg()[0]
        runs = [_build(paths, args.cache, cache) for _ in range(args.repeat)]
        stage_rows += [
            {
                "corpus": name,
                "stage": stage,
                "wall s (median)": _median_stage(runs, stage),
                "CPU s (median)": _median_stage(runs, f"{stage}_cpu"),
            }
            for stage in STAGES
        ]
        best = min(runs, key=lambda r: r["wall"])
        rows.append(
            {
                "corpus": name,
                "records": best["records"],
                "triples": best["triples"],
                "wall s (median)": statistics.median(r["wall"] for r in runs),
                **{f"{stage} s": _median_stage(runs, stage) for stage in STAGES},
                "process CPU s": _median_stage(runs, "process_cpu"),
                "records/s": best["records"] / best["wall"],
                "peak RSS MB": max(r["peak_rss_mb"] for r in runs),
                "load before": load,
            }
        )
    print_table(rows)
    print_table(stage_rows, title="per stage (CPU: the build's own process, its threads included)")
    print(
        f"\n(python {sys.version.split()[0]}, {os.cpu_count()} cores, best/median of {args.repeat} runs, "
        f"extraction cache {args.cache}; "
        f"resource max RSS of this script: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB)"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
