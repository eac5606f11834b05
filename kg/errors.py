"""Typed errors the library raises; only ``kg.cli`` turns them into messages and exit codes.

Each error says where (file and line, or store directory) and, where it helps, what to try.

Exit statuses follow one rule: **2** when what the user gave cannot be used as given (an option,
an input file, a query, a ``--store`` that is missing, not a store, damaged or of another
version), **1** when the request was sound but could not be carried out (an I/O or permission
failure, a store locked by another writer, a remote server, a time limit), **130** when
interrupted (Ctrl-C).
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

# Characters that would break a one-line message or change how a terminal shows it: controls
# (newlines, NUL, ESC), format characters (bidirectional overrides, zero-width), line separators.
_INVISIBLE_CATEGORIES = frozenset({"Cc", "Cf", "Zl", "Zp"})


def printable(text: str) -> str:
    """``text`` with control, format and line-separator characters written as escapes
    (``\\n``, ``\\x00``, ``\\u202e``), so user or document text cannot break a message into lines,
    reorder it (bidirectional overrides) or send terminal escape sequences.
    """
    if text.isprintable():
        return text
    return "".join(
        (ascii(char)[1:-1] if unicodedata.category(char) in _INVISIBLE_CATEGORIES else char) for char in text
    )


def shown(text: str, limit: int = 80) -> str:
    """User or document text as a message quotes it: :func:`printable`, cut to ``limit`` characters."""
    text = printable(text)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def one_line(message: str) -> str:
    """A message as one line: whitespace runs (newlines included) become one space, other
    invisible characters escapes (what ``kg.cli`` prints after ``kg: error:``)."""
    return printable(" ".join(message.split()))


class KgError(Exception):
    """Base class: every error ``kg`` raises on purpose. Exit status 1 unless a subclass says."""

    exit_code = 1


class Interrupted(KgError):
    """The user stopped a long operation (Ctrl-C); nothing was half-written."""

    exit_code = 130


class LimitReached(KgError):
    """A query ran past its time limit (``--timeout``) and was stopped."""


class InputError(KgError):
    """A file (or a place in it) cannot be read as the format it is supposed to be in."""

    exit_code = 2

    def __init__(self, path: str | Path, message: str, line: int | None = None) -> None:
        self.path = str(path)
        self.line = line
        self.message = message
        where = f"{self.path}:{line}" if line is not None else self.path
        super().__init__(f"{where}: {message}")


class UsageError(KgError):
    """The caller asked for something that cannot be done as asked (bad option combination)."""

    exit_code = 2


class StoreError(KgError):
    """A store directory is missing, not a store, from another version, or damaged (exit 2);
    locked or unwritable (``exit_code=1``: the request was sound, the moment or the disk not)."""

    exit_code = 2

    def __init__(self, store: str | Path, message: str, *, exit_code: int | None = None) -> None:
        self.store = str(store)
        if exit_code is not None:
            self.exit_code = exit_code
        super().__init__(f"store {self.store}: {message}")


class QueryError(KgError):
    """A query was refused (read-only mode) or failed to parse or run."""

    exit_code = 2


class EndpointError(StoreError):
    """A remote store (an HTTP endpoint) refused a request or could not be reached.

    ``endpoint`` is the URL with any password masked; ``status`` the HTTP status, or None when
    no answer came (connection refused, timeout, name not found).
    """

    def __init__(self, endpoint: str, message: str, status: int | None = None) -> None:
        self.endpoint = endpoint
        self.status = status
        super().__init__(endpoint, message, exit_code=1)


class ModelError(KgError):
    """The span tagger's model directory is missing, incomplete or damaged."""

    exit_code = 2

    def __init__(self, path: str | Path, message: str) -> None:
        self.path = str(path)
        super().__init__(f"model {self.path}: {message} (rebuild it with `kg train`, or build with --no-model)")
