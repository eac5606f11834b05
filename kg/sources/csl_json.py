"""CSL-JSON: the citation format Zotero, Mendeley and citeproc tools export (a JSON array).

Each item with a ``title`` is a record. Authors are CSL name objects (``family``, ``given``,
particles, ``suffix``; ``literal`` for a team), written as "Family, Given" and shown in
display order. The year is the first of ``issued.date-parts`` (or the year in
``issued.raw``/``literal``); the venue is ``container-title``, else ``event-title``/``event``,
else ``collection-title`` (a ``publisher`` "arXiv" is the preprint server, not a venue).
``keyword`` is one comma- or semicolon-separated string. Identifiers: ``DOI``, and arXiv or
OpenReview ids found in ``URL``, ``number`` ("arXiv:2003.00152") or ``note``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.records import Provenance, Record
from kg.sources import _ids as ids
from kg.sources import register, skip
from kg.sources._fields import author, items, obj, text, year
from kg.sources._json import has_key, json_items
from kg.sources.names import clean

NAME = "csl-json"
_ARXIV_NOTE = re.compile(r"arXiv:\s*(\S+)", re.IGNORECASE)


def _sniff(sample: str, path: Path) -> float:
    head = sample.lstrip()[:20000]
    if head.startswith(("[", "{")) and has_key(head, "issued", "container-title", "family"):
        return 0.98
    return 0.0


def _written(name: dict[str, Any]) -> str | None:
    """A CSL name as "Family, Given" (particles kept with the family name)."""
    literal = text(name.get("literal"))
    if literal:
        return literal
    family = " ".join(p for p in (text(name.get("non-dropping-particle")), text(name.get("family"))) if p)
    given = " ".join(p for p in (text(name.get("given")), text(name.get("dropping-particle"))) if p)
    suffix = text(name.get("suffix"))
    if not family:
        return given or None
    return ", ".join(p for p in (family, suffix, given) if p)


def _year(item: dict[str, Any]) -> int | None:
    issued = obj(item.get("issued"))
    parts = issued.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        first = parts[0][0]
        found = year(first) if not isinstance(first, str) else year(first.strip())
        if found:
            return found
    return year(issued.get("raw")) or year(issued.get("literal"))


def _venue(item: dict[str, Any]) -> str | None:
    for name in ("container-title", "event-title", "event", "collection-title"):
        venue = text(item.get(name))
        if venue:
            return venue
    return None


def _external_ids(item: dict[str, Any]) -> tuple[str, ...]:
    found = [ids.doi(item.get("DOI")), ids.from_url(item.get("URL"))]
    for name in ("number", "note", "archive_location"):
        value = item.get(name)
        match = _ARXIV_NOTE.search(value) if isinstance(value, str) else None
        found.append(ids.arxiv(match.group(1)) if match else None)
    return ids.with_arxiv_doi(ids.unique(found))


def record_from(item: dict[str, Any], path: Path, line: int) -> Record | None:
    """One CSL item → a record (``None`` without a title)."""
    title = text(item.get("title"))
    if not title:
        return None
    written = [w for w in (_written(n) for n in items(item.get("author"))) if w]
    keywords = item.get("keyword")
    external = _external_ids(item)
    return Record(
        key=text(item.get("id")) or (external[0] if external else str(line)),
        provenance=Provenance(str(path), line, line, NAME),
        title=title,
        authors=tuple(author(i, name) for i, name in enumerate(written, start=1)),
        abstract=text(item.get("abstract")),
        venue=_venue(item),
        year=_year(item),
        keywords=tuple(dict.fromkeys(clean(k) for k in re.split(r"[,;]", keywords) if clean(k)))
        if isinstance(keywords, str)
        else (),
        external_ids=external,
    )


@register(NAME, "CSL-JSON (Zotero, Mendeley, citeproc): an array of citation items", _sniff)
def read(path: Path) -> Iterator[Record]:
    for line, item in json_items(path, ("items",)):
        if not isinstance(item, dict):
            raise InputError(path, "expected a CSL item object", line)
        record = record_from(item, path, line)
        if record is None:
            skip(path, line, "CSL item without a title")
        else:
            yield record
