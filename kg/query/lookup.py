"""Who works on X, and which institutions: authors and institutions ranked by their papers on X.

Reading X (:mod:`kg.query.topic`). X is tidied and refused when empty or longer than
``topic.MAX_TOPIC`` characters; "X / Y", "X/Y", "X | Y", "X; Y" and "X or Y" are alternatives,
each resolved alone and merged (a paper on either is on X). Each alternative is matched to
concept and topic nodes by :mod:`kg.query.match` (exact, alias, acronym, inflection, then
fuzzy). Each matched concept ``c`` with match score ``m_c`` (1 for the exact stages, the
rapidfuzz similarity for fuzzy ones) is expanded through the concept hierarchy: a concept ``d``
levels narrower counts with weight ``m_c · 0.85^d`` (work on Graph Attention Network is work on
Graph Neural Network). An alternative that matches no concept is searched as text, its words
that no paper has replaced by the nearest word papers do have ("trasnformer" → "transformer").

Paper relevance. Two kinds of evidence that paper ``p`` is about X, each with a strength
``s``, found in a field ``f`` of the paper:

- a concept edge to a matched concept, ``s = w_c``, in the field of its Mention (the topic or
  keyword the source gave counts as field ``topic``);
- text: for each alternative and every label and alias of a directly matched concept, a BM25
  term score per field, normalised by the phrase's idf mass:
  ``s = Σ_t idf(t) · min(k1+1, tf(k1+1) / (tf + k1(1 − b + b·len/avglen))) / Σ_t idf(t)`` with
  ``k1 = 1.2, b = 0.75`` and ``avglen`` the mean length of that field kind. A term stands for
  all its forms the index has (:func:`kg.query.phrase.stems`: "detecting", "detection";
  "meta-learn", "meta-learning"), and forms of one word in a phrase are one term ("learning to
  learn"). A term once in an average-length field scores 1, more mentions up to 2.2; a passing
  mention in a long summary scores less. ``s`` is then discounted (:func:`_discount`): × 0.5
  when the phrase's words are all there but scattered (no stretch of ``n + 1`` terms holds
  them: "an incremental editing model … learning" is not "incremental learning"); × 0.4 when
  the terms present carry only 50–75 % of the phrase's idf (below 50 % nothing counts: "graph"
  alone is not "graph neural network"), so papers with part of X come after those with all of
  it; × ``min(1, mass / 3.5)`` for a phrase of common words ("deep learning"; in a store too small
  for any word to reach 3.5, the idf of a word on one paper stands for it); × 0.8 for the
  other names of a matched concept (its label and aliases), so papers in the words the user
  typed ("incremental learning") come before those only in a synonym's ("continual learning").

With field weights ``W`` = title 1.0, tl;dr 0.9, topic 0.8, abstract 0.6, summary 0.35, the
relevance of a paper is ``r(p) = max_f W_f·s_f + 0.4 · Σ_(other fields) W_f·s_f``, where
``s_f`` is the best strength in field ``f``; papers with ``r(p) < 0.2`` are dropped.

Expansion learned from the corpus (no model, no download): the concepts concentrated on the 20
papers with the highest ``r(p)`` (on at least 3 and 15 % of them, with at least half of
their own papers there; see :func:`kg.query.topic.cooccurring`) join X with weight
``0.5 · √(share · lift)`` (at most 5), and ``r(p)`` is computed again with them: papers on
"contrastive learning" that only say "negative sampling" are found. The answer's header names
them (:meth:`TopicResolution.describe`).

Author score (a document-centric expertise model in the sense of Balog et al., 2006). The
evidence of author ``a`` on paper ``p`` is ``e(a, p) = r(p)^2 · 0.85^(Y − year(p)) · b(a, p)``,
``Y`` the newest year in the store (a paper without a year counts 0.8), ``b = 1`` for the first
and the last author and 0.95 for the others (a weak signal: it mostly orders one paper's
authors). Squaring ``r(p)`` makes one paper squarely on X outweigh several that touch it. An
author's score adds their evidence strongest first with diminishing returns, ``score(a) = Σ_i
e_i · 0.6^i``: a second paper adds, a tenth barely does, so a prolific author does not rise on
weakly related papers. Ties are decided by evidence, never by name: the strongest single ``e``,
then the number of papers, then who was found first (on the most relevant papers). An
institution's score is the same, over the papers on which one of its members is affiliated with
it (each paper once, no byline weight). The constants were tuned on half of the ICLR 2021
keyword topics of ``benchmarks/bench_lookup.py`` and on the first hand set
(``who_works_on_eval.jsonl``), and are reported on the other keyword half and on the held-out
hand set (``who_works_on_heldout.jsonl``), which no change looked at.

Evidence: per paper, the sentence of its best field that holds the concept mention (by its
offsets) or the most of the phrase's terms.

Computation. The numbers come from whole arrays the lookup index precomputes at build time
(:mod:`kg.query.index`): a paper's best strength per field kind is a maximum and ``r(p)`` adds
the weighted strengths largest first; every score is the same sum of the same floats, added in
the same order (papers in the order their evidence is found: concept edges concept by concept,
then the text of each phrase; an author's evidence strongest first), as evidence-by-evidence code
(:func:`paper_relevance`, and the loops in ``tests/test_lookup.py``) gives, so the answers are
those of that code to the last bit, ties included. Evidence and its sentence are found only for
the papers shown.
"""

from __future__ import annotations

import math
from collections.abc import Collection, Sequence
from typing import Any

import numpy as np

from kg.errors import QueryError, shown
from kg.normalize import key
from kg.query.evidence import Evidence, evidence_sentence
from kg.query.index import NO_YEAR, LookupIndex, field_kind, tokens
from kg.query.match import NoMatchError
from kg.query.phrase import scattered
from kg.query.results import (
    AuthorInfo,
    AuthorResult,
    InstitutionRef,
    InstitutionResult,
    InstitutionsOn,
    PaperHit,
    TopicResolution,
    WhoWorksOn,
)
from kg.query.topic import expand, resolve_topic

FIELD_WEIGHTS = {"title": 1.0, "tldr": 0.9, "topic": 0.8, "abstract": 0.6, "summary": 0.35}
RECENCY_DECAY = 0.85
UNKNOWN_YEAR_WEIGHT = 0.8
OTHER_FIELDS = 0.4
SHARPNESS = 2.0
DIMINISHING = 0.6
MIDDLE_AUTHOR = 0.95
MIN_RELEVANCE = 0.2
MIN_COVERAGE = 0.75
SCATTERED = 0.5  # a phrase whose words are spread through a field counts this much
MIN_PARTIAL, PARTIAL = 0.5, 0.4  # a field with part of a phrase (idf share) counts this much
NAMED = 0.8  # text of a matched concept's other names, against the words the user typed
SPECIFIC = 3.5  # idf mass below which a phrase of common words ("deep learning") counts less
SATURATION_CAP = 2.2  # BM25's own bound (k1 + 1): more mentions count more
K1, B = 1.2, 0.75
PAPERS_PER_RESULT = 10


# ---------------------------------------------------------------------- paper relevance


def paper_relevance(
    index: LookupIndex, resolution: TopicResolution, papers: Collection[int] | None = None
) -> dict[int, tuple[float, Evidence]]:
    """Paper index → (r(p), best evidence) for every paper with r(p) ≥ MIN_RELEVANCE (of
    ``papers`` only, if given), in the order they are first found: concept edges, then text.

    Evidence by evidence, so it is the reference for :func:`_relevance` (which ranks) and gives
    the evidence of the papers a lookup shows (ties between equally strong evidence go to the
    first found)."""
    best: dict[int, dict[str, Evidence]] = {}

    def offer(paper: int, evidence: Evidence) -> None:
        kind = field_kind(evidence.field)
        fields = best.setdefault(paper, {})
        if kind not in fields or fields[kind].strength < evidence.strength:
            fields[kind] = evidence

    weights = {c.id: c.weight for c in resolution.concepts}
    for paper, concept, field, offset, matched in _concept_rows(index, list(weights), papers):
        offer(paper, Evidence(weights[concept], field or "abstract", (offset, matched)))
    _text_evidence(index, resolution.phrases, offer, papers, _typed(resolution))
    result: dict[int, tuple[float, Evidence]] = {}
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
    """A phrase's distinct terms, their idf (each term with its variants taken as one term:
    :meth:`kg.query.index.LookupIndex.variant_postings`) and the phrase's idf mass."""
    total = max(index.stats.get("papers", 1), 1)
    terms: list[str] = []
    for term in tokens(phrase):  # "learning to learn": one term
        if not any(term == t or term in index.variants(t) for t in terms):
            terms.append(term)
    frequency = {t: index.variant_postings(t)[2] for t in terms}  # papers with the term or a variant
    idf = {t: math.log(1 + (total - frequency[t] + 0.5) / (frequency[t] + 0.5)) for t in terms}
    return terms, idf, sum(idf.values()) or 1.0


def _typed(resolution: TopicResolution) -> set[tuple[str, ...]]:
    """The term sequences of what the user typed (each alternative, and its corrected reading)."""
    typed = [*(resolution.alternatives or (resolution.text,)), *(fixed for _, fixed in resolution.corrections)]
    return {tuple(tokens(t)) for t in typed}


def _forms(index: LookupIndex, terms: Sequence[str]) -> dict[str, str]:
    """Each variant of the phrase's terms → the term it stands for."""
    return {form: term for term in reversed(terms) for form in index.variants(term)}


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
    return np.minimum(SATURATION_CAP, tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average)))


def _text_evidence(
    index: LookupIndex, phrases: Sequence[str], offer: Any, papers: Collection[int] | None, typed: set[tuple[str, ...]]
) -> None:
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
            slots, tfs, _ = index.variant_postings(term)
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
        passing = [slot for slot in gathered if present[slot] / mass >= MIN_PARTIAL]
        apart = scattered(index, terms, passing, _forms(index, terms))
        named = 1.0 if tuple(tokens(phrase)) in typed else NAMED
        for slot in passing:
            discount = _discount(slot in apart, present[slot] / mass, mass, _specific(index))
            strength = gathered[slot] / mass * (discount * named)
            offer(int(slot_paper[slot]), Evidence(round(strength, 4), fields[slot], None, tuple(terms)))


def _specific(index: LookupIndex) -> float:
    """The idf mass below which a phrase counts as common words: SPECIFIC, or in a store so small
    that no word reaches it, the idf of a word found on a single paper."""
    total = max(index.stats.get("papers", 1), 1)
    return min(SPECIFIC, math.log(1 + (total - 1 + 0.5) / (1 + 0.5)))


def _discount(apart: bool, coverage: float, mass: float, specific: float) -> float:
    """How much a field's text match counts: all of it when the phrase's words (nearly all of
    its idf) stand together and are specific; less when they are scattered, when only part of
    the phrase is there (below MIN_COVERAGE: found after every field with the whole phrase), or
    when the phrase is made of common words (idf mass below ``specific``)."""
    factor = SCATTERED if apart else 1.0
    if coverage < MIN_COVERAGE:
        factor *= PARTIAL
    return factor * min(1.0, mass / specific)


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
    typed = _typed(resolution)
    for phrase in resolution.phrases:
        terms, idf, mass = _phrase_terms(index, phrase)
        if not terms:
            continue
        gathered = np.zeros(len(slot_paper), dtype=np.float64)
        present = np.zeros(len(slot_paper), dtype=np.float64)
        first = np.full(len(slot_paper), len(terms), dtype=np.int16)  # the first term found in a slot
        for position, term in enumerate(terms):
            slots, tfs, _ = index.variant_postings(term)  # each slot once
            gathered[slots] += idf[term] * _saturation(index, averages, slots, tfs)
            present[slots] += idf[term]
            first[slots] = np.minimum(first[slots], position)
        touched = np.flatnonzero(present)
        passing = touched[present[touched] / mass >= MIN_PARTIAL]
        apart = np.zeros(len(slot_paper), dtype=bool)  # (np.isin would import numpy.ma)
        apart[sorted(scattered(index, terms, passing.tolist(), _forms(index, terms)))] = True
        apart = apart[passing]
        coverage = (present[passing] / mass).tolist()
        named = 1.0 if tuple(tokens(phrase)) in typed else NAMED
        specific = _specific(index)
        factor = np.array(
            [_discount(a, c, mass, specific) * named for a, c in zip(apart.tolist(), coverage, strict=True)]
        )
        strength = _round4(gathered[passing] / mass * factor)
        np.maximum.at(best, (slot_paper[passing], slot_kind[passing]), strength)
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
    weighted[order] = relevance[order] ** SHARPNESS * np.array(factors, dtype=np.float64)[inverse]
    return weighted, order


def _in_order(index: LookupIndex, order: np.ndarray, arrays: tuple[str, ...]) -> tuple[np.ndarray, ...]:
    """The rows of precomputed arrays ordered by paper (``arrays[0]`` holds the paper) whose paper
    is in ``order``: paper by paper as ordered, then as stored; last, each row's place among its
    paper's rows and how many rows its paper has (for ``authorship``: byline position and size)."""
    offsets = index.offsets(arrays[0])
    starts = offsets[order]
    lengths = offsets[order + 1] - starts
    place = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
    rows = np.repeat(starts, lengths) + place
    return (*(index.array(name)[rows] for name in arrays), place, np.repeat(lengths, lengths))


def _byline_weight(place: np.ndarray, size: np.ndarray) -> np.ndarray:
    """1 for a first or last author (who did the work, who led it), MIDDLE_AUTHOR for others."""
    edge = (place == 0) | (place == size - 1)
    return np.where(edge, 1.0, MIDDLE_AUTHOR)


def _aggregate(who: np.ndarray, evidence: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(score, strongest evidence, paper count) by author or institution code: each one's
    evidence strongest first, the i-th (from 0) counted ``DIMINISHING^i`` times (added in that
    order, so a loop over sorted lists gives the same floats)."""
    order = np.lexsort((-evidence, who))
    who, evidence = who[order], evidence[order]
    starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]]) if len(who) else np.zeros(0, dtype=np.int64)
    rank = np.arange(len(who)) - np.repeat(starts, np.diff(np.r_[starts, len(who)]))
    sums = np.bincount(who, weights=evidence * DIMINISHING**rank, minlength=size)
    strongest = np.zeros(size, dtype=np.float64)
    np.maximum.at(strongest, who, evidence)
    return sums, strongest, np.bincount(who, minlength=size)


def _best(
    who: np.ndarray, sums: np.ndarray, strongest: np.ndarray, counts: np.ndarray, found: np.ndarray, limit: int
) -> list[tuple[int, float, int]]:
    """The ``limit`` best of ``who``: (who, score, count) by score, then by evidence (the
    strongest single paper, then the number of papers), then by the order they were found in
    (through the most relevant papers first); never by name."""
    if limit <= 0 or not len(who):
        return []
    first = np.full(int(max(who.max(), found.max(initial=0))) + 1, len(found), dtype=np.int64)
    np.minimum.at(first, found, np.arange(len(found)))
    scores = _round4(sums[who])
    ranked = np.lexsort((first[who], -counts[who], -_round4(strongest[who]), -scores))[:limit]
    return list(zip(who[ranked].tolist(), scores[ranked].tolist(), counts[who[ranked]].tolist(), strict=True))


# ---------------------------------------------------------------------- lookups


class NothingLeftError(QueryError):
    """Papers on X exist, but a filter (--since, --institution, --venue) or the store leaves none."""


def _resolved(
    index: LookupIndex, text: str, since: int | None, venue: str | None = None
) -> tuple[TopicResolution, np.ndarray, np.ndarray]:
    """X resolved and expanded; r(p) × recency by paper and the relevant papers that pass the
    filters, in the order they were found."""
    resolution = resolve_topic(index, text)
    relevance, order = _relevance(index, resolution)
    if not resolution.concepts and not len(order):
        raise NoMatchError(resolution.text, "concept, topic or paper text", resolution.suggestions)
    expanded = expand(index, resolution, relevance, order)
    if expanded is not resolution:
        resolution = expanded
        relevance, order = _relevance(index, resolution)
    if not len(order):
        raise NothingLeftError(f"no paper is on “{shown(resolution.text)}” ({resolution.describe()})")
    kept = order
    if venue is not None:
        kept = kept[np.isin(kept, venue_papers(index, venue))]
        if not len(kept):
            raise NothingLeftError(f"none of the {len(order)} papers on “{shown(resolution.text)}” is from {venue}")
    if since is not None:
        years = index.array("paper_year")
        before = len(kept)
        kept = kept[(years[kept] != NO_YEAR) & (years[kept] >= since)]
        if not len(kept):
            raise NothingLeftError(
                f"none of the {before} papers on “{shown(resolution.text)}” is from {since} or later"
            )
    return resolution, *_weighted(index, relevance, kept, None)


def papers_on(
    index: LookupIndex, text: str, since: int | None = None
) -> tuple[TopicResolution, np.ndarray, np.ndarray]:
    """X resolved and expanded, r(p) × recency by paper and the papers on X in the order they
    were found: the papers every lookup on X (people, institutions, related concepts) starts from."""
    return _resolved(index, text, since)


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


def venue_papers(index: LookupIndex, venue: str) -> np.ndarray:
    """Paper indexes of the venues named like ``venue`` (case and accents folded; "ICLR" is
    every ICLR year); QueryError listing the store's venues when none is."""
    names = index.codes("venue")
    wanted = key(venue)
    codes = [c for c, name in enumerate(names) if wanted and (wanted == key(name) or wanted in key(name).split())]
    codes = codes or [c for c, name in enumerate(names) if wanted and wanted in key(name)]
    if not codes:
        known = ", ".join(sorted(names)[:8]) or "none (the sources gave no venue)"
        raise QueryError(f"no venue matches “{shown(venue)}”; the store has {known}")
    return np.flatnonzero(np.isin(index.array("paper_venue"), codes))


def _members(index: LookupIndex, institution: str) -> tuple[str, np.ndarray]:
    """(the institution's name, author indexes affiliated with it or a part of it);
    NoMatchError naming the closest institutions when none is called ``institution``."""
    allowed = _institution_filter(index, institution)
    names = sorted(index.institutions.get(i, i) for i in allowed)
    named = names[0] + (f" and {len(names) - 1} more" if len(names) > 1 else "")
    sql = "SELECT DISTINCT author FROM affiliations WHERE institution IN ({})"
    return named, np.array(sorted(m for (m,) in index.rows_among(sql, sorted(allowed))), dtype=np.int64)


def who_works_on(
    index: LookupIndex,
    text: str,
    limit: int = 10,
    institution: str | None = None,
    since: int | None = None,
    venue: str | None = None,
) -> WhoWorksOn:
    """Authors who work on ``text``, best first (see the module docstring for the score).

    Raises :class:`kg.query.match.NoMatchError` (with "did you mean" suggestions) when neither
    a concept, a topic nor any paper's text matches (or no institution is called
    ``institution``), :class:`NothingLeftError` when the filters leave no paper or author, and
    :class:`kg.query.topic.TopicError` for an empty or overlong topic.
    """
    named, members = _members(index, institution) if institution else ("", None)
    resolution, weighted, order = _resolved(index, text, since, venue)
    papers, authors, place, size = _in_order(index, order, ("authorship_paper", "authorship_author"))
    evidence = weighted[papers] * _byline_weight(place, size)
    sums, strongest, counts = _aggregate(authors, evidence, int(authors.max(initial=-1)) + 1)
    candidates = np.flatnonzero(counts)
    if members is not None:
        candidates = candidates[np.isin(candidates, members)]
        if not len(candidates):
            raise NothingLeftError(
                f"no author affiliated with {named} has a paper on “{shown(resolution.text)}” "
                f"({len(order)} papers by others)"
            )
    best = _best(candidates, sums, strongest, counts, authors, limit)
    chosen = {a: _papers_of(weighted, papers, authors == a) for a, _, _ in best}
    ids = index.paper_rows(p for found in chosen.values() for _, p in found)
    for found in chosen.values():
        found.sort(key=lambda x: (-x[0], ids[x[1]][0]))
    hits = _hits(index, resolution, {a: found[:PAPERS_PER_RESULT] for a, found in chosen.items()})
    people = index.author_rows(a for a, _, _ in best)
    results = []
    for author, score, count in best:  # institutions and paper order: shown authors only
        aid, name = people[author]
        names_of = tuple(index.institutions.get(i, i) for i in index.author_institutions(author))
        results.append(AuthorResult(AuthorInfo(aid, name, names_of), score, hits[author], count))
    return WhoWorksOn(resolution, tuple(results))


def institutions_on(
    index: LookupIndex, text: str, limit: int = 10, since: int | None = None, venue: str | None = None
) -> InstitutionsOn:
    """Institutions whose members work on ``text``, best first (each paper counted once per
    institution, evidence aggregated as for authors); :class:`NothingLeftError` when no paper
    on ``text`` has an affiliated author."""
    resolution, weighted, order = _resolved(index, text, since, venue)
    papers, credited, _, _ = _in_order(index, order, ("credit_paper", "credit_institution"))
    ids = index.codes("institution")
    if not len(credited):
        raise NothingLeftError(
            f"none of the {len(order)} papers on “{shown(resolution.text)}” names an affiliation for its authors"
        )
    sums, strongest, counts = _aggregate(credited, weighted[papers], len(ids))
    best = _best(np.flatnonzero(counts), sums, strongest, counts, credited, limit)
    chosen = {i: _papers_of(weighted, papers, credited == i) for i, _, _ in best}
    for found in chosen.values():
        found.sort(key=lambda x: (-x[0], x[1]))
    hits = _hits(index, resolution, {i: found[:PAPERS_PER_RESULT] for i, found in chosen.items()})
    _, member_institutions, member_authors, _, _ = _in_order(
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
