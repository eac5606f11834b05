"""``/cypher``: Cypher over HTTP, read-only, on the store's embedded Cypher database.

``POST /cypher`` with ``{"query": "MATCH …", "parameters": {"name": "Yoshua Bengio"}}``
(``application/json``) answers ``{"columns": [...], "rows": [{column: value}], "truncated": bool}``.
Parameters bind ``$name`` (any JSON value), never spliced into the text. Write clauses
(``CREATE``, ``MERGE``, ``SET``, ``DELETE``, ``LOAD``, ``COPY``, procedure calls not known to
read, …) are refused with 403 before anything runs, as ``kg cypher`` refuses them, and the
database is opened read-only besides. The server's time limit and row cap apply.
"""

from __future__ import annotations

import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from kg.query.cypher import parameters
from kg.serve import web
from kg.serve.execute import Job, QueryFailed


async def endpoint(request: Request) -> Response:
    if request.method != "POST":
        raise QueryFailed(405, 'POST {"query": …, "parameters": {…}} as application/json to /cypher')
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind != "application/json":
        raise QueryFailed(415, 'POST {"query": …, "parameters": {…}} as application/json')
    try:
        document = json.loads(await request.body())
    except (ValueError, UnicodeDecodeError) as err:
        raise QueryFailed(400, f"the request body is not JSON: {err}") from err
    query, params = _parsed(document)
    shared = web.state(request)
    answer = await shared.answer_query(Job("cypher", query, params, None, shared.settings.max_rows))
    headers = {"x-kg-rows": str(answer.rows)}
    if answer.truncated:
        headers["x-kg-truncated"] = f"true; the answer was cut at the server's cap of {shared.settings.max_rows} rows"
    return Response(answer.body, media_type="application/json", headers=headers)


def _parsed(document: Any) -> tuple[str, dict[str, Any]]:
    if not isinstance(document, dict):
        raise QueryFailed(400, 'the body must be a JSON object: {"query": …, "parameters": {…}}')
    query = document.get("query")
    if not isinstance(query, str) or not query.strip():
        raise QueryFailed(400, '"query" must be a non-empty string')
    params = document.get("parameters") or document.get("params") or {}
    if not isinstance(params, dict):
        raise QueryFailed(400, '"parameters" must be a JSON object of name: value')
    return query, params


def table(shared: Any, query: str, params: dict[str, Any]) -> dict[str, Any]:
    """A Cypher answer for the query page: columns and rows of plain values."""
    typed = parameters({k: str(v) for k, v in params.items()})  # form values: integers become integers
    answer = shared.run_query(Job("cypher", query, typed, None, shared.settings.max_rows))
    document = json.loads(answer.body)
    columns = document["columns"]
    rows = [[{"value": _shown(row.get(c))} for c in columns] for row in document["rows"]]
    return {"columns": columns, "rows": rows, "truncated": document["truncated"]}


def _shown(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
