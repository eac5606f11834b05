"""The discovered concepts most worth a person's look: ``kg review --kind concept``.

A discovered concept (``kg:discovered true``) is one the tagger or a pattern found and the
scheme does not name. The weakest come first: lowest confidence, then fewest papers (one paper's
say-so is the least evidence), then label. Each carries the rule or model that found it and one
sentence that shows it in use, read from the lookup index (the first mention's sentence).

The concepts come from one fixed SPARQL query (no user text in it); the evidence from the lookup
index with bound parameters.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, replace
from typing import Any

from kg.ontology import load as load_ontology
from kg.query.evidence import Evidence, evidence_sentence
from kg.query.index import LookupIndex

QUERY = """
SELECT ?c ?type ?label (MAX(?conf) AS ?confidence) (GROUP_CONCAT(DISTINCT ?by; separator="|") AS ?rules)
       (COUNT(DISTINCT ?paper) AS ?papers)
WHERE {
  ?c kg:discovered true ; a ?type ; rdfs:label ?label .
  VALUES ?type { kg:Method kg:Dataset kg:Task }
  OPTIONAL { ?c kg:confidence ?conf }
  OPTIONAL { ?c kg:discoveredBy ?by }
  OPTIONAL { ?paper ?relation ?c . ?paper a kg:Paper }
}
GROUP BY ?c ?type ?label
"""


@dataclass(frozen=True)
class DiscoveredConcept:
    """One discovered concept as ``kg review --kind concept`` shows it."""

    id: str
    label: str
    type: str
    confidence: float | None
    discovered_by: tuple[str, ...]
    papers: int
    evidence: str = ""
    paper: str = ""

    def as_row(self) -> dict[str, Any]:
        row = asdict(self)
        row["discovered_by"] = "; ".join(self.discovered_by)
        return row


def _rank(concept: DiscoveredConcept) -> tuple:
    confidence = concept.confidence if concept.confidence is not None else 0.0
    return (confidence, concept.papers, concept.label.casefold(), concept.id)


def weakest(
    sparql: Callable[[str], list[dict[str, Any]]], index: LookupIndex, limit: int | None = None
) -> list[DiscoveredConcept]:
    """Discovered concepts, weakest first (at most ``limit``), each with one evidence sentence.

    ``sparql`` runs a fixed read-only query and returns its rows (the facade's runner)."""
    onto = load_ontology()
    type_names = {t.iri: name for name, t in onto.node_types.items()}
    found = []
    for row in sparql(QUERY):
        confidence = row.get("confidence")
        found.append(
            DiscoveredConcept(
                id=onto.node_id(str(row["c"])) or str(row["c"]),
                label=str(row["label"]),
                type=type_names.get(str(row["type"]), str(row["type"])),
                confidence=None if confidence is None else round(float(confidence), 3),
                discovered_by=tuple(sorted(r for r in str(row.get("rules") or "").split("|") if r)),
                papers=int(row.get("papers") or 0),
            )
        )
    found.sort(key=_rank)
    chosen = found[:limit] if limit is not None else found
    return [_with_evidence(index, concept) for concept in chosen]


def _with_evidence(index: LookupIndex, concept: DiscoveredConcept) -> DiscoveredConcept:
    first = index.rows(
        "SELECT paper, field, start, matched FROM concept_edges WHERE concept = ? ORDER BY paper, field, start LIMIT 1",
        (concept.id,),
    )
    if not first:
        return concept
    paper, field, start, matched = first[0]
    sentence = evidence_sentence(index, paper, Evidence(1.0, field, (start, matched)))
    label = index.paper_rows([paper]).get(paper, ("", "", None))[1]
    return replace(concept, evidence=sentence, paper=label)
