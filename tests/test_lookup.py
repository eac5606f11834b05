"""Lookups: query resolution, ranking on a crafted corpus, the JSON contract, hierarchy
expansion, hostile input, and the CLI on the default corpus."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.query.index import open_index
from kg.query.match import AmbiguousMatchError, NoMatchError, match_nodes

PAPERS = [
    # Ada: GNNs in two titles (recent) → first. Bea: one title. Cy: a passing mention in a summary.
    {
        "title": "Graph Neural Networks for Molecules",
        "year": 2021,
        "abstract": "We train a GNN on molecules.",
        "authors": [{"name": "Ada Lovelace", "institutions": [{"name": "MIT"}]}],
    },
    {
        "title": "Graph Attention Networks Revisited",
        "year": 2021,
        "abstract": "Attention over graph nodes.",
        "authors": [{"name": "Ada Lovelace", "institutions": [{"name": "MIT"}]}, "Dan Brown"],
    },
    {
        "title": "Message passing with graph neural networks",
        "year": 2018,
        "abstract": "An older study.",
        "authors": [{"name": "Bea Smith", "institutions": [{"name": "University of Cambridge"}]}],
    },
    {
        "title": "Image classification with residual networks",
        "year": 2021,
        "abstract": "We classify CIFAR-10 images with a ResNet.",
        "summary": ["A long summary about images that mentions, in passing, a graph neural network once."],
        "authors": ["Cy Young"],
    },
    {
        "title": "Lottery tickets in sparse training",
        "year": 2020,
        "abstract": "Winning tickets exist.",
        "authors": ["Cy Young"],
    },
]


@pytest.fixture(scope="module")
def crafted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    directory = tmp_path_factory.mktemp("crafted")
    source = directory / "papers.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in PAPERS), encoding="utf-8")
    store = directory / ".kg"
    kg.build([source], store=store)
    return store


def test_resolution_stages(crafted: Path) -> None:
    index = open_index(crafted)
    vocab = index.concept_vocabulary
    assert vocab.match("Graph Neural Network")[0].kind == "exact"
    for text, kind in [("GNNs", "alias"), ("graph neural nets", "alias"), ("grpah neural netwrk", "fuzzy")]:
        found = vocab.match(text, ("Method",))
        assert found and found[0].id == "concept/graph-neural-network", text
        assert found[0].kind == kind, (text, found[0])
    assert vocab.match("Convolutional Neural Networks")[0].id == "concept/convolutional-neural-network"
    people = index.people_vocabulary
    assert people.match("lovelace", ("Author",))[0].id == "author/ada-lovelace"


def test_ranking_order_and_json_contract(crafted: Path) -> None:
    handle = kg.open_store(crafted)
    result = handle.who_works_on("GNNs")
    names = [r.author.name for r in result.results]
    assert names[:2] == ["Ada Lovelace", "Dan Brown"] or names[0] == "Ada Lovelace"
    assert names.index("Bea Smith") < names.index("Cy Young")  # a title beats a passing mention
    assert result.results[0].author.institutions == ("MIT",)
    data = result.as_json()
    assert list(data[0]) == ["author", "score", "papers"]
    assert set(data[0]["author"]) == {"id", "name", "institutions"}
    assert set(data[0]["papers"][0]) == {"id", "label", "year", "evidence"}
    assert [d["score"] for d in data] == sorted((d["score"] for d in data), reverse=True)
    # hierarchy: the Graph Attention Network paper counts for GNNs through skos:broader
    labels = {p["label"] for p in data[0]["papers"]}
    assert "Graph Attention Networks Revisited" in labels
    assert "graph" in data[0]["papers"][0]["evidence"].lower()


def test_filters_text_only_and_other_lookups(crafted: Path) -> None:
    handle = kg.open_store(crafted)
    assert handle.who_works_on("GNNs", since=2020).results[0].author.name == "Ada Lovelace"
    assert "Bea Smith" not in [r.author.name for r in handle.who_works_on("GNNs", since=2020).results]
    only_cam = handle.who_works_on("GNNs", institution="Cambridge").results
    assert [r.author.name for r in only_cam] == ["Bea Smith"]
    lottery = handle.who_works_on("lottery tickets")
    assert lottery.results[0].author.name == "Cy Young"
    assert handle.institutions_on("GNNs").results[0].institution.name == "MIT"
    prof = handle.profile("Ada Lovelace")
    assert prof.kind == "Author" and [c.label for c in prof.coauthors] == ["Dan Brown"]
    assert "Graph Attention Network" in {c.label for c in prof.concepts}
    rel = handle.related("CIFAR-10")
    assert any(c.type == "Method" for c in rel.concepts)


def test_unknown_topic_suggests(crafted: Path) -> None:
    handle = kg.open_store(crafted)
    with pytest.raises(NoMatchError) as caught:
        handle.who_works_on("grph nueral netwrks zzq")
    assert "did you mean" in str(caught.value)
    assert caught.value.exit_code == 2


@pytest.mark.parametrize(
    "hostile", ["'; DROP TABLE papers; --", '" } UNION { ?s ?p ?o', "$x", "MATCH (n) DETACH DELETE n", "%", "_", ")(*&"]
)
def test_hostile_input_is_data(crafted: Path, hostile: str) -> None:
    handle = kg.open_store(crafted)
    for call in (handle.who_works_on, handle.institutions_on, handle.related, handle.profile):
        with contextlib.suppress(NoMatchError, AmbiguousMatchError):
            call(hostile)
    assert len(open_index(crafted).papers) == len(PAPERS)


def test_match_nodes_on_a_plain_graph(handle: kg.KnowledgeGraph) -> None:
    graph = handle.graph()
    assert match_nodes(graph, "GNNs", types=("Method",))[0].id == "concept/graph-neural-network"
    assert match_nodes(graph, "frankle", types=("Author",))[0].id == "author/jonathan-frankle"


def test_cli_on_default_corpus(built_store: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(
        main, ["who-works-on", "lottery tickets", "--json", "--limit", "3", "--store", str(built_store)]
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data[0]["author"]["name"] in {"Jonathan Frankle", "Michael Carbin"}
    assert len(data) == 3
    table = runner.invoke(main, ["who-works-on", "GNNs", "--store", str(built_store)])
    assert table.exit_code == 0 and "Who works on GNNs" in table.stdout
    unknown = runner.invoke(main, ["who-works-on", "xyzzy qwerty", "--store", str(built_store)])
    assert unknown.exit_code == 2 and "did you mean" in unknown.stderr
    ambiguous = runner.invoke(main, ["profile", "Bengio", "--store", str(built_store)])
    assert ambiguous.exit_code == 2 and "Yoshua Bengio" in ambiguous.stderr
    for command in (["institutions-on", "pruning"], ["profile", "Jonathan Frankle"], ["related", "CIFAR-10"]):
        assert runner.invoke(main, [*command, "--store", str(built_store)]).exit_code == 0, command
