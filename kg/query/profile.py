"""Profiles: what an author or an institution works on, with whom, where, and in which papers.

The name is matched to one author or institution by :func:`kg.query.match.resolve_one`
(exact, alias, acronym, inflection, fuzzy; an id is taken as is). Several equally good matches
raise :class:`kg.query.match.AmbiguousMatchError` listing them (exit status 2).

Concept and topic weights: each paper adds, for each concept it is linked to, the weight of the
best field the concept was found in (title 1.0, tl;dr 0.9, topic 0.8, abstract 0.6, summary
0.35; :data:`kg.query.lookup.FIELD_WEIGHTS`), so concepts in titles of many papers come first.
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from typing import Any

from kg.query.index import LookupIndex, field_kind
from kg.query.lookup import FIELD_WEIGHTS
from kg.query.match import resolve_one


@dataclass(frozen=True)
class Weighted:
    """A concept, topic, person or institution with a weight and a paper count."""

    id: str
    label: str
    type: str
    weight: float
    papers: int


@dataclass(frozen=True)
class PaperRef:
    id: str
    label: str
    year: int | None


@dataclass(frozen=True)
class Profile:
    """An author's (``kind == "Author"``) or institution's profile."""

    id: str
    name: str
    kind: str
    matched: str
    concepts: tuple[Weighted, ...]
    topics: tuple[Weighted, ...]
    papers: tuple[PaperRef, ...]
    coauthors: tuple[Weighted, ...]
    institutions: tuple[Weighted, ...]
    aliases: tuple[str, ...] = ()

    def as_json(self) -> dict[str, Any]:
        def rows(items: tuple[Any, ...]) -> list[dict[str, Any]]:
            return [dict(vars(i)) for i in items]

        return {
            "id": self.id,
            "name": self.name,
            "type": self.kind,
            "matched": self.matched,
            "aliases": list(self.aliases),
            "concepts": rows(self.concepts),
            "topics": rows(self.topics),
            "papers": rows(self.papers),
            "coauthors" if self.kind == "Author" else "authors": rows(self.coauthors),
            "institutions": rows(self.institutions),
        }


def _concept_weights(index: LookupIndex, papers: list[int], limit: int) -> tuple[tuple[Weighted, ...], ...]:
    best: dict[tuple[int, str], float] = {}
    for start in range(0, len(papers), 500):
        chunk = papers[start : start + 500]
        marks = ",".join("?" * len(chunk))
        for paper, concept, field in index.rows(
            f"SELECT paper, concept, field FROM concept_edges WHERE paper IN ({marks})", chunk
        ):
            weight = FIELD_WEIGHTS.get(field_kind(field or "abstract"), 0.35)
            best[(paper, concept)] = max(best.get((paper, concept), 0.0), weight)
    weights: Counter[str] = Counter()
    counts: Counter[str] = Counter()
    for (_, concept), weight in best.items():
        weights[concept] += weight
        counts[concept] += 1
    out: dict[bool, list[Weighted]] = {True: [], False: []}
    for concept, weight in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])):
        ctype, label, _, _ = index.concepts.get(concept, ("Concept", concept, (), False))
        out[ctype == "Topic"].append(Weighted(concept, label, ctype, round(weight, 3), counts[concept]))
    return tuple(out[False][:limit]), tuple(out[True][:limit])


def profile(index: LookupIndex, name: str, limit: int = 15) -> Profile:
    """The profile of the one author or institution ``name`` matches."""
    found = resolve_one(index.people_vocabulary, name, ("Author", "Institution"), what="author or institution")
    if found.type == "Author":
        author = index.rows("SELECT idx FROM authors WHERE id = ?", (found.id,))[0][0]
        papers = [
            p for (p,) in index.rows("SELECT DISTINCT paper FROM authorship WHERE author = ? ORDER BY paper", (author,))
        ]
        bylines = index.rows_among(
            "SELECT paper, author FROM authorship WHERE paper IN ({}) ORDER BY paper, position", papers
        )
        coauthors = Counter(a for _, a in bylines if a != author)
        names = index.author_rows(coauthors)
        people = tuple(
            Weighted(*names[a], "Author", float(n), n)
            for a, n in sorted(coauthors.items(), key=lambda kv: (-kv[1], names[kv[0]][1]))[:limit]
        )
        places = Counter(i for (i,) in index.rows("SELECT institution FROM affiliations WHERE author = ?", (author,)))
    else:
        members: Counter[int] = Counter()
        paper_set: set[int] = set()
        for member, paper in index.rows("SELECT author, paper FROM affiliations WHERE institution = ?", (found.id,)):
            members[member] += 1
            if paper is not None:
                paper_set.add(paper)
        papers = sorted(paper_set)
        names = index.author_rows(members)
        people = tuple(
            Weighted(*names[a], "Author", float(n), n)
            for a, n in sorted(members.items(), key=lambda kv: (-kv[1], names[kv[0]][1]))[:limit]
        )
        places = Counter({p: 1 for p in index.parents.get(found.id, ())})
    concepts, topics = _concept_weights(index, papers, limit)
    institutions = tuple(
        Weighted(i, index.institutions.get(i, i), "Institution", float(n), n)
        for i, n in sorted(places.items(), key=lambda kv: (-kv[1], kv[0]))
    )
    rows = index.paper_rows(papers)
    refs = sorted((PaperRef(*rows[p]) for p in papers), key=lambda r: (-(r.year or 0), r.label))
    table = "authors" if found.type == "Author" else "institutions"
    stored = index.rows(f"SELECT aliases FROM {table} WHERE id = ?", (found.id,))
    aliases = tuple(a for a in json.loads(stored[0][0]) if a != found.label) if stored else ()
    return Profile(
        found.id, found.label, found.type, found.matched, concepts, topics, tuple(refs), people, institutions, aliases
    )
