"""The in-memory graph and its N-Triples writer: the structures every store is written from."""

from __future__ import annotations

import random
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg import pipeline
from kg.graph import Graph
from kg.resolve import papers
from kg.store import layout, rdf

HOSTILE = 'a "quoted" back\\slash, a\nnew line, a\rreturn, a\ttab, ünïcode, 🙂 and <angle> brackets'


def _graph() -> Graph:
    graph = Graph()
    graph.add_node("paper/p1", "Paper", title=HOSTILE, year=2021, keywords=("b", "a"))
    graph.add_node("paper/p2", "Paper", title="Second", year=2020)
    graph.add_node("author/ada", "Author", name="Ada Lovelace", aliases=("A. Lovelace",))
    graph.add_node("author/bob", "Author", name="Bob")
    graph.add_node("concept/method/x", "Method", label="X", confidence=0.75, discovered=True)
    graph.add_edge("paper/p1", "authored_by", "author/ada", position=1)
    graph.add_edge("paper/p1", "authored_by", "author/bob", sources=("paper/p2",), position=2)
    graph.add_edge("paper/p2", "authored_by", "author/ada", position=1)
    graph.add_edge("paper/p1", "uses_method", "concept/method/x")
    graph.add_edge("author/ada", "coauthor_with", "author/bob", weight=1)
    return graph


def _stored(directory: Path) -> set[tuple[object, object, object]]:
    store = ox.Store.read_only(str(directory))
    return {(q.subject, q.predicate, q.object) for q in store}


def _written(graph: Graph) -> set[tuple[object, object, object]]:
    return {(t.subject, t.predicate, t.object) for t in rdf.triples(graph)}


def test_the_store_holds_exactly_the_graphs_triples(tmp_path: Path) -> None:
    graph = _graph()
    count = rdf.write(graph, tmp_path / "rdf")
    stored = _stored(tmp_path / "rdf")
    assert stored == _written(graph)
    assert count == len(stored)
    titles = {o.value for _, p, o in stored if p.value.endswith("title")}
    assert HOSTILE in titles  # quotes, backslashes, line breaks and emoji survive the text format
    typed = {o for _, _, o in stored if isinstance(o, ox.Literal) and o.datatype.value.endswith(("integer", "double"))}
    assert ox.Literal("0.75", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#double")) in typed


@pytest.mark.parametrize("batch", [1, 3, 7])
def test_loads_of_any_size_store_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, batch: int) -> None:
    graph = _graph()
    expected = _written(graph)
    monkeypatch.setattr(rdf, "LOAD_BATCH", batch)  # one triple a load, a divisor of the count, neither
    assert rdf.write(graph, tmp_path / "rdf") == len(expected)
    assert _stored(tmp_path / "rdf") == expected


def test_an_iri_with_unsafe_characters_is_refused(tmp_path: Path) -> None:
    graph = Graph()
    graph.add_node("paper/a b", "Paper", title="t")
    with pytest.raises(ValueError, match="characters an IRI may not"):
        rdf.write(graph, tmp_path / "rdf")


def test_edges_merge_and_come_out_in_order() -> None:
    graph = _graph()
    graph.add_edge("paper/p1", "authored_by", "author/ada", sources=("paper/p9",), position=5)
    edge = graph.edge("paper/p1", "authored_by", "author/ada")
    assert edge.props == {"position": 1} and edge.sources == ("paper/p9",)  # functional: first value kept
    keys = list(graph.edge_keys())
    assert keys == sorted(keys) and len(keys) == 5
    assert [e.target for e in graph.out_edges("paper/p1")] == ["author/ada", "author/bob", "concept/method/x"]
    assert [e.source for e in graph.in_edges("author/ada", "authored_by")] == ["paper/p1", "paper/p2"]
    assert graph.degree("author/ada") == 3
    assert graph.neighbours("author/ada") == {"paper/p1", "paper/p2", "author/bob"}
    assert graph.counts()["edges"]["authored_by"] == 3


def test_multi_valued_properties_stay_sorted_and_distinct() -> None:
    graph = _graph()
    before = graph.node("author/ada").props["aliases"]
    graph.add_node("author/ada", "Author", aliases=("A. Lovelace",))
    assert graph.node("author/ada").props["aliases"] is before  # nothing new: left as it was
    graph.add_node("author/ada", "Author", aliases=["Augusta Ada King", "A. Lovelace"])
    assert graph.node("author/ada").props["aliases"] == ("A. Lovelace", "Augusta Ada King")
    assert graph.node("paper/p1").props["keywords"] == ("a", "b")


def test_subgraph_and_networkx_copy_agree_with_the_graph() -> None:
    graph = _graph()
    sub = graph.subgraph(["paper/p1", "author/ada", "nowhere"])
    assert [n.id for n in sub.nodes()] == ["author/ada", "paper/p1"]
    assert [(e.source, e.relation, e.target) for e in sub.edges()] == [("paper/p1", "authored_by", "author/ada")]
    sub.add_node("author/ada", "Author", aliases=("Ada",))
    assert "Ada" not in graph.node("author/ada").props["aliases"]  # a copy, not a view
    nx_graph = graph.nx
    assert nx_graph.number_of_nodes() == len(graph) and nx_graph.number_of_edges() == 5
    assert nx_graph.edges["paper/p1", "author/bob", "authored_by"]["sources"] == ("paper/p2",)
    graph.add_node("paper/p3", "Paper", title="Third")
    assert "paper/p3" in graph.nx  # the copy follows changes


def test_near_title_pairs_are_every_pair_over_the_threshold_once() -> None:
    draw = random.Random(7)
    words = ["deep", "graph", "neural", "network", "attention", "sparse", "robust", "learning", "model", "transformer"]
    titles = sorted({" ".join(draw.sample(words, 4)) + draw.choice(["", "s", " model"]) for _ in range(300)})
    postings: dict[str, list[int]] = {}
    for position, title in enumerate(titles):
        for word in sorted(set(title.split()))[:3]:
            postings.setdefault(word, []).append(position)
    expected: list[tuple[int, int]] = []
    for positions in postings.values():  # the scalar loop the cdist version replaced
        for i, a in enumerate(positions):
            for b in positions[i + 1 :]:
                near = papers.fuzz.token_sort_ratio(titles[a], titles[b]) >= papers._NEAR
                if near and (a, b) not in expected:
                    expected.append((a, b))
    assert expected  # the sample has near pairs
    assert list(papers._similar_pairs(titles, postings)) == expected


def test_cypher_load_after_the_others_writes_the_same_stores(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, built_store: Path
) -> None:
    monkeypatch.setattr(pipeline, "CONCURRENT_WRITES_UP_TO", 0)  # as a graph past the threshold is written
    store = tmp_path / "store"
    kg.build(None, store=store)
    dump = {
        s: rdf.open_read_only(layout.current_generation(s).rdf_dir).dump(
            format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()
        )
        for s in (store, built_store)
    }
    assert set(dump[store].splitlines()) == set(dump[built_store].splitlines())
    query = "MATCH (n) RETURN count(*) AS n"
    assert kg.open_store(store).cypher(query).rows == kg.open_store(built_store).cypher(query).rows
