"""The concept scheme (``ontology/concepts/*.ttl``, SKOS) as plain Python for the matchers.

Each concept has an id (``concept/<slug>``), a type (Method, Dataset or Task, from its
``rdf:type``), a preferred label, aliases and broader concepts. The scheme roots ("Method",
"Dataset", "Task") are never matched in text: they are generic words. Parsing uses Oxigraph's
Turtle parser, which reads the whole scheme in a few tens of milliseconds.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import pyoxigraph as ox

from kg.ids import concept_id
from kg.ontology import CONCEPT_BASE, NAMESPACE
from kg.records import CONCEPT_TYPES
from kg.resources import resource_dir

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SKOS = "http://www.w3.org/2004/02/skos/core#"


@cache
def roots() -> frozenset[str]:
    """The ids of the scheme's three top concepts (``method``, ``dataset``, ``task``)."""
    return frozenset(concept_id(t.lower()) for t in CONCEPT_TYPES)


@dataclass
class Concept:
    """One concept of the scheme."""

    id: str
    type: str
    label: str
    aliases: list[str] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)
    definition: str | None = None


def scheme_dir() -> Path:
    return resource_dir("ontology") / "concepts"


@cache
def load_scheme(directory: Path | None = None) -> dict[str, Concept]:
    """All concepts by id (every ``*.ttl`` file of the scheme directory)."""
    concepts: dict[str, Concept] = {}
    types = {NAMESPACE + t: t for t in CONCEPT_TYPES}
    rows: list[tuple[str, str, ox.NamedNode | ox.Literal | ox.BlankNode]] = []
    for path in sorted((directory or scheme_dir()).glob("*.ttl")):
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if isinstance(triple.subject, ox.NamedNode) and triple.subject.value.startswith(CONCEPT_BASE):
                rows.append((triple.subject.value, triple.predicate.value, triple.object))
    for subject, predicate, obj in rows:
        if predicate == _RDF_TYPE and obj.value in types:
            identifier = concept_id(subject.removeprefix(CONCEPT_BASE))
            concepts.setdefault(identifier, Concept(identifier, types[obj.value], ""))
    for subject, predicate, obj in rows:
        concept = concepts.get(concept_id(subject.removeprefix(CONCEPT_BASE)))
        if concept is None:
            continue
        if predicate == _SKOS + "prefLabel":
            concept.label = obj.value
        elif predicate == _SKOS + "altLabel":
            concept.aliases.append(obj.value)
        elif predicate == _SKOS + "broader" and obj.value.startswith(CONCEPT_BASE):
            concept.broader.append(concept_id(obj.value.removeprefix(CONCEPT_BASE)))
        elif predicate == _SKOS + "definition":
            concept.definition = obj.value
    for concept in concepts.values():
        concept.aliases.sort()
        concept.broader.sort()
    return concepts


def ancestors(concepts: dict[str, Concept], concept_id: str) -> list[str]:
    """Every broader concept, transitively, nearest first (cycles tolerated)."""
    seen: list[str] = []
    frontier = list(concepts[concept_id].broader) if concept_id in concepts else []
    while frontier:
        current = frontier.pop(0)
        if current in seen or current not in concepts:
            continue
        seen.append(current)
        frontier.extend(concepts[current].broader)
    return seen
