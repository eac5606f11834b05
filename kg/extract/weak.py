"""Weak supervision for the span tagger, made by code (no hand labels).

Each training text gets one tag per token in spaCy's BILUO scheme, from four sources:

- **typed positives**: what the rule pipeline finds (scheme matches, acronym definitions,
  "we propose X", "the X dataset", model variants, and plain noun phrases typed by their head
  noun, :mod:`kg.extract.nounphrases`: "interest point detectors", "action classification",
  so the tagger learns how such phrases are written, not only scheme-like names), plus context patterns of this module:
  "the task/problem of X" (Task), "X-based" and "X outperforms" for coined names (Method),
  "X dataset/benchmark/corpus" after capitalised names (Dataset), and mined phrases whose head
  noun types them ("image classification" → Task, "graph attention network" → Method);
- **unknown** (spaCy's missing label ``-``): mined phrases (:mod:`kg.extract.phrases`) that no
  rule typed, coined names no rule typed, and a mined phrase that extends a positive (the
  longer phrase may be the real name: AutoNER's "tie or break" leaves such boundaries open);
- **outside** (``O``): every other token.

Unknown is not "not an entity": the tagger is neither rewarded nor penalised there, so it can
learn from how typed names are written and used, and propose names the rules never saw.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from spacy.tokens import Doc

from kg.extract.components import is_generic, name_like, type_from_head
from kg.extract.phrases import content_word, ngrams

LABELS = ("Method", "Dataset", "Task")
MISSING = "-"
# Heads too broad to type a phrase on their own ("language model" is a method to some readers
# and a generic word to others): such phrases stay unknown rather than positive.
_LOOSE_HEADS = {
    "method", "model", "mechanism", "architecture", "objective", "layer", "memory", "policy", "flow", "tree",
    "unit", "inference", "embedding", "embeddings", "machine", "net", "loss", "kernel", "collection", "suite",
    "transform", "coding", "sampling", "estimation", "completion", "generation", "prediction", "learning",
}  # fmt: skip
# Words that describe rather than name: stripped from the front of a head-typed phrase.
_DESCRIPTIVE = {
    "novel", "new", "proposed", "existing", "different", "standard", "simple", "efficient", "effective", "various",
    "several", "previous", "recent", "current", "general", "single", "multiple", "popular", "typical",
    "traditional", "conventional", "classical", "modern", "large", "small", "powerful", "robust", "better",
    "original", "specific", "certain", "further", "common", "important", "challenging", "related", "downstream",
    "extensive", "improved", "accurate", "fast", "scalable", "practical", "key", "main", "best", "strong",
    "competitive", "diverse", "real", "world", "good", "poor", "high", "low", "prior", "favorable",
}  # fmt: skip
# "learning" heads only these paradigms: "reinforcement learning" yes, "efficient learning" no.
_LEARNING = {
    "reinforcement", "supervised", "semi-supervised", "self-supervised", "unsupervised", "meta", "continual",
    "transfer", "representation", "contrastive", "federated", "multi-task", "few-shot", "zero-shot", "active",
    "imitation", "curriculum", "metric", "online", "incremental", "lifelong", "adversarial", "multi-agent",
    "offline", "inverse", "manifold", "dictionary", "feature", "ensemble", "multi-view", "one-shot",
}  # fmt: skip
_TASK_OF = re.compile(r"^(?:task|problem|tasks|problems)$", re.IGNORECASE)
_OUTPERFORM = {"outperforms", "outperform", "achieves", "surpasses", "beats"}
_DATA_HEADS = {"dataset", "datasets", "benchmark", "benchmarks", "corpus", "corpora"}


@dataclass(frozen=True)
class Span:
    """A token span [start, end) with a label, and the weak rule that found it."""

    start: int
    end: int
    label: str
    rule: str


def _head_type(words: list[str]) -> str | None:
    """The type a mined phrase's head noun gives it, or None when the head is too broad."""
    head = words[-1].lower()
    if head in _LOOSE_HEADS and not (head == "learning" and words[-2].lower() in _LEARNING):
        return None
    return type_from_head(" ".join(words))


def pattern_spans(doc: Doc, phrases: frozenset[tuple[str, ...]]) -> list[Span]:
    """Typed spans from the context patterns and head-typed mined phrases."""
    words = [t.text for t in doc]
    found: list[Span] = []
    for index, token in enumerate(doc):
        text = token.text
        # "the task of X", "the problem of X" → Task
        if _TASK_OF.match(text) and index + 2 < len(doc) and doc[index + 1].lower_ == "of":
            end = index + 2
            while end < len(doc) and end < index + 6 and content_word(words[end]):
                end += 1
            if end > index + 2 and not is_generic(doc[index + 2 : end].text):
                found.append(Span(index + 2, end, "Task", "weak:task-of"))
        # "GAN-based", "X outperforms" → Method (coined names only)
        if name_like(text) and index + 2 < len(doc) and doc[index + 1].text == "-" and doc[index + 2].lower_ == "based":
            found.append(Span(index, index + 1, "Method", "weak:based"))
        if name_like(text) and index + 1 < len(doc) and doc[index + 1].lower_ in _OUTPERFORM:
            found.append(Span(index, index + 1, "Method", "weak:outperforms"))
        # "Penn Treebank dataset", "Visual Genome benchmark" → Dataset
        if text.lower() in _DATA_HEADS and index > 0:
            start = index
            while start > 0 and start > index - 4 and doc[start - 1].text[:1].isupper() and doc[start - 1].is_alpha:
                start -= 1
            named = 0 < start < index and doc[start - 1].text not in {".", ":", "\n"}
            if named and not is_generic(doc[start:index].text):
                found.append(Span(start, index, "Dataset", "weak:named-dataset"))
    for start, end, gram in ngrams(words):
        if len(gram) < 2 or gram not in phrases:
            continue
        while start < end - 1 and words[start].lower() in _DESCRIPTIVE:
            start += 1
        if end - start < 2:
            continue
        label = _head_type(words[start:end])
        if label is not None and not is_generic(doc[start:end].text):
            found.append(Span(start, end, label, "weak:head"))
    return found


def _longest_first(spans: Iterable[Span], taken: set[int]) -> list[Span]:
    kept = []
    for span in sorted(spans, key=lambda s: (-(s.end - s.start), s.start, s.label)):
        if taken.isdisjoint(range(span.start, span.end)):
            kept.append(span)
            taken.update(range(span.start, span.end))
    return kept


def weak_tags(rule_doc: Doc, phrases: frozenset[tuple[str, ...]]) -> tuple[list[str], list[Span]]:
    """BILUO tags (``-`` for unknown) for a document the rule pipeline has run over, and the
    typed spans behind them."""
    taken: set[int] = set()
    rules = [Span(c.start, c.end, c.type, c.rule) for c in rule_doc._.kg_found or ()]
    positives = _longest_first(rules, taken)  # the rule pipeline's own choice comes first
    positives += _longest_first(pattern_spans(rule_doc, phrases), taken)
    tags = ["O"] * len(rule_doc)
    words = [t.text for t in rule_doc]
    for start, end, gram in ngrams(words):
        if len(gram) < 2 or gram not in phrases:
            continue
        inside = [p for p in positives if start <= p.start and p.end <= end]
        crossing = any(p.start < end and start < p.end for p in positives if p not in inside)
        if crossing:
            continue
        if inside and any((p.start, p.end) != (start, end) for p in inside):
            positives = [p for p in positives if p not in inside]  # a longer phrase may be the name
        for index in range(start, end):
            tags[index] = MISSING
    for index, word in enumerate(words):
        if tags[index] == "O" and name_like(word):
            tags[index] = MISSING
    for span in positives:
        if span.end - span.start == 1:
            tags[span.start] = f"U-{span.label}"
        else:
            tags[span.start] = f"B-{span.label}"
            for index in range(span.start + 1, span.end - 1):
                tags[index] = f"I-{span.label}"
            tags[span.end - 1] = f"L-{span.label}"
    return tags, positives
