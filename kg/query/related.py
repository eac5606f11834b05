"""Related concepts: what co-occurs with X on the same papers (methods used with a dataset,
tasks addressed with a method, datasets a method is evaluated on), with paper counts.

X is resolved as for "who works on" (:func:`kg.query.lookup.resolve_topic`: matched concepts
and topics plus everything narrower). The papers linked to any of them are collected, and every
other concept on those papers is counted once per paper. X's own concepts and their broader
concepts are left out (Graph Neural Network is not "related" to Graph Attention Network).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from kg.query.index import LookupIndex
from kg.query.lookup import Resolution, resolve_topic
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

    resolution: Resolution
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
    marks = ",".join("?" * len(own))
    papers = {r[0] for r in index.rows(f"SELECT DISTINCT paper FROM concept_edges WHERE concept IN ({marks})", own)}
    counts: Counter[str] = Counter()
    ordered = sorted(papers)
    for start in range(0, len(ordered), 500):
        chunk = ordered[start : start + 500]
        query = f"SELECT DISTINCT paper, concept FROM concept_edges WHERE paper IN ({','.join('?' * len(chunk))})"
        counts.update(concept for _, concept in index.rows(query, chunk) if concept not in excluded)
    same_name = {inflection_key(p) for p in resolution.phrases}
    main_type = resolution.direct[0].type if resolution.direct else "Topic"
    rows = []
    for concept, count in sorted(counts.items(), key=lambda kv: (-kv[1], index.concepts.get(kv[0], ("", kv[0]))[1])):
        ctype, label, _, _ = index.concepts.get(concept, ("Concept", concept, (), False))
        if (types is not None and ctype not in types) or inflection_key(label) in same_name:
            continue  # another spelling of X itself (a source's keyword "graph neural networks")
        relation = _RELATION.get((main_type, ctype), "co-occurs with")
        rows.append(RelatedConcept(concept, ctype, label, relation, count))
        if len(rows) >= limit:
            break
    return Related(resolution, len(papers), tuple(rows))
