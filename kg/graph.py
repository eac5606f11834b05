"""The typed in-memory graph every store, export and view is written from.

Nodes have an id (``"paper/…"``), a type from the ontology and properties; edges have a
relation from the ontology, properties and the source records they were derived from.
Properties follow the ontology's cardinality: a single-valued property keeps its first
non-empty value, a multi-valued one accumulates a sorted tuple of distinct values, so adding the
same facts in any order gives the same graph.

Stored in plain dicts keyed by node id and by ``(source, relation, target)``, with adjacency
lists holding those same key tuples: a third of the memory networkx's ``MultiDiGraph`` took
(its three nested dicts per edge made the graph 3 GB of a 100k-record build). Code that wants
networkx algorithms reads :attr:`Graph.nx`, a copy made on first use.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from kg.ontology import Ontology, load

if TYPE_CHECKING:
    import networkx as nx

Scalar = str | int | float | bool
EdgeKey = tuple[str, str, str]


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


class _EdgeData:
    """An edge's properties (None while it has none: most edges) and source-record ids."""

    __slots__ = ("props", "sources")

    def __init__(self, props: dict[str, Any] | None, sources: tuple[str, ...]) -> None:
        self.props = props
        self.sources = sources


class Graph:
    """Nodes and edges typed by the ontology; one edge per (source, relation, target)."""

    def __init__(self, ontology: Ontology | None = None) -> None:
        self.ontology = ontology or load()
        self._types: dict[str, str] = {}
        self._props: dict[str, dict[str, Any]] = {}
        self._edges: dict[EdgeKey, _EdgeData] = {}
        self._out: dict[str, list[EdgeKey]] = {}
        self._in: dict[str, list[EdgeKey]] = {}
        self._sorted_nodes: list[str] | None = None
        self._sorted_edges: list[EdgeKey] | None = None
        self._nx: nx.MultiDiGraph | None = None

    def _changed(self) -> None:
        self._sorted_nodes = self._sorted_edges = None
        self._nx = None

    # ---------------------------------------------------------------- writing

    def add_node(self, node_id: str, node_type: str, **props: Any) -> str:
        """Add a node or merge properties into it; returns the id."""
        if node_type not in self.ontology.node_types:
            raise ValueError(f"unknown node type {node_type!r}: add it to ontology/kg.ttl first")
        existing = self._types.get(node_id)
        if existing is not None:
            if existing != node_type:
                raise ValueError(f"node {node_id} is a {existing}, not a {node_type}")
            self._merge(self._props[node_id], props)
            self._nx = None
        else:
            data: dict[str, Any] = {}
            self._merge(data, props)
            self._types[node_id] = node_type
            self._props[node_id] = data
            self._changed()
        return node_id

    def add_edge(self, source: str, relation: str, target: str, sources: Iterable[str] = (), **props: Any) -> None:
        """Add an edge or merge properties and provenance into the existing one."""
        if relation not in self.ontology.relations:
            raise ValueError(f"unknown relation {relation!r}: add it to ontology/kg.ttl first")
        for end in (source, target):
            if end not in self._types:
                raise KeyError(f"edge {source} -{relation}-> {target}: node {end} does not exist")
        edge_key = (source, relation, target)
        data = self._edges.get(edge_key)
        if data is not None:
            if props:
                merged = data.props if data.props is not None else {}
                self._merge(merged, props)
                data.props = merged or None
            if sources:
                data.sources = tuple(sorted(set(data.sources) | set(sources)))
            self._nx = None
            return
        merged = {}
        self._merge(merged, props)
        self._edges[edge_key] = _EdgeData(merged or None, tuple(sorted(set(sources))))
        self._out.setdefault(source, []).append(edge_key)
        self._in.setdefault(target, []).append(edge_key)
        self._changed()

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
                current = into.get(key, ())
                if current and all(v in current for v in values):
                    continue  # a concept seen again (most of 600k mentions): no set, no sort
                into[key] = tuple(sorted(set(current) | set(values)))

    def set_prop(self, node_id: str, key: str, value: Any) -> None:
        """Overwrite a single-valued property (resolution's final choice)."""
        self._props[node_id][key] = value
        self._nx = None

    # ---------------------------------------------------------------- reading

    def __contains__(self, node_id: object) -> bool:
        return node_id in self._types

    def __len__(self) -> int:
        return len(self._types)

    def node(self, node_id: str) -> Node:
        return Node(node_id, self._types[node_id], self._props[node_id])

    def node_type(self, node_id: str) -> str:
        """The type key of a node (KeyError if absent), without building a :class:`Node`."""
        return self._types[node_id]

    def nodes(self, node_type: str | None = None) -> Iterator[Node]:
        """Nodes in id order (optionally of one type)."""
        if self._sorted_nodes is None:
            self._sorted_nodes = sorted(self._types)
        types, props = self._types, self._props
        for node_id in self._sorted_nodes:
            kind = types[node_id]
            if node_type is None or kind == node_type:
                yield Node(node_id, kind, props[node_id])

    def _edge(self, edge_key: EdgeKey) -> Edge:
        data = self._edges[edge_key]
        return Edge(edge_key[0], edge_key[1], edge_key[2], data.props or {}, data.sources)

    def edges(self, relation: str | None = None) -> Iterator[Edge]:
        """Edges in (source, relation, target) order (optionally of one relation)."""
        for edge_key in self.edge_keys(relation):
            yield self._edge(edge_key)

    def edge_keys(self, relation: str | None = None) -> Iterator[EdgeKey]:
        """``(source, relation, target)`` of every edge in order: the graph's own tuples, so a
        caller that keeps them for later (:meth:`edge`) holds references, not copies."""
        if self._sorted_edges is None:
            self._sorted_edges = sorted(self._edges)
        for edge_key in self._sorted_edges:
            if relation is None or edge_key[1] == relation:
                yield edge_key

    def edge(self, source: str, relation: str, target: str) -> Edge:
        """One edge (KeyError if absent)."""
        return self._edge((source, relation, target))

    def out_edges(self, node_id: str, relation: str | None = None) -> Iterator[Edge]:
        """Edges from ``node_id`` in (relation, target) order."""
        for edge_key in sorted(self._out.get(node_id, ()), key=lambda k: (k[1], k[2])):
            if relation is None or edge_key[1] == relation:
                yield self._edge(edge_key)

    def out_edges_as_added(self, node_id: str) -> Iterator[Edge]:
        """Edges from ``node_id`` in the order they were added: for a paper, the order its source
        lists its topics in (which the lookup index's topic evidence keeps)."""
        for edge_key in self._out.get(node_id, ()):
            yield self._edge(edge_key)

    def in_edges(self, node_id: str, relation: str | None = None) -> Iterator[Edge]:
        """Edges into ``node_id`` in (relation, source) order."""
        for edge_key in sorted(self._in.get(node_id, ()), key=lambda k: (k[1], k[0])):
            if relation is None or edge_key[1] == relation:
                yield self._edge(edge_key)

    def degree(self, node_id: str) -> int:
        """Edges into and out of ``node_id``."""
        return len(self._out.get(node_id, ())) + len(self._in.get(node_id, ()))

    def neighbours(self, node_id: str) -> set[str]:
        """Nodes one edge away from ``node_id``, in either direction."""
        return {k[2] for k in self._out.get(node_id, ())} | {k[0] for k in self._in.get(node_id, ())}

    def counts(self) -> dict[str, dict[str, int]]:
        """Node counts per type and edge counts per relation (every ontology type listed)."""
        node_counts = Counter(self._types.values())
        edge_counts = Counter(relation for _, relation, _ in self._edges)
        return {
            "nodes": {key: node_counts.get(key, 0) for key in sorted(self.ontology.node_types)},
            "edges": {key: edge_counts.get(key, 0) for key in sorted(self.ontology.relations)},
        }

    def subgraph(self, node_ids: Iterable[str]) -> Graph:
        """A copy restricted to the given nodes and the edges between them."""
        kept = {n for n in node_ids if n in self._types}
        sub = Graph(self.ontology)
        for node_id in sorted(kept):
            sub._types[node_id] = self._types[node_id]
            sub._props[node_id] = dict(self._props[node_id])
        for node_id in sorted(kept):
            for edge_key in self._out.get(node_id, ()):
                if edge_key[2] in kept:
                    data = self._edges[edge_key]
                    sub._edges[edge_key] = _EdgeData(dict(data.props) if data.props else None, data.sources)
                    sub._out.setdefault(edge_key[0], []).append(edge_key)
                    sub._in.setdefault(edge_key[2], []).append(edge_key)
        return sub

    @property
    def nx(self) -> nx.MultiDiGraph:
        """The graph as a networkx ``MultiDiGraph`` (node attributes ``type``, ``props``; edge
        key = relation, attributes ``props``, ``sources``), made on first use and kept until
        the graph changes: for networkx's algorithms, not for writing."""
        if self._nx is None:
            import networkx as nx

            g = nx.MultiDiGraph()
            g.add_nodes_from((n, {"type": self._types[n], "props": self._props[n]}) for n in self._types)
            g.add_edges_from(
                (s, t, r, {"props": d.props if d.props is not None else {}, "sources": d.sources})
                for (s, r, t), d in self._edges.items()
            )
            self._nx = g
        return self._nx
