"""JSON arrays of flat paper objects, keys named like CSV headers: what scrapers and
spreadsheets write (the shape of the ICLR 2020 OpenReview crawl in ../shared/corpora)."""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.sources import detect, read_file
from kg.sources.table import column_names

DATA = Path(__file__).parent / "data"


def test_a_scraped_page_list_is_read_with_its_labels() -> None:
    path = DATA / "scraped-openreview.json"
    assert detect(path).name == "json-records"
    experts, dropout = read_file(path)
    assert experts.title == "Sparse Mixtures of Linear Experts for Tabular Data"
    assert [a.name for a in experts.authors] == ["Maria Okafor", "Tomas Lindqvist", "Hyun-woo Park"]
    assert experts.abstract.startswith("We propose a sparse mixture of linear experts")  # "Abstract:"
    assert experts.tldr.startswith("A sparse mixture of linear experts matches")  # "TL;DR:"
    assert experts.keywords == ("mixture of experts", "tabular data", "sparsity")  # "Keywords:"
    assert experts.external_ids == ("openreview:Hk9xQ2aZb7",)  # from forum_link
    assert (experts.provenance.line_start, experts.provenance.reader) == (2, "json-records")
    assert [a.name for a in dropout.authors] == ["Lena Fischer"] and dropout.provenance.line_start == 14


def test_lists_numbers_and_named_objects_are_cells(tmp_path: Path) -> None:
    path = tmp_path / "papers.json"
    item = {"Paper Title": "T", "authors": [{"name": "Ann Lee"}, "Bo Chen"], "year": 2021, "tags": ["a", "b"]}
    path.write_text(json.dumps([item, {"title": "U", "meta": {"nested": True}}]), encoding="utf-8")
    first, second = read_file(path)
    assert ([a.name for a in first.authors], first.year, first.keywords) == (["Ann Lee", "Bo Chen"], 2021, ("a", "b"))
    assert second.title == "U" and second.authors == ()


def test_other_keys_are_named_with_columns(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "list.json"
    path.write_text(json.dumps([{"Name of paper": "Deep Sets", "Writers": "Ann Lee; Bo Chen"}]), encoding="utf-8")
    with caplog.at_level(logging.WARNING, logger="kg"):
        assert list(read_file(path, "json-records")) == []
    assert "paper #1 has no title (keys: 'Name of paper', 'Writers'); name one with --columns title=KEY" in caplog.text
    with column_names({"title": "Name of paper", "authors": "Writers"}):
        (record,) = read_file(path, "json-records")
    assert (record.title, [a.name for a in record.authors]) == ("Deep Sets", ["Ann Lee", "Bo Chen"])


def test_json_lines_are_read_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "papers.jsonl"
    path.write_text('{"Title": "A"}\n\n{"Title": "B", "Abstract:": "Text."}\n', encoding="utf-8")
    assert [(r.title, r.abstract, r.provenance.line_start) for r in read_file(path, "json-records")] == [
        ("A", None, 1),
        ("B", "Text.", 3),
    ]


def test_an_item_that_is_no_object_is_refused_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('[\n  {"title": "Fine"},\n  "just a string"\n]\n', encoding="utf-8")
    with pytest.raises(InputError) as caught:
        list(read_file(path, "json-records"))
    assert str(caught.value) == f"{path}:3: item #2 is not a JSON object (a paper with named fields)"


def test_specific_json_formats_keep_their_readers() -> None:
    assert detect(DATA / "zotero.csl.json").name == "csl-json"
    assert detect(DATA / "openreview-notes.json").name == "openreview"
    assert detect(DATA / "semanticscholar-search.json").name == "semanticscholar"
    assert detect(DATA / "openalex-page.json").name == "openalex"
