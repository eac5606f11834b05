"""`/sparql` (SPARQL 1.1 Protocol) and `/cypher` through the app: formats read back with
Oxigraph's parsers, the catalogue answering as on the command line, refusals, limits."""

from __future__ import annotations

import csv
import io
import threading
import time
from pathlib import Path
from typing import Any

import pyoxigraph as ox
import pytest

import kg
from kg.query.cypher import parameters
from tests.serve.conftest import TestClient, create_app, settings
from tests.test_query_catalogue import PAIRS, QUERIES, declared_params

NAMES = "SELECT ?name ?year WHERE { ?p a kg:Paper ; kg:year ?year ; kg:authoredBy ?a . ?a foaf:name ?name } "
ORDERED = NAMES + "ORDER BY ?name ?year LIMIT 40"
SLOW = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"  # 10^15 rows: never finishes


def sparql(client: TestClient, query: str, accept: str | None = None, **params: str) -> Any:
    headers = {"accept": accept} if accept else {}
    return client.get("/sparql", params={"query": query, **params}, headers=headers)


def plain(term: Any) -> Any:
    """An Oxigraph term as `kg sparql` rows give it (integers as int, IRIs and strings as text)."""
    if isinstance(term, ox.Literal) and term.datatype.value.endswith("#integer"):
        return int(term.value)
    if isinstance(term, ox.Literal) and term.datatype.value.endswith(("#double", "#decimal")):
        return float(term.value)
    return None if term is None else term.value


def read_solutions(body: bytes, media_type: str) -> list[list[Any]]:
    if media_type == "text/csv":  # Oxigraph does not read CSV (it is lossy): the csv module does
        text = body.decode("utf-8")
        assert text.endswith("\r\n"), "CSV lines end with CRLF"
        return list(csv.reader(io.StringIO(text, newline="")))[1:]
    parsed = ox.parse_query_results(io.BytesIO(body), ox.QueryResultsFormat.from_media_type(media_type))
    variables = [v.value for v in parsed.variables]
    return [[plain(solution[v]) for v in variables] for solution in parsed]


def test_select_in_every_results_format(client: TestClient, handle: kg.KnowledgeGraph) -> None:
    expected = [[row["name"], row["year"]] for row in handle.sparql(ORDERED).rows]
    assert len(expected) == 40
    for media_type in (
        "application/sparql-results+json",
        "application/sparql-results+xml",
        "text/csv",
        "text/tab-separated-values",
    ):
        response = sparql(client, ORDERED, media_type)
        assert response.status_code == 200, response.text
        assert response.headers["content-type"].split(";")[0] == media_type
        found = read_solutions(response.content, media_type)
        if media_type == "text/csv":  # CSV carries no datatypes: years come back as text
            found = [[name, int(year)] for name, year in found]
        assert found == expected, media_type
    assert sparql(client, ORDERED).headers["content-type"].startswith("application/sparql-results+json")
    weighted = sparql(client, ORDERED, "text/csv;q=0.5, application/sparql-results+xml;q=0.9")
    assert weighted.headers["content-type"].startswith("application/sparql-results+xml")
    assert sparql(client, ORDERED, format="tsv").headers["content-type"].startswith("text/tab-separated-values")


def test_post_forms_and_bound_parameters(client: TestClient, handle: kg.KnowledgeGraph) -> None:
    query = "SELECT ?name ?p WHERE { ?a foaf:name ?name . ?p kg:authoredBy ?a } ORDER BY ?p"
    expected = [[r["name"], r["p"]] for r in handle.sparql(query, {"name": "Yoshua Bengio"}).rows]
    assert expected
    by_get = sparql(client, query, **{"param.name": "Yoshua Bengio"})
    by_form = client.post("/sparql", data={"query": query, "param.name": "Yoshua Bengio"})
    by_body = client.post(
        "/sparql?param.name=Yoshua+Bengio",
        content=query.encode(),
        headers={"content-type": "application/sparql-query; charset=utf-8", "accept": "text/csv"},
    )
    for response in (by_get, by_form, by_body):
        assert response.status_code == 200, response.text
        assert read_solutions(response.content, response.headers["content-type"].split(";")[0]) == expected
    quoted = sparql(client, query, **{"param.name": '" } ; DROP ALL ; SELECT * { "'})  # a value, never text
    assert quoted.status_code == 200 and quoted.json()["results"]["bindings"] == []


def test_construct_describe_and_ask(client: TestClient) -> None:
    construct = "CONSTRUCT { ?p dcterms:title ?t } WHERE { ?p a kg:Paper ; dcterms:title ?t } ORDER BY ?t LIMIT 25"
    turtle = None
    for media_type, kind in (
        ("text/turtle", ox.RdfFormat.TURTLE),
        ("application/n-triples", ox.RdfFormat.N_TRIPLES),
        ("application/ld+json", ox.RdfFormat.JSON_LD),
        ("application/rdf+xml", ox.RdfFormat.RDF_XML),
    ):
        response = sparql(client, construct, media_type)
        assert response.status_code == 200 and response.headers["content-type"].split(";")[0] == media_type
        triples = {q.triple for q in ox.parse(response.content, kind)}
        assert len(triples) == 25
        turtle = turtle or triples
        assert triples == turtle, media_type
    described = sparql(client, "DESCRIBE <https://w3id.org/kg/id/author/yoshua-bengio>", "text/turtle")
    names = [q.object.value for q in ox.parse(described.content, ox.RdfFormat.TURTLE) if "name" in q.predicate.value]
    assert names == ["Yoshua Bengio"]
    ask = sparql(client, "ASK { ?a foaf:name 'Yoshua Bengio' }")
    assert ask.json() == {"head": {}, "boolean": True}
    assert "<boolean>true</boolean>" in sparql(client, "ASK { ?s ?p ?o }", "application/sparql-results+xml").text


def test_refusals_and_bad_requests(client: TestClient) -> None:
    def status(response: Any) -> tuple[int, str]:
        assert response.headers["content-type"].startswith("application/json")
        return response.status_code, response.json()["error"]

    assert status(sparql(client, "INSERT DATA { <urn:a> <urn:b> <urn:c> }"))[0] == 403
    assert status(sparql(client, "DROP ALL"))[0] == 403
    assert status(client.post("/sparql", data={"update": "CLEAR ALL"}))[0] == 403
    update = client.post("/sparql", content=b"CLEAR ALL", headers={"content-type": "application/sparql-update"})
    assert status(update)[0] == 403
    federated = status(sparql(client, "SELECT * WHERE { SERVICE <http://127.0.0.1:9/> { ?s ?p ?o } }"))
    assert federated[0] == 403 and "SERVICE is refused" in federated[1]
    code, message = status(sparql(client, "SELECT ?x WHERE { ?x ?y }"))
    assert code == 400 and message.startswith("SPARQL syntax error")
    assert status(sparql(client, ORDERED, "image/png"))[0] == 406
    assert status(sparql(client, ORDERED, **{"default-graph-uri": "urn:g"}))[0] == 400
    assert status(client.post("/sparql", content=b"SELECT * {}", headers={"content-type": "text/plain"}))[0] == 415
    assert (
        status(client.post("/sparql", content=b"\xff\xfe", headers={"content-type": "application/sparql-query"}))[0]
        == 400
    )
    assert status(sparql(client, ORDERED, **{"param.1x": "a"}))[0] == 400


def test_service_description(client: TestClient) -> None:
    response = client.get("/sparql", headers={"accept": "text/turtle"})
    assert response.status_code == 200
    triples = [q.triple for q in ox.parse(response.content, ox.RdfFormat.TURTLE)]
    sd = "http://www.w3.org/ns/sparql-service-description#"
    endpoint = next(t for t in triples if t.predicate.value == sd + "endpoint")
    assert endpoint.object.value == "http://testserver/sparql"
    languages = {t.object.value for t in triples if t.predicate.value == sd + "supportedLanguage"}
    assert languages == {sd + "SPARQL11Query"}
    browser = client.get("/sparql", headers={"accept": "text/html"}, follow_redirects=False)
    assert browser.status_code == 303 and browser.headers["location"] == "/query"


@pytest.mark.parametrize("name", PAIRS)
def test_the_catalogue_answers_as_on_the_command_line(client: TestClient, handle: kg.KnowledgeGraph, name: str) -> None:
    sparql_text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    params = declared_params(sparql_text, "#")
    bound = {f"param.{k}": v for k, v in params.items()}
    local = handle.sparql(sparql_text, params)
    over_http = client.post("/sparql", data={"query": sparql_text, **bound}, headers={"accept": "text/csv"})
    assert over_http.status_code == 200, over_http.text
    csv_rows = read_solutions(over_http.content, "text/csv")
    assert csv_rows == [["" if row[v] is None else str(row[v]) for v in local.variables] for row in local.rows]
    cypher_text = (QUERIES / f"{name}.cypher").read_text(encoding="utf-8")
    cypher = client.post("/cypher", json={"query": cypher_text, "parameters": parameters(params)})
    assert cypher.status_code == 200, cypher.text
    assert cypher.json() == {**vars(handle.cypher(cypher_text, parameters(params))), "truncated": False}


def test_cypher_endpoint(client: TestClient, handle: kg.KnowledgeGraph) -> None:
    query = "MATCH (p:Paper)-[r:AUTHORED_BY]->(a:Author {name: $name}) RETURN p.id AS paper, r.position AS position"
    answer = client.post("/cypher", json={"query": query, "parameters": {"name": "Yoshua Bengio"}})
    assert answer.status_code == 200
    assert answer.json()["rows"] == handle.cypher(query, {"name": "Yoshua Bengio"}).rows
    assert answer.headers["x-kg-rows"] == str(len(answer.json()["rows"]))

    def refused(body: Any, **kwargs: Any) -> tuple[int, str]:
        response = client.post("/cypher", json=body, **kwargs) if body is not None else client.post("/cypher", **kwargs)
        return response.status_code, response.json()["error"]

    assert refused({"query": "MATCH (a:Author) SET a.name = 'x'"}) == (
        403,
        "SET is refused: this endpoint is read-only",
    )
    assert refused({"query": "LOAD FROM '/etc/passwd' RETURN *"})[0] == 403
    assert refused({"query": "CALL some_procedure()"})[0] == 403
    assert refused({"query": "MATCH (a:Author {name: $name}) RETURN a"})[0] == 400  # nobody gave $name
    assert refused({"query": "MATCH (a RETURN a"})[0] == 400
    assert refused({"query": 42})[0] == 400
    assert refused({"query": "MATCH (a) RETURN a", "parameters": [1]})[0] == 400
    assert refused(None, content=b"{not json", headers={"content-type": "application/json"})[0] == 400
    assert refused(None, content=b"MATCH (a) RETURN a", headers={"content-type": "text/plain"})[0] == 415
    assert client.get("/cypher").status_code == 405


@pytest.fixture(scope="module")
def limited(built_store: Path) -> Any:
    """The app with a small row cap and a short time limit (one worker each for SPARQL and the rest)."""
    with TestClient(create_app(settings(built_store, max_rows=7, timeout=4.0)), raise_server_exceptions=False) as c:
        yield c


def test_row_cap(limited: TestClient) -> None:
    response = sparql(limited, NAMES + "LIMIT 50")
    assert response.status_code == 200 and len(response.json()["results"]["bindings"]) == 7
    assert response.headers["x-kg-truncated"].startswith("true") and response.headers["x-kg-rows"] == "7"
    small = sparql(limited, NAMES + "LIMIT 3")
    assert len(small.json()["results"]["bindings"]) == 3 and "x-kg-truncated" not in small.headers
    cypher = limited.post("/cypher", json={"query": "MATCH (a:Author) RETURN a.name AS name"})
    assert len(cypher.json()["rows"]) == 7 and cypher.json()["truncated"] is True


def test_a_query_past_the_time_limit_is_stopped_and_others_are_served(limited: TestClient) -> None:
    slow: dict[str, Any] = {}

    def run_slow() -> None:
        started = time.monotonic()
        slow["response"] = sparql(limited, SLOW)
        slow["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=run_slow)
    thread.start()
    time.sleep(0.5)
    fast = [sparql(limited, "ASK { ?s ?p ?o }") for _ in range(5)]  # while the slow one runs
    thread.join(60)
    assert all(r.status_code == 200 and r.json()["boolean"] is True for r in fast)
    assert slow["response"].status_code == 503
    assert "time limit of 4 s" in slow["response"].json()["error"]
    assert slow["seconds"] < 30  # stopped near the limit, not when the query would end
    again = sparql(limited, NAMES + "LIMIT 2")  # the stopped worker was replaced
    assert again.status_code == 200 and len(again.json()["results"]["bindings"]) == 2
