"""The store as the pages see it: the live generation, switched at the first request after a rebuild.

A build writes a whole new generation and then points ``CURRENT`` at it (:mod:`kg.store.layout`),
so each request reads ``CURRENT`` (one small file: :func:`kg.store.layout.current_name`) and
keeps serving from the handle it already has while that name stays the same. When it changes
(or cannot be read), :func:`kg.api.open_store` opens and checks the new generation (or raises
the store's error) and the next request gets a new :class:`Snapshot`; requests already running
finish on the old one, whose generation a build keeps on disk until the one after. (Opening
the store on every request read and parsed ``meta.json`` each time: 0.3-0.6 ms a request.)

A snapshot caches, per generation, what pages reuse: the paper titles the search box looks
through and, only when a graph view is asked for, the typed graph read back from the RDF store.
"""

from __future__ import annotations

import threading
from functools import cached_property
from pathlib import Path
from typing import Any

from kg.api import KnowledgeGraph, open_store
from kg.graph import Graph
from kg.normalize import key
from kg.ontology import Ontology
from kg.ontology import load as load_ontology
from kg.store.layout import current_name


class Snapshot:
    """One generation of the store, opened read-only, with per-generation caches."""

    def __init__(self, handle: KnowledgeGraph) -> None:
        self.handle = handle
        self._lock = threading.Lock()
        self._graph: Graph | None = None

    @property
    def index(self) -> Any:
        """The lookup index (:class:`kg.query.index.LookupIndex`)."""
        return self.handle.lookup_index

    @cached_property
    def ontology(self) -> Ontology:
        return load_ontology()

    @cached_property
    def iri_keys(self) -> tuple[dict[str, str], dict[str, str], dict[str, str]]:
        """The ontology's node types, relations and literal properties by IRI (each node page
        looks its rows up in them; built once, not per page)."""
        onto = self.ontology
        return (
            {t.iri: key for key, t in onto.node_types.items()},
            {r.iri: key for key, r in onto.relations.items()},
            {p.iri: key for key, p in onto.properties.items()},
        )

    @cached_property
    def paper_titles(self) -> tuple[list[tuple[str, str]], list[str]]:
        """(id, label) of every paper and the matching key of each label, for title search."""
        papers = [(pid, label) for pid, label, _ in self.index.papers]
        return papers, [key(label) for _, label in papers]

    def graph(self) -> Graph:
        """The whole typed graph (read once per generation, for the neighbourhood view)."""
        with self._lock:
            if self._graph is None:
                self._graph = self.handle.graph()
            return self._graph


class Live:
    """The store directory a server answers from."""

    def __init__(self, store: str | Path) -> None:
        self.store = Path(store)
        self._lock = threading.Lock()
        self._current: Snapshot | None = None

    def snapshot(self) -> Snapshot:
        """The live generation's snapshot; :class:`kg.errors.StoreError` when the store is gone."""
        name = current_name(self.store)
        current = self._current
        if current is not None and name is not None and current.handle.generation.path.name == name:
            return current
        fresh = open_store(self.store)
        with self._lock:
            if self._current is None or self._current.handle.generation != fresh.generation:
                self._current = Snapshot(fresh)
            return self._current
