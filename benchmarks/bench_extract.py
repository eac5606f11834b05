"""Extraction quality with and without the trained tagger, and extraction speed.

    python benchmarks/bench_extract.py [--sets dev,dev2,held-out,held-out2,scierc] [--scierc-split train|dev]
                                       [--errors] [--no-speed] [--model DIR]

Quality, precision/recall/F1 per type, each with the rules alone (``--no-model``) and with the
tagger, on three sets:

- **dev**: ``benchmarks/data/extraction_dev.jsonl``, 99 units of the bundled corpus annotated
  by hand (see benchmarks/data/README.md). The lexicon and rules were tuned on it.
- **held-out**: ``benchmarks/data/extraction_heldout.jsonl``, 30 abstracts of the bundled ICLR
  2021 list drawn with a fixed seed (``kg.extract.texts.holdout_split``), none of them a dev
  unit's record. They are kept out of the tagger's training text and out of every tuning
  decision; they were annotated by reading the text alone, following ../shared/ANNOTATION.md,
  before any extractor output on them was looked at. Nothing was changed after scoring them.
- **dev2**: ``benchmarks/data/extraction_dev2.jsonl``, 50 more abstracts of the bundled ICLR
  2021 list (seeded draw from the records in neither set above), annotated by hand from the text
  alone: a second development set, so tuning is not fitted to the 99 units of the first.
- **held-out2**: ``benchmarks/data/extraction_heldout2.jsonl``, 40 further abstracts of the same
  draw, annotated independently of everything above; like held-out, never tuned on and run only
  to report. Both new sets' records are left out of the tagger's training text
  (``kg.extract.texts.annotated_texts``).
- **SciERC**: ``../shared/datasets/scierc/{train,dev}.json`` (350 / 50 abstracts from AI/NLP
  venues; Method→Method, Task→Task, Material→Dataset), matched on normalised surface text per
  abstract (singular, case and punctuation folded). ``--scierc-split train`` is the cross-domain
  *development* set: the noun-phrase rule's head lists and confidences were tuned on it (read in
  place, never copied into the repository, never trained on). ``--scierc-split dev`` (the
  default) is for reporting only: never trained or tuned on, run once at the end.

Tuning runs use ``--sets dev,scierc --scierc-split train``; the held-out split and SciERC dev
are run only to report, after the rules and the model are final.

For dev and held-out, every unit is compared with what ``kg.extract`` finds in that same span
of text when the whole bundled corpus is extracted (so corpus-wide rules apply as in a real
build); a predicted concept matches a gold name when one of its forms (label, aliases, matched
text) is the gold name or one of its surface forms. ``--errors`` lists every miss.

Confidence (``--calibrate``): the precision of each rule family (lexicon, acronym, pattern,
phrase, model) per type on the two development sets only (dev and SciERC train, never the
held-out split or SciERC dev), and their mean: the confidence a mention of that family carries,
so ``--min-confidence`` means "at least this precision". ``--write-confidence`` stores the
tagger's figures in its ``meta.json`` (``kg.confidence``); the noun-phrase rule's are
``kg.extract.nounphrases.CONFIDENCE``.

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


FAMILIES = ("lexicon", "acronym", "pattern", "phrase", "model")
MIN_PREDICTIONS = 5  # fewer predictions than this on a set say nothing about a family's precision


def calibrate(dev: Path, scierc_train: Path, model: Path | None, write: bool) -> int:
    """Print each rule family's precision per type on dev and SciERC train and their mean; with
    ``write``, store the tagger's means (clipped to 0.3-0.9) in its meta.json."""
    import json

    from kg.extract.tagger import default_model_dir

    means: dict[str, dict[str, float]] = {}
    print(f"{'family':8} {'type':8} {'dev P (n)':>14} {'SciERC train P (n)':>20} {'mean':>6}")
    for family in FAMILIES:
        keep = lambda m, family=family: m.rule.split(":", 1)[0] == family  # noqa: E731
        found = [corpus_units(dev, model or True, keep), scierc(scierc_train, model or True, keep)]
        for concept_type in found[0]:
            figures = [(c[concept_type].precision, c[concept_type].tp + c[concept_type].fp) for c in found]
            usable = [p for p, n in figures if n >= MIN_PREDICTIONS]
            mean = sum(usable) / len(usable) if usable else float("nan")
            means.setdefault(family, {})[concept_type] = mean
            cells = [f"{p:.3f} ({n:4})" for p, n in figures]
            print(f"{family:8} {concept_type:8} {cells[0]:>14} {cells[1]:>20} {mean:6.3f}")
    if write:
        meta_path = (model or default_model_dir()) / "meta.json"
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        meta["kg"]["confidence"] = {
            t: round(min(0.9, max(0.3, p)), 3) if p == p else meta["kg"]["confidence"][t]
            for t, p in means["model"].items()
        }
        meta_path.write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {meta['kg']['confidence']} to {meta_path}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=DATA / "extraction_dev.jsonl")
    parser.add_argument("--heldout", type=Path, default=DATA / "extraction_heldout.jsonl")
    parser.add_argument("--dev2", type=Path, default=DATA / "extraction_dev2.jsonl")
    parser.add_argument("--heldout2", type=Path, default=DATA / "extraction_heldout2.jsonl")
    parser.add_argument("--scierc-dir", type=Path, default=ROOT.parent / "shared" / "datasets" / "scierc")
    parser.add_argument(
        "--scierc-split",
        choices=("train", "dev"),
        default="dev",
        help="SciERC split: train is the cross-domain development set (tune on it), dev is for reporting only",
    )
    parser.add_argument(
        "--sets",
        default="dev,held-out,scierc",
        help="comma-separated: dev, dev2, held-out, held-out2, scierc (default: dev, held-out, scierc)",
    )
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--model", type=Path, default=None, help="a tagger model directory (default: the shipped one)")
    parser.add_argument("--errors", action="store_true", help="list every false positive and false negative")
    parser.add_argument("--no-speed", action="store_true")
    parser.add_argument("--calibrate", action="store_true", help="precision per rule family on the development sets")
    parser.add_argument(
        "--write-confidence", action="store_true", help="with --calibrate: store the tagger's figures in its meta.json"
    )
    args = parser.parse_args()
    tagger: Model = args.model or True
    if args.calibrate:
        return calibrate(args.dev, args.scierc_dir / "train.json", args.model, args.write_confidence)
    wanted = {name.strip() for name in args.sets.split(",") if name.strip()}
    unknown = wanted - {"dev", "dev2", "held-out", "held-out2", "scierc"}
    if unknown:
        parser.error(f"--sets: unknown set(s) {', '.join(sorted(unknown))}")
    scierc_file = args.scierc_dir / f"{args.scierc_split}.json"
    sets = []
    if "dev" in wanted:
        sets.append(("dev", lambda m: corpus_units(args.dev, m)))
    if "dev2" in wanted:
        sets.append(("dev2", lambda m: corpus_units(args.dev2, m)))
    if "held-out" in wanted:
        sets.append(("held-out", lambda m: corpus_units(args.heldout, m)))
    if "held-out2" in wanted:
        sets.append(("held-out2", lambda m: corpus_units(args.heldout2, m)))
    if "scierc" in wanted:
        if not scierc_file.exists():
            parser.error(f"--scierc-split: {scierc_file} not found")
        sets.append((f"SciERC {args.scierc_split}", lambda m: scierc(scierc_file, m)))
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
