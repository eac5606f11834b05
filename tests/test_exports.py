"""Exports read back by the tools that consume them, and the focus options on the real corpus."""

from __future__ import annotations

import csv
import re
from pathlib import Path

import networkx as nx
import pyoxigraph as ox
import pytest
import rdflib
from click.testing import CliRunner
from rdflib.compare import isomorphic

import kg
from kg.cli import main
from kg.errors import UsageError
from kg.export import export, exporters
from kg.query.focus import Focus, select
from tests.rdf_sets import file_triples, store_triples


def test_every_format_is_registered() -> None:
    assert {"jsonl", "turtle", "nt", "jsonld", "graphml", "gexf", "csv", "neo4j-csv"} <= set(exporters())


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_graph_formats_read_back_with_networkx(graph: kg.Graph, tmp_path: Path, fmt: str) -> None:
    output = tmp_path / f"graph.{fmt}"
    export(graph, fmt, output)
    back = nx.read_graphml(output, force_multigraph=True) if fmt == "graphml" else nx.read_gexf(output)
    assert back.number_of_nodes() == len(graph) and back.number_of_edges() == graph.nx.number_of_edges()
    for node in graph.nodes():
        attrs = back.nodes[node.id]
        assert attrs["type"] == node.type
        assert attrs["label"] == str(node.props.get("label") or node.id)
    relations = {(s, t, d["relation"]) for s, t, d in back.edges(data=True)}
    assert relations == {(e.source, e.target, e.relation) for e in graph.edges()}
    paper = next(graph.nodes("Paper"))
    assert back.nodes[paper.id].get("title") == paper.props.get("title")
    authored = next(graph.edges("authored_by"))
    attrs = next(
        d
        for s, t, d in back.edges(data=True)
        if (s, t, d["relation"]) == (authored.source, authored.target, "authored_by")
    )
    assert int(attrs["position"]) == authored.props["position"]  # integers stay integers


def test_graphml_attributes_are_scalars(graph: kg.Graph, tmp_path: Path) -> None:
    output = tmp_path / "graph.graphml"
    export(graph, "graphml", output)
    text = output.read_text(encoding="utf-8")
    types = set(re.findall(r'attr\.type="(\w+)"', text))
    assert types <= {"string", "long", "int", "double", "boolean"}
    # one key per attribute name and scope: Gephi and Cytoscape see one column each
    keys = re.findall(r'<key id="[^"]+" for="(\w+)" attr\.name="([^"]+)"', text)
    assert len(keys) == len(set(keys))


def test_csv_directory(graph: kg.Graph, tmp_path: Path) -> None:
    output = tmp_path / "csv"
    export(graph, "csv", output)
    with (output / "nodes.csv").open(encoding="utf-8", newline="") as handle:
        nodes = list(csv.DictReader(handle))
    with (output / "edges.csv").open(encoding="utf-8", newline="") as handle:
        edges = list(csv.DictReader(handle))
    assert len(nodes) == len(graph) and len(edges) == graph.nx.number_of_edges()
    assert list(nodes[0])[:3] == ["id", "type", "label"] and all(n["label"] for n in nodes)
    assert list(edges[0])[:3] == ["source", "relation", "target"]
    with pytest.raises(UsageError):
        export(graph, "csv", tmp_path / "csv" / "nodes.csv")


def test_rdf_exports_match_the_store(handle: kg.KnowledgeGraph, graph: kg.Graph, tmp_path: Path) -> None:
    store = store_triples(handle.rdf_store)
    assert not any(isinstance(term, ox.BlankNode) for triple in store for term in triple)  # so set equality
    output = tmp_path / "graph.nt"  # is isomorphism, and far faster (turtle and json-ld: below, and test_cli)
    export(graph, "nt", output)
    assert file_triples(output, "nt") == store


def test_whole_store_rdf_exports_stream_from_the_store(
    handle: kg.KnowledgeGraph, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import json

    from kg import export as export_module

    store = store_triples(handle.rdf_store)
    # small batches, so the JSON-LD document is stitched from many serialisations
    monkeypatch.setattr(export_module, "JSONLD_BATCH", 997)
    for fmt in ("turtle", "nt", "jsonld"):
        output = tmp_path / f"store.{fmt}"
        handle.export(fmt, str(output))  # Python callers pass plain strings as paths
        assert file_triples(output, fmt) == store, fmt
    document = json.loads((tmp_path / "store.jsonld").read_text(encoding="utf-8"))
    ids = [node["@id"] for node in document["@graph"]]
    assert len(ids) == len(set(ids))  # batches never split a subject into two node objects
    assert "tldr" in document["@context"] and any("tldr" in node for node in document["@graph"])
    with pytest.raises(UsageError, match="is a directory"):
        handle.export("nt", tmp_path)


def test_rdf_exports_of_a_subgraph_are_isomorphic(graph: kg.Graph, tmp_path: Path) -> None:
    from kg.store import rdf

    sub = select(graph, Focus(around=("Yoshua Bengio",), depth=2)).graph
    expected = rdflib.Graph().parse(data=ox.serialize(rdf.triples(sub), format=ox.RdfFormat.N_TRIPLES), format="nt")
    assert len(expected) > 500
    for fmt, parser in (("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")):
        output = tmp_path / f"sub.{fmt}"
        export(sub, fmt, output)
        assert isomorphic(rdflib.Graph().parse(output, format=parser), expected), fmt


def test_focus_around_author(graph: kg.Graph) -> None:
    selection = select(graph, Focus(around=("Yoshua Bengio",), depth=1))
    papers = {e.source for e in graph.in_edges("author/yoshua-bengio", "authored_by")}
    assert selection.seeds == ["author/yoshua-bengio"] and papers
    institutions = {e.target for e in graph.out_edges("author/yoshua-bengio", "affiliated_with")}
    coauthors = {e.target for e in graph.out_edges("author/yoshua-bengio", "coauthor_with")}
    coauthors |= {e.source for e in graph.in_edges("author/yoshua-bengio", "coauthor_with")}
    assert coauthors and set(selection.graph.nx.nodes) == papers | institutions | coauthors | {"author/yoshua-bengio"}
    deeper = select(graph, Focus(around=("yoshua bengio",), depth=2))
    coauthors = {e.target for p in papers for e in graph.out_edges(p, "authored_by")}
    assert coauthors <= set(deeper.graph.nx.nodes)


def test_focus_topic_types_and_cap(graph: kg.Graph) -> None:
    topic = select(graph, Focus(topic="generative adversarial networks", types=("author", "paper")))
    kinds = {graph.node(n).type for n in topic.graph.nx.nodes}
    assert kinds == {"Author", "Paper"}
    for paper in (n for n in topic.graph.nx.nodes if graph.node(n).type == "Paper"):
        assert {e.target for e in graph.out_edges(paper, "authored_by")} <= set(topic.graph.nx.nodes)
    capped = select(graph, Focus(max_nodes=50))
    assert len(capped.graph) == 50 and capped.total == len(graph)
    assert capped.note and "--max-nodes" in capped.note and "left out" in capped.note
    with pytest.raises(UsageError, match="unknown node type"):
        select(graph, Focus(types=("gizmo",)))
    with pytest.raises(UsageError, match="nothing in the graph"):
        select(graph, Focus(around=("Qqzx Vvwy",)))


def test_cli_export_and_viz_focus(built_store: Path, tmp_path: Path) -> None:
    runner = CliRunner()
    store = ["--store", str(built_store)]
    output = tmp_path / "bengio.nt"
    result = runner.invoke(main, ["export", "--format", "nt", "-o", str(output), "--around", "Yoshua Bengio", *store])
    assert result.exit_code == 0, result.output
    subjects = {t.subject.value for t in ox.parse(path=str(output), format=ox.RdfFormat.N_TRIPLES)}
    assert "https://w3id.org/kg/id/author/yoshua-bengio" in subjects
    assert not any("/mention/" in s for s in subjects)  # only the subgraph's triples
    page = tmp_path / "view.html"
    result = runner.invoke(main, ["viz", "-o", str(page), "--types", "paper,author", "--max-nodes", "100", *store])
    assert result.exit_code == 0, result.output
    counts = kg.open_store(built_store).graph().counts()["nodes"]
    total = counts["Paper"] + counts["Author"]
    assert f"showing 100 of {total} nodes" in result.stderr and f"--max-nodes {total}" in result.stderr
    assert page.read_text(encoding="utf-8").count('"kind":"Paper"') > 0
    result = runner.invoke(main, ["viz", "-o", str(page), "--around", "Qqzx Vvwy", *store])
    assert result.exit_code == 2 and result.stderr.startswith("kg: error: --around: nothing in the graph")
