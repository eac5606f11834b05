"""Code and ontology agree: the generated namespace is fresh, every name the code uses exists."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.graph import Graph
from kg.ontology import load, vocab_source
from kg.vocab import KG

ROOT = Path(__file__).resolve().parent.parent


def test_vocab_is_regenerated_from_the_ontology() -> None:
    assert (ROOT / "kg" / "vocab.py").read_text(encoding="utf-8") == vocab_source(), (
        "kg/vocab.py is stale: run `python -m kg.ontology --write-vocab`"
    )


def test_closed_namespace_refuses_unknown_terms() -> None:
    assert str(KG.Paper) == "https://w3id.org/kg/ontology#Paper"
    with pytest.raises(AttributeError):
        _ = KG.Papers


def test_node_types_and_relations() -> None:
    onto = load()
    assert set(onto.node_types) == {
        "Paper",
        "Author",
        "Institution",
        "Venue",
        "Topic",
        "Method",
        "Dataset",
        "Task",
        "Summary",
        "SourceRecord",
        "Mention",
    }
    assert onto.relations["authored_by"].cypher_type == "AUTHORED_BY"
    assert (onto.relations["authored_by"].domain, onto.relations["authored_by"].range) == ("Paper", "Author")
    assert onto.properties["title"].iri == "http://purl.org/dc/terms/title"
    assert onto.properties["year"].functional and not onto.properties["aliases"].functional


def test_graph_refuses_names_the_ontology_lacks() -> None:
    graph = Graph()
    with pytest.raises(ValueError, match="unknown node type"):
        graph.add_node("x/1", "Person")
    graph.add_node("paper/1", "Paper", label="P")
    with pytest.raises(ValueError, match="unknown property"):
        graph.add_node("paper/1", "Paper", colour="red")
    with pytest.raises(ValueError, match="unknown relation"):
        graph.add_edge("paper/1", "cites", "paper/1")


def test_every_ontology_term_the_code_emits_is_declared(handle) -> None:
    rows = handle.sparql("SELECT DISTINCT ?p WHERE { ?s ?p ?o FILTER(STRSTARTS(STR(?p), STR(kg:))) }").rows
    declared = {str(term) for term in KG.__annotations__ and [getattr(KG, n) for n in KG.__annotations__]}
    assert {row["p"] for row in rows} <= declared


def test_shared_concept_constants_agree_with_the_ontology() -> None:
    from kg.records import CONCEPT_RELATIONS, CONCEPT_TYPES, SUBJECT_TYPES

    onto = load()
    assert set(SUBJECT_TYPES) <= set(onto.node_types) and set(CONCEPT_TYPES) < set(SUBJECT_TYPES)
    for concept_type, relation in CONCEPT_RELATIONS.items():
        assert (onto.relations[relation].domain, onto.relations[relation].range) == ("Paper", concept_type)
    assert set(CONCEPT_RELATIONS) == set(CONCEPT_TYPES)
