"""The store as a few flat tables: what the analyses, the report and the DataFrames read.

Read from the build's Cypher database (the columnar engine answers these whole-table scans in
one pass each, where SPARQL would join reified statements), once per open store. Every
analysis in :mod:`kg.query.analyses` is a group-by over these tables, so the CLI, the Python
API and the report compute the same numbers from the same rows.

Rows are plain tuples of ids and values, sorted, so two reads of one store are equal and the
analyses built on them are deterministic.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from kg.records import CONCEPT_RELATIONS, SUBJECT_TYPES

RELATION_OF = {**CONCEPT_RELATIONS, "Topic": "has_topic"}
CYPHER_TYPE = {"Method": "USES_METHOD", "Dataset": "USES_DATASET", "Task": "ADDRESSES_TASK", "Topic": "HAS_TOPIC"}
RunCypher = Callable[[str], list[dict[str, Any]]]


@dataclass(frozen=True)
class Paper:
    id: str
    label: str
    year: int | None
    venue: str | None


@dataclass(frozen=True)
class Tables:
    """The rows the analyses group: papers, who wrote them, what they are about, where from."""

    papers: tuple[Paper, ...]
    sources: tuple[tuple[str, str, str], ...]  # (paper, file, reader)
    authors: dict[str, tuple[str, int | None]]  # id -> (name, community)
    authorships: tuple[tuple[str, str, int | None], ...]  # (paper, author, position)
    concepts: dict[str, tuple[str, str]]  # id -> (type, label), the graph's Method/Dataset/Task/Topic
    paper_concepts: tuple[tuple[str, str], ...]  # (paper, concept)
    institutions: dict[str, str]  # id -> name
    credits: tuple[tuple[str, str], ...]  # (paper, institution): an author of the paper was there on it

    @property
    def paper_by_id(self) -> dict[str, Paper]:
        return {paper.id: paper for paper in self.papers}


def read(run: RunCypher) -> Tables:
    """The tables of a store, through ``run`` (a read-only Cypher runner returning dict rows)."""
    papers = tuple(
        Paper(row["id"], row["label"] or row["id"], row["year"], row["venue"])
        for row in sorted(
            run(
                "MATCH (p:Paper) OPTIONAL MATCH (p)-[:PUBLISHED_IN]->(v:Venue) "
                "RETURN p.id AS id, p.label AS label, p.year AS year, v.name AS venue"
            ),
            key=lambda row: row["id"],
        )
    )
    sources = _sorted(
        run(
            "MATCH (p:Paper)-[:DERIVED_FROM]->(s:SourceRecord) "
            "RETURN DISTINCT p.id AS paper, s.file AS file, s.reader AS reader"
        ),
        ("paper", "file", "reader"),
    )
    authors = {
        row["id"]: (row["name"], row["community"])
        for row in run("MATCH (a:Author) RETURN a.id AS id, a.name AS name, a.community AS community")
    }
    authorships = _sorted(
        run("MATCH (p:Paper)-[e:AUTHORED_BY]->(a:Author) RETURN p.id AS paper, a.id AS author, e.position AS position"),
        ("paper", "author", "position"),
    )
    concepts: dict[str, tuple[str, str]] = {}
    paper_concepts: list[tuple[str, str]] = []
    for kind in SUBJECT_TYPES:
        for row in run(f"MATCH (c:{kind}) RETURN c.id AS id, c.label AS label"):
            concepts[row["id"]] = (kind, row["label"] or row["id"])
        paper_concepts += [
            (row["paper"], row["concept"])
            for row in run(f"MATCH (p:Paper)-[:{CYPHER_TYPE[kind]}]->(c:{kind}) RETURN p.id AS paper, c.id AS concept")
        ]
    institutions = {
        row["id"]: row["name"] or row["id"] for row in run("MATCH (i:Institution) RETURN i.id AS id, i.name AS name")
    }
    credits = _sorted(
        run(
            "MATCH (:Author)-[e:AFFILIATED_WITH]->(i:Institution) UNWIND e.papers AS paper "
            "RETURN DISTINCT paper, i.id AS institution"
        ),
        ("paper", "institution"),
    )
    return Tables(
        papers=papers,
        sources=sources,
        authors=dict(sorted(authors.items())),
        authorships=authorships,
        concepts=dict(sorted(concepts.items())),
        paper_concepts=tuple(sorted(set(paper_concepts))),
        institutions=dict(sorted(institutions.items())),
        credits=credits,
    )


def _sorted(rows: list[dict[str, Any]], columns: Sequence[str]) -> tuple[tuple[Any, ...], ...]:
    """Rows as tuples of ``columns``, each once, sorted (None sorts first)."""
    unique = {tuple(row[c] for c in columns) for row in rows}
    return tuple(sorted(unique, key=lambda row: tuple((v is not None, v) for v in row)))
