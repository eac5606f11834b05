"""JSON as services export it: JSON lines (dumps, snapshots) or one document (an API page).

One function serves every JSON reader, :func:`json_items`: it yields each paper object with the
line it starts on, whichever shape the file has:

- JSON lines, one object per line (the arXiv snapshot, OpenAlex and Semantic Scholar datasets):
  read one line at a time, so memory stays that of one record whatever the file's size;
- a document: a top-level array (``[{…}, …]``), a page object whose list sits under one of
  ``list_keys`` (OpenAlex ``{"results": […]}``, Semantic Scholar ``{"data": […]}``,
  OpenReview ``{"notes": […]}``), or a single object. Documents are API pages or exports of a
  library, so the text is held once, but items are decoded one at a time (never the whole tree).

A line of JSON lines that is itself a page (``{"results": […]}``) is expanded too, so pages
saved one per line read the same as the works they hold. Invalid JSON, nesting deeper than
the decoder allows and numbers too long to convert are an :class:`InputError` with the line.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.sources._text import read_text

_DECODER = json.JSONDecoder()
_WHITESPACE = " \t\n\r"


def has_key(sample: str, *names: str) -> bool:
    """Whether any of ``names`` occurs in ``sample`` as a JSON object key (``"name":``), not
    merely as a word inside some text: what the JSON readers' sniffers look for."""
    return re.search('"(?:' + "|".join(map(re.escape, names)) + r')"\s*:', sample) is not None


def _decode_error(path: Path, err: Exception, line: int) -> InputError:
    if isinstance(err, json.JSONDecodeError):
        return InputError(path, f"invalid JSON: {err.msg} (column {err.colno})", err.lineno)
    if isinstance(err, RecursionError):
        return InputError(path, "invalid JSON: nested too deeply", line)
    return InputError(path, f"invalid JSON: {err}", line)


def _raw_lines(path: Path) -> Iterator[tuple[int, bytes]]:
    """``(line number, bytes)`` of each line, read one at a time; an unreadable file is one line."""
    try:
        handle = path.open("rb")
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror}") from err
    with handle:
        yield from enumerate(handle, start=1)


def _decoded(raw: bytes, number: int, errors: str = "strict") -> str:
    return raw.decode("utf-8-sig" if number == 1 else "utf-8", errors=errors).strip()


def json_lines(path: Path) -> Iterator[tuple[int, Any]]:
    """``(line number, value)`` for each non-blank line, read one line at a time."""
    for number, raw in _raw_lines(path):
        try:
            line = _decoded(raw, number)
        except UnicodeDecodeError as err:
            raise InputError(path, "not valid UTF-8; re-save the file as UTF-8", number) from err
        if not line:
            continue
        try:
            yield number, json.loads(line)
        except (ValueError, RecursionError) as err:
            if isinstance(err, json.JSONDecodeError):
                raise InputError(path, f"invalid JSON: {err.msg} (column {err.colno})", number) from err
            raise _decode_error(path, err, number) from err


def _first_line_is_whole(path: Path) -> bool:
    """Whether the file's first non-blank line is a complete JSON value (JSON lines)."""
    for number, raw in _raw_lines(path):
        line = _decoded(raw, number, errors="replace")
        if not line:
            continue
        if not line.startswith("{"):
            return False
        try:
            json.loads(line)
        except (ValueError, RecursionError):
            return False
        return True
    return False


def json_items(path: Path, list_keys: tuple[str, ...]) -> Iterator[tuple[int, Any]]:
    """``(line, item)`` for every item of a JSON lines file or JSON document (see the module)."""
    if _first_line_is_whole(path):
        for number, value in json_lines(path):
            listed = _listed(value, list_keys)
            if listed is None:
                yield number, value
            else:
                yield from ((number, item) for item in listed)
        return
    yield from _document_items(path, read_text(path), list_keys)


def _listed(value: Any, list_keys: tuple[str, ...]) -> list[Any] | None:
    if isinstance(value, dict):
        for name in list_keys:
            if isinstance(value.get(name), list):
                return value[name]
    return None


class _Cursor:
    """A position in the document text and the line it is on (counted incrementally)."""

    def __init__(self, path: Path, text: str) -> None:
        self.path, self.text, self.pos, self.line, self._counted = path, text, 0, 1, 0

    def skip(self) -> str:
        """Skip whitespace; the next character ('' at the end)."""
        text, pos = self.text, self.pos
        while pos < len(text) and text[pos] in _WHITESPACE:
            pos += 1
        self.pos = pos
        return text[pos] if pos < len(text) else ""

    def here(self) -> int:
        self.line += self.text.count("\n", self._counted, self.pos)
        self._counted = self.pos
        return self.line

    def value(self) -> Any:
        try:
            value, self.pos = _DECODER.raw_decode(self.text, self.pos)
        except (ValueError, RecursionError) as err:
            raise _decode_error(self.path, err, self.here()) from err
        return value

    def expect(self, char: str, what: str) -> None:
        if self.skip() != char:
            found = repr(self.text[self.pos]) if self.pos < len(self.text) else "the end of the file"
            raise InputError(self.path, f"invalid JSON: expected {what}, found {found}", self.here())
        self.pos += 1


def _document_items(path: Path, text: str, list_keys: tuple[str, ...]) -> Iterator[tuple[int, Any]]:
    cursor = _Cursor(path, text)
    first = cursor.skip()
    if first == "[":
        yield from _array(cursor)
    elif first == "{":
        found = yield from _page(cursor, list_keys)
        if not found:
            cursor.pos, cursor.line, cursor._counted = 0, 1, 0
            cursor.skip()
            yield cursor.here(), cursor.value()
    elif first:
        raise InputError(path, "expected a JSON object or array", cursor.here())
    else:
        return
    if cursor.skip():
        raise InputError(path, "invalid JSON: extra data after the document", cursor.here())


def _array(cursor: _Cursor) -> Iterator[tuple[int, Any]]:
    """Each element of the array at the cursor, decoded one at a time."""
    cursor.expect("[", "'['")
    if cursor.skip() == "]":
        cursor.pos += 1
        return
    while True:
        cursor.skip()
        line = cursor.here()
        yield line, cursor.value()
        following = cursor.skip()
        if following == "]":
            cursor.pos += 1
            return
        cursor.expect(",", "',' or ']' after an item")


def _page(cursor: _Cursor, list_keys: tuple[str, ...]) -> Iterator[tuple[int, Any]]:
    """The items under the first of ``list_keys`` in the object at the cursor; returns whether
    there was such a list (the object is one item otherwise)."""
    cursor.expect("{", "'{'")
    found = False
    if cursor.skip() == "}":
        cursor.pos += 1
        return found
    while True:
        cursor.skip()
        name = cursor.value()
        if not isinstance(name, str):
            raise InputError(cursor.path, "invalid JSON: object keys must be strings", cursor.here())
        cursor.expect(":", "':' after a key")
        if name in list_keys and not found and cursor.skip() == "[":
            found = True
            yield from _array(cursor)
        else:
            cursor.skip()
            cursor.value()
        if cursor.skip() == "}":
            cursor.pos += 1
            return found
        cursor.expect(",", "',' or '}' in an object")
