"""Field values as the service readers meet them: maybe missing, maybe the wrong JSON type.

Services leave fields out, set them to ``null`` or change a type between versions. These
helpers take any value and return the tidy one or nothing, so a reader states what it maps,
not how to guard each access.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from kg.records import AuthorRef
from kg.sources._ids import unique
from kg.sources.names import display_name

_YEAR = re.compile(r"(?<!\d)(1[89]\d{2}|20\d{2}|2100)(?!\d)")


def tidy(value: str) -> str:
    """Whitespace runs collapsed to one space and trimmed (``names.clean``, without a regex:
    readers call it on every field of every record)."""
    return " ".join(value.split())


def text(value: Any) -> str | None:
    """A string with whitespace collapsed, or ``None`` (empty, missing or not a string)."""
    return (tidy(value) or None) if isinstance(value, str) else None


def strings(value: Any) -> tuple[str, ...]:
    """A string or list of strings → the non-empty ones, each once, in order."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    return tuple(dict.fromkeys(t for t in (tidy(v) for v in value if isinstance(v, str)) if t))


def year(value: Any) -> int | None:
    """A year from an int or from text holding one ('2021', '2021-05-03', 'Mon, 2 Apr 2007 …')."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if 1800 <= value <= 2100 else None
    if isinstance(value, str):
        match = _YEAR.search(value)
        return int(match.group(1)) if match else None
    return None


def obj(value: Any) -> dict[str, Any]:
    """``value`` if it is a JSON object, else an empty one."""
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[dict[str, Any]]:
    """The JSON objects of a list (anything else in it, and a non-list, ignored)."""
    return [v for v in value if isinstance(v, dict)] if isinstance(value, list) else []


def author(
    position: int,
    as_written: str,
    ids: Iterable[str | None] = (),
    affiliations: Iterable[tuple[str, str | None]] = (),
) -> AuthorRef:
    """One author: the name as written (shown in display order), their ids and their
    affiliations as ``(name, id or None)`` pairs (an institution listed twice is kept once)."""
    pairs = list(dict.fromkeys((tidy(name), inst_id or "") for name, inst_id in affiliations if name.strip()))
    names = tuple(name for name, _ in pairs)
    affiliation_ids = tuple(inst_id for _, inst_id in pairs) if any(i for _, i in pairs) else ()
    written = tidy(as_written)
    return AuthorRef(display_name(written), written, position, names, unique(ids), affiliation_ids)
