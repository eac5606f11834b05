"""What every route shares: settings, the live store, query workers, templates, and responses
that are JSON or HTML as the client asks (each page's JSON twin is the data its template renders).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import jinja2
from starlette.requests import Request
from starlette.responses import HTMLResponse, JSONResponse, Response

from kg.serve.live import Live
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


@dataclass(frozen=True)
class Settings:
    """What ``kg serve`` was started with."""

    store: Path
    timeout: float = 10.0
    max_rows: int = 10_000
    workers: int = 2
    max_body: int = 1_000_000
    allowed_hosts: tuple[str, ...] = LOCAL_HOSTS


class State:
    """What every request shares: the settings, the live store, the query workers, the templates."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.live = Live(settings.store)
        self._pool: QueryPool | None = None
        self._lock = threading.Lock()
        self._limiters: dict[str, anyio.CapacityLimiter] = {}
        self.templates = jinja2.Environment(
            loader=jinja2.FileSystemLoader(str(HERE / "templates")),
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
        )

    @property
    def pool(self) -> QueryPool:
        """The query workers, started at the first query (tests that never query start none)."""
        with self._lock:
            if self._pool is None:
                settings = self.settings
                self._pool = QueryPool(settings.store, size=settings.workers, timeout=settings.timeout)
            return self._pool

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


def threaded(function: Callable[[Request], Response]) -> Callable[[Request], Awaitable[Response]]:
    """A blocking page function as an endpoint run on the page threads."""

    async def endpoint(request: Request) -> Response:
        return await state(request).in_thread("pages", function, request)

    endpoint.__name__ = endpoint.__qualname__ = function.__name__
    endpoint.__doc__ = function.__doc__
    return endpoint


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
