"""Paper identity across files: one Paper node per paper, with every source and summary."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kg
from tests.conftest import CORPUS_FILES

QUERIES = Path(__file__).resolve().parents[2] / "docs" / "queries"
LISTING = [
    # the blog's talk, listed again with authors and a second write-up: equal titles up to case and punctuation
    {
        "title": "Reformer: the efficient transformer.",
        "authors": ["Nikita Kitaev", "Łukasz Kaiser"],
        "year": 2020,
        "summary": "A second write-up: locality-sensitive hashing attention and reversible layers.",
    },
    # ShortScience's paper, in BibTeX author order
    {
        "title": "The lottery ticket hypothesis: finding sparse trainable neural networks",
        "year": 2019,
        "authors": ["Frankle, Jonathan", "Carbin, Michael"],
        "summary": "Winning tickets: sparse subnetworks that train.",
    },
    # a near match (one letter), confirmed by the year
    {"title": "Mogrifier LSTMs", "year": 2020, "authors": ["Gábor Melis"]},
    # the same title, eight years apart: another paper
    {"title": "Deep Semi-Supervised Anomaly Detection", "year": 2012, "authors": ["Ann Other"]},
    # the same title, no author in common: another paper
    {
        "title": "Ordered Neurons: Integrating Tree Structures into Recurrent Neural Networks",
        "authors": ["Alice Smith"],
    },
    # a near match with nothing to confirm it: a near-miss, not a merge
    {"title": "Understanding the Limitation of Conditional Generative Models"},
]


@pytest.fixture(scope="module")
def merged(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> kg.KnowledgeGraph:
    folder = tmp_path_factory.mktemp("papers")
    listing = folder / "listing.jsonl"
    listing.write_text("".join(json.dumps(r) + "\n" for r in LISTING), encoding="utf-8")
    inputs = [corpus / CORPUS_FILES["blog"], corpus / CORPUS_FILES["shortscience_papers"], listing]
    kg.build(inputs, store=folder / "store", extract=False)
    return kg.open_store(folder / "store")


def papers_titled(graph: kg.Graph, words: str) -> list[kg.Node]:
    return [n for n in graph.nodes("Paper") if words.lower() in (n.props.get("title") or "").lower()]


def test_one_paper_from_several_files_with_all_its_sources(merged: kg.KnowledgeGraph) -> None:
    graph = merged.graph()
    (reformer,) = papers_titled(graph, "reformer")
    sources = {
        graph.node(e.target).props["file"].rsplit("/", 1)[-1] for e in graph.out_edges(reformer.id, "derived_from")
    }
    assert sources == {CORPUS_FILES["blog"], "listing.jsonl"}
    assert len(list(graph.in_edges(reformer.id, "summarises"))) == 2
    assert reformer.props["title"] == "Reformer: The Efficient Transformer"
    (lottery,) = papers_titled(graph, "lottery ticket hypothesis: finding")
    authors = {e.target for e in graph.out_edges(lottery.id, "authored_by")}
    assert authors == {"author/jonathan-frankle", "author/michael-carbin"}
    (mogrifier,) = papers_titled(graph, "mogrifier")
    assert len(list(graph.out_edges(mogrifier.id, "derived_from"))) == 2


def test_same_title_is_not_enough_when_year_or_authors_disagree(merged: kg.KnowledgeGraph) -> None:
    graph = merged.graph()
    assert len(papers_titled(graph, "deep semi-supervised anomaly detection")) == 2
    assert len(papers_titled(graph, "ordered neurons")) == 2
    assert (
        len(papers_titled(graph, "limitation of conditional")) + len(papers_titled(graph, "limitations of conditional"))
        == 2
    )
    misses = {(d.reason, d.evidence[-1]) for d in merged.review("paper")}
    assert {
        ("same title", "kept apart: years 2020 and 2012"),
        ("same title", "kept apart: years 2012 and 2020"),
    } & misses
    assert ("same title", "kept apart: no author in common") in misses
    assert ("near-identical titles", "kept apart: nothing but the title to confirm it") in misses


def test_the_multiply_summarised_query_finds_merged_papers(merged: kg.KnowledgeGraph) -> None:
    for suffix, run in ((".cypher", merged.cypher), (".rq", merged.sparql)):
        rows = run((QUERIES / f"multiply_summarised{suffix}").read_text(encoding="utf-8")).rows
        assert sorted(r["label"] for r in rows) == [
            "Reformer: The Efficient Transformer",
            "The Lottery Ticket Hypothesis: Finding Sparse, Trainable Neural Networks",
        ]
    summary = merged.stats()["resolution"]["paper"]
    assert summary["before"] == 28 + 11 + len(LISTING) and summary["after"] == summary["before"] - 3
