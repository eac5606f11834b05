"""Co-authorship communities: who works with whom, as groups, decided once per build.

A build runs Louvain (networkx, a fixed seed) on the co-authorship graph: authors are nodes,
``coauthor_with`` edges weighted by their shared papers. Every author gets a ``community``
property (an integer, 1 for the largest community), so SPARQL (``kg:community``), Cypher
(``Author.community``), the view (``kg viz --color-by community``) and the report all read the
same partition instead of each computing its own.

Deterministic: nodes and edges enter the algorithm in id order and the seed is fixed, so the
same graph gives the same partition; communities are numbered by size (largest first), ties by
their smallest member id, so the numbers do not depend on the order Louvain found them in. An
author without co-authors is a community of one.

Limits: Louvain maximises modularity greedily; on graphs with little structure (many small
disconnected author lists, as in a workshop corpus) most communities are the connected
components. The modularity of the partition is kept in ``meta.json`` (``communities``) so a
reader can judge how clustered the field is.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass

import networkx as nx

from kg.graph import Graph

ALGORITHM = "louvain"
SEED = 20
RESOLUTION = 1.0
COAUTHOR = "coauthor_with"
PROPERTY = "community"


@dataclass(frozen=True)
class CommunitySummary:
    """What the build recorded about its partition (``meta.json``'s ``communities``)."""

    algorithm: str
    seed: int
    resolution: float
    communities: int
    largest: int
    singletons: int
    modularity: float

    def as_json(self) -> dict[str, object]:
        return asdict(self)


def coauthor_graph(graph: Graph) -> nx.Graph:
    """The weighted, undirected co-authorship graph (every author a node, in id order)."""
    g = nx.Graph()
    g.add_nodes_from(node.id for node in graph.nodes("Author"))
    g.add_weighted_edges_from(
        (edge.source, edge.target, int(edge.props.get("weight", 1))) for edge in graph.edges(COAUTHOR)
    )
    return g


def partition(g: nx.Graph, seed: int = SEED) -> list[list[str]]:
    """Communities of ``g`` as sorted member lists, numbered by position: largest first, ties
    by smallest member id."""
    if g.number_of_nodes() == 0:
        return []
    found = nx.community.louvain_communities(g, weight="weight", resolution=RESOLUTION, seed=seed)
    groups = [sorted(members) for members in found]
    groups.sort(key=lambda members: (-len(members), members[0]))
    return groups


def modularity(g: nx.Graph, groups: Sequence[Iterable[str]]) -> float:
    """Newman's weighted modularity of a partition (0.0 for a graph without edges)."""
    if g.number_of_edges() == 0:
        return 0.0
    return round(float(nx.community.modularity(g, [set(m) for m in groups], weight="weight")), 4)


def assign(graph: Graph, seed: int = SEED) -> CommunitySummary:
    """Detect communities and set every author's ``community`` (1 = the largest)."""
    g = coauthor_graph(graph)
    groups = partition(g, seed)
    for number, members in enumerate(groups, start=1):
        for author in members:
            graph.set_prop(author, PROPERTY, number)
    return CommunitySummary(
        algorithm=ALGORITHM,
        seed=seed,
        resolution=RESOLUTION,
        communities=len(groups),
        largest=len(groups[0]) if groups else 0,
        singletons=sum(1 for members in groups if len(members) == 1),
        modularity=modularity(g, groups),
    )
