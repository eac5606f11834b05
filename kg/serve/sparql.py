"""``/sparql``: the SPARQL 1.1 Protocol, read-only, over the store's RDF.

- Query by ``GET /sparql?query=…``, ``POST`` of a form (``query=…``,
  ``application/x-www-form-urlencoded``), or ``POST`` of the query itself
  (``application/sparql-query``). UPDATE (and ``POST update=…``) and SERVICE are refused with
  403, as ``kg sparql`` refuses them; ``default-graph-uri``/``named-graph-uri`` with 400 (the
  store is one default graph).
- The answer's format follows ``Accept`` (:mod:`kg.serve.results`): SELECT and ASK as SPARQL
  JSON (the default), XML, CSV or TSV; CONSTRUCT and DESCRIBE as Turtle (the default),
  N-Triples, JSON-LD or RDF/XML. ``format=json|xml|csv|tsv|turtle|nt|jsonld`` in the URL or
  form overrides it (SPARQLWrapper sends one).
- kg's prefixes (``kg:``, ``foaf:``, ``dcterms:``, …) are predeclared, as on the command line,
  and ``param.NAME=VALUE`` binds ``?NAME`` the way ``kg sparql --param`` does (never spliced).
- Limits: the server's time limit and row cap; a cut answer says so in ``X-KG-Truncated``.
- ``GET /sparql`` without a query answers the service description (RDF, by ``Accept``), or the
  query page for a browser.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qsl

import pyoxigraph as ox
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from kg.errors import KgError
from kg.ontology import load as load_ontology
from kg.serve import pages, results, web
from kg.serve.execute import Job, QueryFailed

SD = "http://www.w3.org/ns/sparql-service-description#"
FORMATS = "http://www.w3.org/ns/formats/"
VOID_TRIPLES = "http://rdfs.org/ns/void#triples"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RESULT_FORMATS = (
    "SPARQL_Results_JSON",
    "SPARQL_Results_XML",
    "SPARQL_Results_CSV",
    "SPARQL_Results_TSV",
    "Turtle",
    "N-Triples",
    "JSON-LD",
    "RDF_XML",
)
# ``format=`` names: both a results type and a graph type where a name can mean either
_FORMAT_ACCEPT = {
    "json": "application/sparql-results+json, application/ld+json;q=0.9",
    "xml": "application/sparql-results+xml, application/rdf+xml;q=0.9",
    "csv": "text/csv",
    "tsv": "text/tab-separated-values",
    "turtle": "text/turtle",
    "ttl": "text/turtle",
    "nt": "application/n-triples",
    "ntriples": "application/n-triples",
    "jsonld": "application/ld+json",
    "json-ld": "application/ld+json",
    "rdfxml": "application/rdf+xml",
}


async def endpoint(request: Request) -> Response:
    """The protocol's one operation: a query in, its answer out."""
    fields = list(request.query_params.multi_items())
    query: str | None = request.query_params.get("query")
    if request.method == "POST":
        kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
        body = await request.body()
        text = _decode(body)
        if kind == "application/sparql-query":
            query = text
        elif kind == "application/x-www-form-urlencoded":
            form = parse_qsl(text, keep_blank_values=True)
            fields.extend(form)
            query = dict(form).get("query", query)
            if "update" in dict(form):
                raise QueryFailed(403, "SPARQL UPDATE is refused: this endpoint is read-only")
        elif kind == "application/sparql-update":
            raise QueryFailed(403, "SPARQL UPDATE is refused: this endpoint is read-only")
        else:
            raise QueryFailed(415, "POST a query as application/sparql-query or application/x-www-form-urlencoded")
    names = {name for name, _ in fields}
    if names & {"default-graph-uri", "named-graph-uri"}:
        raise QueryFailed(
            400, "default-graph-uri and named-graph-uri are not supported: the store is one default graph"
        )
    if "update" in names:
        raise QueryFailed(403, "SPARQL UPDATE is refused: this endpoint is read-only")
    accept = _accept(request, dict(fields).get("format"))
    if not query:
        if _browser(request):
            return RedirectResponse("/query", status_code=303)
        return await _description(request, accept)
    try:
        params = pages.parse_params(fields)
    except KgError as err:
        raise QueryFailed(400, str(err)) from err
    shared = web.state(request)
    job = Job("sparql", query, params, accept, shared.settings.max_rows)
    answer = await shared.answer_query(job)
    headers = {"x-kg-rows": str(answer.rows)}
    if answer.truncated:
        headers["x-kg-truncated"] = f"true; the answer was cut at the server's cap of {shared.settings.max_rows} rows"
    return Response(answer.body, media_type=_with_charset(answer.media_type), headers=headers)


def _decode(body: bytes) -> str:
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError as err:
        raise QueryFailed(400, f"the request body is not UTF-8 ({err.reason} at byte {err.start})") from err


def _accept(request: Request, named: str | None) -> str | None:
    if named and named.lower() in _FORMAT_ACCEPT:
        return _FORMAT_ACCEPT[named.lower()]
    return request.headers.get("accept")


def _browser(request: Request) -> bool:
    accept = request.headers.get("accept", "")
    return "text/html" in accept and not web.wants_json(request)


def _with_charset(media_type: str) -> str:
    textual = media_type.startswith("text/") or media_type.endswith(("+json", "+xml", "/json", "/xml"))
    return f"{media_type}; charset=utf-8" if textual and "n-triples" not in media_type else media_type


async def _description(request: Request, accept: str | None) -> Response:
    """The SPARQL 1.1 Service Description of this endpoint, in the RDF format ``Accept`` asks for."""
    try:
        media_type = results.graph_type(accept)
    except results.NotAcceptable as err:
        raise QueryFailed(406, str(err)) from err
    snap = web.state(request).live.snapshot()
    service = ox.NamedNode(str(request.url.replace(query="")))
    dataset, graph = ox.BlankNode("dataset"), ox.BlankNode("graph")
    sd = {name: ox.NamedNode(SD + name) for name in ("Service", "Dataset", "Graph")}
    triples = [
        ox.Triple(service, _RDF_TYPE, sd["Service"]),
        ox.Triple(service, ox.NamedNode(SD + "endpoint"), service),
        ox.Triple(service, ox.NamedNode(SD + "supportedLanguage"), ox.NamedNode(SD + "SPARQL11Query")),
        ox.Triple(service, ox.NamedNode(SD + "defaultDataset"), dataset),
        ox.Triple(dataset, _RDF_TYPE, sd["Dataset"]),
        ox.Triple(dataset, ox.NamedNode(SD + "defaultGraph"), graph),
        ox.Triple(graph, _RDF_TYPE, sd["Graph"]),
    ]
    triples += [
        ox.Triple(service, ox.NamedNode(SD + "resultFormat"), ox.NamedNode(FORMATS + f)) for f in _RESULT_FORMATS
    ]
    count = snap.handle.meta.get("triples")
    if isinstance(count, int):
        xsd_integer = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
        triples.append(ox.Triple(graph, ox.NamedNode(VOID_TRIPLES), ox.Literal(str(count), datatype=xsd_integer)))
    prefixes = {"sd": SD, "formats": FORMATS, "void": "http://rdfs.org/ns/void#"}
    return Response(results.graph(triples, media_type, prefixes), media_type=_with_charset(media_type))


def table(shared: Any, query: str, params: dict[str, str]) -> dict[str, Any]:
    """A query's answer for the query page: columns and rows of plain values, or graph text."""
    answer = shared.run_query(
        Job("sparql", query, params, "application/sparql-results+json, text/turtle;q=0.9", shared.settings.max_rows)
    )
    if answer.media_type == "text/turtle":
        return {"text": answer.body.decode("utf-8"), "rows": answer.rows, "truncated": answer.truncated}
    document = json.loads(answer.body)
    if "boolean" in document:
        return {"columns": ["answer"], "rows": [[{"value": str(document["boolean"]).lower()}]], "truncated": False}
    columns = document["head"]["vars"]
    rows = [[_cell(binding.get(c)) for c in columns] for binding in document["results"]["bindings"]]
    return {"columns": columns, "rows": rows, "truncated": answer.truncated}


def _cell(term: dict[str, str] | None) -> dict[str, Any]:
    """A result value, with the link to its page when it is one of the store's nodes."""
    if term is None:
        return {"value": ""}
    node_id = load_ontology().node_id(term["value"]) if term["type"] == "uri" else None
    return {"value": term["value"], "url": f"/{node_id}" if node_id else None}
