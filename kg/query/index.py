"""The lookup index: a compact SQLite file per store generation that "who works on X",
profiles and related-concept lookups read instead of the RDF store.

It belongs to the query layer (its tables are shaped by what the lookups ask, and its name keys
are :mod:`kg.query.match`'s), but like the stores it is written once per build from the
resolved graph, into the generation directory, and swapped in with it.

``kg build`` writes ``lookup.sqlite`` into the new generation from the resolved graph (see
:func:`write`); a reader opens it read-only (:class:`LookupIndex`) and never imports spaCy,
rdflib or the extraction code (numpy only once it reads an array below), so a lookup command
starts fast.

Tables (all ids are the graph's node ids):

- ``papers(idx, id, label, year)`` and ``fields(slot, paper, field, text, length)``: each
  paper's own text by field: ``title``, ``tldr``, ``abstract``, ``summary[i]`` (third-party
  summaries); a *slot* is one field of one paper, numbered in paper and field order.
- ``terms(term, df, slots, tfs)``: an inverted index of those fields for BM25 (terms from
  :func:`tokens`: folded, singularised words): the number of papers with the term, and its
  postings as two arrays, the slots it occurs in (ascending) and how often; ``stats`` holds the
  number of papers and the mean length of each field kind.
- ``authors(idx, id, name, aliases)``, ``authorship(paper, author, position)``,
  ``institutions(id, name, aliases)``, ``affiliations(author, institution, paper)``,
  ``part_of(child, parent)``.
- ``concepts(id, type, label, aliases, discovered, in_graph)``: the graph's Method, Dataset,
  Task and Topic nodes plus the rest of the concept scheme (for matching and suggestions),
  ``broader(child, parent)``, and ``concept_edges(paper, concept, field, start, end, matched)``:
  one row per paper–concept edge with the field and offsets of its Mention evidence (``topic``
  for a topic or keyword the source gave).

What the lookups would otherwise gather row by row at query time, precomputed as arrays
(little-endian int32, see :meth:`LookupIndex.array`), all in the orders the SQL rows above come
in, so lookups computed from them rank ties exactly as row-by-row code does:

- ``slot_paper``, ``slot_kind``, ``slot_length``: each slot's paper, field kind (a code of the
  ``kind`` list in ``codes``) and length in terms; ``paper_year`` (:data:`NO_YEAR` if unknown);
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
import re
import sqlite3
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import StoreError
from kg.normalize import key
from kg.query.match import Candidate, Vocabulary, singular
from kg.records import CONCEPT_RELATIONS, SUBJECT_TYPES

if TYPE_CHECKING:  # numpy is imported where arrays are read or written: `import kg` stays fast
    import numpy as np

FILENAME = "lookup.sqlite"
INDEX_VERSION = 2
NO_YEAR = -(2**31)
CONCEPT_EDGE_RELATIONS = frozenset(CONCEPT_RELATIONS.values())
_WORD = re.compile(r"[0-9a-z]+")
STOPWORDS = frozenset(
    "a an and are as at be by for from in into is it its of on or that the this to we with via our".split()  # noqa: SIM905
)
_INT32 = "<i4"

_SCHEMA = """
CREATE TABLE stats(name TEXT PRIMARY KEY, value REAL);
CREATE TABLE papers(idx INTEGER PRIMARY KEY, id TEXT UNIQUE, label TEXT, year INTEGER);
CREATE TABLE fields(slot INTEGER PRIMARY KEY, paper INTEGER, field TEXT, text TEXT, length INTEGER);
CREATE TABLE terms(term TEXT PRIMARY KEY, df INTEGER, slots BLOB, tfs BLOB);
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
CREATE TABLE concept_papers(concept TEXT PRIMARY KEY, papers BLOB, kinds BLOB);
CREATE TABLE codes(list TEXT, code INTEGER, name TEXT, PRIMARY KEY (list, code));
CREATE TABLE arrays(name TEXT PRIMARY KEY, data BLOB);
"""
_INDEXES = """
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
    import numpy as np

    if isinstance(values, array):
        return np.frombuffer(values, dtype=np.intc).astype(_INT32).tobytes()
    return np.fromiter(values, dtype=_INT32).tobytes()


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
    arrays |= {
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
            for name, codes in (("kind", kinds), ("institution", institution_codes), ("concept", arrays.codes))
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
    slot_paper, slot_kind, slot_length = array("i"), array("i"), array("i")
    postings: dict[str, tuple[array[int], array[int]]] = {}
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
                entry[0].append(slot)
                entry[1].append(tf)
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
        "INSERT INTO terms VALUES (?, ?, ?, ?)",
        ((term, df[term], _blob(slots), _blob(tfs)) for term, (slots, tfs) in postings.items()),
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
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._arrays: dict[str, np.ndarray] = {}
        self._codes: dict[str, list[str]] = {}
        try:
            version = self.stats.get("index_version")
        except sqlite3.DatabaseError as err:
            self.db.close()
            raise StoreError(path.parent.parent, f"{FILENAME} is damaged ({err}); run `kg build`") from err
        if version != INDEX_VERSION:
            self.db.close()
            found = "unknown" if version is None else f"{version:g}"
            raise StoreError(
                path.parent.parent, f"{FILENAME} is index version {found}, not {INDEX_VERSION}; run `kg build`"
            )

    def close(self) -> None:
        self.db.close()

    def rows(self, sql: str, params: Iterable[Any] = ()) -> list[tuple[Any, ...]]:
        """Run a fixed SQL statement with bound parameters."""
        return self.db.execute(sql, tuple(params)).fetchall()

    def rows_among(self, sql: str, values: Sequence[Any], params: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """``sql`` with ``{}`` standing for a list of bound parameters, run for ``values`` in chunks
        (SQLite's bound-parameter limit); rows of each chunk in turn, after ``params``."""
        found: list[tuple[Any, ...]] = []
        for start in range(0, len(values), 500):
            chunk = values[start : start + 500]
            found.extend(self.rows(sql.format(",".join("?" * len(chunk))), (*params, *chunk)))
        return found

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

    def paper_rows(self, papers: Iterable[int]) -> dict[int, tuple[str, str, int | None]]:
        """(id, label, year) of some papers, by paper index (without loading them all)."""
        wanted = sorted(set(papers))
        return {r[0]: (r[1], r[2], r[3]) for r in self.rows_among("SELECT * FROM papers WHERE idx IN ({})", wanted)}

    @cached_property
    def newest_year(self) -> int | None:
        years = self.array("paper_year")
        known = years[years != NO_YEAR]
        return int(known.max()) if len(known) else None

    @cached_property
    def authors(self) -> list[tuple[str, str]]:
        """(id, name) by author index."""
        return [(r[0], r[1]) for r in self.rows("SELECT id, name FROM authors ORDER BY idx")]

    def author_rows(self, authors: Iterable[int]) -> dict[int, tuple[str, str]]:
        """(id, name) of some authors, by author index (without loading them all)."""
        wanted = sorted(set(authors))
        return {
            r[0]: (r[1], r[2]) for r in self.rows_among("SELECT idx, id, name FROM authors WHERE idx IN ({})", wanted)
        }

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
        stated = self.rows("SELECT institution FROM affiliations WHERE author = ?", (author,))
        counts = Counter(i for (i,) in stated)
        names = self.institutions
        return [i for i, _ in sorted(counts.items(), key=lambda kv: (-kv[1], names.get(kv[0], kv[0])))]

    # -- precomputed arrays (see the module docstring)

    def array(self, name: str) -> np.ndarray:
        """A precomputed int32 array by name (read-only; empty if the store has none)."""
        found = self._arrays.get(name)
        if found is None:
            import numpy as np

            stored = self.rows("SELECT data FROM arrays WHERE name = ?", (name,))
            found = self._arrays[name] = np.frombuffer(stored[0][0] if stored else b"", dtype=_INT32)
        return found

    def codes(self, name: str) -> list[str]:
        """The names the codes of one ``codes`` list stand for (``kind``, ``institution``, ``concept``)."""
        found = self._codes.get(name)
        if found is None:
            found = [r[0] for r in self.rows("SELECT name FROM codes WHERE list = ? ORDER BY code", (name,))]
            self._codes[name] = found
        return found

    def offsets(self, name: str) -> np.ndarray:
        """Where each paper's rows start in an array ordered by paper (``authorship_paper``,
        ``credit_paper``, ``member_paper``): paper ``p``'s are ``[offsets[p], offsets[p + 1])``."""
        key = "offsets:" + name
        found = self._arrays.get(key)
        if found is None:
            import numpy as np

            found = np.searchsorted(self.array(name), np.arange(len(self.array("paper_year")) + 1))
            self._arrays[key] = found
        return found

    def concept_papers(self, concepts: Iterable[str]) -> dict[str, tuple[np.ndarray, np.ndarray]]:
        """Concept → (papers, field kind codes) of its edges: each pair once, by paper (concepts
        without edges are left out)."""
        import numpy as np

        query = "SELECT concept, papers, kinds FROM concept_papers WHERE concept IN ({})"
        return {
            concept: (np.frombuffer(papers, dtype=_INT32), np.frombuffer(kinds, dtype=_INT32))
            for concept, papers, kinds in self.rows_among(query, sorted(set(concepts)))
        }

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

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        """(slots, term frequencies) of a term, by slot (cached: queries repeat terms)."""
        cached = self._postings.get(term)
        if cached is None:
            import numpy as np

            stored = self.rows("SELECT slots, tfs FROM terms WHERE term = ?", (term,))
            blobs = stored[0] if stored else (b"", b"")
            cached = (np.frombuffer(blobs[0], dtype=_INT32), np.frombuffer(blobs[1], dtype=_INT32))
            if len(self._postings) > 512:
                self._postings.clear()
            self._postings[term] = cached
        return cached

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
