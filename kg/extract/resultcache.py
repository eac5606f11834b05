"""Saved extraction results: what the pipeline found in a text, for the next build that reads it.

The per-text part of extraction (:func:`kg.extract._match`: the rule components and the
tagger) depends on the text and on the pipeline alone, never on the other texts of a build,
and it was two thirds of a default-corpus build's CPU (``benchmarks/bench_build.py``). A
rebuild of the same corpus, or of a corpus that grew by a few files, finds most of its texts
here and runs the pipeline over the others only. Results are kept in one SQLite file per
pipeline, named by a key that fingerprints everything they depend on (kg's version and
extraction code, the concept scheme, the extraction data, the tagger's weights, the library
versions: :func:`kg.extract.results_key`), so changed rules are a new file, never a stale
result. Rows are keyed by a digest of the text.

The file lives in the cache directory of :mod:`kg.extract.diskcache` (``KG_CACHE_DIR=off``
turns it off); the newest :data:`KEEP` are kept, none past :data:`MAX_BYTES`. It is an
optimisation only: a missing, locked, damaged or unwritable file means the texts are extracted
again, with the same result.
"""

from __future__ import annotations

import hashlib
import json
import os
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from kg.extract.diskcache import cache_dir, prune
from kg.records import Mention

KEEP = 4
"""Result files kept: the bundled pipeline with and without the tagger, a user's scheme or two."""
MAX_BYTES = 1 << 30
"""A result file past this size (about half a million abstracts) is started anew, so a cache that
has seen many corpora does not grow without end."""
_BATCH = 500  # keys per SELECT, well under SQLite's limit on parameters
_TIMEOUT = 5.0  # seconds to wait for another build's write to finish before giving up on the cache

FoundSpan = tuple[int, int, str, str, str, str, float, bool]
"""A mention without its field and text: start, end, concept, type, label, rule, confidence, discovered."""
Definition = tuple[str, str, str, str, bool]
"""An acronym the text defines: short form, concept, type, label, discovered."""


@dataclass(frozen=True)
class Found:
    """What the pipeline found in one text, independent of the field it came from."""

    spans: tuple[FoundSpan, ...]
    acronyms: tuple[Definition, ...]

    def mentions(self, field: str, text: str) -> list[Mention]:
        """The spans as mentions of ``field`` (``text``: the field's original text)."""
        return [
            Mention(field, s, e, text[s:e], c, t, label, rule, conf, disc)
            for s, e, c, t, label, rule, conf, disc in self.spans
        ]

    def to_json(self) -> str:
        return json.dumps([self.spans, self.acronyms], separators=(",", ":"))

    @classmethod
    def from_json(cls, data: str) -> Found:
        """Raises ValueError, TypeError or IndexError for a damaged row."""
        spans, acronyms = json.loads(data)
        return cls(
            tuple(
                (int(s), int(e), str(c), str(t), str(lb), str(r), float(cf), bool(d))
                for s, e, c, t, lb, r, cf, d in spans
            ),
            tuple((str(sh), str(c), str(t), str(lb), bool(d)) for sh, c, t, lb, d in acronyms),
        )


def digest(text: str) -> bytes:
    """The row key of a text (16 bytes of SHA-256: collisions are out of reach)."""
    return hashlib.sha256(text.encode("utf-8", "surrogatepass")).digest()[:16]


def results_path(key: str) -> Path | None:
    """The result file of the pipeline ``key``, or None when the cache is off."""
    directory = cache_dir()
    return directory / f"extracted-{key}.sqlite" if directory is not None else None


def load(key: str, texts: Iterable[str]) -> dict[bytes, Found]:
    """The saved results among ``texts`` (by :func:`digest`); whatever cannot be read is missing."""
    path = results_path(key)
    wanted = list({digest(text) for text in texts})
    if path is None or not wanted or not _exists(path):
        return {}
    found: dict[bytes, Found] = {}
    try:
        with closing(sqlite3.connect(path, timeout=_TIMEOUT)) as db:
            for batch in _batches(wanted):
                marks = ",".join("?" * len(batch))
                for row_key, value in db.execute(f"SELECT key, value FROM found WHERE key IN ({marks})", batch):
                    try:
                        found[bytes(row_key)] = Found.from_json(value)
                    except (ValueError, TypeError, IndexError):
                        continue  # a damaged row: that text is extracted again (and the row replaced)
    except sqlite3.Error:
        return {}
    return found


def saved(key: str, texts: Iterable[str]) -> set[bytes]:
    """The digests among ``texts``' that have a saved result (without reading the results)."""
    path = results_path(key)
    wanted = list({digest(text) for text in texts})
    if path is None or not wanted or not _exists(path):
        return set()
    known: set[bytes] = set()
    try:
        with closing(sqlite3.connect(path, timeout=_TIMEOUT)) as db:
            for batch in _batches(wanted):
                marks = ",".join("?" * len(batch))
                known.update(
                    bytes(row[0]) for row in db.execute(f"SELECT key FROM found WHERE key IN ({marks})", batch)
                )
    except sqlite3.Error:
        return set()
    return known


def save(key: str, results: dict[bytes, Found]) -> None:
    """Add ``results`` (by :func:`digest`) to the pipeline's file; gives up quietly on any error."""
    path = results_path(key)
    if path is None or not results:
        return
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        if path.is_file() and path.stat().st_size > MAX_BYTES:
            _discard(path)
        new = not path.exists()
        with closing(sqlite3.connect(path, timeout=_TIMEOUT)) as db, db:
            db.execute("CREATE TABLE IF NOT EXISTS found (key BLOB PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID")
            db.executemany(
                "INSERT OR REPLACE INTO found (key, value) VALUES (?, ?)",
                ((row_key, found.to_json()) for row_key, found in results.items()),
            )
        if new:
            _prune(path.parent)
    except sqlite3.OperationalError:
        return  # locked by another build past the timeout, or a read-only directory
    except sqlite3.DatabaseError:
        _discard(path)  # not a database (damaged): the next build starts a new one
    except (sqlite3.Error, OSError):
        return


def _exists(path: Path) -> bool:
    """``path`` is a file this process may open (a cache directory it cannot enter: no)."""
    try:
        return path.is_file() and os.access(path, os.R_OK)
    except OSError:
        return False


def _prune(directory: Path) -> None:
    """Keep the newest :data:`KEEP` result files."""
    prune(directory, "extracted-*.sqlite", KEEP)


def _discard(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError:
        return


def _batches(keys: Sequence[bytes]) -> Iterator[Sequence[bytes]]:
    for start in range(0, len(keys), _BATCH):
        yield keys[start : start + _BATCH]
