"""What the home, search, who-works-on and query pages show, as plain data (their JSON twins).

Search matches the text as :func:`kg.query.match.match_nodes` does (exact, alias, acronym,
inflection, then fuzzy) in the lookup index's two vocabularies, people (authors and
institutions) and concepts and topics, and paper titles by rapidfuzz's ``WRatio`` (a part of a
title, with typos, is enough), and merges them: earlier stages first, then by score, people
before concepts before papers when equally good. Concepts of the
scheme that no paper uses are left out (they have no page).
"""

from __future__ import annotations

import re
from typing import Any

from rapidfuzz import fuzz, process

from kg.errors import KgError
from kg.normalize import key
from kg.query.match import STAGES, NodeMatch, NoMatchError, match_nodes, suggest
from kg.resources import resource_dir
from kg.serve.live import Snapshot
from kg.serve.nodes import ref

CONCEPT_TYPES = ("Method", "Dataset", "Task", "Topic")
SEARCH_LIMIT = 25
TITLE_CUTOFF = 85.0
TYPE_ORDER = ("Author", "Institution", *CONCEPT_TYPES, "Paper")  # equally good matches: people first
_PARAMS = re.compile(r"^(?://|#)\s*params:\s*(.*)$", re.MULTILINE)
_COMMENT = re.compile(r"^(?://|#)\s*(.*)$")


def home(snap: Snapshot) -> dict[str, Any]:
    """Counts per node type and relation (from the build's ``meta.json``) and the store's inputs."""
    meta = snap.handle.meta
    counts = meta.get("counts", {})
    return {
        "generation": snap.handle.generation.path.name,
        "kg_version": meta.get("kg_version"),
        "nodes": counts.get("nodes", {}),
        "edges": counts.get("edges", {}),
        "triples": meta.get("triples"),
        "inputs": [
            {"file": i.get("file"), "reader": i.get("reader"), "records": i.get("records")}
            for i in meta.get("inputs", [])
            if isinstance(i, dict)
        ],
    }


def _vocabularies(snap: Snapshot) -> list[tuple[Any, tuple[str, ...]]]:
    index = snap.index
    return [(index.people_vocabulary, ("Author", "Institution")), (index.concept_vocabulary, CONCEPT_TYPES)]


def _papers(snap: Snapshot, text: str, limit: int) -> list[NodeMatch]:
    """Papers by title: the whole title, or a part of it with typos (rapidfuzz ``WRatio``)."""
    wanted = key(text)
    if not wanted:
        return []
    papers, keys = snap.paper_titles
    found = process.extract(wanted, keys, scorer=fuzz.WRatio, score_cutoff=TITLE_CUTOFF, limit=limit)
    return [
        NodeMatch(papers[i][0], "Paper", papers[i][1], "exact" if keys[i] == wanted else "fuzzy", score / 100, keys[i])
        for _, score, i in found
    ]


def _stage(found: NodeMatch) -> int:
    return STAGES.index(found.kind) if found.kind in STAGES else len(STAGES)


def search(snap: Snapshot, text: str, limit: int = SEARCH_LIMIT) -> dict[str, Any]:
    """Nodes whose names match ``text``, best first; suggestions when none does."""
    in_graph = snap.index.concepts

    def has_page(found: NodeMatch) -> bool:
        return found.type not in CONCEPT_TYPES or bool(in_graph.get(found.id, (0, 0, 0, False))[3])

    found = _papers(snap, text, limit)
    for vocabulary, types in _vocabularies(snap):
        found.extend(m for m in match_nodes(vocabulary, text, types, limit=limit * 2) if has_page(m))
    found.sort(key=lambda m: (_stage(m), -m.score, TYPE_ORDER.index(m.type), m.label))
    suggestions: list[NodeMatch] = []
    if not found and text.strip():
        for vocabulary, types in _vocabularies(snap):
            suggestions.extend(m for m in suggest(vocabulary, text, types, limit=3) if has_page(m))
        suggestions.sort(key=lambda m: -m.score)
    return {
        "query": text,
        "results": [ref(m.id, m.type, m.label, matched=m.matched, kind=m.kind, score=m.score) for m in found[:limit]],
        "suggestions": [ref(m.id, m.type, m.label, score=m.score) for m in suggestions[:5]],
    }


def who_works_on(
    snap: Snapshot, topic: str, limit: int = 10, institution: str | None = None, since: int | None = None
) -> dict[str, Any]:
    """Authors who work on ``topic`` (:meth:`kg.api.KnowledgeGraph.who_works_on`), with how the
    topic was understood. Raises :class:`kg.query.match.NoMatchError` when nothing matches."""
    ranking = snap.handle.who_works_on(topic, limit=limit, institution=institution, since=since)
    names = snap.index.institutions
    by_name = {name: iid for iid, name in names.items()}
    results = []
    for result in ranking.results:
        author = result.author
        places = [ref(by_name.get(n, ""), "Institution", n) for n in author.institutions]
        results.append(
            {
                "author": ref(author.id, "Author", author.name, institutions=places),
                "score": result.score,
                "papers": [
                    ref(p.id, "Paper", p.label, year=p.year, evidence=p.evidence, field=p.field) for p in result.papers
                ],
            }
        )
    return {
        "topic": topic,
        "institution": institution,
        "since": since,
        "understood_as": [
            ref(c.id, c.type, c.label, kind=c.kind, weight=c.weight) for c in ranking.resolution.concepts[:20]
        ],
        "searched_text": list(ranking.resolution.phrases),
        "results": results,
    }


def no_match(err: NoMatchError) -> dict[str, Any]:
    """The JSON of a lookup that matched nothing: the message and the closest names."""
    return {"error": str(err), "suggestions": [ref(s.id, s.type, s.label) for s in err.suggestions]}


def examples() -> list[dict[str, Any]]:
    """The query catalogue (``docs/queries/``): each question as SPARQL and Cypher, with the
    example parameters its header declares."""
    try:
        directory = resource_dir("docs/queries")
    except FileNotFoundError:
        return []
    found = []
    for sparql_file in sorted(directory.glob("*.rq")):
        text = sparql_file.read_text(encoding="utf-8")
        cypher_file = sparql_file.with_suffix(".cypher")
        params = _PARAMS.search(text)
        found.append(
            {
                "name": sparql_file.stem,
                "title": _question(text) or sparql_file.stem,
                "sparql": text,
                "cypher": cypher_file.read_text(encoding="utf-8") if cypher_file.exists() else None,
                "params": dict(
                    item.strip().split("=", 1) for item in (params.group(1) if params else "").split(";") if "=" in item
                ),
            }
        )
    return found


def _question(text: str) -> str:
    """The question a catalogue file asks: its opening comment lines, up to the first sentence end."""
    words: list[str] = []
    for line in text.splitlines():
        comment = _COMMENT.match(line.strip())
        if comment is None or comment.group(1).startswith("params:"):
            break
        words.append(comment.group(1))
        if comment.group(1).endswith("."):
            break
    return " ".join(words).strip()


def parse_params(pairs: list[tuple[str, str]]) -> dict[str, str]:
    """``param.NAME=VALUE`` pairs of a request (kg's way to bind ``?NAME``/``$NAME``) as a dict."""
    params = {}
    for name, value in pairs:
        if name.startswith("param."):
            key = name.removeprefix("param.")
            if not re.fullmatch(r"[A-Za-z_]\w*", key):
                raise KgError(f"parameter name {key!r} is not a variable name")
            params[key] = value
    return params
