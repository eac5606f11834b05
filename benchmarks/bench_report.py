"""``kg report`` time and file size, and the analyses behind it, on the default corpus and on
synthetic corpora (targets: ≤ 5 s and ≤ 3 MB on the default corpus, ≤ 2 minutes at 100,000).

    .venv/bin/python benchmarks/bench_report.py [--sizes 10000,100000] [--out DIR] [--reuse-stores]

For each corpus: a full ``kg build`` in a fresh process (its ``communities`` stage is the
Louvain run whose partition the report shows, so it is timed too), then ``kg report``,
``kg top method`` and ``kg communities`` each in a fresh process (wall time as a user sees it,
interpreter start included, and peak RSS), and the report's size. Synthetic corpora come from
``synthetic.py`` (cached in ``--out``); ``--reuse-stores`` reads a store built by an earlier
run instead of building again.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import synthetic
from _common import print_table, run_build, run_measured

TARGETS = {"default": (5.0, 3.0), 100_000: (120.0, None)}  # seconds, MB


def _kg(*args: str) -> list[str]:
    return [sys.executable, "-m", "kg.cli", *args]


def measure(name: str, corpus: Path | None, store: Path, reuse: bool) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    if not (reuse and store.exists()):
        built = run_build([corpus] if corpus else [], store)
        meta = _meta(store)
        rows.append(
            {
                "corpus": name,
                "step": "kg build",
                "seconds": round(built["wall"], 2),
                "peak MB": round(built["peak_rss_mb"]),
                "size": f"{built['counts']['nodes']['Paper']} papers, {built['counts']['nodes']['Author']} authors",
                "target": "",
            }
        )
        partition = meta["communities"]
        rows.append(
            {
                "corpus": name,
                "step": "  communities (Louvain, in the build)",
                "seconds": round(built["seconds"]["communities"], 2),
                "peak MB": "",
                "size": f"{partition['communities']} communities, modularity {partition['modularity']}",
                "target": "",
            }
        )
    report = store.parent / f"{name}-report.html"
    for step, command in (
        ("kg report", _kg("report", "-o", str(report), "--store", str(store))),
        ("kg top method", _kg("top", "method", "--format", "json", "--store", str(store))),
        ("kg communities", _kg("communities", "--format", "json", "--store", str(store))),
    ):
        done = run_measured(command)
        if done.returncode != 0:
            raise RuntimeError(f"{step} on {name} failed:\n{done.stderr}")
        size = f"{report.stat().st_size / 1e6:.2f} MB" if step == "kg report" else ""
        rows.append(
            {
                "corpus": name,
                "step": step,
                "seconds": round(done.wall, 2),
                "peak MB": round(done.peak_rss_mb),
                "size": size,
                "target": _verdict(name, done.wall, report.stat().st_size / 1e6) if step == "kg report" else "",
            }
        )
    return rows


def _meta(store: Path) -> dict[str, Any]:
    generation = (store / "CURRENT").read_text(encoding="utf-8").strip()
    return json.loads((store / generation / "meta.json").read_text(encoding="utf-8"))


def _verdict(name: str, seconds: float, megabytes: float) -> str:
    key: Any = name if name == "default" else int(name)
    limit_s, limit_mb = TARGETS.get(key, (None, None))
    if limit_s is None:
        return ""
    ok = seconds <= limit_s and (limit_mb is None or megabytes <= limit_mb)
    wanted = f"≤ {limit_s:g} s" + (f", ≤ {limit_mb:g} MB" if limit_mb else "")
    return f"{wanted}: {'met' if ok else 'MISSED'}"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000", help="synthetic sizes, comma-separated ('' for none)")
    parser.add_argument("--out", type=Path, default=synthetic.DEFAULT_OUT, help="corpora and stores")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--reuse-stores", action="store_true", help="report on stores an earlier run built")
    args = parser.parse_args()
    if args.out.resolve().is_relative_to(synthetic.ROOT.resolve()):
        parser.error("--out must be outside the repository")
    args.out.mkdir(parents=True, exist_ok=True)
    rows = measure("default", None, args.out / "report-default.kg", args.reuse_stores)
    for size in (int(s) for s in args.sizes.split(",") if s.strip()):
        corpus = synthetic.ensure(size, args.out, args.seed)
        rows += measure(str(size), corpus, args.out / f"report-{size}.kg", args.reuse_stores)
    print_table(rows, "kg report: time, peak memory and size")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
