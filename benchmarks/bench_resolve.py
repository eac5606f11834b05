"""Identity resolution: time, growth and what it decided, from the default corpus to ICLR 2020–22.

    .venv/bin/python benchmarks/bench_resolve.py            # default corpus + paperlists ICLR 2020, 2020–21, 2020–22

Resolution runs on records already read (reading and extraction are not timed here; concepts
are left out so the figure is identity alone). Per corpus: records, seconds (median of 3), µs
per record, the growth of time against the growth of records from the previous row (1.0 is
linear), author spellings before and nodes after, merges (weak ones in brackets), near-misses,
and papers merged across files. Then a sample of merges and near-misses from the largest
corpus, the kind `kg review` shows.
"""

from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks._common import CORPORA
from kg.api import read_inputs
from kg.resolve import resolve
from kg.resolve.decisions import for_review

PAPERLISTS = CORPORA / "paperlists"
CORPUS_SETS = [
    ("default corpus", None),
    ("ICLR 2020", ["iclr2020.json"]),
    ("ICLR 2020–21", ["iclr2020.json", "iclr2021.json"]),
    ("ICLR 2020–22", ["iclr2020.json", "iclr2021.json", "iclr2022.json"]),
]


def main() -> None:
    rows = []
    previous: tuple[int, float] | None = None
    last = None
    for name, files in CORPUS_SETS:
        paths = None if files is None else [PAPERLISTS / f for f in files]
        if paths is not None and not all(p.exists() for p in paths):
            print(f"skipping {name}: {PAPERLISTS} is not here", file=sys.stderr)
            continue
        records, _ = read_inputs(paths)
        times = []
        for _ in range(3):
            started = time.perf_counter()
            _, resolution = resolve(records)
            times.append(time.perf_counter() - started)
        seconds = statistics.median(times)
        summary = resolution.summary()
        growth = "" if previous is None else f"{(seconds / previous[1]) / (len(records) / previous[0]):.2f}"
        authors, papers = summary["author"], summary["paper"]
        rows.append(
            (
                name,
                len(records),
                f"{seconds:.2f}",
                f"{seconds / len(records) * 1e6:.0f}",
                growth,
                f"{authors['before']:,} → {authors['after']:,}",
                f"{authors['merged']} ({authors['weak']})",
                str(authors["near_misses"]),
                str(papers["merged"]),
                f"{summary['institution']['before']:,} → {summary['institution']['after']:,}",
            )
        )
        previous = (len(records), seconds)
        last = resolution
    header = (
        "corpus",
        "records",
        "seconds",
        "µs/record",
        "growth",
        "author spellings → nodes",
        "merges (weak)",
        "near-misses",
        "papers merged",
        "affiliations → institutions",
    )
    print("| " + " | ".join(header) + " |")
    print("| " + " | ".join("---" if i == 0 else "---:" for i in range(len(header))) + " |")
    for row in rows:
        print("| " + " | ".join(str(c) for c in row) + " |")
    if last is None:
        return
    print("\nSample merges (strongest first):")
    for decision in [d for d in last.merges("author")][:8]:
        print("  " + decision.explanation())
    print("\nFor review (weak merges and near-misses, most doubtful first):")
    for decision in for_review(last, "author", 10):
        print("  " + decision.explanation())


if __name__ == "__main__":
    main()
