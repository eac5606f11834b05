"""kg.toml beside input files gives the venue and year files do not state; files still win."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

import kg
from kg.errors import InputError
from kg.sources import iter_input_files
from kg.sources.file_facts import facts_for

LISTING = "Ada Lovelace, Charles Babbage\ntl;dr: Engines.\nWe study analytical engines.\n"


def _corpus(tmp_path: Path, facts: str) -> Path:
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "listing.txt").write_text(LISTING, encoding="utf-8")
    (corpus / "kg.toml").write_text(facts, encoding="utf-8")
    return corpus


def test_default_corpus_iclr2021_list_is_iclr_2021(handle: kg.KnowledgeGraph) -> None:
    rows = handle.sparql(
        "SELECT ?year (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper ; kg:year ?year ; kg:publishedIn ?v . "
        "?v foaf:name 'ICLR' } GROUP BY ?year ORDER BY ?year"
    ).rows
    assert {row["year"]: row["n"] for row in rows}[2021] == 434


def test_facts_fill_only_what_the_file_leaves_empty(tmp_path: Path) -> None:
    corpus = _corpus(tmp_path, '[files."listing.txt"]\nvenue = "NeurIPS"\nyear = 1999\n')
    assert [p.name for p in iter_input_files([corpus])] == ["listing.txt"]  # kg.toml is not a document
    store = tmp_path / ".kg"
    kg.build([corpus], store=store, extract=False)
    out = tmp_path / "papers.jsonl"
    kg.open_store(store).export("jsonl", out)
    (paper,) = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert (paper["venue"], paper["year"]) == ("NeurIPS", 1999)


@pytest.mark.parametrize(
    ("facts", "message"),
    [
        ('[files."listing.txt"]\nyear = "soon"\n', "year must be an integer"),
        ('[files."listing.txt"]\npublisher = "x"\n', "unknown keys ['publisher']"),
        ("[files\n", "not valid TOML"),
    ],
)
def test_bad_facts_file_is_named(tmp_path: Path, facts: str, message: str) -> None:
    corpus = _corpus(tmp_path, facts)
    with pytest.raises(InputError, match=r"kg\.toml") as caught:
        facts_for(corpus / "listing.txt")
    assert message in str(caught.value)
