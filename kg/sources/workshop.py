"""The workshop poster list: "Title, Author (Affiliation); Author (Affiliation)…" then the abstract.

Titles may contain commas ("Mix & Match: training convnets …, speed and scale resiliency"), so
the title ends at the last comma before the first author's opening parenthesis. Affiliations
may nest parentheses ("Facebook AI Research (FAIR)") and list several institutions separated by
commas or "&" ("Lund University, Google Research"); a trailing place ("Florida State University,
USA") stays with its institution (places come from ``data/lexicons/places.txt``).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.records import AuthorRef, Provenance, Record
from kg.sources import register
from kg.sources._text import paragraphs, read_lines
from kg.sources.affiliations import affiliation_parts, split_top_level
from kg.sources.names import clean

NAME = "workshop-list"
_ENTRY = re.compile(r"^.+?, [^,;()]+ \(.+\)(?:\s*;\s*[^;()]+(?:\(.+?\))?)*\s*$")
_HEADER_MAX_WORDS = 6


def _sniff(sample: str, path: Path) -> float:
    lines = [line for line in sample.split("\n") if line.strip()][:40]
    entries = sum(1 for line in lines if _ENTRY.match(line) and " (" in line and line.count("(") == line.count(")"))
    if entries < 2:
        return 0.0
    return min(0.85, 0.4 + entries / max(1, len(lines)))


def _author(segment: str) -> tuple[str, tuple[str, ...]]:
    """'Ari S Morcos (Facebook AI Research (FAIR))' → ('Ari S Morcos', ('Facebook AI Research (FAIR)',))."""
    open_at = segment.find("(")
    if open_at < 0:
        return clean(segment), ()
    if not segment.rstrip().endswith(")"):
        return clean(segment), ()
    return clean(segment[:open_at]), affiliation_parts(segment[open_at + 1 : segment.rstrip().rfind(")")])


def parse_entry(line: str) -> tuple[str, list[tuple[str, tuple[str, ...]]]]:
    """Split an entry line into its title and (author, affiliations) pairs."""
    first_paren = line.find(" (")
    if first_paren < 0:
        raise ValueError("no '(' affiliation after the first author")
    title_end = line.rfind(", ", 0, first_paren)
    if title_end < 0:
        raise ValueError("no ', ' between the title and the first author")
    title = clean(line[:title_end])
    authors = [_author(segment) for segment in split_top_level(line[title_end + 2 :], (";",))]
    if not title or not authors or not all(name for name, _ in authors):
        raise ValueError("empty title or author")
    return title, authors


@register(NAME, "workshop poster list: 'Title, Author (Affiliation); …' line, then abstract line", _sniff)
def read(path: Path) -> Iterator[Record]:
    units = paragraphs(read_lines(path))
    index = 0
    ordinal = 0
    while index < len(units):
        line_number, line = units[index]
        if not _ENTRY.match(line):
            if len(line.split()) <= _HEADER_MAX_WORDS and not line.endswith("."):
                index += 1  # a section header such as "Contributed posters"
                continue
            raise InputError(path, "expected 'Title, Author (Affiliation); …'", line_number)
        try:
            title, authors = parse_entry(line)
        except ValueError as err:
            raise InputError(path, f"cannot read the entry line: {err}", line_number) from err
        abstract = None
        last_line = line_number
        if index + 1 < len(units) and not _ENTRY.match(units[index + 1][1]):
            last_line, abstract = units[index + 1]
            index += 1
        index += 1
        ordinal += 1
        yield Record(
            key=f"{ordinal}",
            provenance=Provenance(str(path), line_number, last_line, NAME),
            title=title,
            authors=tuple(
                AuthorRef(name=name, as_written=name, position=position, affiliations=affs)
                for position, (name, affs) in enumerate(authors, start=1)
            ),
            abstract=clean(abstract) if abstract else None,
        )
