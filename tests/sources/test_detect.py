"""Format detection by content, --format overrides, and files that are not input at all."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import InputError
from kg.sources import detect, iter_input_files, read_file, readers
from tests.conftest import CORPUS_FILES


def test_every_corpus_file_is_detected(corpus: Path) -> None:
    expected = {
        "blog": "blog",
        "iclr2021": "iclr-list",
        "shortscience_papers": "shortscience-papers",
        "shortscience_summaries": "shortscience-summaries",
        "workshop": "workshop-list",
    }
    for key, reader in expected.items():
        assert detect(corpus / CORPUS_FILES[key]).name == reader


def test_registry_lists_builtins() -> None:
    assert {
        "blog",
        "iclr-list",
        "shortscience-papers",
        "shortscience-summaries",
        "workshop-list",
        "paperlists",
        "bibtex",
        "jsonl",
    } <= set(readers())


def test_unknown_format(tmp_path: Path) -> None:
    path = tmp_path / "notes.txt"
    path.write_text("just a line\n")
    with pytest.raises(InputError, match="cannot tell which format"):
        detect(path)
    with pytest.raises(InputError, match="unknown format 'nope'"):
        read_file(path, "nope")


def test_binary_empty_and_bad_utf8(tmp_path: Path) -> None:
    binary = tmp_path / "image.png"
    binary.write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    with pytest.raises(InputError, match="binary"):
        detect(binary)
    empty = tmp_path / "empty.txt"
    empty.write_text("")
    with pytest.raises(InputError, match="cannot tell"):
        detect(empty)
    latin = tmp_path / "latin1.txt"
    latin.write_bytes("Ann Lee, Bo Chen\ntl;dr: ok.\nAbstract with caf\xe9.\n".encode("latin-1"))
    with pytest.raises(InputError) as error:
        list(read_file(latin, "iclr-list"))
    assert error.value.line == 3


def test_directory_and_missing_paths(tmp_path: Path, corpus: Path) -> None:
    with pytest.raises(InputError, match="is a directory"):
        read_file(corpus)
    with pytest.raises(InputError, match="no such file"):
        iter_input_files([tmp_path / "missing.txt"])
    assert [p.name for p in iter_input_files([corpus])] == sorted(CORPUS_FILES.values())
