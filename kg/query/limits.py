"""Time and row limits for queries a user types, and a clean stop on Ctrl-C.

A typed query can ask for more than a machine has (``SELECT * WHERE { ?a ?b ?c . ?d ?e ?f }``
on a large store). The engines compute rows lazily, so a row limit read from a stream keeps
memory constant; a time limit needs the evaluation off the main thread, because a single step
of it (a sort, a join) can run for minutes inside the engine where Python cannot interrupt it.

:func:`bounded` runs an engine's row iterator in a worker thread and hands rows over through a
small queue: the caller gets :class:`~kg.errors.LimitReached` at the deadline and
:class:`~kg.errors.Interrupted` on Ctrl-C, both at once. An engine that can be interrupted
(the embedded Cypher database) is told to stop; Oxigraph cannot be, so its worker finishes the
step it is in and then stops on its own, in the background (the command line exits at once).
"""

from __future__ import annotations

import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Generic, TypeVar

from kg.errors import Interrupted, LimitReached

DEFAULT_TIMEOUT = 60.0
"""Seconds a query typed on the command line may run (``--timeout``; 0 for no limit)."""
DEFAULT_ROW_LIMIT = 100_000
"""Rows a query typed on the command line may print (``--limit``; 0 for no limit)."""

T = TypeVar("T")
_DONE = object()
_POLL = 0.1  # seconds between checks for Ctrl-C while waiting for the engine
_BATCH = 1024  # rows handed over at once
_JOIN_AFTER_INTERRUPT = 30.0  # seconds an interrupted engine gets to return


@dataclass(frozen=True)
class QueryLimits:
    """What may stop a query: ``timeout`` seconds and ``rows`` rows (None: no limit)."""

    timeout: float | None = None
    rows: int | None = None

    @classmethod
    def from_options(cls, timeout: float, rows: int) -> QueryLimits:
        """The command line's values, where 0 means no limit."""
        return cls(timeout or None, rows or None)


class Bounded(Generic[T]):
    """Rows of a query, stopped by its limits; ``truncated`` tells whether ``limits.rows`` cut it."""

    def __init__(
        self,
        rows: Callable[[], Iterable[T]],
        limits: QueryLimits,
        what: str,
        interrupt: Callable[[], None] | None = None,
    ) -> None:
        self._rows = rows
        self._limits = limits
        self._what = what
        self._interrupt = interrupt
        self.truncated = False

    def __iter__(self) -> Iterator[T]:
        limits = self._limits
        deadline = None if limits.timeout is None else time.monotonic() + limits.timeout
        handover: queue.Queue[object] = queue.Queue(maxsize=8)
        stop = threading.Event()
        worker = threading.Thread(target=self._produce, args=(handover, stop), name="kg-query", daemon=True)
        worker.start()
        count = 0
        try:
            while True:
                batch = self._next(handover, deadline)
                if batch is _DONE:
                    return
                if isinstance(batch, _Failure):
                    raise batch.error
                for item in batch:  # type: ignore[attr-defined]
                    if limits.rows is not None and count >= limits.rows:
                        self.truncated = True
                        return
                    count += 1
                    yield item
        except KeyboardInterrupt:
            raise Interrupted(f"{self._what} interrupted (Ctrl-C) after {count} rows") from None
        finally:
            stop.set()
            if worker.is_alive() and self._interrupt is not None:
                # the engine returns promptly once interrupted; waiting for it means the database
                # is never closed under a running query (LadybugDB aborts the process then)
                self._interrupt()
                worker.join(_JOIN_AFTER_INTERRUPT)

    def _next(self, handover: queue.Queue[object], deadline: float | None) -> object:
        while True:
            wait = _POLL if deadline is None else min(_POLL, deadline - time.monotonic())
            if wait <= 0:
                seconds = self._limits.timeout
                raise LimitReached(
                    f"{self._what} stopped by its time limit ({seconds:g} s); narrow it or add LIMIT, "
                    "or raise --timeout (0: none)"
                )
            try:
                return handover.get(timeout=wait)
            except queue.Empty:
                continue

    def _produce(self, handover: queue.Queue[object], stop: threading.Event) -> None:
        """Rows go over in batches (a hand-over per row doubled the CPU time of a long answer),
        flushed when full or when the oldest row has waited ``_POLL`` seconds."""
        try:
            batch: list[T] = []
            started = 0.0
            for row in self._rows():
                if not batch:
                    started = time.monotonic()
                batch.append(row)
                if len(batch) >= _BATCH or time.monotonic() - started >= _POLL:
                    if not _put(handover, batch, stop):
                        return
                    batch = []
            if batch and not _put(handover, batch, stop):
                return
            _put(handover, _DONE, stop)
        except BaseException as err:  # handed to the consumer, which raises it
            _put(handover, _Failure(err), stop)


def open_stream(
    answer: Callable[[], Iterator[T]],
    limits: QueryLimits,
    what: str,
    interrupt: Callable[[], None] | None = None,
) -> tuple[T, Iterator[T], Bounded[T] | None]:
    """Start an engine's answer whose first item is a header (columns, kind), not a row.

    Returns the header, the rows that follow it and the :class:`Bounded` that stops them (None
    when ``limits`` set none: then no thread and no hand-over per row). The header is read under
    the same deadline, since computing it can be the slow part (an ASK, a sort)."""
    if limits.timeout is None and limits.rows is None:
        items: Iterator[T] = answer()
        bounded = None
    else:
        rows = None if limits.rows is None else limits.rows + 1  # one more item: the header
        bounded = Bounded(answer, QueryLimits(limits.timeout, rows), what, interrupt)
        items = iter(bounded)
    return next(items), items, bounded


@dataclass(frozen=True)
class _Failure:
    error: BaseException


def _put(handover: queue.Queue[object], item: object, stop: threading.Event) -> bool:
    """Hand ``item`` over unless the consumer has stopped; False when it has."""
    while not stop.is_set():
        try:
            handover.put(item, timeout=_POLL)
            return True
        except queue.Full:
            continue
    return False
