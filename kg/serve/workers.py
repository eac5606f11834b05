"""Query workers: SPARQL and Cypher from HTTP clients run in child processes the server can stop.

Neither Oxigraph nor the embedded Cypher engine can cancel a running query, so a query that
runs past its time limit would keep a thread (and a core) busy long after its client got an
answer. Each query therefore runs in one of a small pool of worker processes; when the time
limit passes, the server kills that worker, answers 503, and starts a fresh one. The pool's
size is also the bound on concurrent queries: a request that finds every worker busy for the
time limit gets 503 "busy" rather than queueing without end.

Each worker opens the store through the public facade (:func:`kg.api.open_store`) and reopens
it when ``CURRENT`` names a new generation, so a rebuilt store is answered from at the next
query. Workers only read: SPARQL runs on Oxigraph's read-only handle after the same refusals as
``kg sparql`` (UPDATE, SERVICE), Cypher on the read-only database after ``kg cypher``'s
write-clause check.

Rows past ``max_rows`` are not read from the engine: the answer says it was cut
(``truncated``). (:mod:`kg.query.limits` also has a time limit, in a thread: it stops waiting
for Oxigraph but cannot stop Oxigraph, which would go on using a core; a process can be stopped.)
"""

from __future__ import annotations

import multiprocessing
import queue
import threading
from pathlib import Path
from typing import Any

from kg.api import open_store
from kg.errors import KgError, StoreError
from kg.serve.execute import Answer, Job, QueryFailed, run_job

# How long a freshly started worker may take to import kg and say it is ready.
START_SECONDS = 120.0


class QueryTimeout(KgError):
    """The query ran past the time limit; its worker was stopped (HTTP 503)."""


class ServerBusy(KgError):
    """Every worker stayed busy for the whole time limit (HTTP 503)."""


class _Worker:
    def __init__(self, context: Any, store: str) -> None:
        self.connection, child = context.Pipe()
        self.process = context.Process(target=_work, args=(child, store), daemon=True, name="kg-serve-query")
        self.process.start()
        child.close()
        self.ready = False

    def wait_ready(self) -> None:
        if self.ready:
            return
        if not self.connection.poll(START_SECONDS):
            raise StoreError("(query worker)", "a query worker did not start; see the server log")
        message = self.connection.recv()
        if message != "ready":
            raise StoreError("(query worker)", f"a query worker failed to start: {message}")
        self.ready = True

    def stop(self) -> None:
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.connection.close()


class QueryPool:
    """``size`` worker processes answering :class:`Job` s for the store at ``store``."""

    def __init__(self, store: str | Path, size: int = 2, timeout: float = 10.0) -> None:
        self.store = str(store)
        self.size = size
        self.timeout = timeout
        self._context = multiprocessing.get_context("spawn")  # never fork a threaded server
        self._idle: queue.Queue[_Worker] = queue.Queue()
        self._all: set[_Worker] = set()
        self._lock = threading.Lock()
        self._closed = False
        for _ in range(size):
            self._idle.put(self._start())

    def _start(self) -> _Worker:
        worker = _Worker(self._context, self.store)
        with self._lock:
            self._all.add(worker)
        return worker

    def _retire(self, worker: _Worker) -> None:
        with self._lock:
            self._all.discard(worker)
        worker.stop()
        if not self._closed:
            self._idle.put(self._start())

    def run(self, job: Job) -> Answer:
        """Run ``job`` on an idle worker within the time limit, or raise a typed error."""
        try:
            worker = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise ServerBusy(
                f"every query worker ({self.size}) stayed busy for {self.timeout:g} s; try again"
            ) from None
        healthy = False
        try:
            worker.wait_ready()
            worker.connection.send(job)
            if not worker.connection.poll(self.timeout):
                raise QueryTimeout(f"the query ran past the time limit of {self.timeout:g} s and was stopped")
            status, payload = worker.connection.recv()
            healthy = True
        except (EOFError, OSError) as err:
            raise StoreError(self.store, f"a query worker stopped while running the query ({err})") from err
        finally:
            if healthy:
                self._idle.put(worker)
            else:
                self._retire(worker)
        if status == "ok":
            return payload
        raise QueryFailed(*payload)

    def close(self) -> None:
        """Stop every worker."""
        self._closed = True
        with self._lock:
            workers = list(self._all)
            self._all.clear()
        for worker in workers:
            worker.stop()


# ---------------------------------------------------------------------- in the worker process


def _work(connection: Any, store: str) -> None:
    """A worker's loop: answer jobs until the server closes the pipe."""
    connection.send("ready")
    handle = None
    while True:
        try:
            job = connection.recv()
        except (EOFError, OSError):
            return
        try:
            fresh = open_store(store)
            if handle is None or fresh.generation != handle.generation:
                handle = fresh  # a rebuilt store: the new generation from this query on
            connection.send(("ok", run_job(handle, job)))
        except QueryFailed as err:
            connection.send(("error", (err.status, str(err))))
        except KgError as err:  # the store went missing or is damaged
            connection.send(("error", (503, str(err))))
        except Exception as err:  # a bug: the client gets one line, not a traceback
            connection.send(("error", (500, f"the query failed unexpectedly: {type(err).__name__}: {err}")))
