"""Several server processes on one port, so pages are rendered on every core.

A page is a few milliseconds of Python and one process renders one page at a time whatever the
number of cores (the GIL): 32 clients queue behind it. :func:`run` starts ``processes`` server
processes (spawned, never forked from a threaded parent), each building its own app from the
same settings: it opens the store read-only, follows ``CURRENT`` at every request
(:mod:`kg.serve.live`), keeps its own answer cache and runs its own query workers.

How connections reach them: on Linux each process listens on its own socket bound to the port
with ``SO_REUSEPORT``, and the kernel spreads new connections over the sockets evenly. One
socket shared by all (uvicorn's ``workers=N``) was measured first: the process that wakes first
takes every pending connection, and 32 clients connecting at once split 28 to 4, which left the
busy process's p95 where one process had it. Elsewhere (no ``SO_REUSEPORT``, or one that does
not balance, as on macOS) the processes share one socket. Sockets are bound here, before any
process starts, so a port in use fails at once with its message; only this user's processes can
join a ``SO_REUSEPORT`` group on Linux.

The parent only watches: a server process that dies is started again (one that dies within
:data:`STARTUP_SECONDS` of starting stops the server, with its exit status, rather than looping),
and SIGINT or SIGTERM stop them all, each finishing its requests and stopping its query workers.
A server process whose parent is gone (killed outright) stops itself the same way.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import sys
import threading
import time
from collections.abc import Callable
from multiprocessing.connection import wait
from typing import Any

from kg.errors import KgError

log = logging.getLogger("kg")
STARTUP_SECONDS = 10.0  # a process dying sooner than this after its start is a failure, not a crash to repair
STOP_SECONDS = 30.0  # how long a stopping process may finish its requests before it is killed
BACKLOG = 2048  # connections waiting to be accepted, per socket (uvicorn's default)


class ServeFailed(KgError):
    """A server process stopped right after it started (see the log above for why)."""


class _Stop(Exception):
    """SIGTERM, turned into an exception so the parent stops its processes on the way out."""


def balanced() -> bool:
    """True where ``SO_REUSEPORT`` spreads connections over the sockets (Linux)."""
    return sys.platform.startswith("linux") and hasattr(socket, "SO_REUSEPORT")


def listening(host: str, port: int, reuse_port: bool) -> socket.socket:
    """A socket listening on ``host:port`` (IPv4 or IPv6, as ``host`` is)."""
    family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    sock = socket.socket(family, kind, proto)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind(address)
    except OSError:
        sock.close()
        raise
    sock.listen(BACKLOG)
    sock.set_inheritable(True)
    return sock


def sockets_for(host: str, port: int, processes: int) -> list[socket.socket]:
    """One socket per process where the kernel balances them, else one shared by all."""
    if not balanced():
        return [listening(host, port, reuse_port=False)]
    found: list[socket.socket] = []
    try:
        for _ in range(processes):
            found.append(listening(host, port, reuse_port=True))
    except OSError:
        for sock in found:
            sock.close()
        raise
    return found


def run(target: Callable[..., None], sockets: list[socket.socket], processes: int, *args: Any) -> None:
    """Run ``target(sock, *args)`` in ``processes`` spawned processes until SIGINT or SIGTERM;
    start a process again when it dies. ``target`` and ``args`` are pickled (a module-level
    function, plain data)."""
    context = multiprocessing.get_context("spawn")

    def start(number: int) -> tuple[Any, float]:
        process = context.Process(
            target=_child,
            args=(target, sockets[number % len(sockets)], *args),
            name=f"kg-serve-{number}",
            daemon=False,
        )
        process.start()
        return process, time.monotonic()

    previous = signal.signal(signal.SIGTERM, _raise_stop)
    running: list[tuple[Any, float]] = []
    try:
        running.extend(start(number) for number in range(processes))
        while True:
            wait([process.sentinel for process, _ in running])
            for number, (process, started) in enumerate(running):
                if process.is_alive():
                    continue
                if time.monotonic() - started < STARTUP_SECONDS:
                    raise ServeFailed(f"a server process stopped as it started (exit status {process.exitcode})")
                log.warning("server process %d stopped (exit status %s); starting another", number, process.exitcode)
                running[number] = start(number)
    except (KeyboardInterrupt, _Stop):
        pass
    finally:
        signal.signal(signal.SIGTERM, previous)
        _stop_all([process for process, _ in running])
        for sock in sockets:
            sock.close()


def _child(target: Callable[..., None], sock: socket.socket, *args: Any) -> None:
    """A server process: ``target(sock, *args)``, stopped (SIGTERM, so it finishes its requests)
    when the parent goes away without stopping it (killed with SIGKILL, say), rather than left
    serving the port on its own."""
    parent = multiprocessing.parent_process()
    if parent is not None:
        threading.Thread(target=_stop_with, args=(parent.sentinel,), name="kg-serve-parent", daemon=True).start()
    target(sock, *args)


def _stop_with(sentinel: int) -> None:
    wait([sentinel])
    os.kill(os.getpid(), signal.SIGTERM)


def _raise_stop(*_: Any) -> None:
    raise _Stop


def _stop_all(processes: list[Any]) -> None:
    """SIGTERM to each (uvicorn then finishes its requests and runs the app's shutdown), then a
    kill for any still running after :data:`STOP_SECONDS`."""
    for process in processes:
        if process.is_alive():
            process.terminate()
    deadline = time.monotonic() + STOP_SECONDS
    for process in processes:
        process.join(max(0.0, deadline - time.monotonic()))
        if process.is_alive():
            process.kill()
            process.join(5)
