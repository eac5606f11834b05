"""Extraction mentions → concept nodes, paper–concept edges and their evidence.

One node per concept: scheme concepts keep their scheme id, label and aliases (plus every
surface form seen); discovered ones (acronym long forms, named methods and datasets) are marked
``discovered`` with their best confidence. Each paper–concept edge is derived from
``Mention`` nodes (one per concept per record: its best-placed mention), and each Mention is
derived from its source record, so every edge can show the sentence it came from. Scheme
concepts bring their broader concepts along (Graph Attention Network → Graph Neural Network).
The scheme is the build's own (the bundled one, or with the user's ``--scheme`` files: set by
:func:`kg.pipeline.publish` through :func:`kg.extract.scheme.using_scheme`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from kg import ids
from kg.extract.scheme import Concept, ancestors, load_scheme
from kg.graph import Graph
from kg.normalize import digest, key
from kg.records import CONCEPT_RELATIONS, Mention, Record
from kg.resolve.concept_aliases import canonical_concepts, split_mentions
from kg.resolve.concept_variants import scheme_parent
from kg.resolve.decisions import Resolution
from kg.resolve.overrides import NONE, Overrides


def _add_concept(graph: Graph, mention: Mention) -> str:
    """The concept node for a mention (created with its scheme ancestors on first sight)."""
    scheme = load_scheme()
    concept = scheme.get(mention.concept)
    if mention.concept in graph:
        existing = graph.node(mention.concept)
        graph.add_node(mention.concept, existing.type, aliases=(mention.text,))
        if existing.props.get("discovered") and mention.confidence > existing.props.get("confidence", 0.0):
            graph.set_prop(mention.concept, "confidence", mention.confidence)
            graph.set_prop(mention.concept, "discovered_by", mention.rule)
        return existing.type
    if concept is None:
        graph.add_node(
            mention.concept,
            mention.type,
            label=mention.label,
            aliases=(mention.text, mention.label),
            discovered=True,
            confidence=mention.confidence,
            discovered_by=mention.rule,
        )
        parent = scheme_parent(mention.label, mention.type)
        if parent is not None:
            _add_scheme_concept(graph, scheme, scheme[parent], ())
            graph.add_edge(mention.concept, "broader", parent)
        return mention.type
    _add_scheme_concept(graph, scheme, concept, (mention.text,))
    return concept.type


def _add_scheme_concept(graph: Graph, scheme: dict[str, Concept], concept: Concept, seen_as: tuple[str, ...]) -> None:
    """A scheme concept's node (with the spellings ``seen_as``) and its ancestors, linked."""
    graph.add_node(
        concept.id,
        concept.type,
        label=concept.label,
        aliases=(*concept.aliases, *seen_as),
        definition=concept.definition,
    )
    child = concept
    for parent_id in ancestors(scheme, concept.id):
        parent = scheme[parent_id]
        if parent_id not in graph:
            graph.add_node(
                parent.id, parent.type, label=parent.label, aliases=tuple(parent.aliases), definition=parent.definition
            )
        if parent_id in child.broader:
            graph.add_edge(child.id, "broader", parent_id)
        child = parent
    for node_id in [concept.id, *ancestors(scheme, concept.id)]:
        for parent_id in scheme[node_id].broader:
            if parent_id in graph:
                graph.add_edge(node_id, "broader", parent_id)


def mention_node(graph: Graph, record: Record, origin: str, mention: Mention) -> str:
    """The Mention node holding the evidence of ``mention`` in ``record`` (source record node
    ``origin``), made on first sight: paper–concept edges and relations between concepts both
    derive from it."""
    mention_id = ids.node_id("Mention", digest(origin, mention.field, str(mention.start), mention.concept))
    if mention_id not in graph:
        graph.add_node(
            mention_id,
            "Mention",
            label=f"“{mention.text}” in {mention.field} of {record.provenance}",
            field=mention.field,
            start=mention.start,
            end=mention.end,
            matched=mention.text,
            rule=mention.rule,
            confidence=mention.confidence,
        )
        graph.add_edge(mention_id, "derived_from", origin)
    return mention_id


def resolve_mentions(
    mentions: Sequence[Sequence[Mention]], overrides: Overrides = NONE, resolution: Resolution | None = None
) -> list[list[Mention]]:
    """Every record's mentions pointed at the concept their spelling resolves to (split where
    ``overrides`` say, merged by :func:`kg.resolve.concept_aliases.canonical_concepts`), once
    for the paper–concept edges and the relations between concepts alike; the merge decisions
    go to ``resolution``."""
    split = split_mentions(mentions, overrides)
    moves, decisions = canonical_concepts((m for found in split for m in found), overrides)
    if resolution is not None:
        resolution.add(decisions)
    return [[moved_mention(m, moves) for m in found] for found in split]


def add_concepts(
    graph: Graph,
    records: Sequence[Record],
    papers: Sequence[str],
    resolved: Sequence[Sequence[Mention]],
) -> tuple[int, int]:
    """Attach every record's mentions (``resolved``, from :func:`resolve_mentions`) to its paper
    (``papers[i]`` is record ``i``'s, as identity resolution decided; ``records`` in (file, line)
    order).

    Returns the number of distinct concept spellings seen and of concept nodes made."""
    from kg.extract import distinct_concepts

    spellings: set[str] = set()
    concepts: set[str] = set()
    for index, record in enumerate(records):
        origin = ids.source_record_id(record)
        paper = papers[index]
        spellings.update(key(m.text) for m in resolved[index])
        for mention in distinct_concepts(resolved[index]).values():
            concepts.add(mention.concept)
            concept_type = _add_concept(graph, mention)
            mention_id = mention_node(graph, record, origin, mention)
            graph.add_edge(paper, CONCEPT_RELATIONS[concept_type], mention.concept, sources=(mention_id,))
    return len(spellings), len(concepts)


def moved_mention(mention: Mention, moves: dict[str, tuple[str, str, str]]) -> Mention:
    """``mention`` pointed at the concept its spelling was merged into (``moves``: concept id →
    target id, label, type), so paper edges and relations name the same node."""
    if mention.concept not in moves:
        return mention
    target, label, concept_type = moves[mention.concept]
    return replace(mention, concept=target, label=label, type=concept_type)
