"""A polite HTTP client: the only code in ``kg`` that opens a network connection.

Services that give their data away for free ask three things of a client, and this one does them:
say who it is (a User-Agent naming kg and its version, with the user's contact from
``KG_MAILTO`` when set), keep a minimum interval between requests (arXiv asks for 3 seconds),
and back off when told to (429 and 5xx answers and dropped connections are retried with
exponential backoff and jitter, waiting at least what ``Retry-After`` says). Retries are
bounded: after the last one the request fails with one line naming the URL and the status.

Standard library only (``urllib.request``): fetching needs no extra to be installed. URLs in
messages drop query parameters that may identify the user (``mailto``) or hold a key; headers
(where the Semantic Scholar key travels) are never shown.
"""

from __future__ import annotations

import email.utils
import os
import random
import re
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from kg import __version__
from kg.errors import KgError, UsageError, printable

RETRIED_STATUSES = frozenset({429, 500, 502, 503, 504})
_REFUSED_STATUSES = frozenset({400, 404, 414, 422})  # the service says the request itself is wrong
_HIDDEN_PARAMETERS = frozenset({"mailto", "api_key", "apikey", "key", "email"})
SECRET_HEADERS = frozenset({"x-api-key", "authorization"})
_MAX_BACKOFF = 120.0  # seconds: the longest wait between two attempts
_MAX_BODY = 64 * 1024 * 1024  # a page larger than this is not a page the services send
_HEADER_TOKEN = re.compile(r"[!-~]+")


class FetchError(KgError):
    """A request could not be carried out: the network failed, or the service kept refusing
    (exit status 1; a service that says the query itself is wrong gives ``exit_code=2``)."""

    def __init__(self, url: str, message: str, status: int | None = None, *, exit_code: int | None = None) -> None:
        self.url = shown_url(url)
        self.status = status
        if exit_code is not None:
            self.exit_code = exit_code
        super().__init__(f"{self.url}: {message}")


class PageError(KgError):
    """A page came back but is not what the service documents (not JSON or Atom, fields
    missing): exit status 2, naming the URL and the page number."""

    exit_code = 2

    def __init__(self, url: str, page: int, message: str) -> None:
        self.url = shown_url(url)
        self.page = page
        super().__init__(f"{self.url} (page {page}): {message}")


def shown_url(url: str) -> str:
    """``url`` as messages show it: without parameters that identify the user or hold a key."""
    parts = urllib.parse.urlsplit(url)
    kept = [
        (k, v) for k, v in urllib.parse.parse_qsl(parts.query, keep_blank_values=True) if k not in _HIDDEN_PARAMETERS
    ]
    netloc = parts.hostname or ""
    if parts.port:
        netloc += f":{parts.port}"  # user:password@ never shown
    return printable(urllib.parse.urlunsplit(parts._replace(netloc=netloc, query=urllib.parse.urlencode(kept))))


def user_agent() -> str:
    """``kg/<version> (+<homepage>; mailto:<KG_MAILTO>)``: who is asking, and whom to tell. The
    homepage is the installed package's ``Project-URL`` when it declares one; kg never invents an
    address a service operator would follow to nowhere."""
    about = [f"+{url}" for url in _homepage()] + [f"mailto:{contact}" for contact in [contact_address()] if contact]
    return f"kg/{__version__} ({'; '.join(about or ['knowledge graph of papers'])})"


def _homepage() -> list[str]:
    """The package's declared homepage (``[project.urls]``), as a one-item list, or none."""
    from importlib.metadata import PackageNotFoundError, metadata

    try:
        urls = metadata("kg").get_all("Project-URL") or []
    except PackageNotFoundError:
        return []
    return [url.split(",", 1)[1].strip() for url in urls if "," in url][:1]


def contact_address() -> str:
    """``KG_MAILTO``, checked: a header can carry only printable ASCII without spaces."""
    contact = os.environ.get("KG_MAILTO", "").strip()
    if contact and not _HEADER_TOKEN.fullmatch(contact):
        raise UsageError("KG_MAILTO must be an e-mail address (printable ASCII, no spaces)")
    return contact


def header_secret(variable: str) -> str:
    """A key from the environment variable ``variable`` ('' when unset), checked without showing it."""
    value = os.environ.get(variable, "").strip()
    if value and not _HEADER_TOKEN.fullmatch(value):
        raise UsageError(f"{variable} holds characters an HTTP header cannot carry (printable ASCII, no spaces)")
    return value


def retry_after(value: str | None, now: float) -> float | None:
    """Seconds a ``Retry-After`` header asks to wait (delta-seconds or an HTTP date), if it says."""
    if not value:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - now)


@dataclass
class PoliteClient:
    """GET requests to one service, spaced at least ``interval`` seconds apart and retried.

    ``retries`` is how many times a failed attempt is repeated (so at most ``retries + 1``
    requests per URL); the n-th retry waits ``backoff * 2**(n-1)`` seconds plus up to as much
    again of random jitter (so clients that failed together do not return together), capped at
    two minutes, and never less than the service's ``Retry-After``.
    """

    interval: float
    retries: int = 5
    backoff: float = 1.0
    timeout: float = 60.0
    headers: Mapping[str, str] = field(default_factory=dict)
    sleep: Callable[[float], None] = time.sleep
    _last: float | None = None

    def get(self, url: str) -> bytes:
        """The body of a 200 answer to ``url``; :class:`FetchError` once retries are exhausted."""
        attempt, delay = 0, 0.0
        while True:
            self._wait(delay)
            status, detail, wait = self._attempt(url)
            if status == 200:
                return detail  # type: ignore[return-value]
            if status in _REFUSED_STATUSES:
                raise FetchError(url, f"HTTP {status}, the service refused the request{detail}", status, exit_code=2)
            if status is not None and status not in RETRIED_STATUSES:
                raise FetchError(url, f"HTTP {status}{detail}", status)
            if attempt >= self.retries:
                what = f"HTTP {status}" if status is not None else str(detail)
                raise FetchError(url, f"{what} (gave up after {attempt + 1} attempts)", status)
            if wait is not None and wait > _MAX_BACKOFF:
                raise FetchError(url, f"HTTP {status}, the service asks to wait {wait:.0f} s; try later", status)
            attempt += 1
            delay = max(min(_MAX_BACKOFF, self.backoff * 2 ** (attempt - 1) * (1 + random.random())), wait or 0.0)

    def _wait(self, at_least: float) -> None:
        """Sleep until ``interval`` has passed since the last request began, and ``at_least`` seconds."""
        due = 0.0 if self._last is None else self._last + self.interval - time.monotonic()
        pause = max(due, at_least)
        if pause > 0:
            self.sleep(pause)
        self._last = time.monotonic()

    def _attempt(self, url: str) -> tuple[int | None, bytes | str, float | None]:
        """One request: ``(200, body, None)``, ``(status, detail, Retry-After)`` or ``(None, why, None)``."""
        request = urllib.request.Request(url, headers={"User-Agent": user_agent(), **self.headers})
        try:
            with _OPENER.open(request, timeout=self.timeout) as answer:
                body = answer.read(_MAX_BODY + 1)
        except urllib.error.HTTPError as err:
            with err:
                said = _said(err.read(4096))
            return err.code, said, retry_after(err.headers.get("Retry-After"), time.time())
        except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as err:
            reason = getattr(err, "reason", err)
            return None, f"cannot connect ({printable(str(reason))})", None
        if len(body) > _MAX_BODY:
            raise FetchError(url, "the page is larger than 64 MiB, more than the service sends")
        return 200, body, None


class _KeysStayHome(urllib.request.HTTPRedirectHandler):
    """Follows redirects, but never carries a key header to another host (urllib would)."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):  # type: ignore[no-untyped-def]
        new = super().redirect_request(req, fp, code, msg, headers, newurl)
        if new is not None and urllib.parse.urlsplit(newurl).netloc != urllib.parse.urlsplit(req.full_url).netloc:
            for name in [n for n in new.headers if n.lower() in SECRET_HEADERS]:
                del new.headers[name]
        return new


_OPENER = urllib.request.build_opener(_KeysStayHome)


def _said(body: bytes) -> str:
    """What an error page says, shortened to a clause for the one-line message ('' if nothing)."""
    text = " ".join(body.decode("utf-8", "replace").split())[:200]
    return f": {printable(text)}" if text and not text.startswith("<") else ""
