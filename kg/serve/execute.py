"""Running one HTTP client's query on a store handle, read-only, into an answer's bytes.

Shared by the worker processes (:mod:`kg.serve.workers`), which call :func:`run_job`. SPARQL
gets ``kg sparql``'s refusals (UPDATE, SERVICE: :mod:`kg.query.sparql`) and prefixes, runs on
the facade's read-only Oxigraph handle with values bound as SEP-0007 substitutions, and its
answer is serialised in the format ``Accept`` asks for (:mod:`kg.serve.results`). Cypher goes
through :meth:`kg.api.KnowledgeGraph.cypher_stream` (read-only database, write clauses refused),
read from the engine only up to the row cap, and answers ``{"columns", "rows", "truncated"}``
as JSON. The time limit is the worker pool's: it stops the whole process, because Oxigraph
cannot be interrupted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.api import KnowledgeGraph
from kg.errors import KgError
from kg.query import cypher as cypher_query
from kg.query import sparql
from kg.query.limits import QueryLimits
from kg.serve import results


class QueryFailed(KgError):
    """A query the endpoint will not or cannot answer, with the HTTP status that says why
    (400 malformed, 403 would write or federate, 406 no acceptable format, 503 store trouble)."""

    def __init__(self, status: int, message: str) -> None:
        self.status = status
        super().__init__(message)


@dataclass(frozen=True)
class Job:
    """One query: ``kind`` is ``sparql`` or ``cypher``; ``accept`` picks a SPARQL answer's format."""

    kind: str
    query: str
    params: dict[str, Any] = field(default_factory=dict)
    accept: str | None = None
    max_rows: int = 10_000


@dataclass(frozen=True)
class Answer:
    """A query's answer: the body, its media type, the rows (or triples) sent and whether more were cut."""

    body: bytes
    media_type: str
    rows: int
    truncated: bool


def run_job(handle: KnowledgeGraph, job: Job) -> Answer:
    """Answer ``job`` from ``handle``, or raise :class:`QueryFailed`."""
    if job.kind == "cypher":
        return run_cypher(handle, job)
    return run_sparql(handle, job)


def check_sparql(query: str) -> None:
    """Refuse what ``kg sparql`` refuses: an update, or a federated (SERVICE) query."""
    if sparql.is_update(query):
        raise QueryFailed(403, "SPARQL UPDATE is refused: this endpoint is read-only (rebuild the store to change it)")
    if sparql.is_federated(query):
        raise QueryFailed(403, "SERVICE is refused: this endpoint reads only its own store and sends no requests")


def run_sparql(handle: KnowledgeGraph, job: Job) -> Answer:
    check_sparql(job.query)
    try:
        substitutions = {ox.Variable(name): sparql.parameter(str(value)) for name, value in job.params.items()}
    except (KgError, ValueError) as err:
        raise QueryFailed(400, str(err)) from err
    try:
        found = handle.rdf_store.query(job.query, prefixes=sparql.PREFIXES, substitutions=substitutions or None)
        if isinstance(found, ox.QuerySolutions):
            media_type = results.select_type(job.accept)
            variables = [v.value for v in found.variables]
            rows, truncated = _first(([s[v] for v in variables] for s in found), job.max_rows)
            return Answer(results.solutions(variables, rows, media_type), media_type, len(rows), truncated)
        if isinstance(found, ox.QueryBoolean):
            media_type = results.select_type(job.accept)
            return Answer(results.boolean(found, media_type), media_type, 1, False)
        media_type = results.graph_type(job.accept)
        triples, truncated = _first(iter(found), job.max_rows)
        return Answer(results.graph(triples, media_type, sparql.PREFIXES), media_type, len(triples), truncated)
    except results.NotAcceptable as err:
        raise QueryFailed(406, str(err)) from err
    except SyntaxError as err:
        raise QueryFailed(400, f"SPARQL syntax error: {err}") from err
    except RuntimeError as err:
        if substitutions and "projection" in str(err):
            raise QueryFailed(400, f"every parameter must name a variable the query selects: {err}") from err
        raise QueryFailed(400, f"SPARQL query failed: {err}") from err
    except OSError as err:
        raise QueryFailed(503, f"SPARQL query failed reading the store: {err}") from err


def run_cypher(handle: KnowledgeGraph, job: Job) -> Answer:
    clause = cypher_query.write_clause(job.query)
    if clause is not None:
        raise QueryFailed(403, f"{clause} is refused: this endpoint is read-only")
    try:
        found = handle.cypher_stream(job.query, job.params, QueryLimits(rows=job.max_rows))
        rows = list(found.rows)  # read from the engine up to the cap: memory stays bounded
    except KgError as err:
        raise QueryFailed(400, str(err)) from err
    truncated = found.truncated
    body = {"columns": found.columns, "rows": rows, "truncated": truncated}
    return Answer(json.dumps(body, ensure_ascii=False).encode("utf-8"), "application/json", len(rows), truncated)


def _first(items: Any, limit: int) -> tuple[list[Any], bool]:
    """Up to ``limit`` items, and whether there were more (one more is read to tell)."""
    taken: list[Any] = []
    for item in items:
        if len(taken) == limit:
            return taken, True
        taken.append(item)
    return taken, False
