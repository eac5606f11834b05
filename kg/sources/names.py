"""Splitting author lists as sources write them, and putting each name in display order.

Only format knowledge lives here ("Last, First" is BibTeX order; " and " separates BibTeX
authors). Deciding that two spellings are one person is ``kg.resolve``'s job.
"""

from __future__ import annotations

import re

from kg.records import AuthorRef

_AND = re.compile(r"\s+and\s+", re.IGNORECASE)
_SPACES = re.compile(r"\s+")


def clean(text: str) -> str:
    """Collapse runs of whitespace and trim."""
    return _SPACES.sub(" ", text).strip()


def display_name(as_written: str) -> str:
    """'Brendel, Wieland' → 'Wieland Brendel'; 'Dhillon, Jr., Inderjit' → 'Inderjit Dhillon Jr.'."""
    name = clean(as_written.strip("{}"))
    parts = [p.strip() for p in name.split(",")]
    if len(parts) == 2 and parts[0] and parts[1]:
        return f"{parts[1]} {parts[0]}"
    if len(parts) == 3 and all(parts):
        return f"{parts[2]} {parts[0]} {parts[1]}"
    return name


def split_bibtex_authors(text: str) -> list[str]:
    """'Rae, Jack W. and Potapenko, Anna' → ['Rae, Jack W.', 'Potapenko, Anna']."""
    return [clean(p) for p in _AND.split(clean(text)) if clean(p)]


def author_refs(written: list[str], affiliations: list[tuple[str, ...]] | None = None) -> tuple[AuthorRef, ...]:
    """Author references in list order (positions from 1), with per-author affiliations."""
    refs = []
    for index, as_written in enumerate(written):
        affs = affiliations[index] if affiliations else ()
        refs.append(
            AuthorRef(name=display_name(as_written), as_written=as_written, position=index + 1, affiliations=affs)
        )
    return tuple(refs)
