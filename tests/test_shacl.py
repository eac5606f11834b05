"""Built graphs satisfy ontology/shapes.ttl, and the shapes do catch broken graphs."""

from __future__ import annotations

import json

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib
from rdflib.namespace import PROV

import kg
from kg.ontology import NAMESPACE
from kg.resources import resource_dir


def _data_graph(handle) -> rdflib.Graph:
    dump = handle.rdf_store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return rdflib.Graph().parse(data=dump.decode("utf-8"), format="nt")


def _validate(data: rdflib.Graph) -> tuple[bool, str]:
    shapes = rdflib.Graph().parse(resource_dir("ontology") / "shapes.ttl", format="turtle")
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    return conforms, text


def test_default_corpus_conforms(handle) -> None:
    conforms, text = _validate(_data_graph(handle))
    assert conforms, text


@pytest.fixture(scope="module")
def small_handle(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    """Two papers with an author, a year and a method each: every shape has something to check,
    and validation takes a fraction of the default store's time."""
    root = tmp_path_factory.mktemp("shacl")
    source = root / "papers.jsonl"
    papers = (
        {
            "title": "Dropout for sequence models",
            "authors": ["Ann Lee"],
            "year": 2020,
            "abstract": "We apply dropout to LSTM language models on Penn Treebank.",
        },
        {
            "title": "Graph attention",
            "authors": ["Ann Lee", "Bo Chen"],
            "year": 2021,
            "abstract": "We propose a graph neural network for node classification on Cora.",
        },
    )
    source.write_text("".join(json.dumps(paper) + "\n" for paper in papers), encoding="utf-8")
    kg.build([source], store=root / "store", model=False)
    return kg.open_store(root / "store")


def test_a_small_store_conforms(small_handle: kg.KnowledgeGraph) -> None:
    conforms, text = _validate(_data_graph(small_handle))
    assert conforms, text


def test_shapes_catch_a_missing_label_a_bad_year_and_an_unexplained_edge(small_handle: kg.KnowledgeGraph) -> None:
    data = _data_graph(small_handle)
    paper = next(data.subjects(rdflib.RDF.type, rdflib.URIRef(NAMESPACE + "Paper")))
    data.remove((paper, rdflib.RDFS.label, None))
    data.add((paper, rdflib.URIRef(NAMESPACE + "year"), rdflib.Literal("twenty")))
    concept_edge = next(data.subjects(rdflib.RDF.predicate, rdflib.URIRef(NAMESPACE + "usesMethod")))
    data.remove((concept_edge, PROV.wasDerivedFrom, None))
    conforms, text = _validate(data)
    assert not conforms
    assert "every node has exactly one non-empty rdfs:label" in text
    assert "Result Path: kg:year" in text
    assert "a paper–concept edge is derived from at least one Mention" in text
