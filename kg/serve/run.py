"""Starting the server: check the store and the limits, warn about a public address, run uvicorn.

``127.0.0.1`` is the default: the store is then reachable from this machine only, and the app
also refuses requests whose ``Host`` is not a local name (a web page cannot reach it by DNS
rebinding). Any other address serves whoever can reach it, so :func:`serve` logs a warning and
the ``Host`` check is left to the network; the endpoints stay read-only and limited either way.

With ``processes`` above one, that many server processes serve the port (:mod:`kg.serve.prefork`),
each with its own app over the same settings, its own ``--workers`` query workers included:
split among the processes, a process's one worker held by a query running to its time limit
kept that process's quick queries waiting (in the ``--timeout`` check of
``benchmarks/bench_serve.py``), and SPARQL and Cypher p95 in the mix was 2-4 times higher.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import socket
import sys
from dataclasses import replace
from typing import Any

from kg.api import open_store
from kg.errors import UsageError
from kg.serve import prefork
from kg.serve.web import Settings

log = logging.getLogger("kg")
# Connections uvicorn keeps at once (more get 503) and how long an idle keep-alive may wait:
# a few slow or idle clients cannot hold every connection.
MAX_CONNECTIONS = 256
KEEP_ALIVE_SECONDS = 5
# How long a thread may hold the GIL before another gets it (Python's default is 5 ms). A page
# rendered on a page thread otherwise holds up the event loop, which answers cached pages and
# query answers in well under a millisecond each, for 5 ms at a time.
SWITCH_SECONDS = 0.0005
# More server processes than this by default costs memory (each opens the store) for little gain.
MAX_DEFAULT_PROCESSES = 8


def is_loopback(host: str) -> bool:
    """True for ``localhost`` and loopback addresses (``127.0.0.0/8``, ``::1``)."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


def default_processes() -> int:
    """Server processes when ``--processes`` is not given: one per core this process may run on."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_DEFAULT_PROCESSES))


def serve_process(sock: socket.socket, settings: Settings, options: dict[str, Any]) -> None:
    """One of several server processes: the app over ``settings`` on the listening ``sock``."""
    import uvicorn

    from kg.serve.app import create_app

    sys.setswitchinterval(SWITCH_SECONDS)
    uvicorn.Server(uvicorn.Config(create_app(settings), **options)).run(sockets=[sock])


def check(settings: Settings) -> None:
    """Refuse limits that cannot work, and a store that cannot be opened, before binding a port."""
    if settings.timeout <= 0:
        raise UsageError("--timeout must be more than 0 seconds")
    if settings.max_rows < 1:
        raise UsageError("--max-rows must be 1 or more")
    if settings.workers < 1:
        raise UsageError("--workers must be 1 or more")
    open_store(settings.store).lookup_index  # noqa: B018 - a missing or damaged store fails here, with its message


def serve(settings: Settings, host: str = "127.0.0.1", port: int = 8000, processes: int = 1) -> None:
    """Serve ``settings.store`` on ``host:port`` from ``processes`` server processes until interrupted."""
    import uvicorn

    from kg.serve.app import create_app

    check(settings)
    if processes < 1:
        raise UsageError("--processes must be 1 or more")
    if not is_loopback(host):
        log.warning(
            "serving on %s: anyone who can reach this address can read the whole store; "
            "use --host 127.0.0.1 to keep it on this machine",
            host,
        )
        settings = replace(settings, allowed_hosts=("*",))
    options: dict[str, Any] = {
        "log_level": "warning",
        "limit_concurrency": MAX_CONNECTIONS,
        "timeout_keep_alive": KEEP_ALIVE_SECONDS,
        "server_header": False,
    }
    if processes == 1:
        log.warning("serving %s on http://%s:%d/ (Ctrl-C stops it)", settings.store, host, port)
        sys.setswitchinterval(SWITCH_SECONDS)
        uvicorn.run(create_app(settings), host=host, port=port, **options)
        return
    try:
        sockets = prefork.sockets_for(host, port, processes)
    except OSError as err:
        raise UsageError(f"cannot listen on {host}:{port}: {err.strerror or err}") from err
    log.warning(
        "serving %s on http://%s:%d/ from %d processes (Ctrl-C stops it)", settings.store, host, port, processes
    )
    prefork.run(serve_process, sockets, processes, settings, options)
