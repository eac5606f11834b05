"""Reading the lookup index: the compact SQLite file per store generation that "who works on
X", profiles and related-concept lookups read instead of the RDF store.

``kg build`` writes it (:mod:`kg.store.lookup_index`, which documents the tables and arrays);
:class:`LookupIndex` opens it read-only and never imports spaCy, rdflib or the extraction code
(numpy only once it reads an array), so a lookup command starts fast. Text is only ever bound
as a parameter, never put into SQL.
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter
from collections.abc import Iterable, Sequence
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.errors import StoreError
from kg.query.match import Candidate, Vocabulary
from kg.query.phrase import stems, variant_of
from kg.store import layout
from kg.store.lookup_format import FILENAME, INDEX_VERSION, INT32, NO_YEAR, field_kind, tokens

if TYPE_CHECKING:  # numpy is imported where arrays are read: `import kg` and lookups start fast
    import numpy as np

__all__ = ["NO_YEAR", "LookupIndex", "field_kind", "open_index", "tokens"]


class LookupIndex:
    """A read-only handle on a generation's ``lookup.sqlite``; loads tables lazily, once."""

    def __init__(self, generation_dir: Path) -> None:
        path = Path(generation_dir) / FILENAME
        if not path.exists():
            raise StoreError(path.parent.parent, f"{FILENAME} is missing (store built by an older kg); run `kg build`")
        self.path = path
        self.db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro&immutable=1", uri=True, check_same_thread=False)
        self._postings: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._variants: dict[str, tuple[str, ...]] = {}
        self._merged: dict[str, tuple[np.ndarray, np.ndarray, int]] = {}
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

    def concept_links(self, concepts: Sequence[str]) -> list[tuple[str, str, str, int, int, str]]:
        """(head, relation, tail, papers, sentences, first evidence sentence) of every
        concept–concept relation with one end among ``concepts``."""
        sql = "SELECT head, relation, tail, papers, sentences, evidence FROM concept_links WHERE {} IN ({{}})"
        return sorted({*self.rows_among(sql.format("head"), concepts), *self.rows_among(sql.format("tail"), concepts)})

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
            found = self._arrays[name] = np.frombuffer(stored[0][0] if stored else b"", dtype=INT32)
        return found

    def codes(self, name: str) -> list[str]:
        """The names the codes of one ``codes`` list stand for (``kind``, ``institution``, ``concept``, ``venue``)."""
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
            concept: (np.frombuffer(papers, dtype=INT32), np.frombuffer(kinds, dtype=INT32))
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
            cached = (np.frombuffer(blobs[0], dtype=INT32), np.frombuffer(blobs[1], dtype=INT32))
            if len(self._postings) > 512:
                self._postings.clear()
            self._postings[term] = cached
        return cached

    def slot_terms(self, slots: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """The terms of ``slots`` as (slot, place in the slot, term rowid) rows, slot by slot in
        text order (empty when the store predates the ``slot_terms`` array)."""
        import numpy as np

        every = self.array("slot_terms")
        lengths_all = self.array("slot_length")
        if not len(every) or not len(slots):
            return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
        starts_all = self._arrays.get("offsets:slot_terms")
        if starts_all is None:
            starts_all = self._arrays["offsets:slot_terms"] = np.r_[0, np.cumsum(lengths_all, dtype=np.int64)]
        starts, lengths = starts_all[slots], lengths_all[slots].astype(np.int64)
        place = np.arange(int(lengths.sum())) - np.repeat(np.cumsum(lengths) - lengths, lengths)
        return np.repeat(slots, lengths), place, every[np.repeat(starts, lengths) + place]

    def term_rowids(self, terms: Sequence[str]) -> dict[str, int]:
        """Term → its ``terms`` rowid (the code ``slot_terms`` holds), for the terms the index has."""
        return dict(self.rows_among("SELECT term, rowid FROM terms WHERE term IN ({})", list(terms)))

    def variants(self, term: str) -> tuple[str, ...]:
        """The index terms that are forms of ``term`` (itself first if the index has it; see
        :func:`kg.query.phrase.stems`), found by a range scan over the terms sharing its
        shortest stem (cached)."""
        found = self._variants.get(term)
        if found is None:
            prefix = min(stems(term), key=len)
            sql = "SELECT term FROM terms WHERE term >= ? AND term < ? ORDER BY term"
            rows = self.rows(sql, (prefix, prefix + "{"))
            others = [t for (t,) in rows if t != term and variant_of(term, t)]
            found = self._variants[term] = (*([term] if (term,) in rows else []), *others)
        return found

    def variant_postings(self, term: str) -> tuple[np.ndarray, np.ndarray, int]:
        """(slots, summed term frequencies, papers) of ``term`` and its variants taken as one
        term: each slot once, ascending."""
        import numpy as np

        cached = self._merged.get(term)
        if cached is not None:
            return cached
        forms = self.variants(term) or (term,)
        if len(forms) == 1:
            slots, tfs = self.postings(forms[0])
            cached = (slots, tfs, self.document_frequency(forms)[forms[0]])
        else:
            parts = [self.postings(f) for f in forms]
            merged, inverse = np.unique(np.concatenate([p[0] for p in parts]), return_inverse=True)
            summed = np.bincount(inverse, weights=np.concatenate([p[1] for p in parts]), minlength=len(merged))
            owners = self.array("slot_paper")[merged]  # slots ascend, so their papers do
            papers = int(np.count_nonzero(np.diff(owners))) + 1  # (np.unique would import numpy.ma)
            cached = (merged.astype(INT32), summed.astype(INT32), papers)
        if len(self._merged) > 512:
            self._merged.clear()
        self._merged[term] = cached
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
    return LookupIndex(layout.current_generation(layout.store_dir(store)).path)
