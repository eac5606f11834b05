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

import io
import re
from collections import defaultdict
from collections.abc import Iterator
from itertools import islice
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


def _values(value: Any) -> tuple[Any, ...]:
    return value if isinstance(value, tuple) else (value,)


def statement_iri(source: str, predicate: str, target: str) -> str:
    return RESOURCE_BASE + "statement/" + digest(source, predicate, target, length=20)


_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')
_TYPED = {bool: "boolean", int: "integer", float: "double"}


def _nt_literal(value: Any) -> str:
    """``value`` as an N-Triples literal: integers, doubles and booleans typed, the rest strings."""
    kind = _TYPED.get(type(value))
    if kind == "boolean":
        return f'"{str(value).lower()}"^^<{_XSD}boolean>'
    if kind == "integer":
        return f'"{value}"^^<{_XSD}integer>'
    if kind == "double":
        return f'"{value!r}"^^<{_XSD}double>'
    return '"' + str(value).translate(_NT_ESCAPES) + '"'


def _nt_iri(iri: str) -> str:
    if _IRI_UNSAFE.search(iri):  # the loader runs lenient, so kg checks its own IRIs
        raise ValueError(f"cannot store the IRI {iri!r}: it holds characters an IRI may not")
    return f"<{iri}>"


def ntriples(graph: Graph) -> Iterator[str]:
    """Every triple of the graph as an N-Triples line, in a deterministic order: the one
    definition of how the graph maps to RDF (:func:`triples` parses these lines back).

    Text rather than term objects for the store writer: Oxigraph parses N-Triples in Rust with
    the GIL released, where building 21M ``Quad`` objects kept Python busy for most of a 100k
    build's RDF stage (``benchmarks/bench_scale.py``)."""
    onto = graph.ontology
    rdf_type, concept = f"<{TYPE.value}>", f"<{_SKOS_CONCEPT}>"
    statement_type = f"<{TYPE.value}> <{STATEMENT.value}> .\n"
    subject_p, predicate_p, object_p = (f"<{term.value}>" for term in (SUBJECT, PREDICATE, OBJECT))
    iris: dict[str, str] = {}
    classes = {key: f"<{t.iri}>" for key, t in onto.node_types.items()}
    predicates = {key: f"<{prop.iri}>" for key, prop in onto.properties.items()}
    for node in graph.nodes():
        subject = iris[node.id] = _nt_iri(onto.node_iri(node.id))
        yield f"{subject} {rdf_type} {classes[node.type]} .\n"
        if node.type in _CONCEPT_TYPES:
            yield f"{subject} {rdf_type} {concept} .\n"
        for key, value in sorted(node.props.items()):
            predicate = predicates[key]
            for item in _values(value):
                yield f"{subject} {predicate} {_nt_literal(item)} .\n"
    derived = f"<{_PROV_DERIVED}>"
    relations = {key: rel.iri for key, rel in onto.relations.items()}
    for edge in graph.edges():
        source, target, relation = iris[edge.source], iris[edge.target], relations[edge.relation]
        yield f"{source} <{relation}> {target} .\n"
        if not edge.props and not edge.sources:
            continue
        statement = f"<{statement_iri(source[1:-1], relation, target[1:-1])}>"
        yield f"{statement} {statement_type}"
        yield f"{statement} {subject_p} {source} .\n"
        yield f"{statement} {predicate_p} <{relation}> .\n"
        yield f"{statement} {object_p} {target} .\n"
        for key, value in sorted(edge.props.items()):
            predicate = predicates[key]
            for item in _values(value):
                yield f"{statement} {predicate} {_nt_literal(item)} .\n"
        for origin in edge.sources:  # a subgraph may leave the source record out: still name it
            yield f"{statement} {derived} {iris.get(origin) or _nt_iri(onto.node_iri(origin))} .\n"


class _LineReader(io.RawIOBase):
    """A binary stream over an iterator of text lines, for Oxigraph's streaming bulk loader;
    counts the lines (one per triple) it hands over."""

    def __init__(self, lines: Iterator[str], block: int = 4096) -> None:
        self._lines = lines
        self._block = block
        self._pending = b""
        self.count = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        wanted = len(buffer)
        while len(self._pending) < wanted:
            chunk = list(islice(self._lines, self._block))
            if not chunk:
                break
            self.count += len(chunk)
            self._pending += "".join(chunk).encode("utf-8")
        taken, self._pending = self._pending[:wanted], self._pending[wanted:]
        buffer[: len(taken)] = taken
        return len(taken)


def triples(graph: Graph) -> Iterator[ox.Triple]:
    """Every triple of the graph (:func:`ntriples`, parsed), for exports and pushes."""
    reader = io.BufferedReader(_LineReader(ntriples(graph)), 1 << 20)
    for quad in ox.parse(reader, ox.RdfFormat.N_TRIPLES):
        yield quad.triple


LOAD_BATCH = 500_000


def write(graph: Graph, directory: Path) -> int:
    """Write the graph into a new Oxigraph database at ``directory``; returns the triple count.

    N-Triples text (:func:`ntriples`) goes to Oxigraph's bulk loader, lenient because kg made
    every IRI itself and checked it, in loads of ``LOAD_BATCH`` triples: less than half the CPU
    of handing it ``Quad`` objects (36 s → 15 s for the 2.2M triples of 10k abstracts). Each
    load's size trades memory for time, as each is merged into what the store already holds: at
    100k abstracts (21M triples) 250k-triple loads took 317 s of CPU and 100 MB, 1M-triple
    loads 262 s and 770 MB (the synthetic corpus of ``benchmarks/synthetic.py``).
    """
    store = ox.Store(str(directory))
    lines = ntriples(graph)
    count = 0
    while True:
        reader = _LineReader(islice(lines, LOAD_BATCH))
        store.bulk_load(io.BufferedReader(reader, 1 << 20), ox.RdfFormat.N_TRIPLES, lenient=True)
        count += reader.count
        if reader.count < LOAD_BATCH:
            break
    store.flush()
    del store
    return count


def open_read_only(directory: Path) -> ox.Store:
    """Open a generation's database for reading (safe: published generations never change).

    A damaged database is a :class:`StoreError`: RocksDB reports corruption as ``RuntimeError``."""
    try:
        return ox.Store.read_only(str(directory))
    except (OSError, RuntimeError) as err:
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
