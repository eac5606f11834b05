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
"""

from __future__ import annotations

import heapq
import math
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from kg.query.index import LookupIndex, field_kind, tokens
from kg.query.match import NodeMatch, NoMatchError
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


@dataclass(frozen=True)
class ConceptMatch:
    """A concept or topic X resolved to; ``via`` is the matched concept it is narrower than."""

    id: str
    type: str
    label: str
    weight: float
    kind: str
    via: str | None = None


@dataclass(frozen=True)
class Resolution:
    """What X was taken to mean: matched and narrower concepts, suggestions, text phrases."""

    text: str
    concepts: tuple[ConceptMatch, ...]
    suggestions: tuple[NodeMatch, ...]
    phrases: tuple[str, ...]

    @property
    def direct(self) -> tuple[ConceptMatch, ...]:
        return tuple(c for c in self.concepts if c.via is None)


@dataclass(frozen=True)
class PaperHit:
    """A paper on X: relevance ``r(p)``, the field of its best evidence and that sentence."""

    id: str
    label: str
    year: int | None
    evidence: str
    field: str
    relevance: float

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "year": self.year, "evidence": self.evidence}


@dataclass(frozen=True)
class AuthorRef:
    id: str
    name: str
    institutions: tuple[str, ...]


@dataclass(frozen=True)
class AuthorResult:
    author: AuthorRef
    score: float
    papers: tuple[PaperHit, ...]
    paper_count: int

    def as_json(self) -> dict[str, Any]:
        return {
            "author": {"id": self.author.id, "name": self.author.name, "institutions": list(self.author.institutions)},
            "score": self.score,
            "papers": [p.as_json() for p in self.papers],
        }


@dataclass(frozen=True)
class InstitutionRef:
    id: str
    name: str


@dataclass(frozen=True)
class InstitutionResult:
    institution: InstitutionRef
    score: float
    authors: tuple[str, ...]
    papers: tuple[PaperHit, ...]
    paper_count: int

    def as_json(self) -> dict[str, Any]:
        return {
            "institution": {"id": self.institution.id, "name": self.institution.name, "authors": list(self.authors)},
            "score": self.score,
            "papers": [p.as_json() for p in self.papers],
        }


Ranked = TypeVar("Ranked", AuthorResult, InstitutionResult)


@dataclass(frozen=True)
class Ranking(Generic[Ranked]):
    """Authors or institutions on X, best first (``as_json()`` gives the documented JSON
    contract), with how X was resolved."""

    resolution: Resolution
    results: tuple[Ranked, ...]

    def as_json(self) -> list[dict[str, Any]]:
        return [r.as_json() for r in self.results]


WhoWorksOn = Ranking[AuthorResult]
InstitutionsOn = Ranking[InstitutionResult]


# ---------------------------------------------------------------------- resolution


def resolve_topic(index: LookupIndex, text: str) -> Resolution:
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
    return Resolution(text, tuple(concepts.values()), suggestions, tuple(unique.values()))


# ---------------------------------------------------------------------- paper relevance


@dataclass
class _Evidence:
    strength: float
    field: str
    concept: tuple[int | None, str | None] | None = None  # (start, matched) of a mention
    terms: tuple[str, ...] = ()


def paper_relevance(index: LookupIndex, resolution: Resolution) -> dict[int, tuple[float, _Evidence]]:
    """Paper index → (r(p), best evidence) for every paper with r(p) ≥ MIN_RELEVANCE."""
    best: dict[int, dict[str, _Evidence]] = {}

    def offer(paper: int, evidence: _Evidence) -> None:
        kind = field_kind(evidence.field)
        fields = best.setdefault(paper, {})
        if kind not in fields or fields[kind].strength < evidence.strength:
            fields[kind] = evidence

    weights = {c.id: c.weight for c in resolution.concepts}
    ids = list(weights)
    for start in range(0, len(ids), 500):
        chunk = ids[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for paper, concept, field, offset, _end, matched in index.rows(
            f'SELECT paper, concept, field, start, "end", matched FROM concept_edges WHERE concept IN ({marks})',
            chunk,
        ):
            offer(paper, _Evidence(weights[concept], field or "abstract", (offset, matched)))
    _text_evidence(index, resolution.phrases, offer)
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


def _text_evidence(index: LookupIndex, phrases: Sequence[str], offer: Any) -> None:
    total = max(index.stats.get("papers", 1), 1)
    for phrase in phrases:
        terms = list(dict.fromkeys(tokens(phrase)))
        if not terms:
            continue
        frequency = index.document_frequency(terms)  # papers with the term
        idf = {t: math.log(1 + (total - frequency[t] + 0.5) / (frequency[t] + 0.5)) for t in terms}
        mass = sum(idf.values()) or 1.0
        postings = _postings(index, terms, idf, mass, frequency)
        gathered: dict[tuple[int, str], float] = {}
        present: dict[tuple[int, str], float] = {}
        for term in terms:
            for paper, field, tf, length in postings[term]:
                average = index.stats.get("avglen:" + field_kind(field), length) or 1.0
                saturation = tf * (K1 + 1) / (tf + K1 * (1 - B + B * length / average))
                slot = (paper, field)
                gathered[slot] = gathered.get(slot, 0.0) + idf[term] * min(1.0, saturation)
                present[slot] = present.get(slot, 0.0) + idf[term]
        for (paper, field), value in gathered.items():
            if present[(paper, field)] / mass >= MIN_COVERAGE:
                offer(paper, _Evidence(round(value / mass, 4), field, None, tuple(terms)))


def _postings(
    index: LookupIndex, terms: list[str], idf: dict[str, float], mass: float, frequency: dict[str, int]
) -> dict[str, list[tuple[int, str, int, int]]]:
    """Each term's postings, where they can matter.

    A field counts only if its terms carry MIN_COVERAGE of the phrase's idf, so it must hold
    one of the rarest terms whose idf the others cannot make up for: only papers with one of
    those can score. For the other, common terms ("learning" in "reinforcement learning") only
    those papers' postings are read, not the tens of thousands a common word has at 100k
    records. The scores are the same as from every posting."""
    required: list[str] = []
    rest = mass
    for term in sorted(terms, key=lambda t: (-idf[t], t)):
        if rest / mass < MIN_COVERAGE:
            break
        required.append(term)
        rest -= idf[term]
    postings = {t: index.postings(t) for t in required}
    papers = sorted({p for t in required for p, *_ in postings[t]})
    wanted = set(papers)
    for term in terms:
        if term in postings:
            continue
        if len(papers) * 20 < frequency[term]:  # few candidates: let SQLite pick their rows
            postings[term] = index.postings_among(term, papers)
        else:
            postings[term] = [row for row in index.postings(term) if row[0] in wanted]
    return postings


def _recency(year: int | None, newest: int | None) -> float:
    if year is None or newest is None:
        return UNKNOWN_YEAR_WEIGHT
    return RECENCY_DECAY ** max(newest - year, 0)


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


def _resolved(index: LookupIndex, text: str) -> tuple[Resolution, dict[int, tuple[float, _Evidence]]]:
    if not text.strip():
        raise NoMatchError(text, "concept or topic")
    resolution = resolve_topic(index, text)
    relevant = paper_relevance(index, resolution)
    if not resolution.concepts and not relevant:
        raise NoMatchError(text, "concept, topic or paper text", resolution.suggestions)
    return resolution, relevant


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
    index: LookupIndex, papers: list[tuple[float, int]], relevant: dict[int, tuple[float, _Evidence]]
) -> tuple[PaperHit, ...]:
    hits = []
    for _, paper in papers[:PAPERS_PER_RESULT]:
        pid, label, year = index.papers[paper]
        relevance, evidence = relevant[paper]
        hits.append(PaperHit(pid, label, year, evidence_sentence(index, paper, evidence), evidence.field, relevance))
    return tuple(hits)


def _weighted_papers(
    index: LookupIndex, relevant: dict[int, tuple[float, Any]], since: int | None
) -> Iterator[tuple[int, float]]:
    """(paper, relevance × recency) for the relevant papers from ``since`` on."""
    newest = index.newest_year
    for paper, (relevance, _) in relevant.items():
        year = index.papers[paper][2]
        if since is None or (year is not None and year >= since):
            yield paper, relevance * _recency(year, newest)


def who_works_on(
    index: LookupIndex, text: str, limit: int = 10, institution: str | None = None, since: int | None = None
) -> WhoWorksOn:
    """Authors who work on ``text``, best first (see the module docstring for the score).

    Raises :class:`kg.query.match.NoMatchError` (with "did you mean" suggestions) when neither
    a concept, a topic nor any paper's text matches.
    """
    resolution, relevant = _resolved(index, text)
    allowed = _institution_filter(index, institution) if institution else None
    per_author: dict[int, list[tuple[float, int]]] = {}
    for paper, weighted in _weighted_papers(index, relevant, since):
        for author in index.authors_of.get(paper, ()):
            per_author.setdefault(author, []).append((weighted, paper))
    ranked = []
    for author, papers in per_author.items():
        if allowed is not None and not allowed.intersection(index.author_institutions(author)):
            continue
        ranked.append((round(sum(w for w, _ in papers), 4), len(papers), author, papers))
    best = heapq.nsmallest(max(limit, 0), ranked, key=lambda r: (-r[0], -r[1], index.authors[r[2]][1]))
    results = []
    for score, count, author, papers in best:  # institutions and paper order: shown authors only
        papers.sort(key=lambda x: (-x[0], index.papers[x[1]][0]))
        institutions = index.author_institutions(author)
        aid, name = index.authors[author]
        names = tuple(index.institutions.get(i, i) for i in institutions)
        results.append(AuthorResult(AuthorRef(aid, name, names), score, _hits(index, papers, relevant), count))
    return WhoWorksOn(resolution, tuple(results))


def institutions_on(index: LookupIndex, text: str, limit: int = 10, since: int | None = None) -> InstitutionsOn:
    """Institutions whose members work on ``text``, best first (each paper counted once)."""
    resolution, relevant = _resolved(index, text)
    per_institution: dict[str, dict[int, float]] = {}
    members: dict[str, set[int]] = {}
    for paper, weighted in _weighted_papers(index, relevant, since):
        for author in index.authors_of.get(paper, ()):
            for institution, on_paper in index.affiliations.get(author, ()):
                if on_paper == paper:
                    per_institution.setdefault(institution, {})[paper] = weighted
                    members.setdefault(institution, set()).add(author)
    ranked = sorted(
        ((round(sum(p.values()), 4), len(p), i) for i, p in per_institution.items()),
        key=lambda r: (-r[0], -r[1], index.institutions.get(r[2], r[2])),
    )
    results = []
    for score, count, institution in ranked[: max(limit, 0)]:
        papers = sorted(((w, p) for p, w in per_institution[institution].items()), key=lambda x: (-x[0], x[1]))
        authors = tuple(sorted(index.authors[a][1] for a in members[institution]))
        ref = InstitutionRef(institution, index.institutions.get(institution, institution))
        results.append(InstitutionResult(ref, score, authors, _hits(index, papers, relevant), count))
    return InstitutionsOn(resolution, tuple(results))
