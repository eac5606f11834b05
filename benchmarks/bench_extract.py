"""Extraction quality with and without the trained tagger, and extraction speed.

    python benchmarks/bench_extract.py [--errors] [--no-speed] [--model DIR]

Quality, precision/recall/F1 per type, each with the rules alone (``--no-model``) and with the
tagger, on three sets:

- **dev**: ``benchmarks/data/extraction_dev.jsonl``, 99 units of the bundled corpus annotated
  by hand (see benchmarks/data/README.md). The lexicon and rules were tuned on it.
- **held-out**: ``benchmarks/data/extraction_heldout.jsonl``, 30 abstracts of the bundled ICLR
  2021 list drawn with a fixed seed (``kg.extract.texts.holdout_split``), none of them a dev
  unit's record. They are kept out of the tagger's training text and out of every tuning
  decision; they were annotated by reading the text alone, following ../shared/ANNOTATION.md,
  before any extractor output on them was looked at. Nothing was changed after scoring them.
- **SciERC dev**: ``../shared/datasets/scierc/dev.json`` (50 abstracts from AI/NLP venues;
  Method→Method, Task→Task, Material→Dataset), matched on normalised surface text per
  abstract (singular, case and punctuation folded). Never trained or tuned on.

For dev and held-out, every unit is compared with what ``kg.extract`` finds in that same span
of text when the whole bundled corpus is extracted (so corpus-wide rules apply as in a real
build); a predicted concept matches a gold name when one of its forms (label, aliases, matched
text) is the gold name or one of its surface forms. ``--errors`` lists every miss.

Speed: pipeline load time, and abstracts per second on one process (one core) for the ICLR
2021 list and the paperlists abstracts in ../shared/corpora, with and without the tagger.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.extract import Model, extract_records, pipeline  # noqa: E402
from kg.extract.evaluate import corpus_units, scierc, table  # noqa: E402
from kg.sources import read_file  # noqa: E402

DATA = ROOT / "benchmarks" / "data"


def speed(corpora: Path, model: Model) -> list[tuple[str, int, float]]:
    rows = []
    started = time.perf_counter()
    pipeline.cache_clear()
    pipeline(model)
    rows.append(("pipeline load (after import)", 0, time.perf_counter() - started))
    iclr = list(read_file(ROOT / "data" / "corpus" / "iclr2021_authors_tldr_abstracts.txt"))
    started = time.perf_counter()
    extract_records(iclr, model=model)
    rows.append(("ICLR 2021 list (434 records), 1 process", len(iclr), time.perf_counter() - started))
    files = [corpora / "paperlists" / f"{n}.json" for n in ("iclr2017", "iclr2018", "colm2024", "colm2025")]
    if all(f.exists() for f in files):
        records = [r for f in files for r in read_file(f) if r.abstract]
        started = time.perf_counter()
        extract_records(records, model=model)
        rows.append(("paperlists with abstracts, 1 process", len(records), time.perf_counter() - started))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DATA / "extraction_dev.jsonl")
    parser.add_argument("--heldout", type=Path, default=DATA / "extraction_heldout.jsonl")
    parser.add_argument("--scierc", type=Path, default=ROOT.parent / "shared" / "datasets" / "scierc" / "dev.json")
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--model", type=Path, default=None, help="a tagger model directory (default: the shipped one)")
    parser.add_argument("--errors", action="store_true", help="list every false positive and false negative")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args()
    tagger: Model = args.model or True
    sets = [("dev", lambda m: corpus_units(args.dev, m)), ("held-out", lambda m: corpus_units(args.heldout, m))]
    if args.scierc.exists():
        sets.append(("SciERC dev", lambda m: scierc(args.scierc, m)))
    for name, run in sets:
        for label, model in (("rules only (--no-model)", False), ("rules + tagger", tagger)):
            counts = run(model)
            print(f"\n== {name}: {label}\n{table(counts)}")
            if args.errors:
                print("\n".join(e for c in counts.values() for e in c.errors))
    if not args.no_speed:
        for label, model in (("rules only", False), ("rules + tagger", tagger)):
            print(f"\n== speed, {label}")
            for row, count, seconds in speed(args.corpora, model):
                rate = f"{count / seconds:8.1f} abstracts/s/core" if count else ""
                print(f"{row:45} {seconds:7.2f}s {rate}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
