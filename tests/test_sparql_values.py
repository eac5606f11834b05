"""How SPARQL answer terms become Python values (kg.query.sparql): the same for every page,
`kg sparql` and the Python API, whatever order the datatypes come in."""

from __future__ import annotations

import pyoxigraph as ox

from kg.query.sparql import run

VALUES = """SELECT ?v ?unbound WHERE {
  VALUES ?v { 42 "-7"^^xsd:integer 2.5 "1e3"^^xsd:double "0.25"^^xsd:float true false "text" "texte"@fr
              "2024-01-02"^^xsd:date "9"^^<http://example.org/types#integer> <http://example.org/a> }
}"""


def test_literals_become_numbers_booleans_or_text_and_unbound_is_none() -> None:
    for _ in range(2):  # the second pass decodes with the datatypes already seen
        result = run(ox.Store(), VALUES)
        assert result.variables == ["v", "unbound"]
        values = [row["v"] for row in result.rows]
        assert values == [
            42,
            -7,
            2.5,
            1000.0,
            0.25,
            True,
            False,
            "text",
            "texte",
            "2024-01-02",
            9,
            "http://example.org/a",
        ]
        assert [type(v) for v in values[:7]] == [int, int, float, float, float, bool, bool]
        assert all(list(row) == ["v", "unbound"] and row["unbound"] is None for row in result.rows)
