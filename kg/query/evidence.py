"""The sentence that shows a paper is on X: the one holding the concept mention (by its
offsets) or the most of the phrase's terms, from the paper's best field. Found only for the
papers a lookup shows, so it is kept apart from the ranking (:mod:`kg.query.lookup`)."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kg.query.index import LookupIndex, field_kind, tokens

_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")


@dataclass
class Evidence:
    strength: float
    field: str
    concept: tuple[int | None, str | None] | None = None  # (start, matched) of a mention
    terms: tuple[str, ...] = ()


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs of a text."""
    out, position = [], 0
    for part in _SENTENCE.split(text):
        found = text.find(part, position)
        out.append((found, part))
        position = found + len(part)
    return out


def evidence_sentence(index: LookupIndex, paper: int, evidence: Evidence) -> str:
    """The sentence of the paper's evidence field that shows X."""
    texts = index.field_texts(paper)
    kind = field_kind(evidence.field)
    candidates = [evidence.field] + [f for f in texts if field_kind(f) == kind and f != evidence.field]
    if evidence.concept is not None:
        offset, matched = evidence.concept
        for field in candidates:
            text = texts.get(field)
            if not text:
                continue
            if offset is not None and matched and text[offset : offset + len(matched)].lower() == matched.lower():
                return _sentence_at(text, offset)
            if matched and matched.lower() in text.lower():
                return _sentence_at(text, text.lower().index(matched.lower()))
        if evidence.field == "topic":
            return "topic: " + ", ".join(_topic_labels(index, paper)) if _topic_labels(index, paper) else ""
    wanted = set(evidence.terms)
    for field in candidates:
        text = texts.get(field)
        if text:
            scored = [(len(wanted & set(tokens(s))), -i, s) for i, (_, s) in enumerate(sentences(text))]
            return _clip(max(scored)[2]) if scored else ""
    first = next(iter(texts.values()), "")
    return _clip(first)


def _topic_labels(index: LookupIndex, paper: int) -> list[str]:
    rows = index.rows("SELECT concept FROM concept_edges WHERE paper = ? AND field = 'topic'", (paper,))
    return [index.concepts[r[0]][1] for r in rows if r[0] in index.concepts]


def _sentence_at(text: str, offset: int) -> str:
    for start, sentence in sentences(text):
        if start <= offset < start + len(sentence) + 1:
            return _clip(sentence)
    return _clip(text)


def _clip(sentence: str, limit: int = 300) -> str:
    sentence = " ".join(sentence.split())
    return sentence if len(sentence) <= limit else sentence[: limit - 1].rstrip() + "…"
