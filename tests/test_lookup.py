"""Lookups: query resolution, ranking on a crafted corpus, the JSON contract, hierarchy
expansion, hostile input, and the CLI on the default corpus."""

from __future__ import annotations

import contextlib
import json
import shutil
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.errors import QueryError, StoreError
from kg.query.index import LookupIndex, field_kind, open_index, tokens
from kg.query.lookup import (
    DIMINISHING,
    MIDDLE_AUTHOR,
    PAPERS_PER_RESULT,
    SHARPNESS,
    NothingLeftError,
    _recency,
    _relevance,
    expand,
    institutions_on,
    paper_relevance,
    papers_on,
    resolve_topic,
    who_works_on,
)
from kg.query.match import NoMatchError, match_nodes
from kg.query.profile import profile
from kg.query.related import related

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
    "hostile",
    [
        "'; DROP TABLE papers; --",
        '" } UNION { ?s ?p ?o',
        "$x",
        "MATCH (n) DETACH DELETE n",
        "%",
        "_",
        ")(*&",
        ".*",
        "(?i)gnn[s]?|^$",
        "\\d+\\",
        "graph OR 1=1 --",
    ],
)
def test_hostile_input_is_data(crafted: Path, hostile: str) -> None:
    handle = kg.open_store(crafted)
    for call in (handle.who_works_on, handle.institutions_on, handle.related, handle.profile):
        with contextlib.suppress(QueryError):  # no match, several, or matched but no paper: typed, exit 2
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


# ---------------------------------------------------------------------- the precomputed index

TOPICS = [
    "GNNs",
    "lottery tickets",
    "pruning",
    "contrastive learning",
    "reinforcement learning",
    "CIFAR-10",
    "Transformer",
    "attention",
    "Method",
    "meta-learning",
    "graph neural nets",
    "images",
]


def _expanded(index: LookupIndex, text: str) -> Any:
    """X resolved and expanded by co-occurrence, as the lookups do."""
    resolution = resolve_topic(index, text)
    relevance, order = _relevance(index, resolution)
    return expand(index, resolution, relevance, order)


def _diminished(evidence: list[float]) -> float:
    total = 0.0
    for rank, value in enumerate(sorted(evidence, reverse=True)):
        total += value * DIMINISHING**rank
    return total


def _reference_who(index: LookupIndex, text: str, since: int | None = None) -> list[tuple[Any, ...]]:
    """Who works on X computed row by row from the index tables: each author's evidence (r(p)^s ×
    recency × byline weight) strongest first with diminishing weights; ties by the strongest
    evidence, the paper count, then who was found first. (author id, score, paper count, shown
    paper ids) best first."""
    relevant = paper_relevance(index, _expanded(index, text))
    per_author: dict[int, list[tuple[float, float, int]]] = {}
    found: dict[int, int] = {}
    for paper, (relevance, _) in relevant.items():
        year = index.papers[paper][2]
        if since is None or (year is not None and year >= since):
            weighted = relevance**SHARPNESS * _recency(year, index.newest_year)
            byline = index.authors_of.get(paper, ())
            for place, author in enumerate(byline):
                edge = place in (0, len(byline) - 1)
                per_author.setdefault(author, []).append((weighted * (1.0 if edge else MIDDLE_AUTHOR), weighted, paper))
                found.setdefault(author, len(found))
    ranked = [
        (round(_diminished([e for e, _, _ in p]), 4), round(max(e for e, _, _ in p), 4), len(p), found[a], a, p)
        for a, p in per_author.items()
    ]
    ranked.sort(key=lambda r: (-r[0], -r[1], -r[2], r[3]))
    rows = []
    for score, _, count, _, author, papers in ranked[:10]:
        shown = sorted(((w, p) for _, w, p in papers), key=lambda x: (-x[0], index.papers[x[1]][0]))
        rows.append(
            (index.authors[author][0], score, count, [index.papers[p][0] for _, p in shown][:PAPERS_PER_RESULT])
        )
    return rows


def _reference_institutions(index: LookupIndex, text: str) -> list[tuple[Any, ...]]:
    relevant = paper_relevance(index, _expanded(index, text))
    per_institution: dict[str, dict[int, float]] = {}
    members: dict[str, set[str]] = {}
    found: dict[str, int] = {}
    for paper, (relevance, _) in relevant.items():
        weighted = relevance**SHARPNESS * _recency(index.papers[paper][2], index.newest_year)
        for author in index.authors_of.get(paper, ()):
            for institution, on_paper in index.affiliations.get(author, ()):
                if on_paper == paper:
                    per_institution.setdefault(institution, {})[paper] = weighted
                    members.setdefault(institution, set()).add(index.authors[author][1])
                    found.setdefault(institution, len(found))
    ranked = sorted(
        (
            (round(_diminished(list(p.values())), 4), round(max(p.values()), 4), len(p), found[i], i)
            for i, p in per_institution.items()
        ),
        key=lambda r: (-r[0], -r[1], -r[2], r[3]),
    )
    return [(i, score, count, tuple(sorted(members[i]))) for score, _, count, _, i in ranked[:10]]


def test_ranking_from_arrays_is_the_row_by_row_ranking(built_store: Path) -> None:
    """Scores are sums of floats: adding the same ones in the same order gives the same result,
    so the arrays' answers equal the straightforward loop's, ties included."""
    index = open_index(built_store)
    for text in TOPICS:
        resolution = resolve_topic(index, text)
        relevance, order = _relevance(index, resolution)
        reference = paper_relevance(index, resolution)
        assert order.tolist() == list(reference), text  # the papers, in the order they are found
        assert relevance[order].tolist() == [r for r, _ in reference.values()], text
        assert int(np.count_nonzero(relevance)) == len(reference)
        for since in (None, 2021):
            try:
                found = who_works_on(index, text, since=since).results
            except NothingLeftError:  # no paper on X from 2021 on: the reference has no one either
                found = ()
            expected = _reference_who(index, text, since)
            assert [(r.author.id, r.score, r.paper_count, [p.id for p in r.papers]) for r in found] == expected
        try:
            found_i = institutions_on(index, text).results
        except NothingLeftError:  # no paper on X names an affiliation
            found_i = ()
        expected_i = _reference_institutions(index, text)
        assert [(r.institution.id, r.score, r.paper_count, r.authors) for r in found_i] == expected_i


def test_evidence_is_found_for_the_shown_papers_alone(built_store: Path) -> None:
    index = open_index(built_store)
    resolution = resolve_topic(index, "GNNs")
    everything = paper_relevance(index, resolution)
    some = list(everything)[::3]
    assert paper_relevance(index, resolution, some) == {p: everything[p] for p in some}


def test_index_arrays_hold_the_tables_rows(built_store: Path) -> None:
    index = open_index(built_store)
    byline = index.rows("SELECT paper, author FROM authorship ORDER BY paper, position")
    held = zip(index.array("authorship_paper").tolist(), index.array("authorship_author").tolist(), strict=True)
    assert list(held) == byline
    edges = index.rows("SELECT paper, concept, field FROM concept_edges ORDER BY rowid")
    kinds = index.codes("kind")
    papers_of: dict[str, dict[tuple[int, str], None]] = {}
    for paper, concept, field in edges:
        papers_of.setdefault(concept, {})[(paper, field_kind(field or "abstract"))] = None
    stored = index.concept_papers(papers_of)
    assert set(stored) == set(papers_of)
    for concept, (papers, codes) in stored.items():
        assert list(zip(papers.tolist(), [kinds[c] for c in codes.tolist()], strict=True)) == list(papers_of[concept])
    concepts = index.codes("concept")
    pairs = list(dict.fromkeys((p, c) for p, c, _ in edges))
    held = zip(index.array("paper_concept_paper").tolist(), index.array("paper_concept_concept").tolist(), strict=True)
    assert [(p, concepts[c]) for p, c in held] == pairs  # each paper's concepts once, as stored
    slot_paper = index.array("slot_paper")
    for slot, paper, text in index.rows("SELECT slot, paper, text FROM fields ORDER BY slot")[:40]:
        assert slot_paper[slot] == paper
        for term, tf in Counter(tokens(text)).items():
            slots, tfs = index.postings(term)
            assert tfs[np.searchsorted(slots, slot)] == tf
    institutions = index.codes("institution")
    members = {
        (p, institutions[i], a)
        for p, i, a in zip(
            *(index.array(n).tolist() for n in ("member_paper", "member_institution", "member_author")), strict=True
        )
    }
    assert members == {
        (p, i, a)
        for a, i, p in index.rows("SELECT author, institution, paper FROM affiliations")
        if p is not None and a in index.authors_of.get(p, ())
    }


def test_an_index_of_another_version_asks_for_a_build(built_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "gen"
    copy.mkdir()
    shutil.copy(open_index(built_store).path, copy / "lookup.sqlite")
    with sqlite3.connect(copy / "lookup.sqlite") as db:
        db.execute("UPDATE stats SET value = 1 WHERE name = 'index_version'")
    with pytest.raises(StoreError, match="index version 1"):
        LookupIndex(copy)


def test_related_and_profiles_count_as_the_tables_do(built_store: Path) -> None:
    index = open_index(built_store)
    for text in ("GNNs", "CIFAR-10", "Transformer", "pruning", "Method", "generalization theory"):
        found = related(index, text, limit=1000)
        resolution, _, order = papers_on(index, text)
        papers = set(order.tolist())  # the papers who-works-on ranks people by
        assert found.papers == len(papers)
        own = {c.id for c in resolution.concepts if c.kind != "expanded"}
        assert not own & {c.id for c in found.concepts}
        pairs = index.rows("SELECT DISTINCT paper, concept FROM concept_edges")
        counts = Counter(c for p, c in pairs if p in papers)
        assert {c.id: c.papers for c in found.concepts}.items() <= counts.items()
        assert [c.papers for c in found.concepts] == sorted((c.papers for c in found.concepts), reverse=True)
    author = profile(index, "Jonathan Frankle")
    idx = next(i for i, (aid, _) in enumerate(index.authors) if aid == author.id)
    mine = sorted(p for p, authors in index.authors_of.items() if idx in authors)
    assert sorted(r.id for r in author.papers) == sorted(index.papers[p][0] for p in mine)
    together = Counter(a for p in mine for a in index.authors_of[p] if a != idx)
    assert {c.id: c.papers for c in author.coauthors} == {
        index.authors[a][0]: n
        for a, n in sorted(together.items(), key=lambda kv: (-kv[1], index.authors[kv[0]][1]))[:15]
    }
