"""Concept–concept relations in a built store: the same edges, counts and evidence in SPARQL,
Cypher and the typed graph, and `kg related` grouping them (default corpus, built once)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import networkx as nx
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.export import export
from kg.records import CONCEPT_LINKS

EDGES_SPARQL = """
SELECT ?head ?relation ?tail ?papers ?sentences WHERE {
  ?s rdf:subject ?h ; rdf:predicate ?p ; rdf:object ?t ; kg:paperCount ?papers ; kg:sentenceCount ?sentences .
  VALUES (?p ?relation) { (kg:usedFor "USED_FOR") (kg:evaluatedOn "EVALUATED_ON") (kg:variantOf "VARIANT_OF")
                          (kg:comparedWith "COMPARED_WITH") }
  ?h ?p ?t .
  BIND(STR(?h) AS ?head) BIND(STR(?t) AS ?tail)
}"""
EDGES_CYPHER = """
MATCH (h)-[r]->(t) WHERE label(r) IN ['USED_FOR', 'EVALUATED_ON', 'VARIANT_OF', 'COMPARED_WITH']
RETURN h.id AS head, label(r) AS relation, t.id AS tail, r.paper_count AS papers, r.sentence_count AS sentences"""


def _rows(rows: list[dict], columns: list[str]) -> set[tuple]:
    return {tuple(row[c] for c in columns) for row in rows}


def test_every_relation_is_in_the_graph_with_its_evidence(graph: kg.Graph) -> None:
    counts = graph.counts()["edges"]
    assert all(counts[relation] > 0 for relation in CONCEPT_LINKS), counts
    for relation in CONCEPT_LINKS:
        for edge in graph.edges(relation):
            assert edge.props["paper_count"] >= 1 and edge.props["sentence_count"] >= edge.props["paper_count"]
            assert 1 <= len(edge.props["evidence"]) <= 3 and edge.props["rules"]
            mentions = [graph.node(source) for source in edge.sources]
            assert len(mentions) >= 2 and {m.type for m in mentions} == {"Mention"}
            for mention in mentions:
                assert [e.target for e in graph.out_edges(mention.id, "derived_from")]


def test_the_stores_hold_the_same_relations(handle: kg.KnowledgeGraph, graph: kg.Graph) -> None:
    columns = ["head", "relation", "tail", "papers", "sentences"]
    in_sparql = handle.sparql(EDGES_SPARQL)
    in_cypher = handle.cypher(EDGES_CYPHER)
    onto = graph.ontology
    expected = {
        (e.source, onto.relations[e.relation].cypher_type, e.target, e.props["paper_count"], e.props["sentence_count"])
        for relation in CONCEPT_LINKS
        for e in graph.edges(relation)
    }
    assert _rows(in_cypher.rows, columns) == expected
    assert {(onto.node_id(h), r, onto.node_id(t), p, s) for h, r, t, p, s in _rows(in_sparql.rows, columns)} == expected


def test_an_edge_leads_back_to_its_sentence_and_source_file(handle: kg.KnowledgeGraph) -> None:
    found = handle.sparql("""
        SELECT ?evidence ?file ?field WHERE {
          ?s rdf:predicate kg:evaluatedOn ; rdf:subject ?m ; rdf:object ?d ; kg:evidence ?evidence ;
             prov:wasDerivedFrom ?mention .
          ?m rdfs:label "Transformer" . ?d rdfs:label "OPUS-100" .
          ?mention a kg:Mention ; kg:field ?field ; prov:wasDerivedFrom ?record . ?record kg:sourceFile ?file .
        }""")
    rows = found.rows
    assert rows, "Transformer is evaluated on OPUS-100 in the ICLR 2021 abstracts"
    assert all("Transformer on OPUS-100" in row["evidence"] for row in rows)
    assert {row["file"].rsplit("/", 1)[-1] for row in rows} == {"iclr2021_authors_tldr_abstracts.txt"}


def test_related_groups_by_relation(built_store: Path) -> None:
    result = CliRunner().invoke(main, ["related", "Transformer", "--store", str(built_store)])
    assert result.exit_code == 0, result.output
    assert "Transformer: evaluated on" in result.output and "OPUS-100" in result.output
    result = CliRunner().invoke(main, ["related", "Transformer", "--json", "--store", str(built_store)])
    rows = json.loads(result.stdout)  # how the topic was read goes to stderr
    stated = [row for row in rows if row["stated"]]
    assert {"id": "concept/opus-100", "relation": "evaluated on"}.items() <= next(
        row for row in stated if row["id"] == "concept/opus-100"
    ).items()
    assert all(row["sentences"] >= row["papers"] >= 1 and row["evidence"] for row in stated)
    assert [row["stated"] for row in rows] == sorted((row["stated"] for row in rows), reverse=True)


def test_exports_carry_the_relations_and_their_evidence(graph: kg.Graph, tmp_path: Path) -> None:
    export(graph, "graphml", tmp_path / "g.graphml")
    read = nx.read_graphml(tmp_path / "g.graphml")
    stated = [d for _, _, d in read.edges(data=True) if d.get("relation") in CONCEPT_LINKS]
    assert len(stated) == sum(graph.counts()["edges"][r] for r in CONCEPT_LINKS)
    assert all(d["paper_count"] >= 1 and d["evidence"] and d["sources"].startswith("mention/") for d in stated)
    export(graph, "neo4j-csv", tmp_path / "neo4j")
    with (tmp_path / "neo4j" / "EVALUATED_ON.Method.Dataset.relationships.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert ("concept/transformer", "concept/opus-100") in {
        (r[":START_ID(Method)"], r[":END_ID(Dataset)"]) for r in rows
    }
    assert all(int(r["paper_count:int"]) >= 1 and r["evidence:string[]"] for r in rows)


def test_edges_from_the_patterns_added_on_scierc_train(graph: kg.Graph) -> None:
    def label(node: str) -> str:
        return graph.node(node).props.get("label")

    stated = {
        (label(e.source), relation, label(e.target)): e.props["rules"]
        for relation in CONCEPT_LINKS
        for e in graph.edges(relation)
    }
    assert "relation:y-trained-on-x" in stated[("ImageNet", "used_for", "ResNet")]  # "ResNet trained on ImageNet"
    assert "relation:x-comma-a-y" in stated[("GCSL", "variant_of", "Reinforcement Learning Algorithm")]
    assert "relation:cast-x-as-y" in stated[("Offline Reinforcement Learning", "used_for", "Text Generation")]
