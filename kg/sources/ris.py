"""RIS (Zotero, Mendeley, EndNote, publisher "export citation" links), read line by line.

A record runs from ``TY  - `` to ``ER  - ``; each line is a two-character tag, two spaces, a
dash, a space and the value. Used tags: ``TI``/``T1`` title, ``AU``/``A1`` authors in order
("Family, Given"), ``AB``/``N2`` abstract, ``PY``/``Y1``/``DA`` year, ``T2``/``JF``/``JO``/``BT``
venue, ``KW`` keywords, ``DO`` DOI, ``UR`` links (arXiv/OpenReview ids), ``AD`` affiliations
(paper level: RIS does not tie them to one author), ``ID`` the key. Other tags are ignored; a
line without a tag continues the field before it (wrapped abstracts).

Bad input is refused with its line: a broken tag (``TI - x``, ``AU -x``), text outside a
record, a tag before ``TY``, or a record the file ends inside.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.records import Provenance, Record
from kg.sources import _ids as ids
from kg.sources import register, skip
from kg.sources._fields import author, text, year
from kg.sources.names import clean

NAME = "ris"
_TAG = re.compile(r"^([A-Z][A-Z0-9])  -(?: (.*))?$")
_BROKEN = re.compile(r"^[A-Z][A-Z0-9](?: ?-|\s{2,}-\S|\s{3,}-|\t+-)")
_VENUE_TAGS = ("T2", "JF", "JO", "BT", "JA", "T3")


def _sniff(sample: str, path: Path) -> float:
    lines = [line.rstrip() for line in sample.split("\n")[:50] if line.strip()]
    if lines and re.match(r"^TY  - ?\w*", lines[0]) and any(line.startswith("ER  -") for line in sample.split("\n")):
        return 0.98
    if lines and re.match(r"^TY  - ?\w*", lines[0]):
        return 0.9
    return 0.0


def _record(fields: dict[str, list[str]], path: Path, start: int, end: int) -> Record | None:
    def first(*tags: str) -> str | None:
        for tag in tags:
            for value in fields.get(tag, []):
                if text(value):
                    return text(value)
        return None

    title = first("TI", "T1", "CT")
    if not title:
        return None
    written = [clean(a) for a in (*fields.get("AU", []), *fields.get("A1", [])) if clean(a)]
    notes = " ".join(fields.get("N1", []))
    arxiv_note = re.search(r"arXiv:\s*(\S+)", notes, re.IGNORECASE)
    external = ids.with_arxiv_doi(
        ids.unique(
            [
                ids.doi(first("DO")),
                *(ids.from_url(url) for url in fields.get("UR", [])),
                ids.arxiv(arxiv_note.group(1)) if arxiv_note else None,
            ]
        )
    )
    return Record(
        key=first("ID") or (external[0] if external else str(start)),
        provenance=Provenance(str(path), start, end, NAME),
        title=title,
        authors=tuple(author(i, name) for i, name in enumerate(dict.fromkeys(written), start=1)),
        abstract=first("AB", "N2"),
        venue=first(*_VENUE_TAGS),
        year=year(first("PY")) or year(first("Y1")) or year(first("DA")),
        keywords=tuple(dict.fromkeys(k for k in (text(v) for v in fields.get("KW", [])) if k)),
        external_ids=external,
        paper_affiliations=tuple(dict.fromkeys(a for a in (text(v) for v in fields.get("AD", [])) if a)),
    )


@register(NAME, "RIS (.ris): TY … ER records from Zotero, Mendeley, EndNote, publishers", _sniff)
def read(path: Path) -> Iterator[Record]:
    try:
        handle = path.open("rb")
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror}") from err
    fields: dict[str, list[str]] | None = None
    start = last_tag = 0
    tag = ""
    with handle:
        for number, raw in enumerate(handle, start=1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8").rstrip("\r\n")
            except UnicodeDecodeError as err:
                raise InputError(path, "not valid UTF-8; re-save the file as UTF-8", number) from err
            match = _TAG.match(line)
            if match is None:
                if not line.strip():
                    continue
                if _BROKEN.match(line):
                    raise InputError(path, f"broken RIS tag {line[:12]!r}: expected 'XX  - value'", number)
                if fields is None or not tag:
                    raise InputError(path, "text outside a record; records start with 'TY  - '", number)
                fields[tag][-1] = f"{fields[tag][-1]} {line.strip()}"
                continue
            tag, value = match.group(1), match.group(2) or ""
            if tag == "TY":
                if fields is not None:
                    raise InputError(
                        path, f"'TY' inside the record that starts at line {start}; missing 'ER  - '", number
                    )
                fields, start = {"TY": [value]}, number
            elif fields is None:
                raise InputError(path, f"tag {tag!r} outside a record; records start with 'TY  - '", number)
            elif tag == "ER":
                record = _record(fields, path, start, number)
                if record is None:
                    skip(path, start, "RIS record without a title")
                else:
                    yield record
                fields, tag = None, ""
            else:
                fields.setdefault(tag, []).append(value)
                last_tag = number
    if fields is not None:
        raise InputError(path, f"the record that starts at line {start} has no 'ER  - ' end", last_tag or start)
