"""OpenReview notes: API v2 responses (``{"notes": [note, …], "count": N}``), arrays of
notes, or notes as JSON lines.

Each note's ``content`` holds its fields as ``{"value": …}`` objects in API v2 (``title``,
``authors``, ``authorids``, ``abstract``, ``keywords``, ``TLDR``, ``venue``, ``venueid``);
API v1's plain values read too. The record's key and identifier is the note's ``forum`` (the
paper's page, ``openreview:<id>``); profile ids in ``authorids`` (``~Jonathan_Frankle1``)
become author ids ``openreview:~…`` (e-mail addresses are not ids and are dropped). The venue
of an accepted paper comes from ``venueid`` (``ICLR.cc/2024/Conference`` → "ICLR", 2024);
anything else (a workshop, "Submitted to ICLR 2024") keeps the note's ``venue`` text, and the
year falls back to the note's publication or creation date.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.records import Provenance, Record
from kg.sources import _ids as ids
from kg.sources import register, skip
from kg.sources._fields import author, obj, strings, text, year
from kg.sources._json import has_key, json_items

NAME = "openreview"
_CONFERENCE = re.compile(r"^([A-Za-z][A-Za-z0-9]*)(?:\.cc|\.org|\.com)?/((?:19|20)\d{2})/Conference$")
_SHORT_NAMES = {"neurips": "NeurIPS", "colmweb": "COLM", "aclweb": "ACL"}


def _sniff(sample: str, path: Path) -> float:
    head = sample.lstrip()[:20000]
    if head.startswith(("{", "[")) and has_key(head, "content") and has_key(head, "forum", "invitations"):
        return 0.98
    return 0.0


def _value(content: dict[str, Any], name: str) -> Any:
    value = content.get(name)
    return value.get("value") if isinstance(value, dict) else value


def _venue(content: dict[str, Any], note: dict[str, Any]) -> tuple[str | None, int | None]:
    venueid = text(_value(content, "venueid")) or ""
    match = _CONFERENCE.match(venueid)
    if match:
        short = match.group(1)
        return _SHORT_NAMES.get(short.lower(), short.upper() if short.isalpha() and len(short) <= 6 else short), int(
            match.group(2)
        )
    venue = text(_value(content, "venue"))
    stamp = note.get("pdate") or note.get("cdate") or note.get("tcdate")
    when = None
    if isinstance(stamp, int) and not isinstance(stamp, bool) and 0 < stamp < 10**14:
        when = datetime.fromtimestamp(stamp / 1000, UTC).year
    return venue, year(venue) or year(venueid) or when


def record_from(note: dict[str, Any], path: Path, line: int) -> Record | None:
    """One note → a record (``None`` when it has neither title nor abstract)."""
    content = obj(note.get("content"))
    title, abstract = text(_value(content, "title")), text(_value(content, "abstract"))
    if not title and not abstract:
        return None
    forum = text(note.get("forum")) or text(note.get("id"))
    names = strings(_value(content, "authors"))
    profiles = [p if isinstance(p, str) and p.startswith("~") else None for p in _value(content, "authorids") or []]
    if not isinstance(_value(content, "authorids"), list) or len(profiles) != len(names):
        profiles = [None] * len(names)
    venue, when = _venue(content, note)
    tldr = _value(content, "TLDR") or _value(content, "one-sentence_summary") or _value(content, "tldr")
    return Record(
        key=forum or str(line),
        provenance=Provenance(str(path), line, line, NAME),
        title=title,
        authors=tuple(
            author(i, name, [ids.prefixed("openreview", profile)])
            for i, (name, profile) in enumerate(zip(names, profiles, strict=True), start=1)
        ),
        abstract=abstract,
        tldr=text(tldr),
        venue=venue,
        year=when,
        keywords=strings(_value(content, "keywords")),
        external_ids=ids.unique([ids.openreview(forum)]),
    )


@register(NAME, "OpenReview notes: API v2 responses ({notes: [...]}), note arrays or JSON lines", _sniff)
def read(path: Path) -> Iterator[Record]:
    for line, note in json_items(path, ("notes",)):
        if not isinstance(note, dict):
            raise InputError(path, "expected an OpenReview note object", line)
        record = record_from(note, path, line)
        if record is None:
            skip(path, line, "OpenReview note without a title or abstract")
        else:
            yield record
