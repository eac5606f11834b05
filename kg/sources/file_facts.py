"""Facts about input files that the files do not state: a ``kg.toml`` beside them.

Some listings never say which venue or year they are from (the ICLR 2021 list in the default
corpus is just authors, tl;dr lines and abstracts). A ``kg.toml`` in the same directory gives
them, per file name::

    [files."iclr2021_authors_tldr_abstracts.txt"]
    venue = "ICLR"
    year = 2021

Only fields a record leaves empty are filled: what a file says about itself always wins. The
file is read-only input: ``kg build DIR`` skips it as a document.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

from kg.errors import InputError
from kg.records import Record
from kg.sources import FACTS_FILE

_KNOWN_KEYS = {"venue", "year"}


@dataclass(frozen=True)
class FileFacts:
    """Defaults for the records of one file."""

    venue: str | None = None
    year: int | None = None

    def apply(self, record: Record) -> Record:
        """The record with its missing venue and year filled in."""
        changes: dict[str, object] = {}
        if record.venue is None and self.venue:
            changes["venue"] = self.venue
        if record.year is None and self.year is not None:
            changes["year"] = self.year
        return replace(record, **changes) if changes else record


NO_FACTS = FileFacts()


def facts_for(path: Path) -> FileFacts:
    """The facts ``kg.toml`` beside ``path`` gives about it (none when there is no such file)."""
    facts_path = path.resolve().parent / FACTS_FILE
    if not facts_path.is_file():
        return NO_FACTS
    return _load(facts_path, facts_path.stat().st_mtime_ns).get(path.name, NO_FACTS)


@cache
def _load(facts_path: Path, _mtime_ns: int) -> dict[str, FileFacts]:
    """Parsed once per version of the file (the mtime is part of the cache key)."""
    try:
        document = tomllib.loads(facts_path.read_text(encoding="utf-8-sig"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
        raise InputError(facts_path, f"not valid TOML: {err}") from err
    files = document.get("files", {})
    if not isinstance(files, dict):
        raise InputError(facts_path, "[files] must be a table of file names")
    facts: dict[str, FileFacts] = {}
    for name, entry in files.items():
        if not isinstance(entry, dict) or not set(entry) <= _KNOWN_KEYS:
            unknown = sorted(set(entry) - _KNOWN_KEYS) if isinstance(entry, dict) else entry
            raise InputError(facts_path, f"[files.{name!r}]: unknown keys {unknown}; known: venue, year")
        year = entry.get("year")
        if year is not None and (not isinstance(year, int) or not 1900 <= year <= 2100):
            raise InputError(facts_path, f"[files.{name!r}]: year must be an integer from 1900 to 2100")
        venue = entry.get("venue")
        if venue is not None and (not isinstance(venue, str) or not venue.strip()):
            raise InputError(facts_path, f"[files.{name!r}]: venue must be a non-empty string")
        facts[name] = FileFacts(venue.strip() if venue else None, year)
    return facts
