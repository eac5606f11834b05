"""Sentence-level relations → corpus-level edges between concept nodes, with their evidence.

Every record field is read for relations between its mentions
(:func:`kg.extract.relations.find_relations`); the two ends are mapped to their concept nodes
(after concept identity: a discovered name that joined a scheme concept counts as that concept)
and every statement of one relation between the same two concepts becomes one edge, carrying:

- ``paper_count``: the papers with a sentence that states it, ``sentence_count``: the sentences;
- ``evidence``: up to three of those sentences as written, the first in (file, line) order;
- ``rules``: the patterns that found it;
- ``sources`` (``prov:wasDerivedFrom`` in RDF): the Mention nodes of both ends of every
  statement, each derived from its source record, so the edge leads back to file and line.

Edges that would be nonsense in the graph are dropped, judged by the types of the concept nodes
(not of the mentions, which may disagree with the type the corpus settled on): a concept related
to itself, a variant of a concept of another type (a method is not a kind of task), an
evaluation on something other than a dataset. ``compared_with`` is symmetric: one edge per pair, from the lower id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from kg import ids
from kg.extract.relations import Relation, find_relations
from kg.graph import Graph
from kg.records import Mention, Record
from kg.resolve.concepts import mention_node

EVIDENCE_SENTENCES = 3
_EVIDENCE_CHARS = 500


@dataclass
class _Stated:
    """What the corpus says for one (head, relation, tail)."""

    papers: set[str] = field(default_factory=set)
    sentences: set[tuple[str, str, int]] = field(default_factory=set)
    mentions: set[str] = field(default_factory=set)
    rules: set[str] = field(default_factory=set)
    evidence: list[str] = field(default_factory=list)


def _kept(graph: Graph, relation: str, head: Mention, tail: Mention) -> bool:
    """Whether the edge makes sense between the two concept *nodes*. Their types, not the
    mentions', decide: a spelling typed Dataset in one sentence may have joined a concept the
    corpus mostly calls a Method, and an ``evaluated_on`` edge to a Method is neither sense nor
    allowed by the ontology."""
    if head.concept == tail.concept or head.concept not in graph or tail.concept not in graph:
        return False
    head_type, tail_type = graph.node_type(head.concept), graph.node_type(tail.concept)
    if relation == "variant_of":
        return head_type == tail_type
    if relation == "evaluated_on":
        return tail_type == "Dataset" and head_type in ("Method", "Task")
    return True


def record_relations(record: Record, mentions: Sequence[Mention]) -> list[Relation]:
    """The relations stated in one record, field by field (ends are the given mentions)."""
    texts = record.text_fields()
    by_field: dict[str, list[Mention]] = {}
    for mention in mentions:
        by_field.setdefault(mention.field, []).append(mention)
    found: list[Relation] = []
    for name, field_mentions in sorted(by_field.items()):
        if len(field_mentions) >= 2 and name in texts:
            found.extend(find_relations(texts[name], field_mentions))
    return found


def add_relations(
    graph: Graph,
    records: Sequence[Record],
    papers: Sequence[str],
    resolved: Sequence[Sequence[Mention]],
) -> int:
    """Add the concept–concept edges the records state (``records`` in (file, line) order,
    ``papers[i]`` record ``i``'s paper, ``resolved`` their mentions as
    :func:`kg.resolve.concepts.resolve_mentions` resolved them, the concept nodes already
    added); returns the edge count."""
    stated: dict[tuple[str, str, str], _Stated] = {}
    for index, record in enumerate(records):
        relations = record_relations(record, resolved[index])
        if not relations:
            continue
        origin = ids.source_record_id(record)
        texts = record.text_fields()
        for relation in relations:
            head, tail = relation.head, relation.tail
            assert isinstance(head, Mention) and isinstance(tail, Mention)
            if not _kept(graph, relation.relation, head, tail):
                continue
            if relation.relation == "compared_with" and tail.concept < head.concept:
                head, tail = tail, head
            entry = stated.setdefault((head.concept, relation.relation, tail.concept), _Stated())
            sentence = (origin, head.field, relation.sentence_start)
            if sentence not in entry.sentences and len(entry.evidence) < EVIDENCE_SENTENCES:
                text = texts[head.field][relation.sentence_start : relation.sentence_end].strip()
                entry.evidence.append(text[:_EVIDENCE_CHARS])
            entry.sentences.add(sentence)
            entry.papers.add(papers[index])
            entry.rules.add(relation.rule)
            entry.mentions.update(mention_node(graph, record, origin, end) for end in (head, tail))
    for (head_id, relation_key, tail_id), entry in sorted(stated.items()):
        graph.add_edge(
            head_id,
            relation_key,
            tail_id,
            sources=entry.mentions,
            paper_count=len(entry.papers),
            sentence_count=len(entry.sentences),
            evidence=tuple(entry.evidence),
            rules=tuple(sorted(entry.rules)),
        )
    return len(stated)
