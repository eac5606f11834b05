"""Push the store's triples into any SPARQL 1.1 store over the Graph Store HTTP Protocol.

The live generation's Oxigraph database is read as a stream (its default graph, in the store's
own index order) and sent as N-Triples to the target's Graph Store endpoint, ``batch_size``
triples per request: the first batch with ``PUT`` (which *replaces* the target graph), every
further batch with ``POST`` (which adds to it). The target graph is the endpoint's default graph
(``?default``) or, with ``graph``, the named graph ``?graph=IRI`` (indirect graph
identification, which every GSP store supports). Because the first request replaces and kg's
triples are deterministic, pushing twice leaves exactly the same triples; a push after a rebuild
mirrors the new build. Only the one target graph is touched.

Credentials: HTTP basic auth from ``KG_SPARQL_USER`` and ``KG_SPARQL_PASSWORD``, sent with
every request (never on the command line: a URL with ``user:password@`` is refused, and every
message shows the endpoint with any password masked). Redirects are not followed, so the
credentials only ever go to the host that was named. Plain ``http`` with credentials to a host
other than this machine is allowed (a store behind a VPN) but warned about.

Limits: the push is not atomic. Between the first and the last request the target graph holds
part of the graph (queries see it grow), and a push that fails half way leaves it partial;
push again to repair it. Memory is one batch (about 150 bytes a triple, so some 8 MB at the
default 50,000). Errors become :class:`kg.errors.EndpointError` (HTTP status, or none when the
endpoint could not be reached); invalid arguments :class:`kg.errors.UsageError`. Standard
library only (``urllib.request``): no keep-alive between requests, which costs nothing next to
sending megabytes per request.
"""

from __future__ import annotations

import base64
import http.client
import ipaddress
import itertools
import logging
import os
import socket
import ssl
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pyoxigraph as ox

from kg.errors import EndpointError, UsageError

USER_VARIABLE = "KG_SPARQL_USER"
PASSWORD_VARIABLE = "KG_SPARQL_PASSWORD"
DEFAULT_BATCH = 50_000
DEFAULT_TIMEOUT = 300.0
CONTENT_TYPE = "application/n-triples"
Progress = Callable[[str, int, int], None]
log = logging.getLogger("kg")


@dataclass(frozen=True)
class GraphStorePushReport:
    """What a push sent: to where (password masked), which graph (None: default), how much, how long."""

    endpoint: str
    graph: str | None
    triples: int
    batches: int
    seconds: float


# ---------------------------------------------------------------- the endpoint and credentials


def redact(url: str) -> str:
    """``url`` with the password of any ``user:password@`` part masked as ``***``."""
    parts = urllib.parse.urlsplit(url)
    if parts.password is None:
        return url
    userinfo, _, hostport = parts.netloc.rpartition("@")
    user = userinfo.partition(":")[0]
    return urllib.parse.urlunsplit(parts._replace(netloc=f"{user}:***@{hostport}"))


def check_endpoint(url: str) -> str:
    """The endpoint URL, checked: http(s), a host, no credentials in it (UsageError otherwise)."""
    parts = urllib.parse.urlsplit(url)
    if parts.username is not None or parts.password is not None:
        raise UsageError(
            f"--sparql-endpoint {redact(url)}: credentials in the URL are refused; "
            f"set {USER_VARIABLE} and {PASSWORD_VARIABLE} instead"
        )
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UsageError(
            f"--sparql-endpoint {url!r}: expected an http(s) URL of the store's Graph Store endpoint "
            "(Oxigraph: http://HOST:7878/store, Fuseki: http://HOST:3030/DATASET/data)"
        )
    try:
        parts.port  # noqa: B018 - raises ValueError for a port out of range
    except ValueError as err:
        raise UsageError(f"--sparql-endpoint {url!r}: {err}") from err
    return url


def check_graph(iri: str | None) -> str | None:
    """The named graph IRI, checked to be an absolute IRI (UsageError otherwise)."""
    if iri is None:
        return None
    try:
        ox.NamedNode(iri)
    except ValueError as err:
        raise UsageError(f"--graph {iri!r} is not an absolute IRI ({err})") from err
    return iri


def graph_url(endpoint: str, graph: str | None) -> str:
    """The endpoint with the graph named the GSP way: ``?default`` or ``?graph=<IRI, %-encoded>``."""
    query = "default" if graph is None else urllib.parse.urlencode({"graph": graph})
    parts = urllib.parse.urlsplit(endpoint)
    return urllib.parse.urlunsplit(parts._replace(query=f"{parts.query}&{query}" if parts.query else query))


def credentials() -> tuple[str, str] | None:
    """``(user, password)`` from the environment, None when neither is set (UsageError for one alone)."""
    user, secret = os.environ.get(USER_VARIABLE), os.environ.get(PASSWORD_VARIABLE)
    if not user and not secret:
        return None
    if not user or not secret:
        missing = USER_VARIABLE if not user else PASSWORD_VARIABLE
        raise UsageError(f"set {missing} too: basic auth needs both {USER_VARIABLE} and {PASSWORD_VARIABLE}")
    return user, secret


def _is_local(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


# ---------------------------------------------------------------- reading the store


def ntriples_batches(store: ox.Store, batch_size: int = DEFAULT_BATCH) -> Iterator[tuple[bytes, int]]:
    """The store's default graph as N-Triples, ``(body, triples)`` per batch; always at least one
    batch (an empty body for an empty store, so a push still replaces the target graph)."""
    if batch_size < 1:
        raise UsageError(f"--batch-size must be at least 1, not {batch_size}")
    quads = store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    sent_any = False
    while batch := [quad.triple for quad in itertools.islice(quads, batch_size)]:
        sent_any = True
        yield ox.serialize(batch, format=ox.RdfFormat.N_TRIPLES), len(batch)
    if not sent_any:
        yield b"", 0


# ---------------------------------------------------------------- sending


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """Refuse redirects: urllib would resend a PUT as a bodiless GET and keep the Authorization
    header for whatever host the redirect names."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


def push(
    store: ox.Store,
    endpoint: str,
    graph: str | None = None,
    batch_size: int = DEFAULT_BATCH,
    progress: Progress | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> GraphStorePushReport:
    """Replace ``graph`` (default: the default graph) at ``endpoint`` with the store's triples.

    ``store`` is an open ``pyoxigraph.Store`` (``kg.open_store(DIR).rdf_store``); ``endpoint`` the
    target's Graph Store Protocol URL. Returns what was sent; raises EndpointError when the
    endpoint answers with an error or cannot be reached.

    >>> push(kg.open_store(".kg").rdf_store, "http://localhost:7878/store")  # doctest: +SKIP
    GraphStorePushReport(endpoint='http://localhost:7878/store', graph=None, triples=70545, batches=2, seconds=1.2)
    """
    check_endpoint(endpoint)
    check_graph(graph)
    auth = credentials()
    shown = redact(endpoint)
    host = urllib.parse.urlsplit(endpoint).hostname or ""
    headers = {"Content-Type": CONTENT_TYPE}
    if auth is not None:
        if urllib.parse.urlsplit(endpoint).scheme == "http" and not _is_local(host):
            log.warning("sending %s's password to %s over plain http (unencrypted); prefer https", auth[0], host)
        token = base64.b64encode(f"{auth[0]}:{auth[1]}".encode()).decode("ascii")
        headers["Authorization"] = f"Basic {token}"
    secret = auth[1] if auth is not None else ""
    opener = urllib.request.build_opener(_NoRedirects)
    target = graph_url(endpoint, graph)
    total = len(store) if progress else 0  # a count is a scan of the store: only for a progress bar
    started = time.perf_counter()
    sent = batches = 0
    for body, count in ntriples_batches(store, batch_size):
        method = "PUT" if batches == 0 else "POST"
        batches += 1
        request = urllib.request.Request(target, data=body, method=method, headers=headers)
        _send(opener, request, timeout, shown, f"{method} of batch {batches}", secret)
        sent += count
        if progress:
            progress(f"pushing to {shown}", sent, total)
    return GraphStorePushReport(shown, graph, sent, batches, time.perf_counter() - started)


def _send(
    opener: urllib.request.OpenerDirector,
    request: urllib.request.Request,
    timeout: float,
    shown: str,
    what: str,
    secret: str,
) -> None:
    """Send one request; any failure becomes one EndpointError line (the password scrubbed)."""
    try:
        with opener.open(request, timeout=timeout) as response:
            response.read()
    except urllib.error.HTTPError as err:
        raise EndpointError(shown, _http_message(err, what, secret), err.code) from err
    except urllib.error.URLError as err:
        raise EndpointError(shown, f"{what}: {_unreachable(err.reason, timeout, secret)}") from err
    except (OSError, http.client.HTTPException) as err:  # timeouts and resets while reading the answer
        raise EndpointError(shown, f"{what}: {_unreachable(err, timeout, secret)}") from err


_HINTS = {
    401: f"the endpoint wants credentials: check {USER_VARIABLE} and {PASSWORD_VARIABLE}",
    403: f"the endpoint refused this user: check {USER_VARIABLE} and {PASSWORD_VARIABLE}",
    404: "is this the store's Graph Store endpoint? (Oxigraph: /store, Fuseki: /DATASET/data)",
    405: "is this the store's Graph Store endpoint, and is it writable? (Oxigraph: /store, Fuseki: /DATASET/data)",
    413: "the request is too large for the server: lower --batch-size",
}


def _http_message(err: urllib.error.HTTPError, what: str, secret: str) -> str:
    status = f"HTTP {err.code} {err.reason}".strip()
    if 300 <= err.code < 400:
        location = redact(err.headers.get("Location", "?"))
        return f"{what}: {status}, redirected to {location}; pass that URL (kg does not follow redirects)"
    try:
        detail = err.read(300).decode("utf-8", "replace")
    except (OSError, http.client.HTTPException):
        detail = ""
    hint = _HINTS.get(err.code)
    parts = [f"{what}: {status}", _one_line(detail, secret), hint]
    return "; ".join(p for p in parts if p)


def _unreachable(reason: object, timeout: float, secret: str) -> str:
    if isinstance(reason, ConnectionRefusedError):
        return "cannot connect (connection refused); is the server running? check --sparql-endpoint"
    if isinstance(reason, TimeoutError):
        return f"no answer within {timeout:g} s; is the server overloaded? try a smaller --batch-size"
    if isinstance(reason, socket.gaierror):
        return "cannot resolve the host name; check --sparql-endpoint"
    if isinstance(reason, ssl.SSLError):
        return f"TLS error ({_one_line(str(reason), secret)})"
    if isinstance(reason, (ConnectionResetError, BrokenPipeError, http.client.RemoteDisconnected)):
        return "the server closed the connection; check the server's log (a request-size limit? lower --batch-size)"
    return f"cannot reach the endpoint ({_one_line(str(reason), secret)})"


def _one_line(text: str, secret: str) -> str:
    """At most 200 characters on one line, the password masked should a server echo it."""
    if secret:
        text = text.replace(secret, "***")
    text = " ".join(text.split())
    return text if len(text) <= 200 else text[:199] + "…"
