"""Scoring extracted names against gold names: precision, recall and F1 per type.

Shared by ``kg train`` (held-out figures at the end) and ``benchmarks/bench_extract.py``. A unit
is one annotated text with gold ``methods``, ``datasets`` and ``tasks`` (names); a prediction
is a set of forms per concept (its label, aliases and the matched text, as matching keys). A
predicted concept is a true positive when one of its forms is a gold name not yet matched.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kg.extract import Model, extract_documents, extract_records
from kg.extract.scheme import load_scheme
from kg.normalize import key
from kg.records import Mention
from kg.resources import default_corpus
from kg.sources import iter_input_files, read_file

TYPES = ("Method", "Dataset", "Task")
Keep = Callable[[Mention], bool]
GOLD_FIELDS = {"Method": "methods", "Dataset": "datasets", "Task": "tasks"}
SCIERC_TYPES = {"Method": "Method", "Task": "Task", "Material": "Dataset"}
# SciERC's tokens write brackets the Penn Treebank way; text with "(" and ")" is what a user has
# (and what acronym definitions "word sense disambiguation (WSD)" are found in).
_BRACKETS = {"-LRB-": "(", "-RRB-": ")", "-LSB-": "[", "-RSB-": "]", "-LCB-": "{", "-RCB-": "}"}


def singular(text: str) -> str:
    """The matching key with a plural last word made singular ("attention networks" → "attention network")."""
    words = key(text).split()
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith(("ss", "us", "is")):
        words[-1] = words[-1][:-1]
    return " ".join(words)


@dataclass
class Counts:
    """True positives, false positives and false negatives of one type, with the errors seen."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def score_unit(
    counts: dict[str, Counts],
    gold: Mapping[str, Iterable[str]],
    predicted: Mapping[str, dict[str, set[str]]],
    where: str,
) -> None:
    """Add one unit's outcome to ``counts``: ``gold`` names by type, ``predicted`` concept → forms by type."""
    for concept_type in TYPES:
        wanted = {singular(g): g for g in gold.get(concept_type, ())}
        matched: set[str] = set()
        for concept, forms in sorted(predicted.get(concept_type, {}).items()):
            folded = {singular(f) for f in forms}
            hit = next((g for g in wanted if g in folded and g not in matched), None)
            if hit is None:
                counts[concept_type].fp += 1
                counts[concept_type].errors.append(f"FP {concept_type:7} {where} {concept}")
            else:
                counts[concept_type].tp += 1
                matched.add(hit)
        for folded_name, name in wanted.items():
            if folded_name not in matched:
                counts[concept_type].fn += 1
                counts[concept_type].errors.append(f"FN {concept_type:7} {where} {name}")


def new_counts() -> dict[str, Counts]:
    return {t: Counts() for t in TYPES}


def table(counts: dict[str, Counts]) -> str:
    """The figures as a fixed-width table, one row per type."""
    lines = [f"{'type':8} {'tp':>4} {'fp':>4} {'fn':>4} {'precision':>9} {'recall':>7} {'f1':>6}"]
    for concept_type, c in counts.items():
        lines.append(f"{concept_type:8} {c.tp:4} {c.fp:4} {c.fn:4} {c.precision:9.3f} {c.recall:7.3f} {c.f1:6.3f}")
    return "\n".join(lines)


def score_sets(
    counts: dict[str, Counts], gold: Mapping[str, set[str]], predicted: Mapping[str, set[str]], where: str
) -> None:
    """Add one document's outcome when gold and prediction are both sets of surface forms per
    type (SciERC-style: normalised text per abstract, no concept ids)."""
    for concept_type in TYPES:
        wanted = {singular(g) for g in gold.get(concept_type, ())} - {""}
        found = {singular(p) for p in predicted.get(concept_type, ())} - {""}
        counts[concept_type].tp += len(wanted & found)
        counts[concept_type].fp += len(found - wanted)
        counts[concept_type].fn += len(wanted - found)
        counts[concept_type].errors.extend(f"FP {concept_type:7} {where} {p}" for p in sorted(found - wanted))
        counts[concept_type].errors.extend(f"FN {concept_type:7} {where} {g}" for g in sorted(wanted - found))


def _units(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def corpus_units(units_file: Path, model: Model, keep: Keep | None = None) -> dict[str, Counts]:
    """Score the bundled corpus's extraction against annotated units of it (only the mentions
    ``keep`` accepts, when given: the precision of one rule)."""
    records = [r for path in iter_input_files([default_corpus()]) for r in read_file(path)]
    mentions = [[m for m in found if keep is None or keep(m)] for found in extract_records(records, model=model)]
    scheme = load_scheme()
    counts = new_counts()
    for unit in _units(units_file):
        where = f"{unit['file']}:{unit['line']}"
        predicted: dict[str, dict[str, set[str]]] = defaultdict(dict)
        located = False
        for index, record in enumerate(records):
            if Path(record.provenance.file).name != unit["file"] or not (
                record.provenance.line_start <= unit["line"] <= record.provenance.line_end
            ):
                continue
            for field_name, text in record.text_fields().items():
                offset = text.find(unit["text"])
                if offset < 0:
                    continue
                located = True
                for mention in mentions[index]:
                    if mention.field == field_name and offset <= mention.start < offset + len(unit["text"]):
                        concept = scheme.get(mention.concept)
                        forms = predicted[mention.type].setdefault(mention.concept, set())
                        forms |= {mention.label, mention.text}
                        if concept is not None:
                            forms |= {concept.label, *concept.aliases}
                break
            if located:
                break
        if not located:
            raise ValueError(f"{units_file}: unit not found in the bundled corpus: {where}")
        gold = {t: unit.get(GOLD_FIELDS[t], []) for t in TYPES}
        # a gold name is also matched by any of its surface forms
        surfaces = {key(name): {key(s) for s in forms} for name, forms in (unit.get("surface") or {}).items()}
        for concept_type, concepts in predicted.items():
            for forms in concepts.values():
                folded = {key(f) for f in forms}
                for name in gold.get(concept_type, []):
                    if folded & surfaces.get(key(name), set()):
                        forms.add(name)
        score_unit(counts, gold, predicted, where)
    return counts


def scierc(path: Path, model: Model, keep: Keep | None = None) -> dict[str, Counts]:
    """Score extraction of SciERC abstracts (tokens joined by spaces) on normalised surface text
    (only the mentions ``keep`` accepts, when given)."""
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    texts, golds = [], []
    for doc in docs:
        tokens = [_BRACKETS.get(t, t) for sentence in doc["sentences"] for t in sentence]
        texts.append(" ".join(tokens))
        gold: dict[str, set[str]] = defaultdict(set)
        for sentence in doc["ner"]:
            for start, end, label in sentence:
                if label in SCIERC_TYPES:
                    gold[SCIERC_TYPES[label]].add(key(" ".join(tokens[start : end + 1])))
        golds.append(gold)
    counts = new_counts()
    for doc, gold, mentions in zip(docs, golds, extract_documents(texts, model=model), strict=True):
        predicted: dict[str, set[str]] = defaultdict(set)
        for mention in mentions:
            if keep is None or keep(mention):
                predicted[mention.type].add(key(mention.text))
        score_sets(counts, gold, predicted, doc["doc_key"])
    return counts
