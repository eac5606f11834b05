"""The lookup commands as a user meets them: --format table|json|csv, 80-column tables, how X
was read, filters that leave nothing, and bad input (one line, exit status 2, no traceback)."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import main


def _run(store: Path, *args: str) -> object:
    return CliRunner(env={"COLUMNS": "80"}).invoke(main, [*args, "--store", str(store)])


def _one_line_error(result: object) -> str:
    assert result.exit_code == 2, (result.exit_code, result.output)
    assert result.exception is None or isinstance(result.exception, SystemExit)
    assert "Traceback" not in result.output
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error:"), result.stderr
    return lines[0]


@pytest.mark.parametrize(
    "topic, expected",
    [("", "empty"), ("   ", "empty"), ("x" * 100_000, "100,000 characters"), ("%%%", "no words")],
)
def test_bad_topics_are_one_line_and_exit_2(built_store: Path, topic: str, expected: str) -> None:
    for command in ("who-works-on", "institutions-on", "related"):
        assert expected in _one_line_error(_run(built_store, command, topic)), command


@pytest.mark.parametrize("topic", [".*", "(?i)gnn[s]?|^$", "'; DROP TABLE papers; --", "a%' OR '1'='1", "\\d+"])
def test_metacharacters_are_text(built_store: Path, topic: str) -> None:
    for command in ("who-works-on", "institutions-on", "related"):
        result = _run(built_store, command, topic)
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
        if result.exit_code:
            _one_line_error(result)


def test_formats_agree(built_store: Path) -> None:
    as_json = json.loads(_run(built_store, "who-works-on", "lottery tickets", "--format", "json").stdout)
    assert as_json == json.loads(_run(built_store, "who-works-on", "lottery tickets", "--json").stdout)
    rows = list(
        csv.DictReader(io.StringIO(_run(built_store, "who-works-on", "lottery tickets", "--format", "csv").stdout))
    )
    assert [r["name"] for r in rows] == [a["author"]["name"] for a in as_json]
    assert list(rows[0]) == ["#", "id", "name", "score", "papers", "institutions", "best paper", "evidence"]
    assert rows[0]["evidence"] == as_json[0]["papers"][0]["evidence"]
    for command in (["institutions-on", "pruning"], ["related", "CIFAR-10"], ["profile", "Jonathan Frankle"]):
        for format_ in ("json", "csv", "table"):
            result = _run(built_store, *command, "--format", format_)
            assert result.exit_code == 0, (command, format_, result.output)
    institutions = _run(built_store, "institutions-on", "pruning", "--format", "csv").stdout.splitlines()
    assert institutions[0].split(",")[:6] == ["#", "id", "name", "score", "papers", "authors"]


def test_tables_fit_80_columns_one_line_per_person(built_store: Path) -> None:
    result = _run(built_store, "who-works-on", "GNNs", "--limit", "7")
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    body = [line for line in lines if re.match(r"\s*\d+\s{2,}\S", line)]  # "#", then the name
    assert len(body) == 7  # one line per person
    assert "matched Graph Neural Network" in result.stderr
    detailed = _run(built_store, "who-works-on", "GNNs", "--limit", "2", "--evidence")
    assert detailed.exit_code == 0 and "evidence" in detailed.stdout


def test_how_the_topic_was_read_is_said(built_store: Path) -> None:
    split = _run(built_store, "who-works-on", "lottery tickets / pruning")
    assert split.exit_code == 0 and "alternatives “lottery tickets” | “pruning”" in split.stderr
    text_only = _run(built_store, "who-works-on", "generalization theory")
    assert text_only.exit_code == 0 and "matched paper text" in text_only.stderr
    misspelt = _run(built_store, "who-works-on", "lotery tickets")
    assert misspelt.exit_code == 0 and "read as “lottery ticket”" in misspelt.stderr


def test_filters_that_leave_nothing_say_so(built_store: Path) -> None:
    assert "no author affiliated with MIT has a paper on “GNNs”" in _one_line_error(
        _run(built_store, "who-works-on", "GNNs", "--institution", "MIT")
    )
    assert "no institution matches “Nowhere Institute”" in _one_line_error(
        _run(built_store, "who-works-on", "GNNs", "--institution", "Nowhere Institute")
    )
    assert "2100 or later" in _one_line_error(_run(built_store, "who-works-on", "GNNs", "--since", "2100"))
    assert "no venue matches" in _one_line_error(_run(built_store, "who-works-on", "GNNs", "--venue", "NeurIPS"))
    arxiv = _run(built_store, "who-works-on", "GNNs", "--venue", "arxiv", "--format", "json")
    if arxiv.exit_code == 0:
        everyone = {a["author"]["id"] for a in json.loads(_run(built_store, "who-works-on", "GNNs", "--json").stdout)}
        assert json.loads(arxiv.stdout) and {a["author"]["id"] for a in json.loads(arxiv.stdout)} != everyone
    else:
        assert "is from arxiv" in _one_line_error(arxiv)


def test_institutions_without_affiliations_say_so(tmp_path: Path) -> None:
    source = tmp_path / "papers.jsonl"
    papers = [{"title": "Lottery tickets in sparse training", "abstract": "Winning tickets.", "authors": ["Cy Young"]}]
    source.write_text("".join(json.dumps(p) + "\n" for p in papers), encoding="utf-8")
    kg.build([source], store=tmp_path / ".kg")
    line = _one_line_error(_run(tmp_path / ".kg", "institutions-on", "lottery tickets"))
    assert "names an affiliation" in line
