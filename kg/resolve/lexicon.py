"""Alias lexicons from ``data/lexicons/*.toml``: canonical entries looked up by any spelling.

A lexicon maps the matching key (``kg.normalize.key``) of an entry's name and of each alias to
the entry. Entries that are missing from a lexicon are not an error: callers fall back to the
source's own spelling.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from functools import cache

from kg.normalize import key
from kg.resources import lexicon_path


@dataclass(frozen=True)
class Entry:
    """One canonical thing (venue, institution) with its spellings and optional parent."""

    id: str
    name: str
    aliases: tuple[str, ...]
    part_of: str | None = None


@dataclass(frozen=True)
class Lexicon:
    """Entries by id and by the matching key of every spelling."""

    entries: dict[str, Entry]
    by_key: dict[str, Entry]

    def lookup(self, text: str) -> Entry | None:
        return self.by_key.get(key(text))


@cache
def load_lexicon(filename: str, table: str) -> Lexicon:
    """Load ``data/lexicons/<filename>``'s ``[[table]]`` entries (empty if the file is absent)."""
    path = lexicon_path(filename)
    if not path.exists():
        return Lexicon({}, {})
    with path.open("rb") as handle:
        data = tomllib.load(handle)
    entries: dict[str, Entry] = {}
    by_key: dict[str, Entry] = {}
    for raw in data.get(table, []):
        entry = Entry(raw["id"], raw["name"], tuple(raw.get("aliases", ())), raw.get("part_of"))
        entries[entry.id] = entry
        for spelling in (entry.name, *entry.aliases):
            by_key.setdefault(key(spelling), entry)
    return Lexicon(entries, by_key)
