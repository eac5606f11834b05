"""Answers already given, kept for the live store generation: rendered pages and query answers.

A store generation never changes once built (a rebuild writes a new one and switches ``CURRENT``,
:mod:`kg.store.layout`), so a page or a query answer computed from it stays right for as long as
it is live. :class:`AnswerCache` keeps such answers in a least-recently-used order under a bound
on their bytes (``Settings.cache_bytes``, 64 MB by default; 0 turns caching off) and forgets them
all as soon as a request sees another generation.

What is never cached: answers that are not a function of the store and the request. SPARQL that
calls ``RAND``, ``NOW``, ``UUID``, ``STRUUID`` or ``BNODE``, or that constructs blank nodes
(fresh labels each run); Cypher that calls ``random`` (LadybugDB, the Kùzu fork), ``rand``,
``randomUUID``, ``gen_random_uuid`` or a clock function (``timestamp``, ``date``, ``datetime``,
``current_date``, …); errors (they are raised, not returned); and any single answer over an
eighth of the bound, so that one large answer cannot flush everything else.

Keys hold everything an answer depends on: for a query its kind, text, parameters, ``Accept``
and the row cap; for a page its path, query string, ``Host`` and ``Accept``.
"""

from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Hashable
from dataclasses import dataclass
from typing import Any

DEFAULT_BYTES = 64 * 1024 * 1024
MAX_MEGABYTES = 1_000_000  # the largest cache `kg serve --cache-mb` / KG_SERVE_CACHE_MB accepts
# What an entry costs besides its body and key: the objects around them, roughly.
ENTRY_OVERHEAD = 400

_SPARQL_VOLATILE = re.compile(r"\b(?:RAND|NOW|UUID|STRUUID|BNODE)\s*\(", re.IGNORECASE)
_SPARQL_TEMPLATE_BNODE = re.compile(r"_:|\[", re.IGNORECASE)
_SPARQL_GRAPH_FORM = re.compile(r"\b(?:CONSTRUCT|DESCRIBE)\b", re.IGNORECASE)
_CYPHER_VOLATILE = re.compile(
    r"\b(?:rand|random|randomUUID|gen_random_uuid|uuid|timestamp|date|datetime|localdatetime|localtime|time|"
    r"current_date|current_timestamp|now)\s*\(",
    re.IGNORECASE,
)


def deterministic_sparql(query: str) -> bool:
    """True when ``query``'s answer depends only on the store (no random, clock or fresh blank
    node). Conservative: a word like ``RAND(`` inside a string literal also says no."""
    if _SPARQL_VOLATILE.search(query):
        return False
    return not (_SPARQL_GRAPH_FORM.search(query) and _SPARQL_TEMPLATE_BNODE.search(query))


def deterministic_cypher(query: str) -> bool:
    """True when ``query`` calls no random or clock function (conservative, like the SPARQL check)."""
    return _CYPHER_VOLATILE.search(query) is None


@dataclass(frozen=True)
class Page:
    """A rendered page as sent: status, raw headers (content type and length included) and body."""

    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes

    @property
    def nbytes(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers)


class AnswerCache:
    """A byte-bounded LRU of answers, for one store generation at a time (thread-safe).

    >>> cache = AnswerCache(1_000_000)
    >>> cache.put("gen-1", ("page", "/"), b"<html>", 6)
    >>> cache.get("gen-1", ("page", "/"))
    b'<html>'
    >>> cache.get("gen-2", ("page", "/")) is None    # another generation: everything forgotten
    True
    """

    def __init__(self, max_bytes: int = DEFAULT_BYTES) -> None:
        self.max_bytes = max(0, max_bytes)
        self._entries: OrderedDict[Hashable, tuple[Any, int]] = OrderedDict()
        self._generation: str | None = None
        self._lock = threading.Lock()
        self.bytes = 0
        self.hits = 0
        self.misses = 0

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, generation: str, key: Hashable) -> Any | None:
        """The answer cached for ``key`` in ``generation``, or None (a new generation empties the cache)."""
        with self._lock:
            self._switch(generation)
            found = self._entries.get(key)
            if found is None:
                self.misses += 1
                return None
            self._entries.move_to_end(key)
            self.hits += 1
            return found[0]

    def put(self, generation: str, key: Hashable, value: Any, nbytes: int) -> None:
        """Keep ``value`` (``nbytes`` of answer) for ``key``, evicting the least recently used
        entries past the byte bound; answers over an eighth of the bound are not kept."""
        size = nbytes + len(repr(key)) + ENTRY_OVERHEAD
        if size > self.max_bytes // 8:
            return
        with self._lock:
            if self._generation is None:
                self._generation = generation
            if generation != self._generation:
                return  # computed from a generation already replaced (or not yet seen by get)
            old = self._entries.pop(key, None)
            if old is not None:
                self.bytes -= old[1]
            self._entries[key] = (value, size)
            self.bytes += size
            while self.bytes > self.max_bytes:
                _, (_, freed) = self._entries.popitem(last=False)
                self.bytes -= freed

    def _switch(self, generation: str) -> None:
        if generation != self._generation:
            self._entries.clear()
            self.bytes = 0
            self._generation = generation
