"""The ontology in ``ontology/kg.ttl`` as Python objects: classes, relations, properties.

Every store and export takes its type names, relation names, property names and IRIs from
here, so code and ontology cannot drift apart (``tests/test_ontology.py`` also regenerates
``kg/vocab.py`` and fails if it differs). Run ``python -m kg.ontology --write-vocab`` after
editing ``kg.ttl``.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kg.resources import resource_dir

NAMESPACE = "https://w3id.org/kg/ontology#"
RESOURCE_BASE = "https://w3id.org/kg/id/"
CONCEPT_BASE = "https://w3id.org/kg/concept/"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_OWL = "http://www.w3.org/2002/07/owl#"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
# The prefixes kg declares wherever it writes or reads RDF text: predeclared in `kg sparql`
# queries, used by the Turtle export and as the JSON-LD export's @context.
PREFIXES = {
    "kg": NAMESPACE,
    "kgid": RESOURCE_BASE,
    "kgc": CONCEPT_BASE,
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}


@dataclass(frozen=True)
class NodeType:
    """A class of nodes: ``key`` is its name in the graph, exports and Cypher labels."""

    key: str
    iri: str
    id_prefix: str
    label: str
    comment: str


@dataclass(frozen=True)
class Relation:
    """An object property: an edge type between two node types."""

    key: str
    iri: str
    cypher_type: str
    domain: str | None
    range: str | None
    functional: bool
    label: str


@dataclass(frozen=True)
class Property:
    """A datatype property: a literal-valued attribute of a node or an edge."""

    key: str
    iri: str
    datatype: str
    functional: bool


@dataclass(frozen=True)
class Ontology:
    """The parsed ontology; look-ups by key and by IRI."""

    node_types: dict[str, NodeType]
    relations: dict[str, Relation]
    properties: dict[str, Property]

    def node_type_by_iri(self, iri: str) -> NodeType | None:
        return _by_iri(self.node_types).get(iri)

    def relation_by_iri(self, iri: str) -> Relation | None:
        return _by_iri(self.relations).get(iri)

    def property_by_iri(self, iri: str) -> Property | None:
        return _by_iri(self.properties).get(iri)

    @property
    def concept_prefix(self) -> str:
        """The id prefix of the concept types (``concept/``), whose IRIs are the scheme's."""
        return self.node_types["Method"].id_prefix + "/"

    def node_iri(self, node_id: str) -> str:
        """IRI of a node id ('paper/abc' → https://w3id.org/kg/id/paper/abc; concepts use their scheme's)."""
        concepts = self.concept_prefix
        if node_id.startswith(concepts):
            return CONCEPT_BASE + node_id.removeprefix(concepts)
        return RESOURCE_BASE + node_id

    def node_id(self, iri: str) -> str | None:
        """Inverse of :meth:`node_iri`; None for IRIs outside kg's id spaces."""
        if iri.startswith(CONCEPT_BASE):
            return self.concept_prefix + iri.removeprefix(CONCEPT_BASE)
        if iri.startswith(RESOURCE_BASE):
            return iri.removeprefix(RESOURCE_BASE)
        return None


_IRI_INDEX: dict[int, dict[str, object]] = {}


def _by_iri(table: dict) -> dict:
    index = _IRI_INDEX.get(id(table))
    if index is None:
        index = {item.iri: item for item in table.values()}
        _IRI_INDEX[id(table)] = index
    return index


def ontology_path() -> Path:
    return resource_dir("ontology") / "kg.ttl"


@cache
def load() -> Ontology:
    """Parse ``ontology/kg.ttl`` once per process."""
    import rdflib
    from rdflib.namespace import OWL, RDF, RDFS

    graph = rdflib.Graph()
    graph.parse(ontology_path(), format="turtle")
    key_p = rdflib.URIRef(NAMESPACE + "key")

    def text(subject: rdflib.term.Node, predicate: rdflib.term.Node) -> str:
        value = graph.value(subject, predicate)
        return str(value) if value is not None else ""

    def local_key(iri: rdflib.term.Node | None) -> str | None:
        return text(iri, key_p) or None if iri is not None else None

    node_types, relations, properties = {}, {}, {}
    for subject, key in sorted(graph.subject_objects(key_p)):
        key = str(key)
        types = set(graph.objects(subject, RDF.type))
        single = graph.value(subject, rdflib.URIRef(NAMESPACE + "singleValued"))
        functional = OWL.FunctionalProperty in types or (single is not None and single.toPython() is True)
        if OWL.Class in types:
            node_types[key] = NodeType(
                key,
                str(subject),
                text(subject, rdflib.URIRef(NAMESPACE + "idPrefix")),
                text(subject, RDFS.label),
                text(subject, RDFS.comment),
            )
        elif (subject, rdflib.URIRef(NAMESPACE + "cypherType"), None) in graph:
            relations[key] = Relation(
                key,
                str(subject),
                text(subject, rdflib.URIRef(NAMESPACE + "cypherType")),
                local_key(graph.value(subject, RDFS.domain)),
                local_key(graph.value(subject, RDFS.range)),
                functional,
                text(subject, RDFS.label) or key.replace("_", " "),
            )
        else:
            datatype = text(subject, RDFS.range) or _XSD + "string"
            properties[key] = Property(key, str(subject), datatype, functional)
    return Ontology(node_types, relations, properties)


def vocab_source() -> str:
    """Python source of ``kg/vocab.py``: a closed namespace of every kg: term in the ontology."""
    import rdflib

    graph = rdflib.Graph()
    graph.parse(ontology_path(), format="turtle")
    terms = sorted({str(s).removeprefix(NAMESPACE) for s in graph.subjects() if str(s).startswith(NAMESPACE)})
    lines = [
        '"""Closed namespace of the kg ontology\'s terms. Generated from ontology/kg.ttl: do not edit.',
        "",
        "Regenerate with ``python -m kg.ontology --write-vocab``; tests fail when it is stale.",
        '"""',
        "",
        "from rdflib.namespace import DefinedNamespace, Namespace",
        "from rdflib.term import URIRef",
        "",
        "",
        "class KG(DefinedNamespace):",
        '    """Terms of https://w3id.org/kg/ontology# (unknown names raise AttributeError)."""',
        "",
        "    _fail = True",
        f'    _NS = Namespace("{NAMESPACE}")',
        "",
    ]
    lines += [f"    {term}: URIRef" for term in terms]
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Regenerate kg/vocab.py from ontology/kg.ttl.")
    parser.add_argument("--write-vocab", action="store_true", help="write kg/vocab.py (else print it)")
    args = parser.parse_args(argv)
    source = vocab_source()
    if args.write_vocab:
        (Path(__file__).parent / "vocab.py").write_text(source, encoding="utf-8")
    else:
        sys.stdout.write(source)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
