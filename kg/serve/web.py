"""What every route shares: settings, the live store, query workers, templates, and responses
that are JSON or HTML as the client asks (each page's JSON twin is the data its template renders).
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from kg.errors import UsageError
from kg.serve.cache import DEFAULT_BYTES, MAX_MEGABYTES, AnswerCache, Page, deterministic_cypher, deterministic_sparql
from kg.serve.execute import Answer, Job
from kg.serve.live import Live, Snapshot
from kg.serve.results import NotAcceptable, negotiate
from kg.serve.workers import QueryPool

HERE = Path(__file__).resolve().parent
SECURITY_HEADERS = {
    "x-content-type-options": "nosniff",
    "referrer-policy": "no-referrer",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
    "cross-origin-resource-policy": "same-origin",
}
LOCAL_HOSTS = ("127.0.0.1", "localhost", "[::1]", "::1")
API_PATHS = ("/sparql", "/cypher")
# Threads for page work (CPU-bound, a few ms each) and for waiting on query workers (idle while
# waiting). Few page threads keep requests close to first come, first served: forty threads
# taking turns at the GIL gave p95 four times p50 under 32 clients (benchmarks/bench_serve.py).
THREADS = {"pages": 4, "queries": 64}
CACHE_VARIABLE = "KG_SERVE_CACHE_MB"


def cache_bytes() -> int:
    """The answer cache's bound when ``kg serve --cache-mb`` does not set it: ``$KG_SERVE_CACHE_MB``
    megabytes (0 turns it off), else 64 MB."""
    text = os.environ.get(CACHE_VARIABLE, "").strip()
    if not text:
        return DEFAULT_BYTES
    try:
        megabytes = float(text)
    except ValueError:
        megabytes = -1.0
    if not 0 <= megabytes <= MAX_MEGABYTES:  # NaN and infinity fail too
        raise UsageError(
            f"{CACHE_VARIABLE} (or --cache-mb) must be a number of megabytes from 0 (no cache) to {MAX_MEGABYTES}, "
            f"not {text!r}"
        )
    return int(megabytes * 1024 * 1024)


@dataclass(frozen=True)
class Settings:
    """What ``kg serve`` was started with."""

    store: Path
    timeout: float = 10.0
    max_rows: int = 10_000
    workers: int = 2
    max_body: int = 1_000_000
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS
    cache_bytes: int = field(default_factory=cache_bytes)  # pages and query answers kept per generation (0: none)


class State:
    """What every request shares: the settings, the live store, the query workers, the templates
    and the answer cache."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.live = Live(settings.store)
        self.cache = AnswerCache(settings.cache_bytes)
        self._pool: QueryPool | None = None
        self._lock = threading.Lock()
        self._limiters: dict[str, anyio.CapacityLimiter] = {}
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(HERE / "templates")),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,  # compiled once: templates are package files, not edited while serving
        )

    @property
    def pool(self) -> QueryPool:
        """The query workers, started at the first query (tests that never query start none)."""
        with self._lock:
            if self._pool is None:
                settings = self.settings
                self._pool = QueryPool(settings.store, size=settings.workers, timeout=settings.timeout)
            return self._pool

    def generation(self) -> str:
        """The live generation's name (a small file read; the cache is kept per generation)."""
        return self.live.snapshot().handle.generation.path.name

    def query_key(self, job: Job) -> tuple[Any, ...] | None:
        """What ``job``'s answer depends on besides the store, or None when it is not to be
        cached (the cache is off, or the query calls a random or clock function)."""
        deterministic = deterministic_sparql if job.kind == "sparql" else deterministic_cypher
        if not self.cache.max_bytes or not deterministic(job.query):
            return None
        params = json.dumps(job.params, sort_keys=True, ensure_ascii=False, default=str)
        return ("query", job.kind, job.query, params, job.accept, job.max_rows)

    def run_query(self, job: Job) -> Answer:
        """``job``'s answer: from the cache when this generation already gave it, else from a
        query worker (and then cached, unless the query is not deterministic). Blocking."""
        key = self.query_key(job)
        return self.pool.run(job) if key is None else self._cached_answer(job, key, self.generation())

    def _cached_answer(self, job: Job, key: tuple[Any, ...], generation: str) -> Answer:
        answer = self.cache.get(generation, key)
        if answer is None:
            answer = self.pool.run(job)
            self.cache.put(generation, key, answer, len(answer.body))
        return answer

    async def answer_query(self, job: Job) -> Answer:
        """:meth:`run_query` from the event loop: a cached answer without a thread hop, else on
        a query thread (waiting there for a worker process). The key and the generation are
        found once, here."""
        key = self.query_key(job)
        if key is None:
            return await self.in_thread("queries", self.pool.run, job)
        generation = self.generation()
        found = self.cache.get(generation, key)
        if found is not None:
            return found
        return await self.in_thread("queries", self._cached_answer, job, key, generation)

    async def in_thread(self, kind: str, function: Callable[..., Any], *args: Any) -> Any:
        """Run blocking ``function(*args)`` on one of the ``kind`` threads (:data:`THREADS`)."""
        limiter = self._limiters.get(kind)
        if limiter is None:  # made in the event loop, on first use
            limiter = self._limiters[kind] = anyio.CapacityLimiter(THREADS[kind])
        return await anyio.to_thread.run_sync(function, *args, limiter=limiter)

    def close(self) -> None:
        with self._lock:
            if self._pool is not None:
                self._pool.close()
                self._pool = None


def state(request: Request) -> State:
    return request.app.state.kg


def snapshot(request: Request) -> Snapshot:
    """The generation ``request`` answers from, the same one for the whole request (the page and
    its cache key agree even when a rebuild lands meanwhile)."""
    found = getattr(request.state, "kg_snapshot", None)
    if found is None:
        found = request.state.kg_snapshot = state(request).live.snapshot()
    return found


def threaded(function: Callable[[Request], Response]) -> Callable[[Request], Awaitable[Response]]:
    """A blocking page function as an endpoint, its answers cached: a page this generation
    already rendered is answered from the event loop, any other is rendered on a page thread."""

    async def endpoint(request: Request) -> Response:
        shared = state(request)
        if not shared.cache.max_bytes:
            return await shared.in_thread("pages", function, request)
        generation = snapshot(request).handle.generation.path.name
        key = page_key(request)
        found = shared.cache.get(generation, key)
        if found is not None:
            response = Response(found.body, status_code=found.status)
            response.raw_headers = list(found.headers)
            return response
        response = await shared.in_thread("pages", function, request)
        body = getattr(response, "body", None)
        if isinstance(body, bytes) and response.status_code < 500:
            page = Page(response.status_code, tuple(response.raw_headers), body)
            shared.cache.put(generation, key, page, page.nbytes)
        return response

    endpoint.__name__ = endpoint.__qualname__ = function.__name__
    endpoint.__doc__ = function.__doc__
    return endpoint


def page_key(request: Request) -> tuple[Any, ...]:
    """What a page depends on besides the store: path, query string, ``Host`` and ``Accept``."""
    headers = request.headers
    return ("page", request.url.path, request.url.query, headers.get("host"), headers.get("accept"))


# ---------------------------------------------------------------------- responses


class JSON(JSONResponse):
    """JSON as UTF-8 text, with non-JSON values (numpy numbers, paths) as their plain form."""

    def render(self, content: Any) -> bytes:
        return json.dumps(content, ensure_ascii=False, default=_plain, separators=(",", ":")).encode("utf-8")


def _plain(value: Any) -> Any:
    if hasattr(value, "item"):
        return value.item()
    return str(value)


def wants_json(request: Request) -> bool:
    """``?format=json``, or an ``Accept`` header that prefers JSON to HTML."""
    chosen = request.query_params.get("format")
    if chosen:
        return chosen.lower() == "json"
    try:
        return negotiate(request.headers.get("accept"), ["text/html", "application/json"]) == "application/json"
    except NotAcceptable:
        return False


def page(request: Request, template: str, data: dict[str, Any], status: int = 200, **extra: Any) -> Response:
    """The page's JSON twin (``data``) or its HTML, by what the client asks for."""
    if wants_json(request):
        return JSON(data, status_code=status)
    html = state(request).templates.get_template(template).render(data=data, request=request, **extra)
    return HTMLResponse(html, status_code=status)


def error(request: Request, status: int, message: str, **extra: Any) -> Response:
    """A one-line error: JSON for API clients and the query endpoints, a small page for browsers."""
    data = {"error": message, "status": status, **extra}
    if request.url.path in API_PATHS or wants_json(request):
        return JSON(data, status_code=status)
    return page(request, "error.html", data, status)
