"""The analyses (kg top/trends/communities, the report's numbers) against independent SPARQL
counts over the real default-corpus store, and the build's communities in every store."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.graph import Graph
from kg.ontology import load
from kg.query.analyses import Analyses, NoPapersError
from kg.query.match import NoMatchError
from kg.query.network import Network, pagerank
from kg.query.tables import Tables
from kg.resolve import communities


def node_id(iri: str) -> str | None:
    return load().node_id(iri)


PAPERS_PER_CONCEPT = """
SELECT ?c (COUNT(DISTINCT ?p) AS ?n) WHERE {{
  ?p a kg:Paper ; {predicate} ?c . ?c a {type} . {extra}
}} GROUP BY ?c
"""


def _sparql_counts(handle: kg.KnowledgeGraph, predicate: str, type_: str, extra: str = "") -> dict[str, int]:
    rows = handle.sparql(PAPERS_PER_CONCEPT.format(predicate=predicate, type=type_, extra=extra)).rows
    return {node_id(row["c"]): row["n"] for row in rows}


@pytest.mark.parametrize(
    ("kind", "predicate", "type_"),
    [
        ("method", "kg:usesMethod", "kg:Method"),
        ("dataset", "kg:usesDataset", "kg:Dataset"),
        ("task", "kg:addressesTask", "kg:Task"),
        ("topic", "kg:hasTopic", "kg:Topic"),
    ],
)
def test_top_concepts_are_the_sparql_counts(handle: kg.KnowledgeGraph, kind: str, predicate: str, type_: str) -> None:
    expected = _sparql_counts(handle, predicate, type_)
    ranked = handle.analyses().ranked(kind)
    assert {r.id: r.papers for r in ranked} == expected
    top = handle.analyses().top(kind, 10)
    assert [r.papers for r in top] == sorted(expected.values(), reverse=True)[:10]


def test_papers_per_year_of_the_top_methods_and_since(handle: kg.KnowledgeGraph) -> None:
    rows = handle.sparql(
        "SELECT ?c ?y (COUNT(DISTINCT ?p) AS ?n) WHERE { ?p kg:usesMethod ?c ; kg:year ?y } GROUP BY ?c ?y"
    ).rows
    per_year: dict[str, dict[int, int]] = {}
    for row in rows:
        per_year.setdefault(node_id(row["c"]), {})[row["y"]] = row["n"]
    for ranked in handle.analyses().top("method", 10):
        assert ranked.per_year == dict(sorted(per_year[ranked.id].items()))
    since = _sparql_counts(handle, "kg:usesMethod", "kg:Method", "?p kg:year ?y FILTER(?y >= 2021)")
    assert {r.id: r.papers for r in handle.analyses(since=2021).ranked("method")} == since


def test_overview_matches_sparql(handle: kg.KnowledgeGraph) -> None:
    overview = handle.analyses().overview()
    papers = handle.sparql("SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper }").rows[0]["n"]
    authors = handle.sparql("SELECT (COUNT(DISTINCT ?a) AS ?n) WHERE { ?p kg:authoredBy ?a }").rows[0]["n"]
    assert (overview.papers, overview.authors) == (papers, authors) == (504, authors)
    venue_years = handle.sparql(
        "SELECT ?v ?y (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper . "
        "OPTIONAL { ?p kg:publishedIn/foaf:name ?v } OPTIONAL { ?p kg:year ?y } } GROUP BY ?v ?y"
    ).rows
    expected = {(row.get("v") or "unknown", row.get("y")): row["n"] for row in venue_years}
    assert {(v, y): n for v, by_year in overview.venues.items() for y, n in by_year.items()} == expected
    per_file = handle.sparql(
        "SELECT ?f (COUNT(DISTINCT ?p) AS ?n) "
        "WHERE { ?p a kg:Paper ; prov:wasDerivedFrom/kg:sourceFile ?f } GROUP BY ?f"
    ).rows
    assert {f: n for f, (_, n) in overview.sources.items()} == {row["f"]: row["n"] for row in per_file}


def test_institutions_count_the_papers_an_affiliation_was_stated_on(handle: kg.KnowledgeGraph) -> None:
    rows = handle.sparql(
        "SELECT ?i (COUNT(DISTINCT ?p) AS ?n) WHERE { ?s rdf:predicate kg:affiliatedWith ; rdf:object ?i ; "
        "kg:onPaper ?p } GROUP BY ?i"
    ).rows
    expected = {node_id(row["i"]): row["n"] for row in rows}
    assert {r.id: r.papers for r in handle.analyses().ranked("institution")} == expected
    for subject, ranked in handle.analyses().institutions_by_topic():
        assert ranked and all(r.papers <= subject.papers for r in ranked)


def test_trends_rank_by_share_change_with_real_counts(handle: kg.KnowledgeGraph) -> None:
    analyses = handle.analyses()
    trends = analyses.trends(limit=5)
    assert (trends.previous, trends.latest) == (2020, 2021)
    years = analyses.papers_per_year
    for kind, items in trends.rising.items():
        assert items, kind
        shares = [r.share_change for r in items]
        assert shares == sorted(shares, reverse=True) and shares[-1] > 0
        for r in items:
            now, before = r.per_year.get(2021, 0), r.per_year.get(2020, 0)
            assert r.change == now - before
            assert r.share_change == round(100 * (now / years[2021] - before / years[2020]), 2)
    assert all(r.share_change < 0 for items in trends.falling.values() for r in items)
    assert handle.analyses(since=2021).trends().latest is None  # one year: nothing to compare
    sparse = handle.analyses(topic="reinforcement learning")  # 2019: 1 paper, 2020: none, 2021: 62
    assert sparse.papers_per_year[2019] < 5 and sparse.trends().latest is None


def test_topic_scope_keeps_the_papers_of_the_matched_concepts(handle: kg.KnowledgeGraph) -> None:
    analyses = handle.analyses(topic="GNNs")
    assert "Graph Neural Network" in analyses.scope.matched
    gnn = {
        row["p"]
        for row in handle.sparql("SELECT ?p WHERE { ?p kg:usesMethod ?c . ?c rdfs:label 'Graph Neural Network' }").rows
    }
    assert {node_id(p) for p in gnn} <= analyses.paper_ids
    assert analyses.top("method", 1)[0].name == "Graph Neural Network"
    with pytest.raises(NoMatchError):
        handle.analyses(topic="zzqqxx nothing like it")
    with pytest.raises(NoPapersError):
        handle.analyses(since=2100).require_papers()


def test_sparql_and_cypher_give_every_author_the_same_community(handle: kg.KnowledgeGraph) -> None:
    rdf = {node_id(r["a"]): r["c"] for r in handle.sparql("SELECT ?a ?c WHERE { ?a kg:community ?c }").rows}
    cypher = {r["id"]: r["c"] for r in handle.cypher("MATCH (a:Author) RETURN a.id AS id, a.community AS c").rows}
    authors = handle.sparql("SELECT (COUNT(?a) AS ?n) WHERE { ?a a kg:Author }").rows[0]["n"]
    assert rdf == cypher and len(rdf) == authors
    meta = handle.meta["communities"]
    assert meta["communities"] == len(set(rdf.values())) and max(rdf.values()) == meta["communities"]
    sizes = Counter(rdf.values())
    assert [sizes[n] for n in sorted(sizes)] == sorted(sizes.values(), reverse=True)  # 1 is the largest
    assert 0.5 < meta["modularity"] <= 1


def test_coauthors_share_a_community_more_often_than_not(handle: kg.KnowledgeGraph) -> None:
    rows = handle.cypher(
        "MATCH (a:Author)-[:COAUTHOR_WITH]->(b:Author) RETURN a.community = b.community AS same, count(*) AS n"
    ).rows
    counts = {row["same"]: row["n"] for row in rows}
    assert counts[True] > 5 * counts.get(False, 0)


@pytest.mark.slow
def test_a_second_build_gives_the_same_communities(handle: kg.KnowledgeGraph, tmp_path: Path) -> None:
    kg.build(None, store=tmp_path / ".kg", model=False)  # communities come from co-authorship alone
    again = kg.open_store(tmp_path / ".kg")
    query = "MATCH (a:Author) RETURN a.id AS id, a.community AS c ORDER BY id"
    assert again.cypher(query).rows == handle.cypher(query).rows
    assert again.meta["communities"] == handle.meta["communities"]


def test_a_planted_community_structure_is_recovered() -> None:
    planted = nx.planted_partition_graph(6, 12, 0.7, 0.01, seed=3)
    graph = Graph()
    for node in planted.nodes:
        graph.add_node(f"author/a{node:03d}", "Author", name=f"A {node}", label=f"A {node}")
    for a, b in planted.edges:
        graph.add_edge(f"author/a{min(a, b):03d}", "coauthor_with", f"author/a{max(a, b):03d}", weight=1)
    summary = communities.assign(graph)
    found: dict[int, set[int]] = {}
    for node in graph.nodes("Author"):
        found.setdefault(node.props["community"], set()).add(int(node.id[-3:]))
    assert sorted(map(sorted, found.values())) == [list(range(g * 12, g * 12 + 12)) for g in range(6)]
    assert summary.communities == 6 and summary.modularity > 0.6


def test_pagerank_agrees_with_networkx() -> None:
    from networkx.algorithms.link_analysis.pagerank_alg import _pagerank_python

    g = nx.les_miserables_graph()
    names = sorted(g.nodes)
    index = {n: i for i, n in enumerate(names)}
    edges = [(index[a], index[b], float(d["weight"])) for a, b, d in g.edges(data=True)]
    ours = pagerank(len(names), edges)
    theirs = _pagerank_python(g, weight="weight", tol=1e-12)
    assert max(abs(ours[index[n]] - theirs[n]) for n in names) < 1e-6


def test_central_authors_and_communities_in_scope(handle: kg.KnowledgeGraph) -> None:
    network = Network(handle.analyses())
    central = network.central_authors(5)
    assert central[0].score >= central[-1].score and central[0].counts["coauthors"] > 10
    shown = network.communities(limit=3)
    assert [c.size for c in shown.shown] == sorted((c.size for c in shown.shown), reverse=True)
    first = shown.shown[0]
    members = handle.cypher("MATCH (a:Author) WHERE a.community = $c RETURN count(*) AS n", {"c": first.number})
    assert members.rows[0]["n"] == first.size and len(first.concepts) == 3
    papers = network.central_papers(3)
    assert papers[0].counts["authors"] > 0


def test_an_empty_table_set_gives_empty_analyses_not_errors() -> None:
    empty = Analyses(Tables((), (), {}, (), {}, (), {}, ()))
    assert empty.overview().papers == 0 and empty.top("method") == [] and empty.trends().latest is None
    assert Network(empty).communities().shown == () and Network(empty).central_papers() == []
    with pytest.raises(NoPapersError):
        empty.require_papers()


def test_cli_top_trends_communities(built_store: Path, handle: kg.KnowledgeGraph) -> None:
    runner = CliRunner()
    store = ["--store", str(built_store)]
    result = runner.invoke(main, ["top", "dataset", "--limit", "3", "--format", "json", *store])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == [r.as_json() for r in handle.analyses().top("dataset", 3)]
    result = runner.invoke(main, ["trends", "--kind", "task", "--format", "csv", *store])
    assert result.exit_code == 0
    assert result.output.splitlines()[0] == "direction,kind,name,id,papers_2020,papers_2021,change,share_change_pp"
    result = runner.invoke(main, ["communities", "--limit", "2", "--format", "json", *store])
    payload = json.loads(result.output)
    assert payload["shown"][0]["community"] == 1 and len(payload["shown"]) == 2
    nothing = runner.invoke(main, ["top", "method", "--topic", "zzqqxx nothing like it", *store])
    assert nothing.exit_code == 2 and "no concept or topic matches" in nothing.output
    future = runner.invoke(main, ["top", "method", "--since", "2100", *store])
    assert future.exit_code == 2 and "no papers in scope: from 2100 on" in future.output
