"""The lookup index: a compact SQLite file per store generation that "who works on X",
profiles and related-concept lookups read instead of the RDF store.

It belongs to the query layer (its tables are shaped by what the lookups ask, and its name keys
are :mod:`kg.query.match`'s), but like the stores it is written once per build from the
resolved graph, into the generation directory, and swapped in with it.

``kg build`` writes ``lookup.sqlite`` into the new generation from the resolved graph (see
:func:`write`); a reader opens it read-only (:class:`LookupIndex`) and never imports spaCy,
rdflib or the extraction code, so a lookup command starts about as fast as ``kg --help``.

Tables (all ids are the graph's node ids):

- ``papers(idx, id, label, year)`` and ``fields(paper, field, text, length)``: each paper's own
  text by field: ``title``, ``tldr``, ``abstract``, ``summary[i]`` (third-party summaries).
- ``postings(term, paper, field, tf)`` and ``terms(term, df)``: an inverted index of those
  fields for BM25 (terms from :func:`tokens`: folded, singularised words); ``stats`` holds the
  number of papers and the mean length of each field kind.
- ``authors(idx, id, name, aliases)``, ``authorship(paper, author, position)``,
  ``institutions(id, name, aliases)``, ``affiliations(author, institution, paper)``,
  ``part_of(child, parent)``.
- ``concepts(id, type, label, aliases, discovered, in_graph)``: the graph's Method, Dataset,
  Task and Topic nodes plus the rest of the concept scheme (for matching and suggestions),
  ``broader(child, parent)``, and ``concept_edges(paper, concept, field, start, end, matched)``:
  one row per paper–concept edge with the field and offsets of its Mention evidence (``topic``
  for a topic or keyword the source gave).

Aliases are JSON arrays. Text is only ever bound as a parameter, never put into SQL.
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import Any

from kg.errors import StoreError
from kg.normalize import key
from kg.query.match import Candidate, Vocabulary, singular
from kg.records import CONCEPT_RELATIONS, SUBJECT_TYPES

FILENAME = "lookup.sqlite"
INDEX_VERSION = 1
CONCEPT_EDGE_RELATIONS = frozenset(CONCEPT_RELATIONS.values())
_WORD = re.compile(r"[0-9a-z]+")
STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it its of on or that the this to we with via our".split()  # noqa: SIM905
)

_SCHEMA = """
CREATE TABLE stats(name TEXT PRIMARY KEY, value REAL);
CREATE TABLE papers(idx INTEGER PRIMARY KEY, id TEXT UNIQUE, label TEXT, year INTEGER);
CREATE TABLE fields(paper INTEGER, field TEXT, text TEXT, length INTEGER);
CREATE TABLE postings(term TEXT, paper INTEGER, field TEXT, tf INTEGER, length INTEGER);
CREATE TABLE terms(term TEXT PRIMARY KEY, df INTEGER);
CREATE TABLE authors(idx INTEGER PRIMARY KEY, id TEXT UNIQUE, name TEXT, aliases TEXT);
CREATE TABLE authorship(paper INTEGER, author INTEGER, position INTEGER);
CREATE TABLE institutions(id TEXT PRIMARY KEY, name TEXT, aliases TEXT);
CREATE TABLE affiliations(author INTEGER, institution TEXT, paper INTEGER);
CREATE TABLE part_of(child TEXT, parent TEXT);
CREATE TABLE concepts(id TEXT PRIMARY KEY, type TEXT, label TEXT, aliases TEXT, discovered INTEGER,
                      in_graph INTEGER);
CREATE TABLE broader(child TEXT, parent TEXT);
CREATE TABLE vocab_candidates(vocab TEXT, idx INTEGER, id TEXT, type TEXT, label TEXT, weight REAL);
CREATE TABLE vocab_names(vocab TEXT, idx INTEGER, surface TEXT, key TEXT, inflected TEXT, initials TEXT);
CREATE TABLE concept_edges(paper INTEGER, concept TEXT, field TEXT, start INTEGER, "end" INTEGER, matched TEXT);
"""
_INDEXES = """
CREATE INDEX postings_term ON postings(term);
CREATE INDEX fields_paper ON fields(paper);
CREATE INDEX authorship_paper ON authorship(paper);
CREATE INDEX authorship_author ON authorship(author);
CREATE INDEX affiliations_author ON affiliations(author);
CREATE INDEX affiliations_institution ON affiliations(institution);
CREATE INDEX edges_concept ON concept_edges(concept);
CREATE INDEX edges_paper ON concept_edges(paper);
"""


def tokens(text: str) -> list[str]:
    """Index terms of a text: folded words, singularised, stop words dropped."""
    return [singular(w) for w in _WORD.findall(key(text)) if w not in STOPWORDS]


def field_kind(field: str) -> str:
    """``summary[2]`` → ``summary``; other field names unchanged."""
    return field.split("[", 1)[0]


# ---------------------------------------------------------------------- writing


def write(graph: Any, directory: Path) -> Path:
    """Write ``lookup.sqlite`` for ``graph`` (a :class:`kg.graph.Graph`) into ``directory``."""
    path = directory / FILENAME
    path.unlink(missing_ok=True)
    connection = sqlite3.connect(path)
    try:
        connection.executescript(_SCHEMA)
        _fill(connection, graph)
        connection.executescript(_INDEXES)
        _fill_vocabularies(connection)
        connection.execute("INSERT INTO stats VALUES ('index_version', ?)", (INDEX_VERSION,))
        connection.commit()
    finally:
        connection.close()
    return path


def _fill(db: sqlite3.Connection, graph: Any) -> None:
    papers = list(graph.nodes("Paper"))
    paper_idx = {p.id: i for i, p in enumerate(papers)}
    authors = list(graph.nodes("Author"))
    author_idx = {a.id: i for i, a in enumerate(authors)}
    db.executemany(
        "INSERT INTO papers VALUES (?, ?, ?, ?)",
        ((i, p.id, str(p.props.get("label") or p.id), p.props.get("year")) for i, p in enumerate(papers)),
    )
    db.executemany(
        "INSERT INTO authors VALUES (?, ?, ?, ?)",
        (
            (i, a.id, str(a.props.get("name") or a.props.get("label")), json.dumps(list(a.props.get("aliases", ()))))
            for i, a in enumerate(authors)
        ),
    )
    nx = graph.nx
    field_rows, postings, authorship, edges = [], [], [], []
    df: Counter[str] = Counter()
    lengths: dict[str, list[int]] = {}
    for i, paper in enumerate(papers):
        texts = _paper_fields(graph, paper)
        seen: set[str] = set()
        for field, text in texts:
            words = tokens(text)
            field_rows.append((i, field, text, len(words)))
            lengths.setdefault(field_kind(field), []).append(len(words))
            for term, tf in Counter(words).items():
                postings.append((term, i, field, tf, len(words)))
                seen.add(term)
        df.update(seen)
        for _, target, relation, data in nx.out_edges(paper.id, keys=True, data=True):
            if relation == "authored_by" and target in author_idx:
                authorship.append((i, author_idx[target], data["props"].get("position")))
            elif relation in CONCEPT_EDGE_RELATIONS:
                edges.extend(_concept_edge_rows(graph, i, target, data["sources"]))
            elif relation == "has_topic":
                edges.append((i, target, "topic", None, None, None))
    db.executemany("INSERT INTO fields VALUES (?, ?, ?, ?)", field_rows)
    db.executemany("INSERT INTO postings VALUES (?, ?, ?, ?, ?)", postings)
    db.executemany("INSERT INTO terms VALUES (?, ?)", df.items())
    db.executemany("INSERT INTO authorship VALUES (?, ?, ?)", authorship)
    db.executemany("INSERT INTO concept_edges VALUES (?, ?, ?, ?, ?, ?)", edges)
    stats = [("papers", len(papers))] + [(f"avglen:{k}", sum(v) / len(v)) for k, v in lengths.items() if v]
    db.executemany("INSERT INTO stats VALUES (?, ?)", stats)
    db.executemany(
        "INSERT INTO institutions VALUES (?, ?, ?)",
        (
            (n.id, str(n.props.get("name") or n.props.get("label")), json.dumps(list(n.props.get("aliases", ()))))
            for n in graph.nodes("Institution")
        ),
    )
    affiliations = []
    for edge in graph.edges("affiliated_with"):
        if edge.source not in author_idx:
            continue
        papers_of = [paper_idx[p] for p in edge.props.get("papers", ()) if p in paper_idx] or [None]
        affiliations.extend((author_idx[edge.source], edge.target, p) for p in papers_of)
    db.executemany("INSERT INTO affiliations VALUES (?, ?, ?)", affiliations)
    db.executemany("INSERT INTO part_of VALUES (?, ?)", ((e.source, e.target) for e in graph.edges("part_of")))
    _fill_concepts(db, graph)


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


def _fill_concepts(db: sqlite3.Connection, graph: Any) -> None:
    rows: dict[str, tuple[Any, ...]] = {}
    broader: set[tuple[str, str]] = set()
    for node_type in SUBJECT_TYPES:
        for node in graph.nodes(node_type):
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
    for edge in graph.edges("broader"):
        broader.add((edge.source, edge.target))
    from kg.extract.scheme import load_scheme  # only at build time: lookups never load the scheme

    for concept in load_scheme().values():
        if concept.id not in rows:
            rows[concept.id] = (concept.id, concept.type, concept.label, json.dumps(sorted(concept.aliases)), 0, 0)
        broader.update((concept.id, parent) for parent in concept.broader)
    db.executemany("INSERT INTO concepts VALUES (?, ?, ?, ?, ?, ?)", rows.values())
    db.executemany("INSERT INTO broader VALUES (?, ?)", sorted(broader))


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


# ---------------------------------------------------------------------- reading


class LookupIndex:
    """A read-only handle on a generation's ``lookup.sqlite``; loads tables lazily, once."""

    def __init__(self, generation_dir: Path) -> None:
        path = Path(generation_dir) / FILENAME
        if not path.exists():
            raise StoreError(path.parent.parent, f"{FILENAME} is missing (store built by an older kg); run `kg build`")
        self.path = path
        self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        self._postings: dict[str, list[tuple[Any, ...]]] = {}
        try:
            version = self.stats.get("index_version")
        except sqlite3.DatabaseError as err:
            self.db.close()
            raise StoreError(path.parent.parent, f"{FILENAME} is damaged ({err}); run `kg build`") from err
        if version != INDEX_VERSION:
            self.db.close()
            raise StoreError(
                path.parent.parent, f"{FILENAME} is index version {version}, not {INDEX_VERSION}; run `kg build`"
            )

    def close(self) -> None:
        self.db.close()

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a fixed SQL statement with bound parameters."""
        return self.db.execute(sql, tuple(params)).fetchall()

    # -- small tables, loaded on first use

    @cached_property
    def stats(self) -> dict[str, float]:
        return dict(self.rows("SELECT name, value FROM stats"))

    @cached_property
    def papers(self) -> list[tuple[str, str, int | None]]:
        """(id, label, year) by paper index."""
        return [(r[0], r[1], r[2]) for r in self.rows("SELECT id, label, year FROM papers ORDER BY idx")]

    @cached_property
    def paper_index(self) -> dict[str, int]:
        return {p[0]: i for i, p in enumerate(self.papers)}

    @cached_property
    def newest_year(self) -> int | None:
        years = [p[2] for p in self.papers if p[2] is not None]
        return max(years) if years else None

    @cached_property
    def authors(self) -> list[tuple[str, str]]:
        """(id, name) by author index."""
        return [(r[0], r[1]) for r in self.rows("SELECT id, name FROM authors ORDER BY idx")]

    @cached_property
    def authors_of(self) -> dict[int, list[int]]:
        """Paper index → author indexes in byline order."""
        return _grouped(self.rows("SELECT paper, author FROM authorship ORDER BY paper, position"))

    @cached_property
    def institutions(self) -> dict[str, str]:
        """Institution id → name."""
        return dict(self.rows("SELECT id, name FROM institutions"))

    @cached_property
    def affiliations(self) -> dict[int, list[tuple[str, int | None]]]:
        """Author index → (institution id, paper index or None)."""
        return _grouped(self.rows("SELECT author, institution, paper FROM affiliations"))

    @cached_property
    def parents(self) -> dict[str, list[str]]:
        return _grouped(self.rows("SELECT child, parent FROM part_of"))

    @cached_property
    def concepts(self) -> dict[str, tuple[str, str, tuple[str, ...], bool]]:
        """Concept or topic id → (type, label, aliases, in_graph)."""
        return {
            r[0]: (r[1], r[2], tuple(json.loads(r[3])), bool(r[4]))
            for r in self.rows("SELECT id, type, label, aliases, in_graph FROM concepts")
        }

    @cached_property
    def _hierarchy(self) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
        """(broader, narrower) maps from one read of the ``broader`` table."""
        broader: dict[str, list[str]] = {}
        narrower: dict[str, list[str]] = {}
        for child, parent in self.rows("SELECT child, parent FROM broader"):
            broader.setdefault(child, []).append(parent)
            narrower.setdefault(parent, []).append(child)
        return broader, narrower

    @property
    def broader(self) -> dict[str, list[str]]:
        """Concept id → its broader concepts."""
        return self._hierarchy[0]

    @property
    def narrower(self) -> dict[str, list[str]]:
        """Concept id → its narrower concepts."""
        return self._hierarchy[1]

    @cached_property
    def concept_paper_counts(self) -> Counter[str]:
        return Counter(dict(self.rows("SELECT concept, COUNT(DISTINCT paper) FROM concept_edges GROUP BY concept")))

    def author_institutions(self, author: int) -> list[str]:
        """Institution ids of an author, most frequent first."""
        counts = Counter(i for i, _ in self.affiliations.get(author, ()))
        return [i for i, _ in sorted(counts.items(), key=lambda kv: (-kv[1], self.institutions.get(kv[0], kv[0])))]

    # -- vocabularies for kg.query.match

    @cached_property
    def concept_vocabulary(self) -> Vocabulary:
        """Methods, datasets, tasks and topics (scheme concepts absent from the graph included)."""
        return self._vocabulary("concept")

    @cached_property
    def people_vocabulary(self) -> Vocabulary:
        """Authors and institutions."""
        return self._vocabulary("people")

    def _vocabulary(self, name: str) -> Vocabulary:
        candidates = [
            Candidate(cid, ctype, label, (), weight)
            for cid, ctype, label, weight in self.rows(
                "SELECT id, type, label, weight FROM vocab_candidates WHERE vocab = ? ORDER BY idx", (name,)
            )
        ]
        names = self.rows(
            "SELECT idx, surface, key, inflected, initials FROM vocab_names WHERE vocab = ? ORDER BY rowid", (name,)
        )
        return Vocabulary(candidates, names)

    def vocabulary(self) -> Vocabulary:
        """Every named node (for :func:`kg.query.match.match_nodes`)."""
        return Vocabulary([*self.concept_vocabulary.candidates, *self.people_vocabulary.candidates])

    # -- text

    def field_texts(self, paper: int) -> dict[str, str]:
        return dict(self.rows("SELECT field, text FROM fields WHERE paper = ?", (paper,)))

    def postings(self, term: str) -> list[tuple[int, str, int, int]]:
        """[(paper, field, tf, field length)] of a term (cached: queries repeat terms)."""
        cached = self._postings.get(term)
        if cached is None:
            cached = self.rows("SELECT paper, field, tf, length FROM postings WHERE term = ?", (term,))
            if len(self._postings) > 512:
                self._postings.clear()
            self._postings[term] = cached
        return cached

    def postings_among(self, term: str, papers: Sequence[int]) -> list[tuple[int, str, int, int]]:
        """A term's postings in the given papers only (for common terms: see lookup._postings)."""
        found: list[tuple[int, str, int, int]] = []
        for start in range(0, len(papers), 900):  # SQLite's bound-parameter limit
            chunk = papers[start : start + 900]
            marks = ",".join("?" * len(chunk))
            query = f"SELECT paper, field, tf, length FROM postings WHERE term = ? AND paper IN ({marks})"
            found.extend(self.rows(query, (term, *chunk)))
        return found

    def document_frequency(self, terms: Iterable[str]) -> dict[str, int]:
        return {t: (self.rows("SELECT df FROM terms WHERE term = ?", (t,)) or [(0,)])[0][0] for t in set(terms)}


def _grouped(rows: Iterable[tuple[Any, ...]]) -> dict[Any, list[Any]]:
    """Rows grouped by their first column, in row order: the rest of each row (one value, or a
    tuple of several)."""
    result: dict[Any, list[Any]] = {}
    for first, *rest in rows:
        result.setdefault(first, []).append(rest[0] if len(rest) == 1 else tuple(rest))
    return result


def open_index(store: Path | str | None = None) -> LookupIndex:
    """The lookup index of a store's live generation, without loading the rest of :mod:`kg.api`
    (the lookup commands use this to start fast)."""
    from kg.store import layout

    store_dir = Path(store) if store is not None else layout.default_store_dir()
    return LookupIndex(layout.current_generation(store_dir).path)
