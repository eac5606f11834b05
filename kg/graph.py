"""The typed in-memory graph every store, export and view is written from.

A thin, typed layer over a networkx ``MultiDiGraph``: nodes have an id (``"paper/…"``), a type
from the ontology and properties; edges have a relation from the ontology, properties and the
source records they were derived from. Properties follow the ontology's cardinality: a
single-valued property keeps its first non-empty value, a multi-valued one accumulates a sorted
tuple of distinct values, so adding the same facts in any order gives the same graph.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from kg.ontology import Ontology, load

Scalar = str | int | float | bool


@dataclass(frozen=True)
class Node:
    """A node as stored: id, ontology type key, properties (scalars or sorted tuples)."""

    id: str
    type: str
    props: dict[str, Any]


@dataclass(frozen=True)
class Edge:
    """An edge: ``source -relation-> target`` with properties and source-record ids."""

    source: str
    relation: str
    target: str
    props: dict[str, Any] = field(default_factory=dict)
    sources: tuple[str, ...] = ()


class Graph:
    """Nodes and edges typed by the ontology; one edge per (source, relation, target)."""

    def __init__(self, ontology: Ontology | None = None) -> None:
        self.ontology = ontology or load()
        self._g = nx.MultiDiGraph()

    # ---------------------------------------------------------------- writing

    def add_node(self, node_id: str, node_type: str, **props: Any) -> str:
        """Add a node or merge properties into it; returns the id."""
        if node_type not in self.ontology.node_types:
            raise ValueError(f"unknown node type {node_type!r}: add it to ontology/kg.ttl first")
        if node_id in self._g:
            existing = self._g.nodes[node_id]
            if existing["type"] != node_type:
                raise ValueError(f"node {node_id} is a {existing['type']}, not a {node_type}")
            self._merge(existing["props"], props)
        else:
            data: dict[str, Any] = {}
            self._merge(data, props)
            self._g.add_node(node_id, type=node_type, props=data)
        return node_id

    def add_edge(self, source: str, relation: str, target: str, sources: Iterable[str] = (), **props: Any) -> None:
        """Add an edge or merge properties and provenance into the existing one."""
        if relation not in self.ontology.relations:
            raise ValueError(f"unknown relation {relation!r}: add it to ontology/kg.ttl first")
        for end in (source, target):
            if end not in self._g:
                raise KeyError(f"edge {source} -{relation}-> {target}: node {end} does not exist")
        if self._g.has_edge(source, target, key=relation):
            data = self._g.edges[source, target, relation]
            self._merge(data["props"], props)
            data["sources"] = tuple(sorted(set(data["sources"]) | set(sources)))
        else:
            merged: dict[str, Any] = {}
            self._merge(merged, props)
            self._g.add_edge(source, target, key=relation, props=merged, sources=tuple(sorted(set(sources))))

    def _merge(self, into: dict[str, Any], props: dict[str, Any]) -> None:
        for key, value in props.items():
            if value is None or value == () or value == [] or value == "":
                continue
            prop = self.ontology.properties.get(key)
            if prop is None:
                raise ValueError(f"unknown property {key!r}: add it to ontology/kg.ttl first")
            if prop.functional:
                into.setdefault(key, value)
            else:
                values = value if isinstance(value, (list, tuple, set, frozenset)) else (value,)
                into[key] = tuple(sorted(set(into.get(key, ())) | set(values)))

    def set_prop(self, node_id: str, key: str, value: Any) -> None:
        """Overwrite a single-valued property (resolution's final choice)."""
        self._g.nodes[node_id]["props"][key] = value

    # ---------------------------------------------------------------- reading

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._g

    def __len__(self) -> int:
        return self._g.number_of_nodes()

    def node(self, node_id: str) -> Node:
        data = self._g.nodes[node_id]
        return Node(node_id, data["type"], data["props"])

    def nodes(self, node_type: str | None = None) -> Iterator[Node]:
        """Nodes in id order (optionally of one type)."""
        for node_id in sorted(self._g.nodes):
            data = self._g.nodes[node_id]
            if node_type is None or data["type"] == node_type:
                yield Node(node_id, data["type"], data["props"])

    def edges(self, relation: str | None = None) -> Iterator[Edge]:
        """Edges in (source, relation, target) order (optionally of one relation)."""
        rows = sorted(self._g.edges(keys=True, data=True), key=lambda e: (e[0], e[2], e[1]))
        for source, target, key, data in rows:
            if relation is None or key == relation:
                yield Edge(source, key, target, data["props"], data["sources"])

    def out_edges(self, node_id: str, relation: str | None = None) -> Iterator[Edge]:
        rows = sorted(self._g.out_edges(node_id, keys=True, data=True), key=lambda e: (e[2], e[1]))
        for source, target, key, data in rows:
            if relation is None or key == relation:
                yield Edge(source, key, target, data["props"], data["sources"])

    def in_edges(self, node_id: str, relation: str | None = None) -> Iterator[Edge]:
        rows = sorted(self._g.in_edges(node_id, keys=True, data=True), key=lambda e: (e[2], e[0]))
        for source, target, key, data in rows:
            if relation is None or key == relation:
                yield Edge(source, key, target, data["props"], data["sources"])

    def counts(self) -> dict[str, dict[str, int]]:
        """Node counts per type and edge counts per relation (every ontology type listed)."""
        node_counts = Counter(data["type"] for _, data in self._g.nodes(data=True))
        edge_counts = Counter(key for _, _, key in self._g.edges(keys=True))
        return {
            "nodes": {key: node_counts.get(key, 0) for key in sorted(self.ontology.node_types)},
            "edges": {key: edge_counts.get(key, 0) for key in sorted(self.ontology.relations)},
        }

    def subgraph(self, node_ids: Iterable[str]) -> Graph:
        """A copy restricted to the given nodes and the edges between them."""
        sub = Graph(self.ontology)
        sub._g = self._g.subgraph(set(node_ids)).copy()
        return sub

    @property
    def nx(self) -> nx.MultiDiGraph:
        """The underlying networkx graph (read it; write through the typed methods)."""
        return self._g
