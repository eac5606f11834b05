"""Who works together and who is central: co-authorship communities and PageRank, in a scope.

Communities are the build's (``community`` on every author, :mod:`kg.resolve.communities`),
never recomputed here, so the report, ``kg communities``, SPARQL and Cypher name the same
groups. A scope (``--topic``, ``--since``) keeps the authors of its papers; each community is
shown with the authors it keeps, labelled by the concepts most particular to its papers
(papers with the concept × log inverse document frequency over the scope), and its members
with most papers. The modularity shown is that of the build's partition on the scoped
co-authorship graph.

Centrality is PageRank (damping 0.85, computed with numpy, deterministic): of authors on the
weighted co-authorship graph of the scope, and of papers on the graph linking each paper to its
authors and its concepts (a paper is central when it ties well-connected people and ideas; the
store has no citations).
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from itertools import combinations
from typing import Any

import numpy as np

from kg.query.analyses import Analyses

DAMPING = 0.85


def pagerank(size: int, edges: Sequence[tuple[int, int, float]], damping: float = DAMPING) -> np.ndarray:
    """PageRank of an undirected weighted graph on nodes ``0..size-1`` (each edge both ways);
    dangling nodes spread their rank evenly. Power iteration to an L1 change below 1e-10."""
    if size == 0:
        return np.zeros(0)
    pairs = np.array([(a, b) for a, b, _ in edges], dtype=np.int64).reshape(-1, 2)
    weights = np.array([w for _, _, w in edges], dtype=float)
    sources = np.concatenate([pairs[:, 0], pairs[:, 1]])
    targets = np.concatenate([pairs[:, 1], pairs[:, 0]])
    both = np.concatenate([weights, weights])
    out = np.bincount(sources, weights=both, minlength=size)
    dangling = out == 0
    share = np.divide(both, out[sources], out=np.zeros_like(both), where=out[sources] > 0)
    rank = np.full(size, 1.0 / size)
    for _ in range(200):
        spread = np.bincount(targets, weights=rank[sources] * share, minlength=size)
        new = damping * spread + (1 - damping + damping * rank[dangling].sum()) / size
        if np.abs(new - rank).sum() < 1e-10:
            return new
        rank = new
    return rank


@dataclass(frozen=True)
class Central:
    """A central author or paper: PageRank score and what it is connected to."""

    id: str
    name: str
    score: float
    counts: dict[str, int]  # an author's papers and co-authors; a paper's authors and concepts
    year: int | None = None

    def as_json(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Community:
    """One community as a scope sees it: its build number, kept members, papers and labels."""

    number: int
    size: int
    papers: int
    concepts: tuple[tuple[str, int], ...]
    members: tuple[tuple[str, str, int], ...]  # (id, name, papers in scope)

    @property
    def label(self) -> str:
        return ", ".join(name for name, _ in self.concepts) or "(no concepts on its papers)"

    def as_json(self) -> dict[str, Any]:
        return {
            "community": self.number,
            "size": self.size,
            "papers": self.papers,
            "label": self.label,
            "concepts": [{"name": n, "papers": c} for n, c in self.concepts],
            "members": [{"id": i, "name": n, "papers": c} for i, n, c in self.members],
        }


@dataclass(frozen=True)
class Communities:
    """The scope's communities, largest first, with the partition's modularity."""

    total: int  # communities with at least one author in scope
    modularity: float
    shown: tuple[Community, ...]

    def rows(self) -> list[dict[str, Any]]:
        return [
            {
                "community": c.number,
                "size": c.size,
                "papers": c.papers,
                "label": c.label,
                "members": [name for _, name, _ in c.members],
            }
            for c in self.shown
        ]


class Network:
    """Co-authorship and centrality over the papers an :class:`Analyses` keeps."""

    def __init__(self, analyses: Analyses) -> None:
        self.analyses = analyses
        tables = analyses.tables
        kept = analyses.paper_ids
        self.authors_of: dict[str, list[str]] = defaultdict(list)
        for paper, author, _ in tables.authorships:
            if paper in kept:
                self.authors_of[paper].append(author)
        self.papers_of: Counter[str] = Counter(a for authors in self.authors_of.values() for a in authors)
        self.weights: Counter[tuple[str, str]] = Counter()
        for authors in self.authors_of.values():
            self.weights.update(combinations(sorted(set(authors)), 2))

    def coauthor_graph(self) -> Any:
        """The scope's weighted co-authorship graph (networkx), authors in id order."""
        import networkx as nx

        g = nx.Graph()
        g.add_nodes_from(sorted(self.papers_of))
        g.add_weighted_edges_from((a, b, w) for (a, b), w in sorted(self.weights.items()))
        return g

    def communities(self, limit: int = 12, members: int = 6, concepts: int = 3) -> Communities:
        """The ``limit`` largest communities in scope (by kept members, ties by number)."""
        import networkx as nx

        tables = self.analyses.tables
        groups: dict[int, list[str]] = defaultdict(list)
        for author in sorted(self.papers_of):
            number = tables.authors[author][1]
            if number is not None:
                groups[number].append(author)
        g = self.coauthor_graph()
        modularity = 0.0
        if g.number_of_edges() and sum(len(m) for m in groups.values()) == g.number_of_nodes():
            modularity = round(float(nx.community.modularity(g, [set(m) for m in groups.values()])), 4)
        order = sorted(groups, key=lambda n: (-len(groups[n]), n))[:limit]
        concepts_of: dict[str, set[str]] = defaultdict(set)
        for paper, concept in tables.paper_concepts:
            if paper in self.analyses.paper_ids:
                concepts_of[paper].add(concept)
        frequency = Counter(c for found in concepts_of.values() for c in found)
        total = max(len(self.analyses.papers), 1)
        paper_sets: dict[str, set[str]] = defaultdict(set)
        for paper, authors in self.authors_of.items():
            for author in authors:
                paper_sets[author].add(paper)
        shown = []
        for number in order:
            people = groups[number]
            papers = set().union(*(paper_sets[a] for a in people))
            counts = Counter(c for p in papers for c in concepts_of.get(p, ()))
            particular = sorted(
                counts.items(),
                key=lambda x: (-x[1] * math.log((1 + total) / (1 + frequency[x[0]])), tables.concepts[x[0]][1]),
            )
            top = sorted(people, key=lambda a: (-len(paper_sets[a] & papers), tables.authors[a][0], a))[:members]
            shown.append(
                Community(
                    number,
                    len(people),
                    len(papers),
                    tuple((tables.concepts[c][1], n) for c, n in particular[:concepts]),
                    tuple((a, tables.authors[a][0], len(paper_sets[a])) for a in top),
                )
            )
        return Communities(len(groups), modularity, tuple(shown))

    def central_authors(self, limit: int = 10) -> list[Central]:
        """Authors by PageRank on the scope's co-authorship graph."""
        authors = sorted(self.papers_of)
        position = {a: i for i, a in enumerate(authors)}
        edges = [(position[a], position[b], float(w)) for (a, b), w in sorted(self.weights.items())]
        rank = pagerank(len(authors), edges)
        degree: Counter[str] = Counter()
        for a, b in self.weights:
            degree[a] += 1
            degree[b] += 1
        names = self.analyses.tables.authors
        order = sorted(range(len(authors)), key=lambda i: (-round(rank[i], 12), authors[i]))[:limit]
        return [
            Central(
                authors[i],
                names[authors[i]][0],
                round(float(rank[i]), 6),
                {"papers": self.papers_of[authors[i]], "coauthors": degree[authors[i]]},
            )
            for i in order
        ]

    def central_papers(self, limit: int = 10) -> list[Central]:
        """Papers by PageRank on the graph of papers, their authors and their concepts."""
        analyses = self.analyses
        nodes: dict[str, int] = {}
        edges: list[tuple[int, int, float]] = []
        links: dict[str, Counter[str]] = defaultdict(Counter)

        def node(key: str) -> int:
            return nodes.setdefault(key, len(nodes))

        for paper in analyses.papers:
            node(paper.id)
        for paper, authors in sorted(self.authors_of.items()):
            for author in sorted(set(authors)):
                edges.append((node(paper), node(author), 1.0))
                links[paper]["authors"] += 1
        for paper, concept in analyses.tables.paper_concepts:
            if paper in analyses.paper_ids:
                edges.append((node(paper), node(concept), 1.0))
                links[paper]["concepts"] += 1
        rank = pagerank(len(nodes), edges)
        order = sorted(analyses.papers, key=lambda p: (-round(rank[nodes[p.id]], 12), p.id))[:limit]
        return [
            Central(
                p.id,
                p.label,
                round(float(rank[nodes[p.id]]), 6),
                {"authors": links[p.id]["authors"], "concepts": links[p.id]["concepts"]},
                p.year,
            )
            for p in order
        ]
