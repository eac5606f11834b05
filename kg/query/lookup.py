"""Who works on X, and which institutions: authors and institutions ranked by their papers on X.

Resolution. X (free text) is matched to concept and topic nodes by :mod:`kg.query.match`
(exact, alias, acronym, inflection, then fuzzy). Each matched concept ``c`` with match score
``m_c`` (1 for the exact stages, the rapidfuzz similarity for fuzzy ones) is expanded through
the concept hierarchy: a concept ``d`` levels narrower counts with weight ``m_c · 0.85^d`` (work
on Graph Attention Network is work on Graph Neural Network).

Paper relevance. Two kinds of evidence that paper ``p`` is about X, each with a strength
``s`` in [0, 1], found in a field ``f`` of the paper:

- a concept edge to a matched concept, ``s = w_c``, in the field of its Mention (the topic or
  keyword the source gave counts as field ``topic``);
- text: for the phrase X itself and every label and alias of a directly matched concept, a
  BM25 term score per field, normalised by the phrase's idf mass:
  ``s = Σ_t idf(t) · min(1, tf(k1+1) / (tf + k1(1 − b + b·len/avglen))) / Σ_t idf(t)`` with
  ``k1 = 1.2, b = 0.75`` and ``avglen`` the mean length of that field kind; counted only when
  the terms present carry at least 75 % of the phrase's idf (so "graph" alone is not "graph
  neural network"). A term once in an average-length field scores 1; a passing mention in a
  long summary scores less.

With field weights ``W`` = title 1.0, tl;dr 0.9, topic 0.8, abstract 0.6, summary 0.35, the
relevance of a paper is ``r(p) = max_f W_f·s_f + 0.25 · Σ_(other fields) W_f·s_f``, where
``s_f`` is the best strength in field ``f``; papers with ``r(p) < 0.2`` are dropped.

Author score. ``score(a) = Σ_p r(p) · 0.85^(Y − year(p))`` over a's relevant papers, ``Y`` the
newest year in the store (a paper without a year counts 0.8). So one paper with X in its title
outweighs a passing mention in a summary, several papers outweigh one, recent ones outweigh
old ones. Ties: more papers, then name. An institution's score is the same sum over the
papers on which one of its members is affiliated with it (each paper once).

Evidence: per paper, the sentence of its best field that holds the concept mention (by its
offsets) or the most of the phrase's terms.

Computation. The numbers come from whole arrays the lookup index precomputes at build time
(:mod:`kg.query.index`): a paper's best strength per field kind is a maximum and ``r(p)`` adds
the weighted strengths largest first; every score is the same sum of the same floats, added in
the same order (papers in the order their evidence is found: concept edges concept by concept,
then the text of each phrase), as evidence-by-evidence code (:func:`paper_relevance`) gives,
so the answers are those of that code to the last bit, ties included (equal scores and paper
counts, equal names: the one found first). Evidence and its sentence are found only for the
papers shown.
"""

from __future__ import annotations

import math
import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from kg.query.index import NO_YEAR, LookupIndex, field_kind, tokens
from kg.query.match import NoMatchError
from kg.query.results import (
    AuthorInfo,
    AuthorResult,
    ConceptMatch,
    InstitutionRef,
    InstitutionResult,
    InstitutionsOn,
    PaperHit,
    TopicResolution,
    WhoWorksOn,
)
from kg.records import SUBJECT_TYPES

FIELD_WEIGHTS = {"title": 1.0, "tldr": 0.9, "topic": 0.8, "abstract": 0.6, "summary": 0.35}
NARROWER_DECAY = 0.85
RECENCY_DECAY = 0.85
UNKNOWN_YEAR_WEIGHT = 0.8
OTHER_FIELDS = 0.25
MIN_RELEVANCE = 0.2
MIN_COVERAGE = 0.75
K1, B = 1.2, 0.75
PAPERS_PER_RESULT = 10
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9\"“(])")


def resolve_topic(index: LookupIndex, text: str) -> TopicResolution:
    """X → matched concepts and topics (best stage only), expanded to narrower concepts."""
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


# ---------------------------------------------------------------------- paper relevance


@dataclass
class _Evidence:
    strength: float
    field: str
    concept: tuple[int | None, str | None] | None = None  # (start, matched) of a mention
    terms: tuple[str, ...] = ()


def paper_relevance(
    index: LookupIndex, resolution: TopicResolution, papers: Collection[int] | None = None
) -> dict[int, tuple[float, _Evidence]]:
    """Paper index → (r(p), best evidence) for every paper with r(p) ≥ MIN_RELEVANCE (of
    ``papers`` only, if given), in the order they are first found: concept edges, then text.

    Evidence by evidence, so it is the reference for :func:`_relevance` (which ranks) and gives
    the evidence of the papers a lookup shows (ties between equally strong evidence go to the
    first found)."""
    best: dict[int, dict[str, _Evidence]] = {}

    def offer(paper: int, evidence: _Evidence) -> None:
        kind = field_kind(evidence.field)
        fields = best.setdefault(paper, {})
        if kind not in fields or fields[kind].strength < evidence.strength:
            fields[kind] = evidence

    weights = {c.id: c.weight for c in resolution.concepts}
    for paper, concept, field, offset, matched in _concept_rows(index, list(weights), papers):
        offer(paper, _Evidence(weights[concept], field or "abstract", (offset, matched)))
    _text_evidence(index, resolution.phrases, offer, papers)
    result: dict[int, tuple[float, _Evidence]] = {}
    for paper, fields in best.items():
        scored = sorted(
            ((FIELD_WEIGHTS.get(kind, 0.35) * ev.strength, ev) for kind, ev in fields.items()),
            key=lambda x: -x[0],
        )
        relevance = scored[0][0] + OTHER_FIELDS * sum(s for s, _ in scored[1:])
        if relevance >= MIN_RELEVANCE:
            result[paper] = (round(relevance, 4), scored[0][1])
    return result


def _concept_rows(index: LookupIndex, ids: list[str], papers: Collection[int] | None) -> list[tuple[Any, ...]]:
    """(paper, concept, field, start, matched) of the concepts' edges: per 500 concepts, by
    concept, then as stored (the order SQLite gives ``concept IN (…)``)."""
    if papers is None:
        columns = "paper, concept, field, start, matched"
        return index.rows_among(
            f"SELECT {columns} FROM concept_edges WHERE concept IN ({{}}) ORDER BY concept, rowid", ids
        )
    chunk_of = {concept: n // 500 for n, concept in enumerate(ids)}
    query = "SELECT rowid, paper, concept, field, start, matched FROM concept_edges WHERE paper IN ({})"
    rows = [r for r in index.rows_among(query, sorted(set(papers))) if r[2] in chunk_of]
    rows.sort(key=lambda r: (chunk_of[r[2]], r[2], r[0]))
    return [r[1:] for r in rows]


def _phrase_terms(index: LookupIndex, phrase: str) -> tuple[list[str], dict[str, float], float]:
    """A phrase's distinct terms, their idf and the phrase's idf mass."""
    total = max(index.stats.get("papers", 1), 1)
    terms = list(dict.fromkeys(tokens(phrase)))
    frequency = index.document_frequency(terms)  # papers with the term
    idf = {t: math.log(1 + (total - frequency[t] + 0.5) / (frequency[t] + 0.5)) for t in terms}
    return terms, idf, sum(idf.values()) or 1.0


def _averages(index: LookupIndex) -> np.ndarray:
    """Mean field length by field kind code (NaN where the store has none: then a field's own)."""
    kinds = index.codes("kind")
    return np.array([index.stats.get("avglen:" + kind, math.nan) for kind in kinds], dtype=np.float64)


def _saturation(index: LookupIndex, averages: np.ndarray, slots: np.ndarray, tfs: np.ndarray) -> np.ndarray:
    """``min(1, tf(k1+1) / (tf + k1(1 − b + b·len/avglen)))`` of postings, as floats computed
    in the same order as in Python."""
    length = index.array("slot_length")[slots].astype(np.float64)
    average = averages[index.array("slot_kind")[slots]]
    average = np.where(np.isnan(average), length, average)
    average[average == 0] = 1.0
    tf = tfs.astype(np.float64)
    return np.minimum(1.0, tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average)))


def _text_evidence(index: LookupIndex, phrases: Sequence[str], offer: Any, papers: Collection[int] | None) -> None:
    slot_paper, averages = index.array("slot_paper"), _averages(index)
    wanted = None if papers is None else np.array(sorted(set(papers)), dtype=np.int64)
    among = np.zeros(len(index.array("paper_year")), dtype=bool)
    if wanted is not None:
        among[wanted] = True
    fields: dict[int, str] = {}
    for phrase in phrases:
        terms, idf, mass = _phrase_terms(index, phrase)
        if not terms:
            continue
        gathered: dict[int, float] = {}
        present: dict[int, float] = {}
        for term in terms:
            slots, tfs = index.postings(term)
            if wanted is not None:
                keep = among[slot_paper[slots]]
                slots, tfs = slots[keep], tfs[keep]
            for slot, saturation in zip(slots.tolist(), _saturation(index, averages, slots, tfs).tolist(), strict=True):
                gathered[slot] = gathered.get(slot, 0.0) + idf[term] * saturation
                present[slot] = present.get(slot, 0.0) + idf[term]
        if not fields and gathered:
            query = "SELECT slot, field FROM fields WHERE paper IN ({})"
            if wanted is None:
                fields.update(index.rows("SELECT slot, field FROM fields"))
            else:
                fields.update(index.rows_among(query, wanted.tolist()))
        for slot, value in gathered.items():
            if present[slot] / mass >= MIN_COVERAGE:
                offer(int(slot_paper[slot]), _Evidence(round(value / mass, 4), fields[slot], None, tuple(terms)))


def _relevance(index: LookupIndex, resolution: TopicResolution) -> tuple[np.ndarray, np.ndarray]:
    """r(p) of every paper at once (0 where below MIN_RELEVANCE) and the relevant papers in the
    order :func:`paper_relevance` finds them: the same numbers from whole arrays.

    Each field kind's best strength per paper is a maximum (the order evidence comes in does
    not change it), and r(p) adds the weighted strengths largest first, as the row-by-row sum
    does, so the floats are the same; that order of papers is what the per-author sums follow."""
    kinds, averages = index.codes("kind"), _averages(index)
    slot_paper, slot_kind = index.array("slot_paper"), index.array("slot_kind")
    count = len(index.array("paper_year"))
    best = np.zeros((count, max(len(kinds), 1)), dtype=np.float64)
    found: list[np.ndarray] = []  # papers in the order evidence for them comes in
    ids = list(dict.fromkeys(c.id for c in resolution.concepts))
    weights = {c.id: c.weight for c in resolution.concepts}
    edges = index.concept_papers(ids)
    chosen = [c for start in range(0, len(ids), 500) for c in sorted(ids[start : start + 500]) if c in edges]
    for weight in sorted({weights[c] for c in chosen}):  # few distinct weights: one max per weight
        papers = np.concatenate([edges[c][0] for c in chosen if weights[c] == weight])
        codes = np.concatenate([edges[c][1] for c in chosen if weights[c] == weight])
        best[papers, codes] = np.maximum(best[papers, codes], weight)  # a pair met twice gets one value
    found.extend(edges[c][0] for c in chosen)  # concept by concept as paper_relevance reads them
    for phrase in resolution.phrases:
        terms, idf, mass = _phrase_terms(index, phrase)
        if not terms:
            continue
        gathered = np.zeros(len(slot_paper), dtype=np.float64)
        present = np.zeros(len(slot_paper), dtype=np.float64)
        first = np.full(len(slot_paper), len(terms), dtype=np.int16)  # the first term found in a slot
        for position, term in enumerate(terms):
            slots, tfs = index.postings(term)  # each slot once
            gathered[slots] += idf[term] * _saturation(index, averages, slots, tfs)
            present[slots] += idf[term]
            first[slots] = np.minimum(first[slots], position)
        touched = np.flatnonzero(present)
        passing = touched[present[touched] / mass >= MIN_COVERAGE]
        np.maximum.at(best, (slot_paper[passing], slot_kind[passing]), _round4(gathered[passing] / mass))
        found.append(slot_paper[passing[np.argsort(first[passing], kind="stable")]])  # by first term, slot
    weight = np.array([FIELD_WEIGHTS.get(kind, 0.35) for kind in kinds] or [0.0], dtype=np.float64)
    candidates = np.flatnonzero(best.any(axis=1))
    scored = np.sort(best[candidates] * weight, axis=1)[:, ::-1]  # W_f·s_f, largest first
    others = np.zeros(len(candidates), dtype=np.float64)
    for column in range(1, scored.shape[1]):
        others = others + scored[:, column]
    total = scored[:, 0] + OTHER_FIELDS * others
    keep = total >= MIN_RELEVANCE
    relevance = np.zeros(count, dtype=np.float64)
    relevance[candidates[keep]] = _round4(total[keep])
    order = _first_found(np.concatenate(found) if found else np.zeros(0, dtype=np.int32), count)
    return relevance, order[relevance[order] > 0]


def _first_found(sequence: np.ndarray, count: int) -> np.ndarray:
    """The distinct values of ``sequence`` (integers below ``count``) in the order they first occur."""
    first = np.full(count, len(sequence), dtype=np.int64)
    np.minimum.at(first, sequence, np.arange(len(sequence)))
    seen = np.flatnonzero(first < len(sequence))
    marker = np.full(len(sequence), -1, dtype=np.int64)
    marker[first[seen]] = seen
    return marker[marker >= 0]


def _round4(values: np.ndarray) -> np.ndarray:
    """``round(v, 4)`` of each value, as Python rounds (numpy's ``round`` can differ next to a
    tie: it scales first)."""
    rounded = np.round(values, 4)
    scaled = values * 1e4
    near = np.abs(scaled - np.floor(scaled) - 0.5) < 1e-6
    if near.any():
        rounded[near] = [round(v, 4) for v in values[near].tolist()]
    return rounded


def _recency(year: int | None, newest: int | None) -> float:
    if year is None or newest is None:
        return UNKNOWN_YEAR_WEIGHT
    return RECENCY_DECAY ** max(newest - year, 0)


def _weighted(
    index: LookupIndex, relevance: np.ndarray, order: np.ndarray, since: int | None
) -> tuple[np.ndarray, np.ndarray]:
    """(r(p) × recency by paper, the relevant papers from ``since`` on in the order found)."""
    years = index.array("paper_year")
    if since is not None:
        order = order[(years[order] != NO_YEAR) & (years[order] >= since)]
    distinct, inverse = np.unique(years[order], return_inverse=True)
    newest = index.newest_year
    factors = [_recency(None if y == NO_YEAR else y, newest) for y in distinct.tolist()]
    weighted = np.zeros(len(years), dtype=np.float64)
    weighted[order] = relevance[order] * np.array(factors, dtype=np.float64)[inverse]
    return weighted, order


def _in_order(index: LookupIndex, order: np.ndarray, arrays: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    """The rows of precomputed arrays ordered by paper (``arrays[0]`` holds the paper) whose paper
    is in ``order``: paper by paper as ordered, then as stored (the order row-by-row sums go in)."""
    offsets = index.offsets(arrays[0])
    starts = offsets[order]
    lengths = offsets[order + 1] - starts
    rows = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(int(lengths.sum()))
    return tuple(index.array(name)[rows] for name in arrays)


def _first_positions(values: np.ndarray, wanted: np.ndarray) -> dict[int, int]:
    """Where each of the ``wanted`` values first occurs in ``values``."""
    mask = np.zeros(int(values.max(initial=0)) + 1, dtype=bool)
    mask[wanted] = True
    hits = np.flatnonzero(mask[values])
    first = np.full(len(mask), len(values), dtype=np.int64)
    np.minimum.at(first, values[hits], hits)
    return dict(zip(wanted.tolist(), first[wanted].tolist(), strict=True))


def _best(
    who: np.ndarray, sums: np.ndarray, counts: np.ndarray, names: Any, found: np.ndarray, limit: int
) -> list[tuple[int, float, int]]:
    """The ``limit`` best of ``who`` (authors or institutions, with their unrounded score sums
    and paper counts): (who, score, count) by score, count, name (``names`` of some), then the
    first found (where in ``found`` they first occur). Only those that can make the cut by
    score and count are named and placed."""
    if limit <= 0 or not len(who):
        return []
    scores = _round4(sums[who])
    pool = np.arange(len(who))
    if len(who) > limit:
        pool = np.flatnonzero(scores >= np.partition(scores, len(who) - limit)[len(who) - limit])
    pool = pool[np.lexsort((-counts[who[pool]], -scores[pool]))]
    if len(pool) > limit:
        edge = pool[limit - 1]
        score, count = scores[pool], counts[who[pool]]
        edge_count = counts[who[edge]]
        better = (score > scores[edge]) | ((score == scores[edge]) & (count >= edge_count))
        pool = pool[: int(np.count_nonzero(better))]
    chosen = who[pool]
    named = names(chosen.tolist())
    first = _first_positions(found, chosen)
    ranked = sorted(
        zip(chosen.tolist(), scores[pool].tolist(), counts[chosen].tolist(), strict=True),
        key=lambda r: (-r[1], -r[2], named[r[0]], first[r[0]]),
    )
    return ranked[:limit]


# ---------------------------------------------------------------------- evidence


def sentences(text: str) -> list[tuple[int, str]]:
    """(offset, sentence) pairs of a text."""
    out, position = [], 0
    for part in _SENTENCE.split(text):
        found = text.find(part, position)
        out.append((found, part))
        position = found + len(part)
    return out


def evidence_sentence(index: LookupIndex, paper: int, evidence: _Evidence) -> str:
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


# ---------------------------------------------------------------------- lookups


def _resolved(index: LookupIndex, text: str, since: int | None) -> tuple[TopicResolution, np.ndarray, np.ndarray]:
    """X resolved; r(p) × recency by paper and the relevant papers from ``since`` on, as found."""
    if not text.strip():
        raise NoMatchError(text, "concept or topic")
    resolution = resolve_topic(index, text)
    relevance, order = _relevance(index, resolution)
    if not resolution.concepts and not len(order):
        raise NoMatchError(text, "concept, topic or paper text", resolution.suggestions)
    return resolution, *_weighted(index, relevance, order, since)


def _institution_filter(index: LookupIndex, institution: str) -> set[str]:
    found = index.people_vocabulary.match(institution, ("Institution",), limit=10)
    if not found:
        raise NoMatchError(institution, "institution", index.people_vocabulary.suggest(institution, ("Institution",)))
    wanted = {m.id for m in found}
    children: dict[str, list[str]] = {}
    for child, parents in index.parents.items():
        for parent in parents:
            children.setdefault(parent, []).append(child)
    frontier = list(wanted)
    while frontier:
        for child in children.get(frontier.pop(), ()):
            if child not in wanted:
                wanted.add(child)
                frontier.append(child)
    return wanted


def _hits(
    index: LookupIndex, resolution: TopicResolution, tops: dict[Any, list[tuple[float, int]]]
) -> dict[Any, tuple[PaperHit, ...]]:
    """The hits of each shown result's best papers, with evidence found for those papers only."""
    rows = index.paper_rows(p for papers in tops.values() for _, p in papers)
    relevant = paper_relevance(index, resolution, {p for papers in tops.values() for _, p in papers})
    hits = {}
    for who, papers in tops.items():
        found = []
        for _, paper in papers:
            pid, label, year = rows[paper]
            relevance, evidence = relevant[paper]
            found.append(
                PaperHit(pid, label, year, evidence_sentence(index, paper, evidence), evidence.field, relevance)
            )
        hits[who] = tuple(found)
    return hits


def _papers_of(weighted: np.ndarray, papers: np.ndarray, chosen: np.ndarray) -> list[tuple[float, int]]:
    """(r(p) × recency, paper) of the chosen pairs, in found order."""
    return list(zip(weighted[papers[chosen]].tolist(), papers[chosen].tolist(), strict=True))


def who_works_on(
    index: LookupIndex, text: str, limit: int = 10, institution: str | None = None, since: int | None = None
) -> WhoWorksOn:
    """Authors who work on ``text``, best first (see the module docstring for the score).

    Raises :class:`kg.query.match.NoMatchError` (with "did you mean" suggestions) when neither
    a concept, a topic nor any paper's text matches.
    """
    resolution, weighted, order = _resolved(index, text, since)
    allowed = _institution_filter(index, institution) if institution else None
    papers, authors = _in_order(index, order, ("authorship_paper", "authorship_author"))
    sums = np.bincount(authors, weights=weighted[papers])  # paper by paper as found: the floats of a loop
    counts = np.bincount(authors)
    candidates = np.flatnonzero(counts)
    if allowed is not None:
        sql = "SELECT DISTINCT author FROM affiliations WHERE institution IN ({})"
        members = index.rows_among(sql, sorted(allowed))
        candidates = candidates[np.isin(candidates, np.array([m for (m,) in members], dtype=np.int64))]
    people: dict[int, tuple[str, str]] = {}

    def names(chosen: list[int]) -> dict[int, str]:
        people.update(index.author_rows(chosen))
        return {a: people[a][1] for a in chosen}

    best = _best(candidates, sums, counts, names, authors, limit)
    shown = {a: _papers_of(weighted, papers, authors == a) for a, _, _ in best}
    ids = index.paper_rows(p for found in shown.values() for _, p in found)
    for found in shown.values():
        found.sort(key=lambda x: (-x[0], ids[x[1]][0]))
    hits = _hits(index, resolution, {a: found[:PAPERS_PER_RESULT] for a, found in shown.items()})
    results = []
    for author, score, count in best:  # institutions and paper order: shown authors only
        aid, name = people[author]
        names_of = tuple(index.institutions.get(i, i) for i in index.author_institutions(author))
        results.append(AuthorResult(AuthorInfo(aid, name, names_of), score, hits[author], count))
    return WhoWorksOn(resolution, tuple(results))


def institutions_on(index: LookupIndex, text: str, limit: int = 10, since: int | None = None) -> InstitutionsOn:
    """Institutions whose members work on ``text``, best first (each paper counted once)."""
    resolution, weighted, order = _resolved(index, text, since)
    papers, credited = _in_order(index, order, ("credit_paper", "credit_institution"))
    sums = np.bincount(credited, weights=weighted[papers])
    counts = np.bincount(credited)
    ids = index.codes("institution")

    def names(chosen: list[int]) -> dict[int, str]:
        return {i: index.institutions.get(ids[i], ids[i]) for i in chosen}

    best = _best(np.flatnonzero(counts), sums, counts, names, credited, limit)
    shown = {i: _papers_of(weighted, papers, credited == i) for i, _, _ in best}
    for found in shown.values():
        found.sort(key=lambda x: (-x[0], x[1]))
    hits = _hits(index, resolution, {i: found[:PAPERS_PER_RESULT] for i, found in shown.items()})
    _, member_institutions, member_authors = _in_order(
        index, order, ("member_paper", "member_institution", "member_author")
    )
    results = []
    for code, score, count in best:
        institution = ids[code]
        ref = InstitutionRef(institution, index.institutions.get(institution, institution))
        members = index.author_rows(member_authors[member_institutions == code].tolist())
        authors = tuple(sorted(name for _, name in members.values()))
        results.append(InstitutionResult(ref, score, authors, hits[code], count))
    return InstitutionsOn(resolution, tuple(results))
