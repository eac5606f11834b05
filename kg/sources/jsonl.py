"""JSON lines: ``kg export --format jsonl`` output read back (the round trip), or any file of
one paper object per line using the same keys (``title``, ``authors``, ``abstract``, …).

Read as a stream, one line at a time, so a file of any size costs one line of memory. Authors
may be objects (``{"name", "as_written", "institutions": [{"name"}]}``) or plain strings; a
single string instead of a list is a list written out: names separated by ``;`` or `` and ``
("Jane Doe; John Roe", "Jane Doe and John Roe"; commas are not split, as "Doe, Jane" is one
name). Any other type where a list of authors or institutions belongs refuses the line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.records import AuthorRef, Provenance, Record
from kg.sources import register
from kg.sources._json import json_lines
from kg.sources._text import SAMPLE_BYTES
from kg.sources.names import clean, display_name

NAME = "jsonl"
_PAPER_KEYS = {"title", "label", "abstract", "authors", "tldr", "summary"}
_PAPER_KEY = re.compile(r'"(?:{})"\s*:'.format("|".join(sorted(_PAPER_KEYS))))
# The first line is read whole to recognise the format when it is longer than the sample (a
# paper with 10,000 authors); past this many bytes its first keys decide.
_FIRST_LINE_BYTES = 64 * 1024 * 1024


def _first_line(sample: str, path: Path) -> str:
    """The first non-blank line: from the sample, or from the file when the sample may cut it."""
    lines = sample.split("\n")
    index = next((i for i, line in enumerate(lines) if line.strip()), None)
    if index is None:
        return ""
    if index < len(lines) - 1:  # a newline follows: the line is whole
        return lines[index]
    with path.open("rb") as handle:
        for raw in iter(lambda: handle.readline(_FIRST_LINE_BYTES), b""):
            if raw.strip():
                return raw.decode("utf-8-sig", errors="replace")
    return ""


def _sniff(sample: str, path: Path) -> float:
    first = _first_line(sample, path).strip()
    if not first.startswith("{"):
        return 0.0
    try:
        parsed = json.loads(first)
    except (ValueError, RecursionError):
        cut = len(first.encode("utf-8")) >= _FIRST_LINE_BYTES  # too long to read whole: its keys decide
        return 0.9 if cut and _PAPER_KEY.search(first[:SAMPLE_BYTES]) else 0.0
    return 0.95 if isinstance(parsed, dict) and _PAPER_KEYS & set(parsed) else 0.0


def _text(value: Any) -> str | None:
    return clean(value) or None if isinstance(value, str) else None


def _strings(value: Any, keep_lines: bool = False) -> tuple[str, ...]:
    """A string or list of strings; ``keep_lines`` keeps a summary's line structure."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return ()
    tidy = str.strip if keep_lines else clean
    return tuple(tidy(v) for v in value if isinstance(v, str) and tidy(v))


_AUTHOR_SEPARATORS = re.compile(r"\s*;\s*|\s+and\s+")
_TYPE_NAMES = {
    int: "a number",
    float: "a number",
    bool: "true or false",
    dict: "an object",
    list: "a list",
    str: "a string",
}


def _kind(value: Any) -> str:
    return _TYPE_NAMES.get(type(value), "null")


def _listed(value: Any, what: str, path: Path, line: int, split: bool = True) -> list[Any]:
    """A JSON list, or a string: names separated by ';' or ' and ' (``split``), else one
    institution ("Computer Science and Engineering" is one); anything else refuses the line."""
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in _AUTHOR_SEPARATORS.split(value) if part.strip()] if split else [value]
    if not isinstance(value, list):
        raise InputError(
            path, f"{what} is {_kind(value)}; expected a list of names (or one ';'-separated string)", line
        )
    return value


def _author(position: int, value: Any, path: Path, line: int) -> AuthorRef | None:
    if isinstance(value, str) and clean(value):
        return AuthorRef(display_name(value), clean(value), position)
    if value is None or isinstance(value, str):
        return None
    if not isinstance(value, dict):
        raise InputError(path, f"author #{position} is {_kind(value)}; expected a name or an author object", line)
    if not _text(value.get("name")):
        return None
    institutions = _listed(value.get("institutions"), f"author #{position}'s institutions", path, line, split=False)
    affiliations = tuple(
        clean(inst["name"]) if isinstance(inst, dict) else clean(inst)
        for inst in institutions
        if (isinstance(inst, dict) and _text(inst.get("name"))) or (isinstance(inst, str) and clean(inst))
    )
    name = clean(value["name"])
    return AuthorRef(name, _text(value.get("as_written")) or name, position, affiliations)


def record_from_object(obj: dict[str, Any], path: Path, line: int) -> Record:
    """One exported paper object → a record (unknown keys are ignored)."""
    listed = _listed(obj.get("authors"), "authors", path, line)
    authors = tuple(ref for ref in (_author(i, a, path, line) for i, a in enumerate(listed, start=1)) if ref)
    year = obj.get("year")
    return Record(
        key=_text(obj.get("id")) or str(line),
        provenance=Provenance(str(path), line, line, NAME),
        title=_text(obj.get("title")),
        authors=authors,
        abstract=_text(obj.get("abstract")),
        tldr=_text(obj.get("tldr")),
        summaries=_strings(obj.get("summary"), keep_lines=True),
        venue=_text(obj.get("venue")),
        year=year if isinstance(year, int) and not isinstance(year, bool) else None,
        topics=_strings(obj.get("topics")),
        keywords=_strings(obj.get("keywords")),
        external_ids=_strings(obj.get("external_ids")),
    )


@register(NAME, "JSON lines: one paper object per line (kg's own export reads back)", _sniff)
def read(path: Path) -> Iterator[Record]:
    for number, obj in json_lines(path):
        if not isinstance(obj, dict):
            raise InputError(path, "expected a JSON object on this line", number)
        if not (_text(obj.get("title")) or _text(obj.get("abstract")) or _strings(obj.get("summary"))):
            raise InputError(path, "paper object has no title, abstract or summary", number)
        yield record_from_object(obj, path, number)
