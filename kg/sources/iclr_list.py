"""The ICLR 2021 list: records of an authors line, an optional ``tl;dr:`` line, an abstract line.

The format has no titles, venue or year lines; blank lines between records are tolerated.
An authors line is recognised by shape (comma-separated short name-like items, no sentence
punctuation), so a missing abstract or a stray line is reported with its line number instead of
shifting every later record.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.records import Provenance, Record
from kg.sources import register
from kg.sources._text import paragraphs, read_lines
from kg.sources.names import author_refs, clean

NAME = "iclr-list"
_TLDR = re.compile(r"^tl;\s*dr\s*:\s*", re.IGNORECASE)
_NAME_ITEM = re.compile(r"^[^\W\d_][\w.'’\- ]*$")


def looks_like_authors(line: str) -> bool:
    """An authors line: 1-60 comma-separated items of 1-6 name-like tokens, no sentence end."""
    items = [item.strip() for item in line.split(",")]
    if not items or len(items) > 60 or len(line) > 1500:
        return False
    if line.rstrip().endswith((".", ":", ";", "?", "!")):
        return False
    return all(item and len(item.split()) <= 6 and _NAME_ITEM.match(item) for item in items)


def _sniff(sample: str, path: Path) -> float:
    lines = [line for line in sample.split("\n") if line.strip()][:60]
    if not lines:
        return 0.0
    tldrs = sum(1 for line in lines if _TLDR.match(line))
    authors = sum(1 for line in lines if looks_like_authors(line))
    if tldrs == 0 or authors == 0 or not looks_like_authors(lines[0]):
        return 0.0
    return min(0.9, 0.5 + 0.4 * (tldrs + authors) / len(lines))


@register(NAME, "ICLR 2021 list: authors line, optional 'tl;dr:' line, abstract line", _sniff)
def read(path: Path) -> Iterator[Record]:
    units = paragraphs(read_lines(path))
    index = 0
    ordinal = 0
    while index < len(units):
        first_line, authors_line = units[index]
        if not looks_like_authors(authors_line):
            raise InputError(path, "expected an authors line (comma-separated names)", first_line)
        index += 1
        tldr = None
        if index < len(units) and _TLDR.match(units[index][1]):
            tldr = clean(_TLDR.sub("", units[index][1]))
            index += 1
        if index >= len(units) or looks_like_authors(units[index][1]) or _TLDR.match(units[index][1]):
            raise InputError(path, "record has no abstract line after its authors", first_line)
        last_line, abstract = units[index]
        index += 1
        ordinal += 1
        names = [clean(name) for name in authors_line.split(",") if clean(name)]
        yield Record(
            key=f"{ordinal}",
            provenance=Provenance(str(path), first_line, last_line, NAME),
            authors=author_refs(names),
            tldr=tldr or None,
            abstract=clean(abstract),
        )
