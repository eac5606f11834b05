"""The lookup index: a compact SQLite file per store generation that "who works on X",
profiles and related-concept lookups read instead of the RDF store.

This module writes it: ``kg build`` writes ``lookup.sqlite`` into the new generation from the
resolved graph (:func:`write`), like the other stores, and it is swapped in with them. Its
tables are shaped by what the lookups ask and its name keys are :mod:`kg.query.match`'s; the
reader, :class:`kg.query.index.LookupIndex`, opens it read-only and never imports spaCy, rdflib
or the extraction code, so a lookup command starts fast. What both sides must agree on (file
name, version, tables, tokenizer) is :mod:`kg.store.lookup_format`.

Tables (all ids are the graph's node ids):

- ``papers(idx, id, label, year)`` and ``fields(slot, paper, field, text, length)``: each
  paper's own text by field: ``title``, ``tldr``, ``abstract``, ``summary[i]`` (third-party
  summaries); a *slot* is one field of one paper, numbered in paper and field order.
- ``terms(term, df, slots, tfs)``: an inverted index of those fields for BM25 (terms from
  :func:`kg.store.lookup_format.tokens`: folded, singularised words): the number of papers with the term, and its
  postings as two arrays, the slots it occurs in (ascending) and how often; ``stats`` holds the
  number of papers and the mean length of each field kind.
- ``authors(idx, id, name, aliases)``, ``authorship(paper, author, position)``,
  ``institutions(id, name, aliases)``, ``affiliations(author, institution, paper)``,
  ``part_of(child, parent)``.
- ``concepts(id, type, label, aliases, discovered, in_graph)``: the graph's Method, Dataset,
  Task and Topic nodes plus the rest of the concept scheme (for matching and suggestions),
  ``broader(child, parent)``, and ``concept_edges(paper, concept, field, start, end, matched)``:
  one row per paper–concept edge with the field and offsets of its Mention evidence (``topic``
  for a topic or keyword the source gave); ``concept_links(head, relation, tail, papers,
  sentences, evidence)``: the concept–concept relations sentences state (used for, evaluated
  on, variant of, compared with) with their counts and first evidence sentence.

What the lookups would otherwise gather row by row at query time, precomputed as arrays
(little-endian int32, see :meth:`kg.query.index.LookupIndex.array`), all in the orders the SQL rows above come
in, so lookups computed from them rank ties exactly as row-by-row code does:

- ``slot_paper``, ``slot_kind``, ``slot_length``: each slot's paper, field kind (a code of the
  ``kind`` list in ``codes``) and length in terms; ``slot_terms``: every slot's terms in text
  order, slot after slot (slot ``s``'s are the ``slot_length[s]`` after those of the slots
  before it), each as its ``terms`` rowid, so a lookup can tell where a phrase's words stand;
  ``paper_year`` (:data:`NO_YEAR` if unknown);
  ``paper_venue``: each paper's venue (a code of the ``venue`` list of venue names; -1: none);
- ``authorship_paper``, ``authorship_author``: the authorship rows in byline order;
- ``member_paper``, ``member_institution``, ``member_author``: each paper's authors affiliated
  with an institution (a code of the ``institution`` list) on that very paper, in byline then
  affiliation order; ``credit_paper``, ``credit_institution``: those (paper, institution) pairs,
  each once;
- ``paper_concept_paper``, ``paper_concept_concept``: each paper's concepts (codes of the
  ``concept`` list), each once, in ``concept_edges`` order;
- ``concept_papers(concept, papers, kinds)``: per concept the (paper, field kind) pairs of its
  edges, each once, by paper.

Aliases are JSON arrays. Text is only ever bound as a parameter, never put into SQL.
"""

from __future__ import annotations

import json
import sqlite3
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import numpy as np

from kg.atomic import fsync_path
from kg.extract.scheme import load_scheme
from kg.query.match import Candidate, Vocabulary
from kg.records import CONCEPT_LINKS, SUBJECT_TYPES
from kg.store.lookup_format import (
    CONCEPT_EDGE_RELATIONS,
    FILENAME,
    INDEX_VERSION,
    INDEXES,
    INT32,
    NO_YEAR,
    SCHEMA,
    field_kind,
    tokens,
)


def write(graph: Any, directory: Path) -> Path:
    """Write ``lookup.sqlite`` for ``graph`` (a :class:`kg.graph.Graph`) into ``directory``.

    The file is new and only a finished generation is ever published, so SQLite's rollback
    journal and its fsync at every commit buy nothing: they are off, and the finished file is
    fsynced once before the generation can be swapped in (0.3-0.5 s less wall time per build)."""
    path = directory / FILENAME
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA journal_mode = OFF")
        connection.execute("PRAGMA synchronous = OFF")
        connection.executescript(SCHEMA)
        _fill(connection, graph)
        connection.executescript(INDEXES)
        _fill_vocabularies(connection)
        connection.execute("INSERT INTO stats VALUES ('index_version', ?)", (INDEX_VERSION,))
        connection.commit()
    finally:
        connection.close()
    fsync_path(path)
    return path


class _Codes:
    """Names numbered in first-seen order (a ``codes`` list)."""

    def __init__(self, names: Iterable[str] = ()) -> None:
        self.names: dict[str, int] = {}
        for name in names:
            self.code(name)

    def code(self, name: str) -> int:
        found = self.names.get(name)
        if found is None:
            found = self.names[name] = len(self.names)
        return found


def _blob(values: Iterable[int]) -> bytes:
    if isinstance(values, array):
        return np.frombuffer(values, dtype=np.intc).astype(INT32).tobytes()
    return np.fromiter(values, dtype=INT32).tobytes()


def _nodes_by_type(graph: Any) -> dict[str, list[Any]]:
    """Nodes of each type in id order, from one pass (``Graph.nodes(type)`` sorts them all per call)."""
    by_type: dict[str, list[Any]] = {}
    for node in graph.nodes():
        by_type.setdefault(node.type, []).append(node)
    return by_type


def _edges_from(nodes: Iterable[Any], graph: Any, relation: str) -> Iterator[Any]:
    """The ``relation`` edges out of ``nodes`` (given in id order): (source, target) order, as
    ``Graph.edges(relation)`` gives them, without sorting every edge of the graph."""
    for node in nodes:
        yield from graph.out_edges(node.id, relation)


def _fill(db: sqlite3.Connection, graph: Any) -> None:
    by_type = _nodes_by_type(graph)
    papers, authors = by_type.get("Paper", []), by_type.get("Author", [])
    institutions = by_type.get("Institution", [])
    paper_idx = {p.id: i for i, p in enumerate(papers)}
    author_idx = {a.id: i for i, a in enumerate(authors)}
    db.executemany(
        "INSERT INTO papers VALUES (?, ?, ?, ?)",
        ((i, p.id, str(p.props.get("label") or p.id), p.props.get("year")) for i, p in enumerate(papers)),
    )
    db.executemany("INSERT INTO authors VALUES (?, ?, ?, ?)", ((i, *_named(a)) for i, a in enumerate(authors)))
    db.executemany("INSERT INTO institutions VALUES (?, ?, ?)", (_named(n) for n in institutions))
    kinds = _Codes(("title", "tldr", "abstract", "summary", "topic"))
    arrays, authorship, concept_pairs = _fill_papers(db, graph, papers, author_idx, kinds)
    stated: dict[tuple[int, int], list[str]] = {}  # (author, paper) → institutions, in row order
    affiliations = []
    for edge in _edges_from(authors, graph, "affiliated_with"):
        author = author_idx[edge.source]
        for p in [paper_idx[p] for p in edge.props.get("papers", ()) if p in paper_idx] or [None]:
            affiliations.append((author, edge.target, p))
            if p is not None:
                stated.setdefault((author, p), []).append(edge.target)
    db.executemany("INSERT INTO affiliations VALUES (?, ?, ?)", affiliations)
    part_of = _edges_from(institutions, graph, "part_of")
    db.executemany("INSERT INTO part_of VALUES (?, ?)", ((e.source, e.target) for e in part_of))
    institution_codes = _Codes(n.id for n in institutions)
    credit: dict[tuple[int, int], None] = {}
    members: list[tuple[int, int, int]] = []
    for paper, author in authorship:
        for institution in stated.get((author, paper), ()):
            code = institution_codes.code(institution)
            credit[(paper, code)] = None
            members.append((paper, code, author))
    venue_codes = _Codes()
    venue_of: dict[str, int] = {}
    for edge in _edges_from(papers, graph, "published_in"):  # a paper's first venue
        venue_of.setdefault(
            edge.source, venue_codes.code(str(graph.node(edge.target).props.get("name") or edge.target))
        )
    arrays |= {
        "paper_venue": (venue_of.get(p.id, -1) for p in papers),
        "credit_paper": (p for p, _ in credit),
        "credit_institution": (i for _, i in credit),
        "member_paper": (m[0] for m in members),
        "member_institution": (m[1] for m in members),
        "member_author": (m[2] for m in members),
    }
    db.executemany("INSERT INTO arrays VALUES (?, ?)", ((name, _blob(values)) for name, values in arrays.items()))
    db.executemany(
        "INSERT INTO concept_papers VALUES (?, ?, ?)",
        ((c, _blob(p for p, _ in pairs), _blob(k for _, k in pairs)) for c, pairs in concept_pairs.items()),
    )
    db.executemany(
        "INSERT INTO codes VALUES (?, ?, ?)",
        (
            (name, code, value)
            for name, codes in (
                ("kind", kinds),
                ("institution", institution_codes),
                ("concept", arrays.codes),
                ("venue", venue_codes),
            )
            for value, code in codes.names.items()
        ),
    )
    _fill_concepts(db, graph, by_type)


def _named(node: Any) -> tuple[str, str, str]:
    """(id, name, aliases as JSON) of an author or institution."""
    props = node.props
    return node.id, str(props.get("name") or props.get("label")), json.dumps(list(props.get("aliases", ())))


class _Arrays(dict[str, Any]):
    """Arrays to store by name, and the concept codes ``paper_concept_concept`` uses."""

    codes: _Codes


def _fill_papers(
    db: sqlite3.Connection, graph: Any, papers: list[Any], author_idx: dict[str, int], kinds: _Codes
) -> tuple[_Arrays, list[tuple[int, int]], dict[str, dict[tuple[int, int], None]]]:
    """Papers' fields, postings, authorship and concept edges; returns the arrays made on the way,
    the (paper, author) pairs in byline order and each concept's (paper, field kind) pairs."""
    field_rows: list[tuple[Any, ...]] = []
    slot_paper, slot_kind, slot_length, slot_terms = array("i"), array("i"), array("i"), array("i")
    postings: dict[str, tuple[array[int], array[int]]] = {}
    term_code: dict[str, int] = {}  # first-seen order: each term's rowid in ``terms``
    authorship: list[tuple[int, int, Any]] = []
    edges: list[tuple[Any, ...]] = []
    concept_pairs: dict[str, dict[tuple[int, int], None]] = {}
    paper_concepts: list[tuple[int, str]] = []
    df: Counter[str] = Counter()
    lengths: dict[str, list[int]] = {}
    for i, paper in enumerate(papers):
        seen: set[str] = set()
        for field, text in _paper_fields(graph, paper):
            words = tokens(text)
            seen.update(words)
            slot = len(field_rows)
            field_rows.append((slot, i, field, text, len(words)))
            lengths.setdefault(field_kind(field), []).append(len(words))
            slot_paper.append(i)
            slot_kind.append(kinds.code(field_kind(field)))
            slot_length.append(len(words))
            for term, tf in Counter(words).items():
                entry = postings.get(term)
                if entry is None:
                    entry = postings[term] = (array("i"), array("i"))
                    term_code[term] = len(term_code)
                entry[0].append(slot)
                entry[1].append(tf)
            slot_terms.extend(map(term_code.__getitem__, words))
        df.update(seen)
        on_paper: dict[str, None] = {}
        for edge in graph.out_edges_as_added(paper.id):
            relation, target = edge.relation, edge.target
            if relation == "authored_by" and target in author_idx:
                authorship.append((i, author_idx[target], edge.props.get("position")))
                continue
            if relation in CONCEPT_EDGE_RELATIONS:
                rows = list(_concept_edge_rows(graph, i, target, edge.sources))
            elif relation == "has_topic":
                rows = [(i, target, "topic", None, None, None)]
            else:
                continue
            edges.extend(rows)
            pairs = concept_pairs.setdefault(target, {})
            for row in rows:
                pairs[(i, kinds.code(field_kind(row[2] or "abstract")))] = None
            on_paper[target] = None
        paper_concepts.extend((i, concept) for concept in on_paper)
    db.executemany("INSERT INTO fields VALUES (?, ?, ?, ?, ?)", field_rows)
    db.executemany(
        "INSERT INTO terms(rowid, term, df, slots, tfs) VALUES (?, ?, ?, ?, ?)",
        ((term_code[term], term, df[term], _blob(slots), _blob(tfs)) for term, (slots, tfs) in postings.items()),
    )
    db.executemany("INSERT INTO authorship VALUES (?, ?, ?)", authorship)
    db.executemany("INSERT INTO concept_edges VALUES (?, ?, ?, ?, ?, ?)", edges)
    stats = [("papers", len(papers))] + [(f"avglen:{k}", sum(v) / len(v)) for k, v in lengths.items() if v]
    db.executemany("INSERT INTO stats VALUES (?, ?)", stats)
    authorship.sort(key=lambda row: (row[0], row[2] is not None, row[2] or 0))  # as ORDER BY paper, position
    arrays = _Arrays(
        slot_paper=slot_paper,
        slot_kind=slot_kind,
        slot_length=slot_length,
        slot_terms=slot_terms,
        paper_year=(NO_YEAR if p.props.get("year") is None else int(p.props["year"]) for p in papers),
        authorship_paper=[row[0] for row in authorship],
        authorship_author=[row[1] for row in authorship],
    )
    arrays.codes = _Codes(sorted(concept_pairs))
    arrays["paper_concept_paper"] = (p for p, _ in paper_concepts)
    arrays["paper_concept_concept"] = (arrays.codes.code(c) for _, c in paper_concepts)
    return arrays, [(p, a) for p, a, _ in authorship], concept_pairs


def _paper_fields(graph: Any, paper: Any) -> list[tuple[str, str]]:
    texts = [(f, str(paper.props[f])) for f in ("title", "tldr", "abstract") if paper.props.get(f)]
    summaries = [graph.node(e.source).props.get("text") for e in graph.in_edges(paper.id, "summarises")]
    texts.extend((f"summary[{n}]", str(t)) for n, t in enumerate(s for s in summaries if s))
    return texts


def _concept_edge_rows(graph: Any, paper: int, concept: str, sources: Iterable[str]) -> Iterator[tuple[Any, ...]]:
    found = False
    for mention_id in sources:
        if mention_id not in graph or graph.node(mention_id).type != "Mention":
            continue
        props = graph.node(mention_id).props
        found = True
        yield paper, concept, props.get("field"), props.get("start"), props.get("end"), props.get("matched")
    if not found:
        yield paper, concept, None, None, None, None


def _fill_concepts(db: sqlite3.Connection, graph: Any, by_type: dict[str, list[Any]]) -> None:
    rows: dict[str, tuple[Any, ...]] = {}
    broader: set[tuple[str, str]] = set()
    for node_type in SUBJECT_TYPES:
        for node in by_type.get(node_type, ()):
            props = node.props
            aliases = sorted({str(a) for a in props.get("aliases", ())})
            rows[node.id] = (
                node.id,
                node_type,
                str(props.get("label") or node.id),
                json.dumps(aliases),
                int(bool(props.get("discovered"))),
                1,
            )
        broader.update((e.source, e.target) for e in _edges_from(by_type.get(node_type, ()), graph, "broader"))
    for concept in load_scheme().values():
        if concept.id not in rows:
            rows[concept.id] = (concept.id, concept.type, concept.label, json.dumps(sorted(concept.aliases)), 0, 0)
        broader.update((concept.id, parent) for parent in concept.broader)
    db.executemany("INSERT INTO concepts VALUES (?, ?, ?, ?, ?, ?)", rows.values())
    db.executemany("INSERT INTO broader VALUES (?, ?)", sorted(broader))
    db.executemany(
        "INSERT INTO concept_links VALUES (?, ?, ?, ?, ?, ?)",
        (
            (e.source, e.relation, e.target, e.props["paper_count"], e.props["sentence_count"], e.props["evidence"][0])
            for relation in CONCEPT_LINKS
            for e in graph.edges(relation)
        ),
    )


def _fill_vocabularies(db: sqlite3.Connection) -> None:
    """Precompute the match keys of every name (loading them is then only dictionary inserts)."""
    counts = Counter(dict(db.execute("SELECT concept, COUNT(DISTINCT paper) FROM concept_edges GROUP BY concept")))
    concepts = [
        Candidate(cid, ctype, label, tuple(json.loads(aliases)), float(counts.get(cid, 0)) + 0.5 * in_graph)
        for cid, ctype, label, aliases, in_graph in db.execute(
            "SELECT id, type, label, aliases, in_graph FROM concepts ORDER BY id"
        )
    ]
    paper_counts = Counter(dict(db.execute("SELECT author, COUNT(*) FROM authorship GROUP BY author")))
    people = [
        Candidate(aid, "Author", name, tuple(json.loads(aliases)), float(paper_counts.get(idx, 0)))
        for idx, aid, name, aliases in db.execute("SELECT idx, id, name, aliases FROM authors ORDER BY idx")
    ]
    people += [
        Candidate(iid, "Institution", name, tuple(json.loads(aliases)))
        for iid, name, aliases in db.execute("SELECT id, name, aliases FROM institutions ORDER BY id")
    ]
    for name, candidates in (("concept", concepts), ("people", people)):
        db.executemany(
            "INSERT INTO vocab_candidates VALUES (?, ?, ?, ?, ?, ?)",
            ((name, i, c.id, c.type, c.label, c.weight) for i, c in enumerate(candidates)),
        )
        db.executemany(
            "INSERT INTO vocab_names VALUES (?, ?, ?, ?, ?, ?)",
            ((name, *row) for row in Vocabulary(candidates, ()).name_rows()),
        )
