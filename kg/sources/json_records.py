"""JSON arrays (or JSON lines) of flat paper objects whose keys name the fields the way a CSV
header does: scraped conference pages, spreadsheets saved as JSON, hand-made lists.

Keys are matched exactly as :mod:`kg.sources.table` matches headers (case, spaces, ``_``,
``-``, ``.`` and ``:`` folded, so the OpenReview page labels a scraper copies, ``"Abstract:"``
and ``"TL;DR:"``, are the abstract and the tl;dr), and ``--columns`` names other keys. A value
may be a string, a number, or a list of strings or of ``{"name": …}`` objects (authors,
keywords); nested objects are not fields and are ignored. Recognised only when no more specific
reader claims the file (the services' JSON, CSL-JSON and paperlists score higher), and only
from a top-level array: a JSON-lines file of paper objects is kg's own ``jsonl`` unless
``--format json-records`` says otherwise.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.records import Record
from kg.sources import register, skip
from kg.sources._json import json_items
from kg.sources.table import columns, row_record

NAME = "json-records"
_KEY = re.compile(r'"([^"\\]{1,64})"\s*:')


def _sniff(sample: str, path: Path) -> float:
    head = sample.lstrip()[:20000]
    if not head.startswith("["):
        return 0.0
    keys = list(dict.fromkeys(_KEY.findall(head)))
    return 0.4 if "title" in columns(keys) else 0.0


def _cell(value: Any) -> str:
    """A value as the text of a table cell: lists joined with ``;`` (how the table reader splits
    authors and keywords), objects in a list by their ``name``."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool) or value is None or isinstance(value, dict):
        return ""
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, list):
        parts = (_cell(item.get("name")) if isinstance(item, dict) else _cell(item) for item in value)
        return "; ".join(part for part in parts if part.strip())
    return ""


@register(NAME, "JSON array of flat paper objects; keys by name as for csv (title, authors, abstract, …)", _sniff)
def read(path: Path) -> Iterator[Record]:
    for index, (line, item) in enumerate(json_items(path, ()), start=1):
        if not isinstance(item, dict):
            raise InputError(path, f"item #{index} is not a JSON object (a paper with named fields)", line)
        keys = list(item)
        by_field = columns(keys)
        if "title" not in by_field:
            shown = ", ".join(repr(k) for k in keys[:12])
            skip(path, line, f"paper #{index} has no title (keys: {shown}); name one with --columns title=KEY")
            continue
        record = row_record([_cell(item[key]) for key in keys], by_field, path, (line, line), NAME)
        if record is None:
            skip(path, line, f"paper #{index} has no title")
        else:
            yield record
