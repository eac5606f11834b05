"""The field at a glance: corpus overview, top concepts and institutions, their growth per year.

Every number is a count of distinct papers over :mod:`kg.query.tables` (read from the store),
within a :class:`Scope`: papers from ``since`` on, and, for a ``topic``, the papers with an
edge to a concept or topic the text matches (or one narrower than it; the matching of
``kg who-works-on``). ``kg top``, ``kg trends``, ``kg report`` and the Python API all call
these functions, so they print the same numbers.

Growth compares the two latest years in scope with at least ``MIN_YEAR_PAPERS`` papers each: a
concept's share of that year's papers, in percentage points, so a year with more papers does
not make everything look like it rises.
Rising and falling lists show the counts per year the change is computed from.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import asdict, dataclass, field
from typing import Any

from kg.errors import QueryError
from kg.query.tables import Paper, Tables

KINDS = {"method": "Method", "dataset": "Dataset", "task": "Task", "topic": "Topic", "institution": "Institution"}
TREND_KINDS = ("method", "dataset", "task")
MIN_TREND_PAPERS = 2  # a concept on fewer papers in both years is noise, not a trend
MIN_YEAR_PAPERS = 5  # a year with fewer papers in scope is not compared


class NoPapersError(QueryError):
    """The scope (``--since``, ``--topic``) leaves no papers to analyse."""


@dataclass(frozen=True)
class Scope:
    """Which papers an analysis counts: all, from ``since`` on, about ``topic`` (resolved)."""

    since: int | None = None
    topic: str | None = None
    topic_papers: frozenset[str] | None = None
    matched: tuple[str, ...] = ()

    def keeps(self, paper: Paper) -> bool:
        if self.since is not None and (paper.year is None or paper.year < self.since):
            return False
        return self.topic_papers is None or paper.id in self.topic_papers

    def describe(self) -> str:
        """The scope in words, for headings and messages."""
        parts = []
        if self.topic is not None:
            matched = f" (matched: {', '.join(self.matched)})" if self.matched else ""
            parts.append(f"papers about {self.topic!r}{matched}")
        if self.since is not None:
            parts.append(f"from {self.since} on")
        return " ".join(parts) if parts else "all papers"


def topic_scope(index: Any, topic: str) -> tuple[frozenset[str], tuple[str, ...]]:
    """The papers about ``topic`` and the labels it matched: the concepts and topics
    :func:`kg.query.topic.resolve_topic` finds (with narrower ones), then their papers.
    Raises :class:`kg.query.match.NoMatchError` (with suggestions) when nothing matches."""
    from kg.query.match import NoMatchError
    from kg.query.topic import resolve_topic

    if not topic.strip():
        raise NoMatchError(topic, "concept or topic")
    resolution = resolve_topic(index, topic)
    found = index.concept_papers(c.id for c in resolution.concepts)
    if not found:
        raise NoMatchError(topic, "concept or topic", resolution.suggestions)
    ids = [paper_id for paper_id, _, _ in index.papers]
    papers = frozenset(ids[int(p)] for concept_papers, _kinds in found.values() for p in concept_papers)
    matched = tuple(c.label for c in resolution.concepts if c.id in found and c.via is None)
    return papers, matched or tuple(c.label for c in resolution.concepts if c.id in found)


def make_scope(index: Any, since: int | None = None, topic: str | None = None) -> Scope:
    """The :class:`Scope` of ``--since``/``--topic`` (``index``: the store's lookup index, read
    only when a topic is given)."""
    if topic is None:
        return Scope(since=since)
    papers, matched = topic_scope(index, topic)
    return Scope(since=since, topic=topic, topic_papers=papers, matched=matched)


@dataclass(frozen=True)
class Ranked:
    """One concept or institution: papers in scope, papers per year, change between the two latest years."""

    id: str
    name: str
    kind: str
    papers: int
    per_year: dict[int, int]
    change: int = 0
    share_change: float = 0.0

    def as_json(self) -> dict[str, Any]:
        return {**asdict(self), "per_year": {str(y): n for y, n in self.per_year.items()}}


@dataclass(frozen=True)
class Overview:
    """How big the scoped corpus is and where it comes from."""

    papers: int
    authors: int
    institutions: int
    years: dict[int, int]
    undated: int
    venues: dict[str, dict[int | None, int]]  # venue (or "unknown") -> year -> papers
    sources: dict[str, tuple[str, int]]  # file -> (reader, papers)

    def as_json(self) -> dict[str, Any]:
        return {
            "papers": self.papers,
            "authors": self.authors,
            "institutions": self.institutions,
            "years": {str(y): n for y, n in self.years.items()},
            "undated": self.undated,
            "venues": {v: {str(y): n for y, n in by_year.items()} for v, by_year in self.venues.items()},
            "sources": [{"file": f, "reader": r, "papers": n} for f, (r, n) in self.sources.items()],
        }


@dataclass(frozen=True)
class Trends:
    """Rising and falling concepts between ``previous`` and ``latest`` (None: fewer than two years)."""

    latest: int | None
    previous: int | None
    rising: dict[str, tuple[Ranked, ...]] = field(default_factory=dict)
    falling: dict[str, tuple[Ranked, ...]] = field(default_factory=dict)

    def rows(self) -> list[dict[str, Any]]:
        """One row per trend, rising first, for tables, JSON and CSV."""
        rows = []
        for direction, lists in (("rising", self.rising), ("falling", self.falling)):
            for kind, items in lists.items():
                for item in items:
                    rows.append(
                        {
                            "direction": direction,
                            "kind": kind,
                            "name": item.name,
                            "id": item.id,
                            f"papers_{self.previous}": item.per_year.get(self.previous or 0, 0),
                            f"papers_{self.latest}": item.per_year.get(self.latest or 0, 0),
                            "change": item.change,
                            "share_change_pp": item.share_change,
                        }
                    )
        return rows


class Analyses:
    """The analyses of one store's tables within one scope (computed on demand, then kept)."""

    def __init__(self, tables: Tables, scope: Scope | None = None) -> None:
        self.tables = tables
        self.scope = scope or Scope()
        self.papers = [p for p in tables.papers if self.scope.keeps(p)]
        self.paper_ids = {p.id for p in self.papers}
        self.year_of = {p.id: p.year for p in self.papers}
        self.papers_per_year = Counter(p.year for p in self.papers if p.year is not None)
        self.years = sorted(self.papers_per_year)
        self._ranked: dict[str, list[Ranked]] = {}

    def require_papers(self) -> None:
        """Raise :class:`NoPapersError` when the scope holds no papers (the CLI's exit status 2)."""
        if not self.tables.papers:
            raise NoPapersError("the store holds no papers")
        if not self.papers:
            raise NoPapersError(f"no papers in scope: {self.scope.describe()}")

    def overview(self) -> Overview:
        kept = self.paper_ids
        authors = {a for p, a, _ in self.tables.authorships if p in kept}
        institutions = {i for p, i in self.tables.credits if p in kept}
        venues: dict[str, Counter[int | None]] = defaultdict(Counter)
        for paper in self.papers:
            venues[paper.venue or "unknown"][paper.year] += 1
        sources: dict[str, tuple[str, set[str]]] = {}
        for paper, file, reader in self.tables.sources:
            if paper in kept:
                sources.setdefault(file, (reader, set()))[1].add(paper)
        return Overview(
            papers=len(self.papers),
            authors=len(authors),
            institutions=len(institutions),
            years=dict(sorted(self.papers_per_year.items())),
            undated=sum(1 for p in self.papers if p.year is None),
            venues={
                v: dict(sorted(c.items(), key=lambda x: (x[0] is not None, x[0] or 0)))
                for v, c in sorted(venues.items(), key=lambda x: (-x[1].total(), x[0]))
            },
            sources={f: (r, len(ps)) for f, (r, ps) in sorted(sources.items(), key=lambda x: (-len(x[1][1]), x[0]))},
        )

    def _pairs(self, kind: str) -> list[tuple[str, str]]:
        """(paper, item) pairs in scope for a kind key (``method`` … ``institution``)."""
        if kind not in KINDS:
            raise QueryError(f"unknown kind {kind!r}; choose from {', '.join(KINDS)}")
        kept = self.paper_ids
        if kind == "institution":
            return [(p, i) for p, i in self.tables.credits if p in kept]
        wanted, concepts = KINDS[kind], self.tables.concepts
        return [(p, c) for p, c in self.tables.paper_concepts if p in kept and concepts[c][0] == wanted]

    def _name(self, kind: str, item: str) -> str:
        if kind == "institution":
            return self.tables.institutions.get(item, item)
        return self.tables.concepts[item][1]

    def ranked(self, kind: str) -> list[Ranked]:
        """Every item of ``kind`` in scope, most papers first (ties by name, then id)."""
        if kind not in self._ranked:
            self._ranked[kind] = self._rank(kind)
        return list(self._ranked[kind])

    def _rank(self, kind: str) -> list[Ranked]:
        per_year: dict[str, Counter[int]] = defaultdict(Counter)
        papers: Counter[str] = Counter()
        for paper, item in self._pairs(kind):
            papers[item] += 1
            year = self.year_of[paper]
            if year is not None:
                per_year[item][year] += 1
        latest, previous = self._latest_two()
        result = []
        for item, count in papers.items():
            years = per_year[item]
            change = share = 0
            if latest is not None and previous is not None:
                change = years[latest] - years[previous]
                share = 100 * (
                    years[latest] / self.papers_per_year[latest] - years[previous] / self.papers_per_year[previous]
                )
            name = self._name(kind, item)
            result.append(Ranked(item, name, kind, count, dict(sorted(years.items())), change, round(share, 2)))
        result.sort(key=lambda r: (-r.papers, r.name.casefold(), r.id))
        return result

    def top(self, kind: str, limit: int = 10) -> list[Ranked]:
        """The ``limit`` items of ``kind`` on most papers in scope."""
        return self.ranked(kind)[:limit]

    def _latest_two(self) -> tuple[int | None, int | None]:
        """The two latest years with at least :data:`MIN_YEAR_PAPERS` papers in scope (shares of
        a year with one or two papers would swing by tens of points on one paper)."""
        full = [year for year in self.years if self.papers_per_year[year] >= MIN_YEAR_PAPERS]
        if len(full) < 2:
            return None, None
        return full[-1], full[-2]

    def trends(self, kinds: tuple[str, ...] = TREND_KINDS, limit: int = 10) -> Trends:
        """Per kind, the concepts whose share of papers rose or fell most between the two latest years."""
        latest, previous = self._latest_two()
        if latest is None:
            return Trends(None, None)
        rising, falling = {}, {}
        for kind in kinds:
            items = [
                r
                for r in self.ranked(kind)
                if max(r.per_year.get(latest, 0), r.per_year.get(previous, 0)) >= MIN_TREND_PAPERS
            ]
            up = sorted((r for r in items if r.share_change > 0), key=lambda r: (-r.share_change, -r.papers, r.id))
            down = sorted((r for r in items if r.share_change < 0), key=lambda r: (r.share_change, -r.papers, r.id))
            rising[kind], falling[kind] = tuple(up[:limit]), tuple(down[:limit])
        return Trends(latest, previous, rising, falling)

    def institutions_by_topic(self, topics: int = 8, limit: int = 5) -> list[tuple[Ranked, list[Ranked]]]:
        """For the ``topics`` tasks and topics on most papers in scope, the institutions credited
        on most of those papers (an author of the paper affiliated there on it)."""
        subjects = sorted(
            [*self.ranked("task"), *self.ranked("topic")], key=lambda r: (-r.papers, r.name.casefold(), r.id)
        )
        papers_of: dict[str, set[str]] = defaultdict(set)
        for paper, concept in self.tables.paper_concepts:
            papers_of[concept].add(paper)
        credited: dict[str, list[str]] = defaultdict(list)
        for paper, institution in self.tables.credits:
            if paper in self.paper_ids:
                credited[paper].append(institution)
        result = []
        for subject in subjects:
            counts: Counter[str] = Counter()
            for paper in papers_of[subject.id] & self.paper_ids:
                counts.update(credited.get(paper, ()))
            if not counts:
                continue
            ranked = [
                Ranked(i, self._name("institution", i), "institution", n, {})
                for i, n in sorted(counts.items(), key=lambda x: (-x[1], self._name("institution", x[0]).casefold()))
            ]
            result.append((subject, ranked[:limit]))
            if len(result) == topics:
                break
        return result
