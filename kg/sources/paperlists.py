"""OpenReview-derived conference lists (papercopilot/paperlists): one JSON array per conference.

Multi-valued fields are ``;``-joined strings (``author`` in iclr2022 is ``, ``-joined). The
``aff`` field is zipped with ``author`` only when both have the same number of slots: the
iclr2021 files compact ``aff`` (authors without a profile are dropped), so a mismatch means the
slots do not line up and the affiliations are kept at paper level instead. Empty slots and
``;;;`` placeholders mean "unknown". Venue and year come from the file name (``iclr2020.json``),
which is how the upstream repository names them. Each slot of ``aff`` is one institution, so
commas inside it are not split ("University of California, Berkeley").
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.records import Provenance, Record
from kg.sources import register, skip
from kg.sources._text import read_text
from kg.sources.names import author_refs, clean

NAME = "paperlists"
_FILE_VENUE = re.compile(r"^([a-z]+)[_-]?((?:19|20)\d{2})$", re.IGNORECASE)
_VENUE_NAMES = {"iclr": "ICLR", "colm": "COLM", "neurips": "NeurIPS", "nips": "NeurIPS", "icml": "ICML", "aaai": "AAAI"}


def _sniff(sample: str, path: Path) -> float:
    head = sample.lstrip()
    if head.startswith("[") and re.search(r'"title"\s*:', head) and re.search(r'"author"\s*:', head):
        return 0.95
    return 0.0


def _split(value: Any, separator: str = ";") -> list[str]:
    if not isinstance(value, str):
        return []
    return [clean(part) for part in value.split(separator)]


def _authors(item: dict[str, Any], path: Path, line: int) -> list[str]:
    raw = item.get("author") or ""
    if not isinstance(raw, str):
        raise InputError(path, "author must be a ';'-joined string of names", line)
    separator = ";" if ";" in raw or "," not in raw else ","
    return [name for name in _split(raw, separator) if name]


def _line_index(text: str) -> list[int]:
    """Line number (1-based) of each top-level object's opening brace, in order."""
    lines, depth, in_string, escaped, line = [], 0, False, False, 1
    for char in text:
        if char == "\n":
            line += 1
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            if char == "{" and depth == 2:
                lines.append(line)
        elif char in "]}":
            depth -= 1
    return lines


@register(NAME, "OpenReview/paperlists JSON array (papercopilot), ';'-joined fields", _sniff)
def read(path: Path) -> Iterator[Record]:
    text = read_text(path)
    try:
        items = json.loads(text)
    except json.JSONDecodeError as err:
        raise InputError(path, f"invalid JSON: {err.msg}", err.lineno) from err
    except ValueError as err:  # a number of more than 4,300 digits
        raise InputError(path, f"invalid JSON: {err}") from err
    except RecursionError as err:
        raise InputError(path, "invalid JSON: nested too deeply") from err
    if not isinstance(items, list):
        raise InputError(path, "expected a JSON array of paper objects", 1)
    lines = _line_index(text)
    match = _FILE_VENUE.match(path.stem)
    venue = _VENUE_NAMES.get(match.group(1).lower(), match.group(1).upper()) if match else None
    year = int(match.group(2)) if match else None
    for index, item in enumerate(items):
        line = lines[index] if index < len(lines) else 1
        if not isinstance(item, dict) or not clean(str(item.get("title") or "")):
            skip(path, line, f"paper #{index + 1} has no title")
            continue
        names = _authors(item, path, line)
        affs = _split(item.get("aff"))
        aligned = len(affs) == len(names) and any(affs)
        per_author = [(aff,) if aff else () for aff in affs] if aligned else None
        paper_affs = () if aligned else tuple(dict.fromkeys(a for a in affs if a))
        ext_id = clean(str(item.get("id") or ""))
        yield Record(
            key=ext_id or str(index + 1),
            provenance=Provenance(str(path), line, lines[index + 1] - 1 if index + 1 < len(lines) else line, NAME),
            title=clean(str(item["title"])),
            authors=author_refs(names, per_author),
            abstract=clean(str(item.get("abstract") or "")) or None,
            tldr=clean(str(item.get("tldr") or "")) or None,
            venue=venue,
            year=year,
            keywords=tuple(k for k in _split(item.get("keywords")) if k),
            external_ids=(f"openreview:{ext_id}",) if ext_id else (),
            paper_affiliations=paper_affs,
        )
