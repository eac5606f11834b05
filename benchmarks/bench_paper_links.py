"""Papers across sources: the bundled corpus alone and with a titled listing of the same venue.

    .venv/bin/python benchmarks/bench_paper_links.py [--listing PATH]

Builds (fresh process, ``kg.build``) the bundled corpus, then the corpus plus
``../shared/corpora/paperlists/iclr2021.json`` (titles, authors, affiliations, keywords; no
abstracts), and reports records, papers, untitled papers, merged paper pairs by reason, paper
near-misses, wall time and peak RSS. Targets (issue 18): untitled papers after adding the
listing at most the records that listing lacks (the 5 ShortScience summaries of unnamed papers
and the ICLR 2021 records without a listing entry), and no wrong merge in the resolution tests.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import CORPORA, ROOT, print_table, run_build


def _row(name: str, paths: list[Path], work: Path) -> dict[str, object]:
    import kg

    store = work / name
    result = run_build(paths, store)
    handle = kg.open_store(store)
    untitled = handle.sparql(
        "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper FILTER NOT EXISTS { ?p dcterms:title ?t } }"
    )
    merges = Counter(d.reason for d in handle.resolution().merges("paper"))
    return {
        "inputs": name,
        "records": result["records"],
        "papers": result["counts"]["nodes"]["Paper"],
        "untitled": int(untitled.rows[0]["n"]),
        "merged pairs": sum(merges.values()),
        "by reason": "; ".join(f"{reason}: {n}" for reason, n in sorted(merges.items())) or "-",
        "near-misses": len(handle.resolution().near_misses("paper")),
        "wall s": round(result["wall"], 1),
        "peak MB": round(result["peak_rss_mb"]),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--listing", type=Path, default=CORPORA / "paperlists" / "iclr2021.json")
    args = parser.parse_args()
    corpus = ROOT / "data" / "corpus"
    with tempfile.TemporaryDirectory() as work:
        rows = [_row("bundled corpus", [corpus], Path(work))]
        if args.listing.exists():
            rows.append(_row(f"+ {args.listing.name}", [corpus, args.listing], Path(work)))
    print_table(rows, "Papers across sources")


if __name__ == "__main__":
    main()
