"""A disk cache for deterministic construction work every extracting process repeats.

Building the extraction pipeline parses the concept scheme (about 0.2 s of CPU) and tokenises
some 14k alias forms for the lexicon's phrase matchers (0.6-0.8 s); a build pays that in every
process it starts, and other ``kg`` commands that extract or read the scheme at every start. The results depend only on
input files and code, so they are saved as JSON under a key that fingerprints everything they
are derived from (file contents, kg's own source of the code that derives them, library
versions): a changed scheme file, rule file or spaCy version is a different key, never a stale
entry.

Entries live in ``$XDG_CACHE_HOME/kg`` (default ``~/.cache/kg``); ``KG_CACHE_DIR`` names
another directory, and ``KG_CACHE_DIR=off`` turns the cache off. The cache is an optimisation
only: an unreadable, damaged or unwritable entry (a read-only home, a full disk) means the work
is done again in memory, with the same result. Entries are written atomically, so a process
never reads another's half-written file, and only the newest few of each kind are kept.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, TypeVar

from kg import __version__
from kg.atomic import atomic_output

T = TypeVar("T")
FORMAT = 1
"""Bumped when the layout of an entry changes, so older entries are never read."""
KEEP = 8
"""Entries kept per kind: a few schemes in use at once (the bundled one, a user's, tests')."""


def cache_dir() -> Path | None:
    """Where entries live (see the module docstring), or None when the cache is turned off."""
    chosen = os.environ.get("KG_CACHE_DIR")
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "none") else Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or ""
    root = Path(base).expanduser() if os.path.isabs(os.path.expanduser(base)) else Path.home() / ".cache"
    return root / "kg"


def fingerprint(parts: Iterable[str | bytes], files: Iterable[Path] = ()) -> str:
    """A key naming ``parts`` (versions, settings) and the content of ``files`` (with kg's
    version and the entry format, so an upgrade never reads an older kg's entries)."""
    digest = hashlib.sha256(f"kg={__version__};format={FORMAT}".encode())
    for part in parts:
        digest.update(b"\0" + (part if isinstance(part, bytes) else part.encode()))
    for path in files:
        digest.update(b"\0" + path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:24]


def cached(kind: str, key: str, build: Callable[[], T], encode: Callable[[T], Any], decode: Callable[[Any], T]) -> T:
    """The value of entry ``kind``/``key``: read from the cache (``decode`` of the saved JSON),
    or made by ``build`` and saved (``encode`` gives JSON-ready data). ``decode`` raising
    KeyError, TypeError or ValueError marks a damaged entry: it is built again and replaced."""
    directory = cache_dir()
    path = directory / f"{kind}-{key}.json" if directory is not None else None
    if path is not None:
        try:
            with path.open("rb") as handle:
                return decode(json.load(handle))
        except (OSError, KeyError, TypeError, ValueError, IndexError):
            pass  # missing, unreadable or damaged: built below, and the entry (re)written
    value = build()
    if path is not None:
        _save(path, kind, encode(value))
    return value


def _save(path: Path, kind: str, data: Any) -> None:
    """Write an entry atomically and drop the oldest of its kind past :data:`KEEP`; any OS
    error (read-only or full file system) leaves the cache as it was."""
    try:
        with atomic_output(path) as handle:
            handle.write(json.dumps(data, separators=(",", ":")).encode())
    except OSError:
        return
    prune(path.parent, f"{kind}-*.json", KEEP)


def prune(directory: Path, pattern: str, keep: int) -> None:
    """Keep the newest ``keep`` files of ``directory`` matching ``pattern``; a file that cannot
    be removed stays (the cache is an optimisation, never an error)."""
    for old in sorted(directory.glob(pattern), key=_modified, reverse=True)[keep:]:
        try:
            old.unlink(missing_ok=True)
        except OSError:
            continue


def _modified(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


def source_files(*modules: Any) -> list[Path]:
    """The source files of ``modules``: the code that derives an entry is part of its key, so
    an edited rule in a checkout is never hidden behind an entry its older version made."""
    return [Path(module.__file__) for module in modules]
