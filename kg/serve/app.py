"""The Starlette app: routes, content negotiation, limits, security headers and errors.

Routes (every page also answers JSON: ``?format=json`` or ``Accept: application/json``):

- ``/``: counts and the search box; ``/search?q=``: fuzzy search over authors, institutions,
  concepts, topics and paper titles; ``/who-works-on?topic=`` (``institution``, ``since``, ``limit``);
- ``/{type}/{slug}``: a node's page by its id (``/author/yoshua-bengio``, ``/concept/dropout``);
  ``/graph/{type}/{slug}``: its neighbourhood view (``depth``, ``max_nodes``);
- ``/sparql``: the SPARQL 1.1 Protocol (:mod:`kg.serve.sparql`); ``/cypher``: Cypher over HTTP
  (:mod:`kg.serve.cypher`); ``/query``: a page running either, with the example catalogue.

Limits: client queries run in worker processes with a time limit and a row cap, as many at a
time as there are workers (:mod:`kg.serve.workers`); request bodies over ``max_body`` bytes get
413; ``Host`` must name this machine unless the server was bound elsewhere (DNS rebinding).
Every response carries a Content-Security-Policy without ``unsafe-inline`` (pages run no script
at all; the graph view runs its two scripts by hash), ``nosniff``, no referrer and no framing.
Errors are one line: JSON ``{"error", "status"}`` for API clients, a small page for browsers,
never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import logging
from collections.abc import AsyncIterator, Callable
from typing import Any

from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException
from starlette.middleware import Middleware
from starlette.middleware.trustedhost import TrustedHostMiddleware
from starlette.requests import Request
from starlette.responses import HTMLResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from kg.errors import KgError, StoreError
from kg.query.match import NoMatchError
from kg.serve import cypher, graphview, nodes, pages, sparql
from kg.serve.execute import QueryFailed
from kg.serve.web import (
    HERE,
    JSON,
    SECURITY_HEADERS,
    Settings,
    State,
    error,
    page,
    snapshot,
    state,
    threaded,
    wants_json,
)
from kg.serve.workers import QueryTimeout, ServerBusy

log = logging.getLogger("kg.serve")
PAGE_POLICY = (
    "default-src 'none'; style-src 'self'; img-src 'self' data:; script-src 'none'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'"
)


class BodyTooLarge(KgError):
    """A request body past the size limit (HTTP 413)."""


# ---------------------------------------------------------------------- pages


def home(request: Request) -> Response:
    return page(request, "home.html", pages.home(snapshot(request)))


def search(request: Request) -> Response:
    text = request.query_params.get("q", "")
    return page(request, "search.html", pages.search(snapshot(request), text))


def who_works_on(request: Request) -> Response:
    params = request.query_params
    topic = params.get("topic", "").strip()
    form = {"topic": topic, "institution": params.get("institution", ""), "since": params.get("since", "")}
    if not topic:
        return page(request, "who.html", {"form": form, "results": None})
    limit = _integer(params.get("limit") or "10", "limit", 1, 100)
    since = _integer(params["since"], "since", 0, 9999) if params.get("since") else None
    snap = snapshot(request)
    try:
        data = pages.who_works_on(snap, topic, limit, params.get("institution") or None, since)
    except NoMatchError as err:
        return page(request, "who.html", {"form": form, "results": None, **pages.no_match(err)}, 404)
    return page(request, "who.html", {"form": form, **data})


def _integer(text: str, name: str, low: int, high: int) -> int:
    try:
        value = int(text)
    except ValueError:
        raise HTTPException(400, f"{name} must be a whole number, not {text[:40]!r}") from None
    if not low <= value <= high:
        raise HTTPException(400, f"{name} must be between {low} and {high}")
    return value


def node(request: Request) -> Response:
    node_id = request.path_params["node_id"]
    data = nodes.node_page(snapshot(request), node_id)
    return page(request, "node.html", data)


def graph_view(request: Request) -> Response:
    params = request.query_params
    depth = _integer(params.get("depth") or "1", "depth", 0, graphview.MAX_DEPTH)
    cap = _integer(params.get("max_nodes") or str(graphview.MAX_NODES), "max_nodes", 1, graphview.MAX_NODES)
    view = graphview.neighbourhood(snapshot(request), request.path_params["node_id"], depth, cap)
    if wants_json(request):
        return JSON({"id": request.path_params["node_id"], "nodes": view.nodes, "note": view.note})
    return HTMLResponse(view.html, headers={"content-security-policy": view.policy})


async def query_page(request: Request) -> Response:
    return await state(request).in_thread("queries", _query_page, request, state(request))


def _query_page(request: Request, shared: State) -> Response:
    params = request.query_params
    catalogue = pages.examples()
    language = params.get("lang", "sparql") if params.get("lang") in ("sparql", "cypher") else "sparql"
    text = params.get("query", "")
    chosen = next((e for e in catalogue if e["name"] == params.get("example")), None)
    bound = pages.parse_params(list(params.multi_items()))
    if chosen is not None and not text:
        text = chosen[language] or ""
        bound = bound or dict(chosen["params"])
    data: dict[str, Any] = {"lang": language, "query": text, "params": bound, "examples": catalogue, "answer": None}
    status = 200
    if text and chosen is None:
        try:
            data["answer"] = (sparql.table if language == "sparql" else cypher.table)(shared, text, bound)
        except (QueryFailed, QueryTimeout, ServerBusy, StoreError) as err:
            status = _status(err)
            data["error"] = str(err)
    return page(request, "query.html", data, status)


# ---------------------------------------------------------------------- errors


def _status(err: Exception) -> int:
    if isinstance(err, QueryFailed):
        return err.status
    if isinstance(err, (QueryTimeout, ServerBusy, StoreError)):
        return 503
    if isinstance(err, (nodes.NodeNotFound, NoMatchError)):
        return 404
    if isinstance(err, BodyTooLarge):
        return 413
    return 400


def kg_error(request: Request, err: Exception) -> Response:
    extra = pages.no_match(err) if isinstance(err, NoMatchError) else {}
    extra.pop("error", None)
    return error(request, _status(err), str(err), **extra)


def http_error(request: Request, err: Exception) -> Response:
    assert isinstance(err, HTTPException)
    message = err.detail if err.status_code != 404 or err.detail != "Not Found" else f"no page at {request.url.path}"
    return error(request, err.status_code, str(message))


def server_error(request: Request, err: Exception) -> Response:
    log.exception("kg serve: unexpected error on %s", request.url.path, exc_info=err)
    return error(request, 500, f"internal error ({type(err).__name__}); the server log has the details")


# ---------------------------------------------------------------------- middleware


class Limits:
    """Bodies over ``max_body`` bytes get 413 (by ``Content-Length`` or as they stream in), and
    every response gets the security headers (a route that sets its own policy keeps it)."""

    def __init__(self, app: ASGIApp, max_body: int) -> None:
        self.app = app
        self.max_body = max_body

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = dict(scope["headers"])
        declared = headers.get(b"content-length", b"0")
        if not declared.isdigit() or int(declared) > self.max_body:
            await self._refuse(scope, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.max_body:
                raise BodyTooLarge(f"the request body is over the limit of {self.max_body:,} bytes")
            return message

        async def secured(message: Message) -> None:
            if message["type"] == "http.response.start":
                present = {name.lower() for name, _ in message.get("headers", [])}
                extra = [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items() if k.encode() not in present]
                if b"content-security-policy" not in present:
                    extra.append((b"content-security-policy", PAGE_POLICY.encode()))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        await self.app(scope, limited, secured)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = json.dumps({"error": f"the request body is over the limit of {self.max_body:,} bytes", "status": 413})
        response = Response(body, status_code=413, media_type="application/json", headers=SECURITY_HEADERS)
        await response(scope, _nothing, send)


async def _nothing() -> Message:
    return {"type": "http.disconnect"}


# ---------------------------------------------------------------------- the app


def create_app(settings: Settings) -> Starlette:
    """The ASGI app serving ``settings.store``, read-only."""
    shared = State(settings)

    @contextlib.asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        yield
        await run_in_threadpool(shared.close)

    handlers: dict[Any, Callable[..., Any]] = {
        HTTPException: http_error,
        KgError: kg_error,
        Exception: server_error,
    }
    routes = [
        Route("/", threaded(home)),
        Route("/search", threaded(search)),
        Route("/who-works-on", threaded(who_works_on)),
        Route("/query", query_page),
        Route("/sparql", sparql.endpoint, methods=["GET", "POST"]),
        Route("/cypher", cypher.endpoint, methods=["GET", "POST"]),
        Mount("/static", StaticFiles(directory=str(HERE / "static")), name="static"),
        Route("/graph/{node_id:path}", threaded(graph_view)),
        Route("/{node_id:path}", threaded(node)),
    ]
    middleware = [
        Middleware(Limits, max_body=settings.max_body),
        Middleware(TrustedHostMiddleware, allowed_hosts=list(settings.allowed_hosts)),
    ]
    app = Starlette(routes=routes, middleware=middleware, exception_handlers=handlers, lifespan=lifespan)
    app.state.kg = shared
    return app
