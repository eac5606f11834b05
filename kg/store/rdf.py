"""The RDF store: the graph as triples in an on-disk Oxigraph database, queried with SPARQL.

Mapping (all names from the ontology): a node is an IRI typed with its class (concepts are also
``skos:Concept``); a property is a literal triple (``xsd:integer`` for ints); an edge is a triple
``source relation target``. An edge that carries properties or provenance is also reified as
an ``rdf:Statement`` with a deterministic IRI (``…/id/statement/<hash>``) holding those
properties and ``prov:wasDerivedFrom`` its source records. No blank nodes and no timestamps,
so the same graph always gives the same triples.

Limits: one default graph (no named graphs); reading the store back into a
:class:`kg.graph.Graph` (for exports) loads every triple into memory.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg.errors import StoreError
from kg.graph import Graph
from kg.normalize import digest
from kg.ontology import RESOURCE_BASE, Ontology, load
from kg.records import SUBJECT_TYPES

_RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_SKOS_CONCEPT = "http://www.w3.org/2004/02/skos/core#Concept"
_PROV_DERIVED = "http://www.w3.org/ns/prov#wasDerivedFrom"
_CONCEPT_TYPES = set(SUBJECT_TYPES)
TYPE = ox.NamedNode(_RDF + "type")
STATEMENT = ox.NamedNode(_RDF + "Statement")
SUBJECT, PREDICATE, OBJECT = (ox.NamedNode(_RDF + p) for p in ("subject", "predicate", "object"))


def _literal(value: Any) -> ox.Literal:
    if isinstance(value, bool):
        return ox.Literal(str(value).lower(), datatype=ox.NamedNode(_XSD + "boolean"))
    if isinstance(value, int):
        return ox.Literal(str(value), datatype=ox.NamedNode(_XSD + "integer"))
    if isinstance(value, float):
        return ox.Literal(repr(value), datatype=ox.NamedNode(_XSD + "double"))
    return ox.Literal(str(value))


def _values(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else (value,)


def statement_iri(source: str, predicate: str, target: str) -> str:
    return RESOURCE_BASE + "statement/" + digest(source, predicate, target, length=20)


def _terms(graph: Graph) -> Iterator[tuple[Any, Any, Any]]:
    """Every (subject, predicate, object) of the graph, in a deterministic order.

    Terms, not ``ox.Triple``s: the writer makes quads from them directly (one Python object per
    statement instead of two), and each node's IRI term is made once, not once per edge."""
    onto = graph.ontology
    skos_concept = ox.NamedNode(_SKOS_CONCEPT)
    iris: dict[str, ox.NamedNode] = {}
    predicates = {key: ox.NamedNode(prop.iri) for key, prop in onto.properties.items()}
    for node in graph.nodes():
        subject = iris[node.id] = ox.NamedNode(onto.node_iri(node.id))
        yield subject, TYPE, ox.NamedNode(onto.node_types[node.type].iri)
        if node.type in _CONCEPT_TYPES:
            yield subject, TYPE, skos_concept
        for key, value in sorted(node.props.items()):
            predicate = predicates[key]
            for item in _values(value):
                yield subject, predicate, _literal(item)
    derived = ox.NamedNode(_PROV_DERIVED)
    relations = {key: ox.NamedNode(rel.iri) for key, rel in onto.relations.items()}
    for edge in graph.edges():
        source, target, predicate = iris[edge.source], iris[edge.target], relations[edge.relation]
        yield source, predicate, target
        if not edge.props and not edge.sources:
            continue
        statement = ox.NamedNode(statement_iri(source.value, predicate.value, target.value))
        yield statement, TYPE, STATEMENT
        yield statement, SUBJECT, source
        yield statement, PREDICATE, predicate
        yield statement, OBJECT, target
        for key, value in sorted(edge.props.items()):
            prop = predicates[key]
            for item in _values(value):
                yield statement, prop, _literal(item)
        for origin in edge.sources:  # a subgraph may leave the source record out: still name it
            yield statement, derived, iris.get(origin) or ox.NamedNode(onto.node_iri(origin))


def triples(graph: Graph) -> Iterator[ox.Triple]:
    """Every triple of the graph, in a deterministic order."""
    for subject, predicate, obj in _terms(graph):
        yield ox.Triple(subject, predicate, obj)


WRITE_BATCH = 100_000


def write(graph: Graph, directory: Path) -> int:
    """Write the graph into a new Oxigraph database at ``directory``; returns the triple count.

    Quads go to Oxigraph's bulk loader in batches: one call for everything made the loader hold
    the whole graph in memory (1 GB for the 11k-record paperlists corpus, 340 MB batched, same
    speed).
    """
    store = ox.Store(str(directory))
    count = 0
    default = ox.DefaultGraph()
    batch: list[ox.Quad] = []
    for subject, predicate, obj in _terms(graph):
        batch.append(ox.Quad(subject, predicate, obj, default))
        if len(batch) >= WRITE_BATCH:
            store.bulk_extend(batch)
            count += len(batch)
            batch = []
    store.bulk_extend(batch)
    count += len(batch)
    store.flush()
    del store
    return count


def open_read_only(directory: Path) -> ox.Store:
    """Open a generation's database for reading (safe: published generations never change)."""
    try:
        return ox.Store.read_only(str(directory))
    except OSError as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise StoreError(directory.parent.parent, f"cannot open the RDF store ({reason}); run `kg build`") from err


def _python(term: ox.Literal) -> Any:
    datatype = term.datatype.value
    if datatype == _XSD + "integer":
        return int(term.value)
    if datatype == _XSD + "double":
        return float(term.value)
    if datatype == _XSD + "boolean":
        return term.value == "true"
    return term.value


def read_graph(store: ox.Store, ontology: Ontology | None = None) -> Graph:
    """Rebuild the typed graph from the store (the inverse of :func:`triples`)."""
    onto = ontology or load()
    graph = Graph(onto)
    types: dict[str, str] = {}
    props: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    links: list[tuple[str, str, str]] = []
    statements: dict[str, dict[str, Any]] = defaultdict(lambda: {"props": defaultdict(list), "sources": []})
    for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        subject, predicate, obj = quad.subject.value, quad.predicate.value, quad.object
        if predicate == TYPE.value:
            node_type = onto.node_type_by_iri(obj.value)
            node_id = onto.node_id(subject)
            if node_type is not None and node_id is not None:
                types[node_id] = node_type.key
            continue
        if subject.startswith(RESOURCE_BASE + "statement/"):
            record = statements[subject]
            if predicate in (SUBJECT.value, PREDICATE.value, OBJECT.value):
                record[predicate] = obj.value
            elif predicate == _PROV_DERIVED:
                record["sources"].append(onto.node_id(obj.value))
            elif (prop := onto.property_by_iri(predicate)) is not None:
                record["props"][prop.key].append(_python(obj))
            continue
        if isinstance(obj, ox.Literal):
            prop = onto.property_by_iri(predicate)
            if prop is not None and (node_id := onto.node_id(subject)) is not None:
                props[node_id][prop.key].append(_python(obj))
            continue
        relation = onto.relation_by_iri(predicate)
        if relation is not None:
            links.append((subject, relation.key, obj.value))
    for node_id, node_type in types.items():
        graph.add_node(node_id, node_type, **_collapse(onto, props.get(node_id, {})))
    qualified = {
        (s[SUBJECT.value], s[PREDICATE.value], s[OBJECT.value]): s for s in statements.values() if SUBJECT.value in s
    }
    for subject, relation, target in links:
        source_id, target_id = onto.node_id(subject), onto.node_id(target)
        if source_id not in types or target_id not in types:
            continue
        statement = qualified.get((subject, onto.relations[relation].iri, target))
        edge_props = _collapse(onto, statement["props"]) if statement else {}
        sources = statement["sources"] if statement else ()
        graph.add_edge(source_id, relation, target_id, sources=sources, **edge_props)
    return graph


def _collapse(onto: Ontology, values: dict[str, list[Any]]) -> dict[str, Any]:
    result: dict[str, Any] = {}
    for key, items in values.items():
        if onto.properties[key].functional:
            result[key] = min(items, key=lambda v: (str(type(v)), v)) if len(items) > 1 else items[0]
        else:
            result[key] = tuple(items)
    return result
