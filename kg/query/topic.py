"""A topic as people type it, resolved: checked, split into alternatives, matched to concepts
(and everything narrower), its misspelt words corrected against the store's own vocabulary,
and (once papers are ranked) expanded by the concepts that co-occur with it.

Kept apart from the ranking (:mod:`kg.query.lookup`) because these are decisions about the
*words* (what "X / Y" or "GNNs or transformers" means, which word "trasnformer" was meant to
be), and they are what the answer header reports back.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import TYPE_CHECKING

from kg.errors import QueryError, shown
from kg.query.index import tokens
from kg.query.match import NodeMatch
from kg.query.results import EXPANDED, ConceptMatch, TopicResolution
from kg.records import SUBJECT_TYPES

if TYPE_CHECKING:
    import numpy as np

    from kg.query.index import LookupIndex

MAX_TOPIC = 300  # characters: a topic is a few words, not a document
_ALTERNATIVES = re.compile(r"\s*[/|;]\s*|\s+or\s+|\s*,\s+or\s+", re.IGNORECASE)
_WORDY = re.compile(r"[^\W_]{2,}")

# Query expansion by co-occurrence (pseudo-relevance feedback over concepts): the concepts on
# the TOP best papers for X that are concentrated there, i.e. on at least MIN_SHARE of those
# papers and with at least MIN_LIFT of their own papers among them.
NARROWER_DECAY = 0.85  # a concept d levels narrower than a matched one counts 0.85^d
EXPANSION_TOP = 20
EXPANSION_MIN_PAPERS = 3
EXPANSION_MIN_SHARE = 0.15
EXPANSION_MIN_LIFT = 0.5
EXPANSION_WEIGHT = 0.5
EXPANSION_MAX = 5


class TopicError(QueryError):
    """The topic cannot be looked up as given (empty, or far too long)."""


def checked(text: str) -> str:
    """The topic with its whitespace tidied; :class:`TopicError` when it is empty or too long."""
    tidy = " ".join(text.split())
    if not tidy:
        raise TopicError("the topic is empty; give a few words, e.g. “graph neural networks”")
    if len(tidy) > MAX_TOPIC:
        raise TopicError(
            f"the topic “{shown(tidy, 40)}” is {len(tidy):,} characters long; give at most {MAX_TOPIC} (a few words)"
        )
    if not any(tokens(tidy)) and not _WORDY.search(tidy):
        raise TopicError(f"the topic “{shown(tidy, 40)}” has no words to look up")
    return tidy


def alternatives(text: str) -> list[str]:
    """ "X / Y", "X/Y", "X | Y", "X; Y" and "X or Y" → [X, Y]; one topic otherwise. A split that
    would leave a part without a two-letter word ("I/O", "TCP/IP" stay whole) is not made."""
    parts = [p.strip() for p in _ALTERNATIVES.split(text)]
    if len(parts) > 1 and all(_WORDY.search(p) and len(p) > 2 for p in parts):
        return list(dict.fromkeys(parts))
    return [text]


def corrected(index: LookupIndex, phrase: str) -> str | None:
    """The phrase with each word no paper has replaced by the closest word papers do have
    (same first letter, rapidfuzz ratio ≥ 85, more frequent first); None when nothing changed."""
    from rapidfuzz import fuzz, process

    words = tokens(phrase)
    frequency = index.document_frequency(words)
    changed, out = False, []
    for word in words:
        if frequency.get(word, 0) or len(word) < 4 or not word.isalpha():
            out.append(word)
            continue
        sql = "SELECT term, df FROM terms WHERE term >= ? AND term < ? AND length(term) BETWEEN ? AND ?"
        candidates = dict(index.rows(sql, (word[0], word[0] + "{", len(word) - 2, len(word) + 2)))
        found = process.extract(word, list(candidates), scorer=fuzz.ratio, score_cutoff=85, limit=5)
        if not found:
            out.append(word)
            continue
        best = max(found, key=lambda f: (f[1], candidates[f[0]], f[0]))[0]
        out.append(best)
        changed = True
    return " ".join(out) if changed else None


def cooccurring(
    index: LookupIndex, relevance: np.ndarray, order: np.ndarray, exclude: set[str]
) -> list[tuple[str, float]]:
    """(concept id, weight) of the concepts concentrated on X's best papers (see the constants):
    weight ``EXPANSION_WEIGHT · √(share · lift)`` (share: of the top papers carrying it; lift: of
    its papers among the top), rounded, strongest first, ties by concept id."""
    import numpy as np

    if len(order) < EXPANSION_MIN_PAPERS:
        return []
    ranked = order[np.argsort(-relevance[order], kind="stable")][:EXPANSION_TOP]
    on_top = np.zeros(len(relevance), dtype=bool)
    on_top[ranked] = True
    carriers = index.array("paper_concept_paper")
    concepts = index.array("paper_concept_concept")
    hits = np.bincount(concepts[on_top[carriers]], minlength=len(index.codes("concept")))
    totals = np.bincount(concepts, minlength=len(hits))
    ids = index.codes("concept")
    found = []
    for code in np.flatnonzero(hits >= EXPANSION_MIN_PAPERS).tolist():
        share, lift = hits[code] / len(ranked), hits[code] / totals[code]
        if ids[code] in exclude or share < EXPANSION_MIN_SHARE or lift < EXPANSION_MIN_LIFT:
            continue
        found.append((ids[code], round(EXPANSION_WEIGHT * (share * lift) ** 0.5, 4)))
    found.sort(key=lambda f: (-f[1], f[0]))
    return found[:EXPANSION_MAX]


def resolve_topic(index: LookupIndex, text: str) -> TopicResolution:
    """X → matched concepts and topics (best stage only), expanded to narrower concepts; "X / Y"
    and "X or Y" resolved part by part and merged; a part matching no concept whose words no
    paper has is searched with its misspelt words corrected. Raises
    :class:`kg.query.topic.TopicError` for an empty or overlong X."""
    text = checked(text)
    parts = alternatives(text)
    concepts: dict[str, ConceptMatch] = {}
    phrases: dict[tuple[str, ...], str] = {}
    suggestions: list[NodeMatch] = []
    corrections = []
    for part in parts:
        found = _resolve_part(index, part)
        for concept in found.concepts:
            if concept.id not in concepts or concepts[concept.id].weight < concept.weight:
                concepts[concept.id] = concept
        searched = found.phrases
        if not found.concepts:
            fixed = corrected(index, part)
            if fixed is not None:
                corrections.append((part, fixed))
                searched = (*searched, fixed)
        for phrase in searched:
            phrases.setdefault(tuple(tokens(phrase)), phrase)
        suggestions.extend(s for s in found.suggestions if s not in suggestions)
    shown_suggestions = () if concepts else tuple(suggestions[:5])
    return TopicResolution(
        text, tuple(concepts.values()), shown_suggestions, tuple(phrases.values()), tuple(parts), tuple(corrections)
    )


def _resolve_part(index: LookupIndex, text: str) -> TopicResolution:
    """One alternative → matched concepts and topics (best stage only) and everything narrower."""
    vocab = index.concept_vocabulary
    matches = vocab.match(text, SUBJECT_TYPES, limit=12, first_stage=False)
    if matches and matches[0].kind == "fuzzy":
        matches = [m for m in matches if m.score >= matches[0].score - 0.03][:3]
    concepts: dict[str, ConceptMatch] = {}
    for found in matches:
        concepts[found.id] = ConceptMatch(found.id, found.type, found.label, found.score, found.kind)
    for found in matches:
        frontier = [(found.id, found.score)]
        seen = {found.id}
        while frontier:
            current, weight = frontier.pop(0)
            for child in index.narrower.get(current, ()):
                if child in seen:
                    continue
                seen.add(child)
                child_weight = weight * NARROWER_DECAY
                old = concepts.get(child)
                if old is None or old.weight < child_weight:
                    ctype, label, _, _ = index.concepts[child]
                    concepts[child] = ConceptMatch(child, ctype, label, round(child_weight, 4), "narrower", found.id)
                frontier.append((child, child_weight))
    phrases = [text]
    for found in matches:
        _, label, aliases, _ = index.concepts[found.id]
        phrases.extend([label, *aliases])
    unique: dict[tuple[str, ...], str] = {}
    for phrase in phrases:
        terms = tuple(tokens(phrase))
        if terms:
            unique.setdefault(terms, phrase)
    suggestions = () if matches else tuple(vocab.suggest(text, SUBJECT_TYPES))
    return TopicResolution(text, tuple(concepts.values()), suggestions, tuple(unique.values()))


def expand(
    index: LookupIndex, resolution: TopicResolution, relevance: np.ndarray, order: np.ndarray
) -> TopicResolution:
    """The resolution with the concepts that co-occur on X's best papers added (kind
    ``expanded``, weights from :func:`kg.query.topic.cooccurring`)."""
    own = {c.id for c in resolution.concepts}
    found = cooccurring(index, relevance, order, own)
    if not found:
        return resolution
    added = []
    for concept, weight in found:
        ctype, label, _, _ = index.concepts.get(concept, ("Concept", concept, (), False))
        added.append(ConceptMatch(concept, ctype, label, weight, EXPANDED))
    return replace(resolution, concepts=(*resolution.concepts, *added))
