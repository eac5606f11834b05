"""docs/queries/: every question is a .cypher/.rq pair, and both engines give the same answer."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

import kg
from kg.query.cypher import parameters, write_clause

QUERIES = Path(__file__).resolve().parent.parent / "docs" / "queries"
PAIRS = sorted(path.stem for path in QUERIES.glob("*.cypher"))
# Answers that may be empty on the default corpus: no paper there has summaries from two files,
# and the concept ones depend on what extraction finds.
MAY_BE_EMPTY = {"multiply_summarised", "who_works_on", "datasets_with_method", "top_methods_per_topic"}


def declared_params(text: str, comment: str) -> dict[str, str]:
    """``// params: a=1; b=two`` (Cypher) or ``# params: …`` (SPARQL) from a query's header."""
    match = re.search(rf"^{re.escape(comment)}\s*params:\s*(.*)$", text, re.MULTILINE)
    if match is None:
        return {}
    return dict(item.strip().split("=", 1) for item in match.group(1).split(";") if item.strip())


def as_tuples(columns: list[str], rows: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """Rows as tuples of plain values in column order, sorted (engines order ties differently)."""
    return sorted((tuple(row[c] for c in columns) for row in rows), key=repr)


def test_the_catalogue_pairs_every_question() -> None:
    assert len(PAIRS) >= 6
    assert sorted(path.stem for path in QUERIES.glob("*.rq")) == PAIRS
    assert (QUERIES / "README.md").is_file()
    readme = (QUERIES / "README.md").read_text(encoding="utf-8")
    assert all(f"`{name}`" in readme for name in PAIRS), "list every query in docs/queries/README.md"


@pytest.mark.parametrize("name", PAIRS)
def test_cypher_and_sparql_agree(handle: kg.KnowledgeGraph, name: str) -> None:
    cypher_text = (QUERIES / f"{name}.cypher").read_text(encoding="utf-8")
    sparql_text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    params = declared_params(cypher_text, "//")
    assert params == declared_params(sparql_text, "#"), "both files declare the same example parameters"
    assert write_clause(cypher_text) is None
    in_cypher = handle.cypher(cypher_text, parameters(params))
    in_sparql = handle.sparql(sparql_text, params)
    assert in_cypher.columns == in_sparql.variables
    answer = as_tuples(in_cypher.columns, in_cypher.rows)
    assert answer == as_tuples(in_sparql.variables, in_sparql.rows)
    assert answer or name in MAY_BE_EMPTY, f"{name} answers nothing on the default corpus"
    assert all(not isinstance(value, dict) for row in answer for value in row), "plain values only"
