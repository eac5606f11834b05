"""Hostile and malformed input files: each is read, or refused with one line naming the file and
place (exit status 2), and the store stays as it was; nothing a file holds costs more than
linear work or turns into invalid output.

The cases come from issue 22 ("Hardening"): each test failed before its fix.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

import kg
from kg.cli import main
from kg.resolve.builder import MAX_PAIRWISE_AUTHORS
from kg.sources import detect, read_file

SURNAMES = ("Smith", "Lee", "Garcia", "Kumar", "Chen", "Novak", "Ivanov", "Okafor", "Silva", "Tanaka")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def write_jsonl(path: Path, *objects: object) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")
    return path


def author_list(count: int, prefix: str = "Given") -> list[str]:
    """``count`` names in ten surname blocks (digits are no part of a parsed name, so "Given7
    Smith0" and "Given17 Smith1" are both "Given Smith": the worst case for pairwise identity)."""
    return [f"{prefix}{i} {SURNAMES[i % 10]}{i // 10}" for i in range(count)]


# ---------------------------------------------------------------------- hyper-authored records


@pytest.fixture(scope="module")
def hyper_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A store with one 10,000-author record, one of exactly MAX_PAIRWISE_AUTHORS authors and
    a two-author paper; the text of the warnings the build logged."""
    root = tmp_path_factory.mktemp("hyper")
    source = write_jsonl(
        root / "hyper.jsonl",
        {"title": "A small paper", "authors": ["Ann Lee", "Bo Chen"], "year": 2020},
        {"title": "Observation of a new particle", "authors": author_list(10_000), "year": 2012},
        {"title": "A large but ordinary paper", "authors": author_list(MAX_PAIRWISE_AUTHORS, "Other"), "year": 2019},
    )
    handler = _Collect()
    logging.getLogger("kg").addHandler(handler)
    try:
        kg.build([source], store=root / "store", extract=False)
    finally:
        logging.getLogger("kg").removeHandler(handler)
    return root / "store", "\n".join(handler.messages)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_hyper_authored_record_has_no_pairwise_coauthorship(hyper_store: tuple[Path, str]) -> None:
    store, warnings = hyper_store
    handle = kg.open_store(store)
    stats = handle.stats()
    assert stats["edges"]["authored_by"] == 10_000 + MAX_PAIRWISE_AUTHORS + 2  # every author is kept
    pairs = MAX_PAIRWISE_AUTHORS * (MAX_PAIRWISE_AUTHORS - 1) // 2
    assert stats["edges"]["coauthor_with"] == pairs + 1  # the ordinary papers' pairs only
    assert stats["nodes"]["Author"] == 10_000 + MAX_PAIRWISE_AUTHORS + 2  # one list: all different people
    assert "hyper.jsonl:2: 10000 authors, more than 100: no co-author edges among them" in warnings
    assert "hyper.jsonl:3" not in warnings and "hyper.jsonl:1" not in warnings
    assert stats["triples"] < 200_000  # linear: 1,000 authors made 3 million triples before


def test_hyper_authored_record_reads_back_and_answers(hyper_store: tuple[Path, str]) -> None:
    store, _ = hyper_store
    result = invoke("profile", "Given9999 Tanaka999", "--json", "--store", str(store))
    assert result.exit_code == 0, result.output
    profile = json.loads(result.stdout)
    assert [p["label"] for p in profile["papers"]] == ["Observation of a new particle"]


# ---------------------------------------------------------------------- detection


def test_jsonl_whose_first_line_is_longer_than_the_sample_is_detected(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "long-first-line.jsonl",
        {"title": "A paper with a long abstract", "abstract": "word " * 20_000, "authors": ["Ann Lee"]},
        {"title": "Second", "authors": ["Bo Chen"]},
    )
    assert source.read_text(encoding="utf-8").index("\n") > 64 * 1024
    assert detect(source).name == "jsonl"
    assert [r.title for r in read_file(source)] == ["A paper with a long abstract", "Second"]
    one_line_only = tmp_path / "one.jsonl"
    one_line_only.write_text(json.dumps({"title": "T", "abstract": "x " * 40_000}), encoding="utf-8")  # no newline
    assert detect(one_line_only).name == "jsonl"
