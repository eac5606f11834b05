"""Extraction quality on the hand-annotated development set, and extraction speed.

    python benchmarks/bench_extract.py [--errors] [--dev FILE]

Quality: every unit of ``benchmarks/data/extraction_dev.jsonl`` (a title, tl;dr, abstract or
summary line of the default corpus, annotated by hand per ../shared/ANNOTATION.md) is compared
with what ``kg.extract`` finds in that same span of text when the whole corpus is extracted (so
corpus-wide rules apply as in a real build). A predicted concept matches a gold name when the
gold name's folded key equals the concept's label, one of its aliases or the matched text.
Prints precision, recall and F1 per type; ``--errors`` lists every false positive and negative.

Speed: pipeline load time, the 434-record ICLR 2021 file on one process, and the abstracts of
the paperlists files that carry them (read in place from ../shared/corpora when present).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.extract import extract_records, pipeline  # noqa: E402
from kg.extract.scheme import load_scheme  # noqa: E402
from kg.normalize import key  # noqa: E402
from kg.sources import iter_input_files, read_file  # noqa: E402

TYPES = ("Method", "Dataset", "Task")
FIELD_OF = {"methods": "Method", "datasets": "Dataset", "tasks": "Task"}


def _units(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def evaluate(dev: Path, show_errors: bool) -> dict[str, dict[str, float]]:
    corpus = ROOT / "data" / "corpus"
    records = [r for path in iter_input_files([corpus]) for r in read_file(path)]
    mentions = extract_records(records)
    scheme = load_scheme()
    counts = {t: {"tp": 0, "fp": 0, "fn": 0} for t in TYPES}
    errors: list[str] = []
    for unit in _units(dev):
        candidates = [
            (i, r)
            for i, r in enumerate(records)
            if Path(r.provenance.file).name == unit["file"]
            and r.provenance.line_start <= unit["line"] <= r.provenance.line_end
        ]
        predicted: dict[str, set[str]] = defaultdict(set)
        names: dict[str, dict[str, set[str]]] = defaultdict(dict)
        located = False
        for index, record in candidates:
            for field, text in record.text_fields().items():
                offset = text.find(unit["text"])
                if offset < 0:
                    continue
                located = True
                for mention in mentions[index]:
                    if mention.field == field and offset <= mention.start < offset + len(unit["text"]):
                        concept = scheme.get(mention.concept)
                        forms = {key(mention.label), key(mention.text)}
                        if concept is not None:
                            forms |= {key(a) for a in concept.aliases} | {key(concept.label)}
                        predicted[mention.type].add(mention.concept)
                        names[mention.type][mention.concept] = forms
                break
            if located:
                break
        if not located:
            errors.append(f"UNLOCATED {unit['file']}:{unit['line']}")
            continue
        for list_name, concept_type in FIELD_OF.items():
            gold = {key(g): g for g in unit.get(list_name, [])}
            matched_gold = set()
            for concept in sorted(predicted[concept_type]):
                hit = next((g for g in gold if g in names[concept_type][concept] and g not in matched_gold), None)
                if hit is None:
                    counts[concept_type]["fp"] += 1
                    errors.append(f"FP {concept_type:7} {unit['file']}:{unit['line']} {concept}")
                else:
                    counts[concept_type]["tp"] += 1
                    matched_gold.add(hit)
            for g, name in gold.items():
                if g not in matched_gold:
                    counts[concept_type]["fn"] += 1
                    errors.append(f"FN {concept_type:7} {unit['file']}:{unit['line']} {name}")
    scores = {}
    for concept_type, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        scores[concept_type] = {**c, "precision": precision, "recall": recall, "f1": f1}
    if show_errors:
        print("\n".join(errors))
        print()
    return scores


def speed(corpora: Path) -> list[tuple[str, int, float]]:
    rows = []
    started = time.perf_counter()
    pipeline.cache_clear()
    pipeline()
    rows.append(("pipeline load (after import)", 0, time.perf_counter() - started))
    iclr = [r for r in read_file(ROOT / "data" / "corpus" / "iclr2021_authors_tldr_abstracts.txt")]
    started = time.perf_counter()
    extract_records(iclr)
    rows.append(("ICLR 2021 list (434 records), 1 process", len(iclr), time.perf_counter() - started))
    files = [corpora / "paperlists" / f"{n}.json" for n in ("iclr2017", "iclr2018", "colm2024", "colm2025")]
    if all(f.exists() for f in files):
        records = [r for f in files for r in read_file(f) if r.abstract]
        started = time.perf_counter()
        extract_records(records)
        rows.append(("paperlists with abstracts, 1 process", len(records), time.perf_counter() - started))
    return rows


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dev", type=Path, default=ROOT / "benchmarks" / "data" / "extraction_dev.jsonl")
    parser.add_argument("--errors", action="store_true", help="list every false positive and false negative")
    parser.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    parser.add_argument("--no-speed", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    import spacy  # noqa: F401

    import_time = time.perf_counter() - started
    scores = evaluate(args.dev, args.errors)
    print(f"{'type':8} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7} {'f1':>6}")
    for concept_type, s in scores.items():
        print(
            f"{concept_type:8} {s['tp']:4} {s['fp']:4} {s['fn']:4} {s['precision']:9.3f} {s['recall']:7.3f} "
            f"{s['f1']:6.3f}"
        )
    if not args.no_speed:
        print(f"\nimport spacy: {import_time:.2f}s")
        for name, count, seconds in speed(args.corpora):
            rate = f"{count / seconds:8.0f} records/s" if count else ""
            print(f"{name:45} {seconds:7.2f}s {rate}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
