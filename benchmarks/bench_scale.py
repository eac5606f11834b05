"""Scale: build, query, lookup and export costs on synthetic corpora of 1k, 10k and 100k abstracts,
and how each cost grows per 10×.

    .venv/bin/python benchmarks/bench_scale.py [--sizes 1000,10000,100000] [--out DIR] [--runs N]
                                               [--seed S] [--corpora DIR] [--keep-stores] [--reuse]

For each size: the corpus from ``synthetic.py`` (cached in ``--out``, default
``$TMPDIR/kg-synthetic``); a full ``kg build`` in a fresh process (wall time, peak RSS, the
build report's seconds per stage and records/s per stage); the query catalogue
(``docs/queries``) in Cypher and SPARQL, p50/p95 over ``--runs`` runs after a warm-up;
who-works-on, institutions-on and related over a topic list (the evaluation topics plus concept
labels sampled from the store) and profile over a sample of author names, p50/p95 with the index
loaded; ``kg export`` to GraphML, JSON-LD and N-Triples and ``kg viz`` as fresh processes (time, peak RSS,
size). Then the growth ratio of every cost between consecutive sizes (linear growth is the size
ratio, 10 per 10×) and the targets: at 100k a build under 10 minutes and 4 GB, every stage
within 1.3× of linear from 10k to 100k (ratio ≤ 13), who-works-on p95 under 500 ms.

Catalogue queries run in a fresh process per query and engine and exports as fresh ``kg``
processes, killed past ``--query-timeout`` / ``--export-timeout`` (reported as killed, their
growth as nan), so one runaway cost cannot hold the whole benchmark.

Each size's numbers are saved as ``results-N.json`` in ``--out``; ``--reuse`` prints those
instead of measuring again (so a long 100k run can be combined with earlier small ones).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import sys
import time
from itertools import pairwise
from pathlib import Path
from typing import Any

import synthetic
from _common import (
    CORPORA,
    catalogue,
    load_eval,
    lookup_latencies,
    percentile,
    print_table,
    run_build,
    run_measured,
)

STAGES = ("read", "extract", "resolve", "rdf_write", "cypher_load", "lookup_index")
BUILD_LIMIT_S, MEMORY_LIMIT_MB, LINEAR_SLACK, WHO_P95_LIMIT_MS = 600.0, 4096.0, 1.3, 500.0
SAMPLE_TOPICS, SAMPLE_NAMES = 24, 40
QUERY_BUDGET_S = 20.0


def measure(n: int, args: argparse.Namespace) -> dict[str, Any]:
    """Every cost for a corpus of ``n`` records (the store is removed afterwards unless kept)."""
    started = time.perf_counter()
    corpus = synthetic.ensure(n, args.out, args.seed, args.corpora)
    print(f"[{n}] corpus {corpus} ({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    store = args.out / f"store-{n}"
    shutil.rmtree(store, ignore_errors=True)
    build = run_build([corpus], store)
    print(f"[{n}] built in {build['wall']:.1f} s, peak {build['peak_rss_mb']:.0f} MB", file=sys.stderr)
    result: dict[str, Any] = {"n": n, "corpus_mb": corpus.stat().st_size / 1e6, "build": build}
    result["queries"] = query_latencies(store, args.runs, args.query_timeout, args.export_memory_mb)
    print(f"[{n}] queries done", file=sys.stderr)
    result["lookups"] = lookup_costs(store, args.seed)
    print(f"[{n}] lookups done", file=sys.stderr)
    result["exports"] = export_costs(store, args.out / f"exports-{n}", args.export_timeout, args.export_memory_mb)
    if not args.keep_stores:
        shutil.rmtree(store, ignore_errors=True)
        shutil.rmtree(args.out / f"exports-{n}", ignore_errors=True)
    (args.out / f"results-{n}.json").write_text(json.dumps(result, indent=1), encoding="utf-8")
    return result


QUERY_CHILD = """
import json, sys
from functools import partial
sys.path.insert(0, sys.argv[1])
import kg
from kg.query.cypher import parameters
from _common import catalogue, timed
store, engine, name, runs, budget = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5]), float(sys.argv[6])
cypher_text, sparql_text, params = next((c, s, p) for n, c, s, p in catalogue() if n == name)
handle = kg.open_store(store)
if engine == "cypher":
    call = partial(handle.cypher, cypher_text, parameters(params))
else:
    call = partial(handle.sparql, sparql_text, params)
times, rows = timed(call, runs, budget)
print(json.dumps({"times": times, "rows": rows}))
"""


def query_latencies(store: Path, runs: int, timeout: float, memory_mb: float) -> dict[str, dict[str, Any]]:
    """p50/p95 milliseconds of every catalogue query in each engine, warm, one fresh process per
    query and engine so a query that runs away is killed after ``timeout`` seconds (then None)."""
    result: dict[str, dict[str, Any]] = {}
    here = str(Path(__file__).resolve().parent)
    for name, *_ in catalogue():
        result[name] = {"rows": None}
        for engine in ("cypher", "sparql"):
            command = [
                sys.executable,
                "-c",
                QUERY_CHILD,
                here,
                str(store),
                engine,
                name,
                str(runs),
                str(QUERY_BUDGET_S),
            ]
            # Oxigraph's address space is small enough to cap (a runaway query then fails alone);
            # LadybugDB reserves terabytes of it, so Cypher children run uncapped.
            cap = memory_mb if engine == "sparql" else None
            done = run_measured(command, timeout=timeout, memory_limit_mb=cap)
            if done.timed_out or done.returncode != 0:
                why = f"> {timeout:g} s" if done.timed_out else f"failed (exit {done.returncode})"
                result[name][engine] = {"p50": None, "p95": None, "runs": 0, "failed": why}
                continue
            answer = json.loads(done.stdout)
            result[name]["rows"] = answer["rows"]
            result[name][engine] = _ms(answer["times"])
    return result


def _ms(seconds: list[float]) -> dict[str, float]:
    return {"p50": percentile(seconds, 0.5) * 1000, "p95": percentile(seconds, 0.95) * 1000, "runs": len(seconds)}


def lookup_costs(store: Path, seed: int) -> dict[str, Any]:
    """Index load time, then lookups over the evaluation topics plus sampled concept labels, and
    profile over sampled author names (same seed, same sample for a given store)."""
    from kg.query.index import open_index

    index = open_index(store)
    started = time.perf_counter()
    index.concept_vocabulary, index.people_vocabulary, index.authors_of, index.affiliations  # noqa: B018
    load_ms = (time.perf_counter() - started) * 1000
    draw = random.Random(seed)
    labels = sorted({label for _, label, _, in_graph in index.concepts.values() if in_graph})
    topics = [item["topic"] for item in load_eval()] + draw.sample(labels, min(SAMPLE_TOPICS, len(labels)))
    names = draw.sample(sorted(name for _, name in index.authors), min(SAMPLE_NAMES, len(index.authors)))
    latencies = lookup_latencies(index, topics, names)
    index.close()
    return {
        "index_load_ms": load_ms,
        "topics": len(topics),
        "names": len(names),
        **{kind: {"p50": percentile(t, 0.5), "p95": percentile(t, 0.95)} for kind, t in latencies.items()},
    }


def export_costs(store: Path, directory: Path, timeout: float, memory_mb: float) -> dict[str, dict[str, Any]]:
    """``kg export`` (GraphML from the graph; JSON-LD and N-Triples streamed from the RDF store) and
    ``kg viz`` as a user runs them: fresh processes,
    killed after ``timeout`` seconds and refused memory past ``memory_mb`` (then the size is None
    and ``failed`` says why), so an export that needs more than the machine has cannot take down
    everything else running on it."""
    directory.mkdir(parents=True, exist_ok=True)
    kg_command = [sys.executable, "-m", "kg.cli", "--quiet"]
    jobs = {
        "graphml": ["export", "--format", "graphml", "-o", str(directory / "graph.graphml")],
        "jsonld": ["export", "--format", "jsonld", "-o", str(directory / "graph.jsonld")],
        "nt": ["export", "--format", "nt", "-o", str(directory / "graph.nt")],
        "viz (html)": ["viz", "-o", str(directory / "graph.html")],
    }
    result: dict[str, dict[str, Any]] = {}
    for name, arguments in jobs.items():
        done = run_measured(
            [*kg_command, *arguments, "--store", str(store)], timeout=timeout, memory_limit_mb=memory_mb
        )
        output = Path(arguments[arguments.index("-o") + 1])
        failed = None
        if done.timed_out:
            failed = f"killed after {timeout:g} s"
        elif done.returncode != 0:
            last = (done.stderr.strip().splitlines() or ["?"])[-1]
            failed = f"over {memory_mb:g} MB" if "MemoryError" in done.stderr else f"failed: {last[:80]}"
        size = None if failed else output.stat().st_size / 1e6
        result[name] = {"seconds": done.wall, "mb": size, "peak_rss_mb": done.peak_rss_mb, "failed": failed}
        output.unlink(missing_ok=True)  # gigabytes at 100k; the size is what is kept
    return result


# ---------------------------------------------------------------- tables


def costs(result: dict[str, Any]) -> dict[str, float | None]:
    """Every cost of one size, flat: the rows of the growth table."""
    build = result["build"]
    flat = {"build wall s": build["wall"], "build peak RSS MB": build["peak_rss_mb"]}
    flat |= {f"stage {stage} s": build["seconds"].get(stage, 0.0) for stage in STAGES}
    for name, query in result["queries"].items():
        for engine in ("cypher", "sparql"):
            flat[f"{engine} {name} p50 ms"] = query[engine]["p50"]
    flat["lookup index load ms"] = result["lookups"]["index_load_ms"]
    for kind in ("who-works-on", "institutions-on", "related", "profile"):
        for share in ("p50", "p95"):
            flat[f"{kind} {share} ms"] = result["lookups"][kind][share]
    for name, export in result["exports"].items():
        flat[f"{name} s"] = None if export.get("failed") else export["seconds"]  # a failed run is no cost to compare
        flat[f"{name} MB"] = export["mb"]
        flat[f"{name} peak RSS MB"] = None if export.get("failed") else export["peak_rss_mb"]
    return flat


def report(results: list[dict[str, Any]]) -> None:
    """Print the tables: build, queries, lookups, exports, growth, targets."""
    builds = []
    for r in results:
        b = r["build"]
        nodes = b["counts"]["nodes"]
        builds.append(
            {
                "records": b["records"],
                "corpus MB": r["corpus_mb"],
                "papers": nodes.get("Paper", 0),
                "authors": nodes.get("Author", 0),
                "institutions": nodes.get("Institution", 0),
                "triples": b["triples"],
                "wall s": b["wall"],
                "peak RSS MB": b["peak_rss_mb"],
                **{f"{s} s": b["seconds"].get(s, 0.0) for s in STAGES},
            }
        )
    print_table(builds, "kg build (fresh process; seconds per stage from the build report)", markdown=True)
    print_table(
        [
            {
                "records": r["build"]["records"],
                **{s: r["build"]["records"] / max(r["build"]["seconds"].get(s, 0), 1e-9) for s in STAGES},
            }
            for r in results
        ],
        "records/s per stage",
        markdown=True,
    )
    rows = []
    for name in results[0]["queries"]:
        row: dict[str, Any] = {"query": name}
        for r in results:
            q = r["queries"][name]
            n = _short(r["n"])
            row[f"{n} rows"] = q["rows"]
            row[f"{n} cypher p50/p95 ms"] = _pair(q["cypher"])
            row[f"{n} sparql p50/p95 ms"] = _pair(q["sparql"])
        rows.append(row)
    print_table(rows, "Query catalogue (docs/queries), warm store", markdown=True)
    rows = []
    for kind in ("who-works-on", "institutions-on", "related", "profile"):
        row = {"lookup": kind}
        for r in results:
            look = r["lookups"]
            row[f"{_short(r['n'])} p50/p95 ms"] = f"{look[kind]['p50']:.1f} / {look[kind]['p95']:.1f}"
        rows.append(row)
    rows.append(
        {
            "lookup": "index load (cold)",
            **{f"{_short(r['n'])} p50/p95 ms": f"{r['lookups']['index_load_ms']:.0f}" for r in results},
        }
    )
    first = results[0]["lookups"]
    print_table(rows, f"Lookups ({first['topics']} topics, {first['names']} author names)", markdown=True)
    rows = []
    for name in results[0]["exports"]:
        row = {"export": name}
        for r in results:
            e = r["exports"][name]
            size = (e.get("failed") or "?") if e["mb"] is None else f"{e['mb']:.1f}"
            row[f"{_short(r['n'])} s / MB / RSS MB"] = f"{e['seconds']:.1f} / {size} / {e['peak_rss_mb']:.0f}"
        rows.append(row)
    print_table(rows, "Exports and the view (fresh `kg` processes)", markdown=True)
    growth(results)
    targets(results)
    print(f"\n(python {sys.version.split()[0]}, {os.cpu_count()} cores)")


def _pair(timing: dict[str, Any]) -> str:
    if timing["p50"] is None:
        return timing.get("failed", "?")
    return f"{timing['p50']:.1f} / {timing['p95']:.1f}"


def _short(n: int) -> str:
    return f"{n // 1000}k" if n % 1000 == 0 else str(n)


def growth(results: list[dict[str, Any]]) -> None:
    """Cost at the next size over cost at this one; 'super-linear' past 1.3× the size ratio."""
    if len(results) < 2:
        return
    flats = [costs(r) for r in results]
    rows = []
    for name in flats[0]:
        row: dict[str, Any] = {"cost": name}
        flags = []
        for (low, a), (high, b) in pairwise(zip(results, flats, strict=True)):
            expected = high["n"] / low["n"]
            ratio = b[name] / a[name] if a.get(name) and b.get(name) is not None else float("nan")
            row[f"{_short(high['n'])}/{_short(low['n'])}"] = f"{ratio:.2f}"
            if ratio > LINEAR_SLACK * expected:
                flags.append(f"{_short(low['n'])}→{_short(high['n'])}")
        row["super-linear"] = ", ".join(flags)
        rows.append(row)
    print_table(rows, f"Growth per step (linear = the size ratio; flagged past {LINEAR_SLACK}× that)", markdown=True)


def targets(results: list[dict[str, Any]]) -> None:
    by_size = {r["n"]: r for r in results}
    big, mid = by_size.get(100_000), by_size.get(10_000)
    rows = []

    def check(target: str, value: str, ok: bool | None) -> None:
        rows.append({"target": target, "measured": value, "": "-" if ok is None else ("ok" if ok else "MISSED")})

    if big is None:
        check("100k build < 10 min, < 4 GB", "100k not measured", None)
    else:
        b = big["build"]
        check("100k build < 10 min", f"{b['wall']:.0f} s", b["wall"] < BUILD_LIMIT_S)
        check("100k build peak RSS < 4 GB", f"{b['peak_rss_mb']:.0f} MB", b["peak_rss_mb"] < MEMORY_LIMIT_MB)
        who = big["lookups"]["who-works-on"]["p95"]
        check("who-works-on p95 < 500 ms at 100k", f"{who:.0f} ms", who < WHO_P95_LIMIT_MS)
    if big is not None and mid is not None:
        for stage in STAGES:
            low, high = mid["build"]["seconds"].get(stage, 0.0), big["build"]["seconds"].get(stage, 0.0)
            ratio = high / low if low else float("nan")
            check(f"stage {stage}: 100k/10k ≤ {LINEAR_SLACK * 10:g}", f"{ratio:.2f}", ratio <= LINEAR_SLACK * 10)
    else:
        check("each stage ≤ 13× from 10k to 100k", "needs 10k and 100k", None)
    print_table(rows, "Targets", markdown=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="1000,10000,100000", help="comma-separated record counts")
    parser.add_argument("--out", type=Path, default=synthetic.DEFAULT_OUT, help="corpora, stores, results")
    parser.add_argument("--runs", type=int, default=20, help="timed runs per catalogue query and engine")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--query-timeout", type=float, default=120.0, help="seconds before a catalogue query is killed")
    parser.add_argument("--export-timeout", type=float, default=1800.0, help="seconds before an export is killed")
    parser.add_argument(
        "--export-memory-mb",
        type=float,
        default=8192.0,
        help="address-space cap (MB) of each export and SPARQL query process",
    )
    parser.add_argument("--corpora", type=Path, default=CORPORA, help="the real corpora (../shared/corpora)")
    parser.add_argument("--keep-stores", action="store_true", help="keep the built stores and exports in --out")
    parser.add_argument("--reuse", action="store_true", help="print results-N.json from --out where present")
    args = parser.parse_args()
    sizes = sorted(int(s.replace("_", "")) for s in args.sizes.split(",") if s.strip())
    args.out.mkdir(parents=True, exist_ok=True)
    if args.out.resolve().is_relative_to(synthetic.ROOT.resolve()):
        parser.error(
            f"--out {args.out} is inside the repository; the corpora recombine texts that may not be committed"
        )
    results = []
    for n in sizes:
        saved = args.out / f"results-{n}.json"
        if args.reuse and saved.exists():
            results.append(json.loads(saved.read_text(encoding="utf-8")))
            continue
        results.append(measure(n, args))
    report(results)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
