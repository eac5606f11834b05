"""Quality and speed of the lookups (kg who-works-on, institutions-on, profile, related).

Quality: for every topic of ``benchmarks/data/who_works_on_eval.jsonl`` (authors the default
corpus supports, written by reading the records; see ``benchmarks/data/README.md``), the
R-precision and precision@5 of ``who_works_on`` and of a plain substring baseline over the
same text (case-insensitive substring of the topic in a paper's title, tl;dr, abstract or
summaries; authors ranked by the number of such papers, then name). Names are compared by
matching key (case, accents, punctuation folded).

Speed: p50/p95 per lookup type over the topic list (and the first relevant author of each
topic for ``profile``) with the store already open and its index loaded once (the cold first
call is reported apart), on the default corpus and, when ``../shared/corpora/paperlists`` is
present, on ICLR 2020–2022 (read in place).

The second hand set ``benchmarks/data/who_works_on_heldout.jsonl`` (15 other topics, made the
same way) is scored the same way and printed as means only (``--held-out-rows`` for its rows, at
the end of a piece of work): it is never tuned on.

Keyword evaluation (:mod:`_keyword_eval`, when ``../shared/corpora`` holds ICLR 2021): a few
hundred topics from ICLR 2021 author keywords, over a store built from the same papers without
their keywords; R-precision, P@5 and MAP on the tuning half and on the held-out half, the weakest
held-out topics, and (``--per-topic``) every topic's row.

    .venv/bin/python benchmarks/bench_lookup.py [--store DIR] [--paperlists-store DIR] [--no-paperlists]
        [--keywords-store DIR] [--no-keywords] [--only-keywords] [--per-topic] [--held-out-rows]

Without ``--store`` the default corpus is built into a temporary store first (a ``--…-store`` that
holds no store yet is built into and kept, for the next run); the same for
``--paperlists-store`` (about 40 s) and ``--keywords-store`` (the ICLR 2021 papers as JSON lines
written to a temporary directory, never into the repository).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import _keyword_eval
from _common import CORPORA, ROOT, load_eval, lookup_latencies, percentile, print_table

sys.path.insert(0, str(ROOT))

from kg.normalize import key
from kg.query.index import LookupIndex, open_index
from kg.query.lookup import who_works_on

PAPERLISTS = CORPORA / "paperlists"
HELD_OUT = ROOT / "benchmarks" / "data" / "who_works_on_heldout.jsonl"


def load_held_out() -> list[dict]:
    """The second hand set (15 other everyday topics, made the same way; never tuned on)."""
    return [json.loads(line) for line in HELD_OUT.read_text(encoding="utf-8").splitlines() if line.strip()]


def substring_baseline(index: LookupIndex, topic: str) -> list[str]:
    needle = topic.lower()
    counts: Counter[int] = Counter()
    for paper, text in index.rows("SELECT paper, text FROM fields"):
        if needle in text.lower():
            counts[paper] = 1
    authors: Counter[int] = Counter()
    for paper in counts:
        authors.update(index.authors_of.get(paper, ()))
    ranked = sorted(authors.items(), key=lambda kv: (-kv[1], index.authors[kv[0]][1]))
    return [index.authors[a][1] for a, _ in ranked]


def precision(ranked: list[str], relevant: set[str], k: int) -> float:
    top = [key(n) for n in ranked[:k]]
    return sum(1 for n in top if n in relevant) / k if k else 0.0


def quality(index: LookupIndex, topics: list[dict], per_topic: bool = True) -> None:
    """Per-topic rows (when ``per_topic``) and the means. The held-out set is printed as means
    only, so that reading its rows cannot steer the tuning."""
    print(f"{'topic':32} {'R':>3} {'R-prec kg':>9} {'R-prec sub':>10} {'P@5 kg':>7} {'P@5 sub':>7}")
    sums = [0.0, 0.0, 0.0, 0.0]
    for item in topics:
        relevant = {key(n) for n in item["relevant"]}
        size = len(relevant)
        ours = [r.author.name for r in who_works_on(index, item["topic"], limit=max(size, 5)).results]
        base = substring_baseline(index, item["topic"])
        row = [
            precision(ours, relevant, size),
            precision(base, relevant, size),
            precision(ours, relevant, 5),
            precision(base, relevant, 5),
        ]
        sums = [s + v for s, v in zip(sums, row, strict=True)]
        if per_topic:
            print(f"{item['topic']:32} {size:>3} {row[0]:>9.3f} {row[1]:>10.3f} {row[2]:>7.3f} {row[3]:>7.3f}")
    n = len(topics)
    print(f"{'mean':32} {'':>3} {sums[0] / n:>9.3f} {sums[1] / n:>10.3f} {sums[2] / n:>7.3f} {sums[3] / n:>7.3f}")


def latency(index: LookupIndex, topics: list[dict], label: str) -> None:
    names = [item["relevant"][0] for item in topics]
    started = time.perf_counter()
    index.concept_vocabulary, index.people_vocabulary, index.authors_of, index.affiliations  # noqa: B018
    print(f"{label}: index loaded in {(time.perf_counter() - started) * 1000:.0f} ms")
    for kind, times in lookup_latencies(index, [item["topic"] for item in topics], names).items():
        p95 = percentile(times, 0.95)
        print(f"  {kind:16} p50 {statistics.median(times):7.1f} ms   p95 {p95:7.1f} ms   max {max(times):7.1f} ms")


def keyword_quality(index: LookupIndex, per_topic: bool) -> None:
    """The ICLR 2021 keyword evaluation: means per half, weakest held-out topics, per-topic rows."""
    tuning, held_out = _keyword_eval.split(_keyword_eval.topics())

    def rank(topic: str, limit: int) -> list[str]:
        return [key(r.author.name) for r in who_works_on(index, topic, limit=limit).results]

    halves = {"tuning": _keyword_eval.evaluate(rank, tuning), "held-out": _keyword_eval.evaluate(rank, held_out)}
    summary = [{"half": h, "topics": len(rows), **_keyword_eval.means(rows)} for h, rows in halves.items()]
    print_table(summary, "ICLR 2021 keyword topics (store built without keywords)")
    weakest = sorted(halves["held-out"], key=lambda r: (r["R-prec"], r["topic"]))[:15]
    print_table(weakest, "weakest held-out topics")
    if per_topic:
        for half, rows in halves.items():
            print_table(rows, f"every {half} topic")


def cold_cli(store: Path, topics: list[str], runs: int = 3) -> None:
    """A lookup as a user runs it: a fresh ``kg who-works-on`` process per topic, against a fresh
    interpreter that does nothing, run after run (median wall seconds: on a loaded machine both
    grow)."""
    from _common import run_measured

    bare = [run_measured([sys.executable, "-c", "pass"]) for _ in range(runs)]
    cli = [
        run_measured([sys.executable, "-m", "kg.cli", "who-works-on", t, "--json", "--store", str(store)])
        for t in topics[:5]
        for _ in range(runs)
    ]
    assert all(m.returncode == 0 for m in cli), [m.stderr for m in cli if m.returncode][:1]
    base, wall = statistics.median(m.wall for m in bare), statistics.median(m.wall for m in cli)
    print(
        f"  cold `kg who-works-on` process: median {wall:.2f} s, bare interpreter {base:.2f} s, "
        f"beyond interpreter start {wall - base:.2f} s"
    )


def build(paths: list[Path] | None, into: Path) -> Path:
    """Build ``paths`` into ``into``, unless a store is already there (pass the same ``--…-store``
    again to reuse a store an earlier run built)."""
    import kg

    if (into / "CURRENT").exists():
        return into
    started = time.perf_counter()
    kg.build(paths, store=into)
    print(f"built {into} in {time.perf_counter() - started:.1f} s", file=sys.stderr)
    return into


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--store", type=Path)
    parser.add_argument("--paperlists-store", type=Path)
    parser.add_argument("--no-paperlists", action="store_true")
    parser.add_argument("--keywords-store", type=Path, help="A store built from the keyword evaluation's input.")
    parser.add_argument("--no-keywords", action="store_true", help="Skip the ICLR 2021 keyword evaluation.")
    parser.add_argument("--only-keywords", action="store_true", help="Run the keyword evaluation alone.")
    parser.add_argument("--per-topic", action="store_true", help="Print every keyword topic's row.")
    parser.add_argument(
        "--held-out-rows", action="store_true", help="Print the held-out hand set's rows (final report only)."
    )
    args = parser.parse_args()
    topics = load_eval()
    with tempfile.TemporaryDirectory() as tmp:
        if not args.no_keywords and (args.keywords_store or _keyword_eval.available()):
            kw_store = build([_keyword_eval.write_input(Path(tmp))], args.keywords_store or Path(tmp) / "keywords")
            print("== quality on ICLR 2021 keyword topics")
            keyword_quality(open_index(kw_store), args.per_topic)
            if args.only_keywords:
                return
        store = build(None, args.store or Path(tmp) / "default")
        index = open_index(store)
        print(f"== quality on the default corpus ({len(topics)} topics)")
        quality(index, topics)
        held_out = load_held_out()
        print(f"\n== quality on the held-out hand set ({len(held_out)} topics, means only unless --held-out-rows)")
        quality(index, held_out, per_topic=args.held_out_rows)
        print("\n== latency")
        latency(index, topics, "default corpus")
        cold_cli(store, [item["topic"] for item in topics])
        if args.no_paperlists:
            return
        if (PAPERLISTS / "iclr2020.json").exists() or args.paperlists_store:
            listings = [PAPERLISTS / f"iclr{y}.json" for y in (2020, 2021, 2022)]
            pl_store = build(listings, args.paperlists_store or Path(tmp) / "paperlists")
            latency(open_index(pl_store), topics, "paperlists ICLR 2020-2022")


if __name__ == "__main__":
    main()
