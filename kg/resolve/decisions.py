"""What identity resolution decided, and why: the record ``kg review`` and ``kg stats`` read.

Every pair of spellings that resolution weighed (two author names, two affiliation strings, two
paper titles, two concept names) becomes a :class:`Decision`, merged or not, with the evidence it
rested on. Merges on weak evidence and near-misses (pairs that look alike but were kept apart)
are what a person should confirm; :func:`for_review` ranks them. The whole record is written as
``resolution.json`` beside the stores of a build, so review needs no rebuild.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

KINDS = ("author", "institution", "paper", "concept")
# A pair whose score reaches this is merged (kg.resolve.authors explains the scale).
MERGE_THRESHOLD = 0.85


@dataclass(frozen=True, slots=True)
class Decision:
    """One pair of spellings weighed by resolution.

    ``score`` is the name's similarity level plus the evidence's weight (see
    :mod:`kg.resolve.authors`); ``weak`` marks a merge that a person should confirm;
    ``reason`` says what made the names match (or what kept them apart) and ``evidence``
    lists the facts beyond the name ("shared co-author Yoshua Bengio").
    """

    kind: str
    left: str
    right: str
    merged: bool
    score: float
    reason: str
    evidence: tuple[str, ...] = ()
    weak: bool = False

    @property
    def status(self) -> str:
        """ "weak merge", "merged" or "near-miss": how ``kg review`` labels it."""
        if self.merged:
            return "weak merge" if self.weak else "merged"
        return "near-miss"

    def reversing_rule(self) -> str:
        """The overrides rule (TOML) that undoes this decision; "" for papers (no such rule)."""
        from kg.resolve.overrides import as_toml

        kinds = {"author": "authors", "institution": "institutions", "concept": "concepts"}
        if self.kind not in kinds:
            return ""
        return as_toml("different" if self.merged else "same", kinds[self.kind], (self.left, self.right))

    def as_row(self) -> dict[str, Any]:
        """The decision as one row of ``kg review``'s table, JSON or CSV."""
        return {
            "kind": self.kind,
            "decision": self.status,
            "score": self.score,
            "names": f"{self.left} / {self.right}",
            "why": "; ".join((self.reason, *self.evidence)),
            "rule": self.reversing_rule(),
        }

    def explanation(self) -> str:
        """One line a person reads: "“A. Courville” = “Aaron Courville”: …"."""
        relation = "=" if self.merged else "≠"
        because = " · ".join((self.reason, *self.evidence))  # no ";": Neo4j import CSV splits arrays on it
        return f"“{self.left}” {relation} “{self.right}”: {because}"


@dataclass
class Resolution:
    """Every decision of one build, plus counts of spellings before and nodes after."""

    decisions: list[Decision] = field(default_factory=list)
    before: dict[str, int] = field(default_factory=dict)
    after: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, decisions: Iterable[Decision]) -> None:
        self.decisions.extend(decisions)

    def merges(self, kind: str | None = None) -> list[Decision]:
        return [d for d in self.decisions if d.merged and (kind is None or d.kind == kind)]

    def near_misses(self, kind: str | None = None) -> list[Decision]:
        return [d for d in self.decisions if not d.merged and (kind is None or d.kind == kind)]

    def summary(self) -> dict[str, Any]:
        """Counts for meta.json and ``kg stats``: before/after per kind, merges, weak, near-misses."""
        return {
            kind: {
                "before": self.before.get(kind, 0),
                "after": self.after.get(kind, 0),
                "merged": sum(1 for d in self.merges(kind)),
                "weak": sum(1 for d in self.merges(kind) if d.weak),
                "near_misses": len(self.near_misses(kind)),
            }
            for kind in KINDS
        }

    def write(self, path: Path) -> None:
        ordered = sorted(self.decisions, key=lambda d: (d.kind, not d.merged, -d.score, d.left, d.right))
        payload = {
            "summary": self.summary(),
            "notes": self.notes,
            "decisions": [asdict(d) for d in ordered],
        }
        path.write_text(json.dumps(payload, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def read(cls, path: Path) -> Resolution:
        payload = json.loads(path.read_text(encoding="utf-8"))
        resolution = cls(notes=list(payload.get("notes", [])))
        for raw in payload.get("decisions", []):
            raw["evidence"] = tuple(raw.get("evidence", ()))
            resolution.decisions.append(Decision(**raw))
        for kind, counts in payload.get("summary", {}).items():
            resolution.before[kind] = counts.get("before", 0)
            resolution.after[kind] = counts.get("after", 0)
        return resolution


def for_review(resolution: Resolution, kind: str | None = None, limit: int | None = None) -> list[Decision]:
    """Weak merges and near-misses, the ones most worth a look first.

    A weak merge ranks by how little backed it (lowest score first: most likely wrong); a
    near-miss by how close it came (highest score first: most likely a missed merge). The two
    lists are interleaved by their distance from the merge threshold, so neither buries the other.
    """
    rows = [
        d for d in resolution.decisions if (kind is None or d.kind == kind) and ((d.merged and d.weak) or not d.merged)
    ]
    rows.sort(key=lambda d: (abs(d.score - MERGE_THRESHOLD), d.kind, d.left, d.right))
    return rows[:limit] if limit is not None else rows
