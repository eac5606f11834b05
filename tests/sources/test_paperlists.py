"""The paperlists reader: real files when present, crafted files for the alignment rules."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.sources import detect, read_file, strict_reading
from tests.conftest import shared_corpus


def _write(tmp_path: Path, items: list[dict], name: str = "iclr2021.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(items, indent=1), encoding="utf-8")
    return path


def test_aligned_affiliations_per_author(tmp_path: Path) -> None:
    path = _write(
        tmp_path,
        [
            {
                "id": "abc",
                "title": "T",
                "author": "Ann Lee;Bo Chen",
                "aff": "University of California, Berkeley;",
                "keywords": "graphs;GNN",
                "abstract": "A.",
            }
        ],
        "colm2024.json",
    )
    assert detect(path).name == "paperlists"
    (record,) = read_file(path)
    assert [(a.name, a.affiliations) for a in record.authors] == [
        ("Ann Lee", ("University of California, Berkeley",)),
        ("Bo Chen", ()),
    ]
    assert (record.venue, record.year, record.keywords) == ("COLM", 2024, ("graphs", "GNN"))
    assert record.external_ids == ("openreview:abc",)
    assert record.provenance.line_start == 2


def test_compacted_affiliations_stay_at_paper_level(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"id": "x", "title": "T", "author": "A B;C D;E F", "aff": "MIT;Google"}])
    (record,) = read_file(path)
    assert all(a.affiliations == () for a in record.authors)
    assert record.paper_affiliations == ("MIT", "Google")


def test_comma_separated_authors_of_iclr2022(tmp_path: Path) -> None:
    path = _write(tmp_path, [{"id": "x", "title": "T", "author": "Ann Lee, Bo Chen", "aff": ""}], "iclr2022.json")
    (record,) = read_file(path)
    assert [a.name for a in record.authors] == ["Ann Lee", "Bo Chen"]


def test_untitled_entry_is_skipped_or_refused(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = _write(tmp_path, [{"id": "x", "title": "", "author": "A"}, {"id": "y", "title": "T", "author": "B"}])
    assert [r.title for r in read_file(path)] == ["T"]
    assert "skipped: paper #1 has no title" in caplog.text
    with strict_reading(), pytest.raises(InputError):
        list(read_file(path))


def test_invalid_json_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "iclr2020.json"
    path.write_text('[\n {"title": "T", "author": "A"},\n {"title": \n', encoding="utf-8")
    with pytest.raises(InputError) as error:
        list(read_file(path, "paperlists"))
    assert error.value.line == 4


@pytest.mark.parametrize(("name", "count"), [("iclr2017.json", 489), ("iclr2020.json", 2594), ("colm2025.json", 418)])
def test_real_files(name: str, count: int) -> None:
    records = list(read_file(shared_corpus("paperlists", name)))
    assert len(records) == count
    assert all(r.title and r.authors for r in records if r.year != 2022)
