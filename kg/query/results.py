"""What the lookups return: frozen dataclasses with ``as_json()`` (the documented JSON contract
of ``kg who-works-on --json`` and its siblings). Computed by :mod:`kg.query.lookup` and
:mod:`kg.query.related`; kept apart so the shapes of the answers read in one place.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from kg.query.match import NodeMatch

EXPANDED = "expanded"  # the kind of a concept X was expanded to by co-occurrence


@dataclass(frozen=True)
class ConceptMatch:
    """A concept or topic X resolved to; ``via`` is the matched concept it is narrower than."""

    id: str
    type: str
    label: str
    weight: float
    kind: str
    via: str | None = None


@dataclass(frozen=True)
class TopicResolution:
    """What X was taken to mean: matched, narrower and co-occurring (``kind == "expanded"``)
    concepts, suggestions, the text phrases searched, the alternatives X was split into ("X / Y")
    and the misspelt words corrected (phrase as typed, phrase searched)."""

    text: str
    concepts: tuple[ConceptMatch, ...]
    suggestions: tuple[NodeMatch, ...]
    phrases: tuple[str, ...]
    alternatives: tuple[str, ...] = ()
    corrections: tuple[tuple[str, str], ...] = ()

    @property
    def direct(self) -> tuple[ConceptMatch, ...]:
        return tuple(c for c in self.concepts if c.via is None and c.kind != EXPANDED)

    @property
    def expanded(self) -> tuple[ConceptMatch, ...]:
        return tuple(c for c in self.concepts if c.kind == EXPANDED)

    def describe(self) -> str:
        """One line saying how X was matched and what it was expanded to (the answer header)."""
        parts = []
        if len(self.alternatives) > 1:
            parts.append("alternatives " + " | ".join(f"“{a}”" for a in self.alternatives))
        for typed, searched in self.corrections:
            parts.append(f"“{typed}” read as “{searched}”")
        direct = self.direct
        if direct:
            narrower = len(self.concepts) - len(direct) - len(self.expanded)
            names = ", ".join(f"{c.label} ({c.type}, {c.kind})" for c in direct)
            more = f" and {narrower} narrower concept{'s' if narrower != 1 else ''}" if narrower else ""
            parts.append(f"matched {names}{more}")
        else:
            parts.append("no concept or topic by that name: matched paper text (title, tl;dr, abstract, summaries)")
        if self.expanded:
            parts.append("expanded to " + ", ".join(c.label for c in self.expanded) + " (co-occurring on its papers)")
        return "; ".join(parts)


@dataclass(frozen=True)
class PaperHit:
    """A paper on X: relevance ``r(p)``, the field of its best evidence and that sentence."""

    id: str
    label: str
    year: int | None
    evidence: str
    field: str
    relevance: float

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "label": self.label, "year": self.year, "evidence": self.evidence}


@dataclass(frozen=True)
class AuthorInfo:
    id: str
    name: str
    institutions: tuple[str, ...]


@dataclass(frozen=True)
class AuthorResult:
    author: AuthorInfo
    score: float
    papers: tuple[PaperHit, ...]
    paper_count: int

    def as_json(self) -> dict[str, Any]:
        return {
            "author": {"id": self.author.id, "name": self.author.name, "institutions": list(self.author.institutions)},
            "score": self.score,
            "papers": [p.as_json() for p in self.papers],
        }


@dataclass(frozen=True)
class InstitutionRef:
    id: str
    name: str


@dataclass(frozen=True)
class InstitutionResult:
    institution: InstitutionRef
    score: float
    authors: tuple[str, ...]
    papers: tuple[PaperHit, ...]
    paper_count: int

    def as_json(self) -> dict[str, Any]:
        return {
            "institution": {"id": self.institution.id, "name": self.institution.name, "authors": list(self.authors)},
            "score": self.score,
            "papers": [p.as_json() for p in self.papers],
        }


Ranked = TypeVar("Ranked", AuthorResult, InstitutionResult)


@dataclass(frozen=True)
class Ranking(Generic[Ranked]):
    """Authors or institutions on X, best first (``as_json()`` gives the documented JSON
    contract), with how X was resolved."""

    resolution: TopicResolution
    results: tuple[Ranked, ...]

    def as_json(self) -> list[dict[str, Any]]:
        return [r.as_json() for r in self.results]


WhoWorksOn = Ranking[AuthorResult]
InstitutionsOn = Ranking[InstitutionResult]


# ---------------------------------------------------------------------- resolution
