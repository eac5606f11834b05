"""Paging a service into a file: ask, check, append, remember, until the limit or the last page.

One loop serves the three services. Each page is checked before anything is written (a
malformed page leaves the partial file as it was), appended to ``FILE.partial`` with the next
cursor saved beside it (:mod:`kg.fetch.resume`), and counted on the progress callback. When the
limit is reached or the service has no more pages, the file is closed and renamed to ``FILE``.
"""

from __future__ import annotations

import os
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from kg.errors import Interrupted, UsageError
from kg.fetch.client import PoliteClient, user_agent
from kg.fetch.resume import Partial
from kg.fetch.service import Query, Service

ProgressCallback = Callable[[str, int, int], None]


@dataclass(frozen=True)
class Politeness:
    """How the client behaves: seconds between requests (None: the service's own), retries."""

    interval: float | None = None
    retries: int = 5
    backoff: float = 1.0
    timeout: float = 60.0


def base_url(service: type[Service], given: str | None) -> str:
    """``--base-url``, else ``KG_FETCH_<SERVICE>_URL``, else the service's own address; http(s) only."""
    url = given or os.environ.get(f"KG_FETCH_{service.name.upper()}_URL") or service.default_url
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise UsageError(f"base URL {url!r} is not an http(s) URL")
    return url


def fetch(
    service: Service,
    output: Path,
    politeness: Politeness = Politeness(),
    *,
    restart: bool = False,
    progress: ProgressCallback | None = None,
) -> int:
    """Fetch ``service.query`` into ``output``; the number of records the finished file holds.

    Interrupted (Ctrl-C): :class:`Interrupted`, the partial file kept for the next run.
    """
    query: Query = service.query
    client = PoliteClient(  # first, so a key or contact a header cannot carry is refused before any file is made
        interval=service.interval if politeness.interval is None else politeness.interval,
        retries=politeness.retries,
        backoff=politeness.backoff,
        timeout=politeness.timeout,
        headers=service.headers(),
    )
    user_agent()
    partial = Partial(output)
    state = partial.open(service.request(), service.first_cursor(), service.header, restart)
    if progress is not None and not state.finished:
        resumed = f" (resuming after page {state.pages})" if state.pages else ""
        progress(f"{service.name}: asking{resumed}", state.records, query.limit)
    try:
        while not state.finished and state.records < query.limit:
            wanted = query.limit - state.records
            url = service.url(state.cursor, wanted)
            page = service.parse(client.get(url), url, state.pages + 1)
            kept = page.records[:wanted]
            state.total = page.total if page.total is not None else state.total
            finished = page.next_cursor is None or len(kept) == wanted
            partial.append(state, b"".join(kept), page.next_cursor, len(kept), finished)
            if progress is not None:
                goal = min(query.limit, state.total) if state.total is not None else query.limit
                progress(f"{service.name}: page {state.pages}", state.records, goal)
    except KeyboardInterrupt:
        raise Interrupted(
            f"interrupted (Ctrl-C) with {state.records} records in {partial.path}; "
            "run the same command again to continue from there"
        ) from None
    partial.finish(state, service.footer)
    return state.records
