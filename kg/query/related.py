"""Related concepts: what sentences of the corpus say X is used for, evaluated on, a variant of
or compared with (grouped by relation, with paper and sentence counts and a sentence as
evidence), and what co-occurs with X on the same papers (methods used with a dataset, tasks
addressed with a method), with paper counts.

X's papers are those "who works on X" ranks people by (:mod:`kg.query.lookup`: its matched,
narrower and co-occurring concepts and its text in titles, tl;drs, abstracts and summaries), so
a topic that is no concept ("generalization theory") has related concepts too. Every concept on
those papers is counted once per paper. X's own matched and narrower concepts and their broader
concepts are left out (Graph Neural Network is not "related" to Graph Attention Network); the
concepts X was expanded to stay (they are what co-occurs with it).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from kg.query.index import LookupIndex
from kg.query.lookup import papers_on
from kg.query.match import inflection_key
from kg.query.results import EXPANDED, TopicResolution

_RELATION = {
    ("Method", "Dataset"): "evaluated on",
    ("Method", "Task"): "addresses",
    ("Dataset", "Method"): "used with",
    ("Dataset", "Task"): "benchmark for",
    ("Task", "Method"): "addressed with",
    ("Task", "Dataset"): "evaluated on",
}


@dataclass(frozen=True)
class RelatedConcept:
    id: str
    type: str
    label: str
    relation: str
    papers: int


# (relation, X is its head) → the group a related concept is listed under, in display order.
GROUPS = {
    ("evaluated_on", True): "evaluated on",
    ("evaluated_on", False): "evaluates",
    ("used_for", True): "used for",
    ("used_for", False): "uses",
    ("compared_with", True): "compared with",
    ("compared_with", False): "compared with",
    ("variant_of", True): "variant of",
    ("variant_of", False): "variants",
}
_GROUP_ORDER = {group: rank for rank, group in enumerate(dict.fromkeys(GROUPS.values()))}


@dataclass(frozen=True)
class StatedRelation:
    """A concept a sentence relates to X: ``relation`` is the group ("evaluated on", "variants")."""

    id: str
    type: str
    label: str
    relation: str
    papers: int
    sentences: int
    evidence: str


@dataclass(frozen=True)
class Related:
    """Concepts related to X by stated relations (by group, most papers first) and concepts
    co-occurring with X (most shared papers first); ``papers`` is how many X has."""

    resolution: TopicResolution
    papers: int
    concepts: tuple[RelatedConcept, ...]
    stated: tuple[StatedRelation, ...] = ()

    def groups(self) -> dict[str, list[StatedRelation]]:
        """The stated relations by group, groups in display order."""
        found: dict[str, list[StatedRelation]] = {}
        for item in self.stated:
            found.setdefault(item.relation, []).append(item)
        return found

    def as_json(self) -> list[dict[str, Any]]:
        """Stated relations (``"stated": true``, with sentences and evidence) then co-occurring
        concepts (``"stated": false``)."""
        return [{**vars(c), "stated": True} for c in self.stated] + [
            {**vars(c), "stated": False} for c in self.concepts
        ]


def stated_relations(index: LookupIndex, own: set[str], limit: int) -> tuple[StatedRelation, ...]:
    """Concepts the corpus's sentences relate to any of ``own``, at most ``limit`` per group."""
    rows: list[StatedRelation] = []
    for head, relation, tail, papers, sentences, evidence in index.concept_links(sorted(own)):
        forward = head in own
        other = tail if forward else head
        if other in own:
            continue
        ctype, label, _, _ = index.concepts.get(other, ("Concept", other, (), False))
        rows.append(StatedRelation(other, ctype, label, GROUPS[(relation, forward)], papers, sentences, evidence))
    best: dict[tuple[str, str], StatedRelation] = {}
    for row in rows:  # one row per concept and group (X's narrower concepts may state it too)
        kept = best.get((row.relation, row.id))
        if kept is None or (row.papers, row.sentences) > (kept.papers, kept.sentences):
            best[(row.relation, row.id)] = row
    ordered = sorted(best.values(), key=lambda r: (_GROUP_ORDER[r.relation], -r.papers, -r.sentences, r.label))
    counts: dict[str, int] = {}
    kept_rows = []
    for row in ordered:
        counts[row.relation] = counts.get(row.relation, 0) + 1
        if counts[row.relation] <= limit:
            kept_rows.append(row)
    return tuple(kept_rows)


def _ancestors(index: LookupIndex, concept: str) -> set[str]:
    seen: set[str] = set()
    frontier = [concept]
    while frontier:
        for parent in index.broader.get(frontier.pop(), ()):
            if parent not in seen:
                seen.add(parent)
                frontier.append(parent)
    return seen


def related(index: LookupIndex, text: str, limit: int = 10, types: tuple[str, ...] | None = None) -> Related:
    """Concepts sentences relate to ``text``'s concepts (at most ``limit`` per relation group), and
    concepts on the papers on ``text`` (at most ``limit``), ranked by how many of them they are on.

    Raises :class:`kg.query.match.NoMatchError` when nothing matches ``text``."""
    resolution, _, order = papers_on(index, text)
    own = {c.id for c in resolution.concepts if c.kind != EXPANDED}
    excluded = set(own)
    for concept in resolution.direct:
        excluded |= _ancestors(index, concept.id)
    on_x = np.zeros(len(index.array("paper_year")), dtype=bool)
    on_x[order] = True
    # Every concept of those papers once per paper, in the order the papers' edges are stored
    # (paper by paper): ties between concepts of one label keep the order they were found in.
    found = index.array("paper_concept_concept")[on_x[index.array("paper_concept_paper")]]
    counts = np.bincount(found, minlength=len(index.codes("concept")))
    first = np.full(len(counts), len(found), dtype=np.int64)
    np.minimum.at(first, found, np.arange(len(found)))
    ids = index.codes("concept")
    codes = np.flatnonzero(counts)
    counted = [
        (ids[c], n, f) for c, n, f in zip(codes.tolist(), counts[codes].tolist(), first[codes].tolist(), strict=True)
    ]
    counted = [item for item in counted if item[0] not in excluded]
    same_name = {inflection_key(p) for p in resolution.phrases}
    main_type = resolution.direct[0].type if resolution.direct else "Topic"
    rows = []
    for concept, count, _ in sorted(counted, key=lambda c: (-c[1], index.concepts.get(c[0], ("", c[0]))[1], c[2])):
        ctype, label, _, _ = index.concepts.get(concept, ("Concept", concept, (), False))
        if (types is not None and ctype not in types) or inflection_key(label) in same_name:
            continue  # another spelling of X itself (a source's keyword "graph neural networks")
        relation = _RELATION.get((main_type, ctype), "co-occurs with")
        rows.append(RelatedConcept(concept, ctype, label, relation, count))
        if len(rows) >= limit:
            break
    stated = stated_relations(index, own, limit)
    return Related(resolution, int(np.count_nonzero(on_x)), tuple(rows), stated)
