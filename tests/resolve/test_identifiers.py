"""Identifiers carried into the graph: queryable by scheme in SPARQL and Cypher, deciding
identity before names (papers, authors, institutions), and valid against the shapes."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pyshacl
import pytest
import rdflib

import kg
from kg.records import AuthorRef, Provenance, Record
from kg.resolve.builder import resolve
from kg.resources import resource_dir

DATA = Path(__file__).parent.parent / "sources" / "data"


@pytest.fixture(scope="module")
def service_store(tmp_path_factory: pytest.TempPathFactory) -> kg.KnowledgeGraph:
    """One store built from every real-shaped service and citation sample."""
    store = tmp_path_factory.mktemp("services") / "store"
    kg.build([DATA], store=store)
    return kg.open_store(store)


def test_paper_ids_by_scheme_in_sparql(service_store: kg.KnowledgeGraph) -> None:
    rows = service_store.sparql(
        "SELECT ?doi ?title ?arxiv ?openalex WHERE { ?p kg:doi ?doi ; dcterms:title ?title ; kg:arxivId ?arxiv ;"
        " kg:openalexId ?openalex }",
        {"doi": "10.48550/arxiv.2003.00152"},
    ).rows
    assert [(r["title"], r["arxiv"], r["openalex"]) for r in rows] == [
        (
            "Training BatchNorm and Only BatchNorm: On the Expressive Power of Random Features in CNNs",
            "2003.00152",
            "W3008766545",
        )
    ]


def test_author_and_institution_ids_in_cypher(service_store: kg.KnowledgeGraph) -> None:
    rows = service_store.cypher(
        "MATCH (a:Author) WHERE $orcid IN a.orcid"
        " RETURN a.name AS name, a.semantic_scholar_id AS s2, a.openreview_id AS openreview",
        {"orcid": "0000-0003-2135-9043"},
    ).rows
    assert rows == [{"name": "David J. Schwab", "s2": ["1810748"], "openreview": ["~David_J._Schwab1"]}]
    query = "MATCH (i:Institution) WHERE size(i.ror) > 0 RETURN i.name AS name, i.ror AS ror ORDER BY name"
    rows = service_store.cypher(query).rows
    assert {"name": "MIT", "ror": ["042nb2s44"]} in rows


def test_one_paper_per_work_across_eleven_files(service_store: kg.KnowledgeGraph) -> None:
    rows = service_store.cypher(
        "MATCH (p:Paper)-[:DERIVED_FROM]->(s:SourceRecord) WHERE $id IN p.arxiv_id"
        " RETURN count(DISTINCT p) AS papers, count(s) AS sources",
        {"id": "2003.00152"},
    ).rows
    # arXiv snapshot, OpenAlex page + lines, S2 search + batch + dataset, OpenReview, Zotero, CSV, TSV
    assert rows == [{"papers": 1, "sources": 10}]


def test_store_conforms_to_the_shapes(service_store: kg.KnowledgeGraph) -> None:
    dump = service_store.rdf_store.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    data = rdflib.Graph().parse(data=dump.decode("utf-8"), format="nt")
    shapes = rdflib.Graph().parse(resource_dir("ontology") / "shapes.ttl", format="turtle")
    conforms, _, text = pyshacl.validate(data, shacl_graph=shapes, inference="none")
    assert conforms, text


def _record(file: str, title: str, authors: list[AuthorRef], **fields: object) -> Record:
    return Record(key=title, provenance=Provenance(file, 1, 1, "test"), title=title, authors=tuple(authors), **fields)


def test_author_ids_decide_before_names() -> None:
    records = [
        _record("a.jsonl", "Paper one", [AuthorRef("David J. Schwab", "David J. Schwab", 1, ids=("s2:1810748",))]),
        _record("b.jsonl", "Paper two", [AuthorRef("D. Schwab", "D. Schwab", 1, ids=("s2:1810748",))]),
        _record("c.jsonl", "Paper three", [AuthorRef("D. Schwab", "D. Schwab", 1)]),
    ]
    graph, resolution = resolve(records)
    authors = [n for n in graph.nodes("Author")]
    assert [a.props["name"] for a in authors] == ["David J. Schwab"]
    (decision,) = [d for d in resolution.decisions if d.kind == "author" and d.reason == "the same identifier"]
    assert decision.merged and decision.evidence == ("s2:1810748",)


def test_one_author_list_keeps_shared_ids_apart() -> None:
    """A source that gives two co-authors one id is wrong about one of them: the names stay two people."""
    records = [
        _record(
            "a.jsonl",
            "Paper",
            [
                AuthorRef("Ann Lee", "Ann Lee", 1, ids=("orcid:0000-0002-1825-0097",)),
                AuthorRef("Bo Chen", "Bo Chen", 2, ids=("orcid:0000-0002-1825-0097",)),
            ],
        )
    ]
    graph, _ = resolve(records)
    assert sorted(a.props["name"] for a in graph.nodes("Author")) == ["Ann Lee", "Bo Chen"]


def test_ror_joins_institution_spellings() -> None:
    records = [
        _record(
            "a.jsonl",
            "Paper one",
            [AuthorRef("Ann Lee", "Ann Lee", 1, ("Meta (Israel)",), affiliation_ids=("ror:01zbnvs85",))],
        ),
        _record(
            "b.jsonl",
            "Paper two",
            [AuthorRef("Bo Chen", "Bo Chen", 1, ("Meta Platforms Israel",), affiliation_ids=("ror:01zbnvs85",))],
        ),
    ]
    graph, resolution = resolve(records)
    (institution,) = graph.nodes("Institution")
    assert institution.props["ror"] == ("01zbnvs85",)
    assert any(d.reason == "the same identifier (ror:01zbnvs85)" for d in resolution.decisions)
