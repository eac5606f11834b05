"""Related concepts: what co-occurs with X on the same papers (methods used with a dataset,
tasks addressed with a method, datasets a method is evaluated on), with paper counts.

X is resolved as for "who works on" (:func:`kg.query.lookup.resolve_topic`: matched concepts
and topics plus everything narrower). The papers linked to any of them are collected, and every
other concept on those papers is counted once per paper. X's own concepts and their broader
concepts are left out (Graph Neural Network is not "related" to Graph Attention Network).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from kg.query.index import LookupIndex
from kg.query.lookup import TopicResolution, resolve_topic
from kg.query.match import NoMatchError, inflection_key

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


@dataclass(frozen=True)
class Related:
    """Concepts co-occurring with X, most shared papers first; ``papers`` is how many X has."""

    resolution: TopicResolution
    papers: int
    concepts: tuple[RelatedConcept, ...]

    def as_json(self) -> list[dict[str, Any]]:
        return [dict(vars(c)) for c in self.concepts]


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
    """Concepts that share papers with ``text``'s concepts, grouped by nothing, ranked by count."""
    resolution = resolve_topic(index, text)
    if not resolution.concepts:
        raise NoMatchError(text, "concept or topic", resolution.suggestions)
    own = {c.id for c in resolution.concepts}
    excluded = set(own)
    for concept in resolution.direct:
        excluded |= _ancestors(index, concept.id)
    on_x = np.zeros(len(index.array("paper_year")), dtype=bool)
    for papers, _ in index.concept_papers(own).values():
        on_x[papers] = True
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
    return Related(resolution, int(np.count_nonzero(on_x)), tuple(rows))
