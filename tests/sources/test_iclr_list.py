"""The ICLR 2021 list reader on the real file and on crafted bad input."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError
from kg.sources import detect, read_file
from tests.conftest import CORPUS_FILES


def test_all_434_records_with_their_tldrs(corpus: Path) -> None:
    path = corpus / CORPUS_FILES["iclr2021"]
    assert detect(path).name == "iclr-list"
    records = list(read_file(path))
    assert len(records) == 434
    assert sum(1 for r in records if r.tldr) == 393
    assert all(r.abstract and not r.title for r in records)
    first = records[0]
    assert [a.name for a in first.authors] == [
        "Keyulu Xu",
        "Mozhi Zhang",
        "Jingling Li",
        "Simon Shaolei Du",
        "Ken-Ichi Kawarabayashi",
        "Stefanie Jegelka",
    ]
    assert [a.position for a in first.authors] == [1, 2, 3, 4, 5, 6]
    assert first.tldr == "We study how neural networks trained by gradient descent extrapolate."
    assert (first.provenance.line_start, first.provenance.line_end) == (1, 3)
    assert records[1].provenance.line_start == 4
    assert records[-1].provenance.line_end == 1261


def test_record_without_tldr(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text(
        "Ann Lee, Bo Chen\ntl;dr: Short.\nAbstract one.\nCarl Dee\nAbstract two without tldr.\n", encoding="utf-8"
    )
    records = list(read_file(path, "iclr-list"))
    assert [(r.tldr, r.abstract) for r in records] == [
        ("Short.", "Abstract one."),
        (None, "Abstract two without tldr."),
    ]


def test_missing_abstract_names_the_line(tmp_path: Path) -> None:
    path = tmp_path / "list.txt"
    path.write_text("Ann Lee, Bo Chen\ntl;dr: Short.\nAbstract one.\nCarl Dee\ntl;dr: x.\n", encoding="utf-8")
    with pytest.raises(InputError) as error:
        list(read_file(path, "iclr-list"))
    assert error.value.line == 4
    assert str(error.value).startswith(f"{path}:4: ")


def test_bom_and_crlf_read_the_same(tmp_path: Path) -> None:
    text = "Ann Lee, Bo Chen\ntl;dr: Short.\nAbstract one.\n"
    plain, windows = tmp_path / "a.txt", tmp_path / "b.txt"
    plain.write_text(text, encoding="utf-8")
    windows.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    a, b = list(read_file(plain, "iclr-list")), list(read_file(windows, "iclr-list"))
    assert [(r.authors, r.tldr, r.abstract) for r in a] == [(r.authors, r.tldr, r.abstract) for r in b]
