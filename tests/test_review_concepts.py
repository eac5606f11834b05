"""``kg review --kind concept``: the weakest discovered concepts of a built store, beside the
identity review it shares the command with."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import main


def review(store: Path, *args: str) -> list[dict]:
    result = CliRunner().invoke(main, ["review", "--store", str(store), *args, "--format", "json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_weakest_discovered_concepts_first_with_evidence(built_store: Path, handle: kg.KnowledgeGraph) -> None:
    rows = review(built_store, "--kind", "concept", "--limit", "8")
    assert len(rows) == 8
    everything = handle.discovered_concepts()
    assert len(everything) == handle.stats()["concepts"]["discovered"]
    ranks = [((c.confidence or 0.0), c.papers) for c in everything]
    assert ranks == sorted(ranks)  # lowest confidence first, then fewest papers
    assert [r["id"] for r in rows] == [c.id for c in everything[:8]]
    for row in rows:
        assert set(row) == {"id", "label", "type", "confidence", "discovered_by", "papers", "evidence", "paper"}
        assert row["type"] in {"Method", "Dataset", "Task"} and row["papers"] >= 1
        assert row["discovered_by"].startswith(("model:", "pattern:", "acronym:", "weak:"))
        # the store agrees, asked with a bound parameter
        stored = handle.sparql(
            "SELECT ?label ?conf WHERE { ?c kg:discovered true ; kg:confidence ?conf ; rdfs:label ?label }",
            {"label": row["label"]},
        ).rows
        assert row["confidence"] in {round(float(r["conf"]), 3) for r in stored}
        forms = {row["label"].lower()} | {
            str(r["alias"]).lower()
            for r in handle.sparql(
                "SELECT ?label ?alias WHERE { ?c rdfs:label ?label ; skos:altLabel ?alias }", {"label": row["label"]}
            ).rows
        }
        assert any(form in row["evidence"].lower() for form in forms), row
    strongest = everything[-1]
    assert (strongest.confidence or 0.0) >= (everything[0].confidence or 0.0)


def test_table_and_csv(built_store: Path) -> None:
    runner = CliRunner()
    table = runner.invoke(main, ["review", "--store", str(built_store), "--kind", "concept", "--limit", "3"])
    assert table.exit_code == 0 and "Discovered concepts, weakest first" in table.output
    assert "discovered_by" in table.output
    out = runner.invoke(
        main, ["review", "--store", str(built_store), "--kind", "concept", "--limit", "2", "--format", "csv"]
    )
    rows = list(csv.DictReader(io.StringIO(out.output)))
    assert out.exit_code == 0 and len(rows) == 2
    assert list(rows[0]) == ["label", "type", "confidence", "papers", "discovered_by", "evidence", "paper", "id"]


def test_identity_review_is_unchanged(built_store: Path, handle: kg.KnowledgeGraph) -> None:
    authors = review(built_store, "--kind", "author", "--limit", "5")
    assert authors and all(r["kind"] == "author" and "decision" in r for r in authors)
    merged = review(built_store, "--kind", "concept", "--all", "--limit", "5")  # concept spellings merged
    assert merged == [d.as_row() for d in handle.resolution().decisions if d.kind == "concept"][:5]
    assert all(r["kind"] == "concept" for r in merged)


@pytest.fixture(scope="module")
def lexicon_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One paper whose concepts the scheme all names, built without the tagger."""
    folder = tmp_path_factory.mktemp("lexicon")
    paper = {"title": "Transformers for image classification", "authors": ["Ada Lovelace"],
             "abstract": "We train a Transformer on ImageNet for image classification.", "year": 2021}  # fmt: skip
    (folder / "one.jsonl").write_text(json.dumps(paper) + "\n", encoding="utf-8")
    store = folder / ".kg"
    kg.build([folder / "one.jsonl"], store=store, model=False)
    return store


def test_no_discovered_concepts_says_so(lexicon_store: Path) -> None:
    assert kg.open_store(lexicon_store).stats()["concepts"]["discovered"] == 0
    result = CliRunner().invoke(main, ["review", "--store", str(lexicon_store), "--kind", "concept"])
    assert result.exit_code == 0
    assert result.output.strip().startswith("no discovered concepts in this store")
    result = CliRunner().invoke(
        main, ["review", "--store", str(lexicon_store), "--kind", "concept", "--format", "json"]
    )
    assert result.exit_code == 0 and json.loads(result.stdout) == []
