"""What every record must satisfy, whichever reader made it: checked once, in
:func:`kg.sources.read_file`, so no reader can let through what breaks a later stage.

- **Control characters** (C0 controls other than tab and newline, DEL, lone surrogates, U+FFFE
  and U+FFFF) are dropped from every text: a JSON ``"\\u0000"`` would otherwise make the GraphML
  and GEXF exports invalid XML (those characters cannot appear in XML 1.0 at all) and a lone
  surrogate cannot even be written as UTF-8. Raw NUL bytes in a text file are refused earlier,
  as binary (:func:`kg.sources._text.decode`).
- **Field length**: a text longer than :data:`MAX_FIELD_CHARS` keeps its first
  :data:`MAX_FIELD_CHARS` characters (cut at a space where one is near), with a warning naming
  the file and line, or an :class:`InputError` under ``--strict``. Extraction's pipeline
  (spaCy) refuses longer texts, and no real abstract or summary comes near it. The kept text is
  a prefix of the original, so every offset into it is an offset into the original.
- **Years** outside :data:`MIN_YEAR`–:data:`MAX_YEAR` are refused with the file and line:
  a negative year or ``2**63`` is a broken file, not a date (and the latter overflows SQLite).
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace

from kg.errors import InputError
from kg.records import AuthorRef, Record

MAX_FIELD_CHARS = 1_000_000  # spaCy's default max_length: extraction reads at most this much at once
MIN_YEAR, MAX_YEAR = 1000, 2100
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff\ufffe\uffff]")
_CUT_WITHIN = 1000  # look this far back from the limit for a space to cut at
_TEXT_FIELDS = ("title", "abstract", "tldr", "venue")
_TUPLE_FIELDS = ("summaries", "topics", "keywords", "external_ids", "paper_affiliations")
log = logging.getLogger("kg.sources")


def plain(text: str) -> str:
    """``text`` without the characters XML 1.0 and UTF-8 cannot hold (see the module docstring)."""
    return _CONTROL.sub("", text) if _CONTROL.search(text) else text


def year_problem(year: int) -> str | None:
    """Why ``year`` is no publication year, or ``None`` when it is one."""
    if MIN_YEAR <= year <= MAX_YEAR:
        return None
    written = str(year) if abs(year) < 10**30 else f"a number of about {int(abs(year).bit_length() * 0.30103)} digits"
    return f"year {written} is not a plausible publication year (kg reads {MIN_YEAR} to {MAX_YEAR})"


def checked(record: Record, strict: bool) -> Record:
    """``record`` with its texts made plain and capped; an :class:`InputError` for a bad year."""
    where, line = record.provenance.file, record.provenance.line_start
    if record.year is not None and (problem := year_problem(record.year)) is not None:
        raise InputError(where, problem, line)
    changes: dict[str, object] = {}
    for name in _TEXT_FIELDS:
        value = getattr(record, name)
        if value:
            fixed = _capped(plain(value), name, where, line, strict)
            if fixed is not value:
                changes[name] = fixed or None
    for name in _TUPLE_FIELDS:
        values = getattr(record, name)
        fixed_values = tuple(_capped(plain(v), f"{name}[{i}]", where, line, strict) for i, v in enumerate(values))
        if not _same(fixed_values, values):
            changes[name] = tuple(v for v in fixed_values if v)
    authors = tuple(_author(ref, where, line, strict) for ref in record.authors)
    if not _same(authors, record.authors):
        changes["authors"] = authors
    return replace(record, **changes) if changes else record  # type: ignore[arg-type]


def _author(ref: AuthorRef, where: str, line: int, strict: bool) -> AuthorRef:
    name = _capped(plain(ref.name), "author name", where, line, strict)
    written = _capped(plain(ref.as_written), "author name", where, line, strict)
    places = tuple(_capped(plain(a), "affiliation", where, line, strict) for a in ref.affiliations)
    if name is ref.name and written is ref.as_written and _same(places, ref.affiliations):
        return ref
    return AuthorRef(name or written, written or name, ref.position, tuple(a for a in places if a))


def _same(new: tuple[object, ...], old: tuple[object, ...]) -> bool:
    """Nothing was changed (the checks return the very object they were given when it passes)."""
    return all(a is b for a, b in zip(new, old, strict=True))


def _capped(text: str, field: str, where: str, line: int, strict: bool) -> str:
    if len(text) <= MAX_FIELD_CHARS:
        return text
    message = f"the {field} is {len(text):,} characters long; kg reads at most {MAX_FIELD_CHARS:,} per field"
    if strict:
        raise InputError(where, message, line)
    space = text.rfind(" ", MAX_FIELD_CHARS - _CUT_WITHIN, MAX_FIELD_CHARS + 1)
    log.warning("%s:%d: %s: kept the first %s", where, line, message, f"{space if space > 0 else MAX_FIELD_CHARS:,}")
    return text[: space if space > 0 else MAX_FIELD_CHARS]
