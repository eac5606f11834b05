"""The overrides file: a person's word on identity beats the rules, and bad files are refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.errors import InputError
from kg.resolve.overrides import load
from tests.conftest import CORPUS_FILES

RULES = """
[files."iclr2021_authors_tldr_abstracts.txt"]
venue = "ICLR"
year = 2021

[[identity.same]]
authors = ["Russ Salakhutdinov", "Ruslan Salakhutdinov"]
why = "one person"

[[identity.different]]
authors = ["Zachary Lipton", "Zachary Chase Lipton"]

[[identity.different]]
institutions = ["Google Research, Brain Team", "Google Brain"]

[[identity.different]]
concepts = ["Online-EWC", "Elastic Weight Consolidation"]
"""


@pytest.fixture(scope="module")
def overridden(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> kg.KnowledgeGraph:
    folder = tmp_path_factory.mktemp("overrides")
    for name in ("iclr2021", "workshop"):
        shutil.copy(corpus / CORPUS_FILES[name], folder)
    (folder / "kg.toml").write_text(RULES, encoding="utf-8")
    kg.build([folder], store=folder / "store", model=False)  # identity rules; the scheme's concepts suffice
    return kg.open_store(folder / "store")


def test_same_and_different_rules_are_applied(overridden: kg.KnowledgeGraph) -> None:
    graph = overridden.graph()
    authors = {n.id for n in graph.nodes("Author")}
    assert "author/ruslan-salakhutdinov" in authors and "author/russ-salakhutdinov" not in authors
    assert {"author/zachary-lipton", "author/zachary-chase-lipton"} <= authors
    assert "institution/google-brain" in graph
    brain_team = [n for n in graph.nodes("Institution") if n.props["name"] == "Google Research, Brain Team"]
    assert len(brain_team) == 1
    concepts = {n.id for n in graph.nodes("Method")}
    assert "concept/online-ewc" in concepts and "concept/elastic-weight-consolidation" in concepts
    forced = [d for d in overridden.resolution().merges("author") if d.reason == "joined by the overrides file"]
    assert [(d.left, d.right) for d in forced] == [("Russ Salakhutdinov", "Ruslan Salakhutdinov")]
    assert overridden.meta["overrides"] and overridden.meta["overrides"][0].endswith("kg.toml")


def test_without_the_rules_the_defaults_hold(graph: kg.Graph) -> None:
    assert "author/russ-salakhutdinov" in graph and "author/zachary-lipton" not in graph


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("[[identity.same]]\nauthors = [\n", "not valid TOML"),
        ("[[identity.same]]\nauthors = ['Only One']\n", "at least two"),
        ("[[identity.same]]\npeople = ['A B', 'C D']\n", "needs exactly one of"),
        ("[[identity.same]]\nauthors = ['A B', 'C D']\nconcepts = ['x', 'y']\n", "needs exactly one of"),
        ("[identity]\nmerge = 1\n", "takes only"),
    ],
)
def test_bad_overrides_name_the_file(tmp_path: Path, text: str, error: str) -> None:
    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(InputError, match=error) as caught:
        load([path])
    assert str(path) in str(caught.value)


def test_cli_overrides_option_and_review(tmp_path: Path, corpus: Path) -> None:
    rules = tmp_path / "rules.toml"
    rules.write_text('[[identity.same]]\nauthors = ["Tianlong Chen", "Tianrong Chen"]\n', encoding="utf-8")
    store = tmp_path / "store"
    runner = CliRunner()
    workshop = str(corpus / CORPUS_FILES["workshop"])
    iclr = str(corpus / CORPUS_FILES["iclr2021"])
    build = ["build", iclr, workshop, "--no-model", "--store", str(store), "--overrides", str(rules)]
    result = runner.invoke(main, build)
    assert result.exit_code == 0, result.output
    (chen,) = [
        n
        for n in kg.open_store(store).graph().nodes("Author")
        if n.id.startswith("author/tian") and n.id.endswith("g-chen")
    ]
    assert {"Tianlong Chen", "Tianrong Chen"} <= set(chen.props["aliases"])
    review = runner.invoke(main, ["review", "--store", str(store), "--format", "json", "--kind", "author"])
    assert review.exit_code == 0 and '"decision": "weak merge"' in review.output
    toml = runner.invoke(main, ["review", "--store", str(store), "--toml", "--limit", "1"])
    assert toml.output.startswith("[[identity.")
    (tmp_path / "suggested.toml").write_text(toml.output, encoding="utf-8")
    assert load([tmp_path / "suggested.toml"]).same or load([tmp_path / "suggested.toml"]).different
    missing = runner.invoke(
        main, ["build", workshop, "--store", str(store), "--overrides", str(tmp_path / "nope.toml")]
    )
    assert missing.exit_code == 2 and "nope.toml: overrides file not found" in missing.output
