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


# The plain forms of the SPARQL queries the catalogue shapes for Oxigraph's planner (each file's
# header says how and why): a shaped query must answer as its plain form, row for row in order.
PLAIN_SPARQL = {
    "collaborating_institutions": """SELECT ?institution ?partner (COUNT(DISTINCT ?p) AS ?papers) WHERE {
        { SELECT ?a1 ?i ?paper WHERE {
            ?s1 rdf:predicate kg:affiliatedWith ; rdf:subject ?a1 ; rdf:object ?i ; kg:onPaper ?paper . } }
        { SELECT ?a2 ?j ?paper WHERE {
            ?s2 rdf:predicate kg:affiliatedWith ; rdf:subject ?a2 ; rdf:object ?j ; kg:onPaper ?paper . } }
        FILTER(?a1 != ?a2 && STR(?i) < STR(?j))
        ?p kg:authoredBy ?a1, ?a2 .
        FILTER(STRAFTER(STR(?p), STR(kgid:)) = ?paper)
        ?i foaf:name ?institution . ?j foaf:name ?partner .
    } GROUP BY ?institution ?partner ORDER BY DESC(?papers) ?institution ?partner""",
    "multiply_summarised": """SELECT ?paper ?label ?sources WHERE {
        { SELECT ?p (COUNT(DISTINCT ?file) AS ?sources) WHERE {
            ?s a kg:Summary ; kg:summarises ?p ; prov:wasDerivedFrom ?r .
            ?r a kg:SourceRecord ; kg:sourceFile ?file . } GROUP BY ?p }
        FILTER(?sources > 1) ?p rdfs:label ?label . BIND(STRAFTER(STR(?p), STR(kgid:)) AS ?paper)
    } ORDER BY DESC(?sources) ?label""",
    "papers_per_venue_year": """SELECT ?venue ?year (COUNT(DISTINCT ?p) AS ?papers) WHERE {
        ?p kg:publishedIn ?v . ?v foaf:name ?venue . OPTIONAL { ?p kg:year ?year }
    } GROUP BY ?venue ?year ORDER BY ?venue ?year""",
    "top_topics": """SELECT ?topic (COUNT(DISTINCT ?p) AS ?papers) WHERE { ?p kg:hasTopic ?t . ?t rdfs:label ?topic . }
        GROUP BY ?topic ORDER BY DESC(?papers) ?topic LIMIT 10""",
    "coauthors": """SELECT ?name ?coauthor (COUNT(DISTINCT ?p) AS ?papers) WHERE {
        ?a foaf:name ?name ; a kg:Author . ?p kg:authoredBy ?a, ?c . FILTER(?c != ?a) ?c foaf:name ?coauthor .
    } GROUP BY ?name ?coauthor ORDER BY DESC(?papers) ?coauthor""",
    "datasets_with_method": """SELECT ?method ?dataset (COUNT(DISTINCT ?p) AS ?papers) WHERE {
        ?m a kg:Method ; rdfs:label|skos:altLabel ?method . ?p kg:usesMethod ?m ; kg:usesDataset ?d .
        ?d a kg:Dataset ; rdfs:label ?dataset .
    } GROUP BY ?method ?dataset ORDER BY DESC(?papers) ?dataset""",
    "top_methods_per_topic": """SELECT ?topic ?method (COUNT(DISTINCT ?p) AS ?papers) WHERE {
        ?p kg:hasTopic ?t ; kg:usesMethod ?m . ?t rdfs:label ?topic . ?m a kg:Method ; rdfs:label ?method .
    } GROUP BY ?topic ?method ORDER BY ?topic DESC(?papers) ?method""",
    "topic_authors": """SELECT ?topic ?author (COUNT(DISTINCT ?p) AS ?papers) WHERE {
        ?t a kg:Topic ; rdfs:label ?topic . ?p kg:hasTopic ?t ; kg:authoredBy ?a . ?a foaf:name ?author .
    } GROUP BY ?topic ?author ORDER BY DESC(?papers) ?author""",
    "who_works_on": """SELECT ?concept ?author (COUNT(DISTINCT ?p) AS ?papers) WHERE {
        ?c rdfs:label|skos:altLabel ?concept .
        VALUES ?uses { kg:usesMethod kg:usesDataset kg:addressesTask }
        ?p ?uses ?c ; kg:authoredBy ?a . ?a foaf:name ?author .
    } GROUP BY ?concept ?author ORDER BY DESC(?papers) ?author""",
}
# Values to try each parameter with: names of what the parameter names, in the default corpus.
PARAM_VALUES = {
    "name": "SELECT DISTINCT ?v WHERE { ?x a kg:Author ; foaf:name ?v } ORDER BY ?v LIMIT 25",
    "method": "SELECT DISTINCT ?v WHERE { ?x a kg:Method ; rdfs:label|skos:altLabel ?v } ORDER BY ?v LIMIT 40",
    "topic": "SELECT DISTINCT ?v WHERE { ?x a kg:Topic ; rdfs:label ?v } ORDER BY ?v LIMIT 25",
    "concept": """SELECT DISTINCT ?v WHERE { ?p kg:usesMethod|kg:usesDataset|kg:addressesTask ?x .
                  ?x rdfs:label|skos:altLabel ?v } ORDER BY ?v LIMIT 20""",
}


@pytest.mark.parametrize("name", sorted(PLAIN_SPARQL))
def test_shaped_sparql_answers_as_its_plain_form(handle: kg.KnowledgeGraph, name: str) -> None:
    shaped = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    params = declared_params(shaped, "#")
    tries = [{}] if not params else [{k: v} for k in params for (v,) in _values(handle, PARAM_VALUES[k])]
    assert len(tries) > 3 or not params
    answered = 0
    for bound in tries:
        plain = handle.sparql(PLAIN_SPARQL[name], bound)
        found = handle.sparql(shaped, bound)
        assert found.variables == plain.variables
        assert found.rows == plain.rows, (name, bound)
        answered += bool(found.rows)
    assert answered or name in MAY_BE_EMPTY, f"{name} answered nothing for every value tried"


def _values(handle: kg.KnowledgeGraph, query: str) -> list[tuple[str]]:
    return [(row["v"],) for row in handle.sparql(query).rows]
