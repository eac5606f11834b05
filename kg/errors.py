"""Typed errors the library raises; only ``kg.cli`` turns them into messages and exit codes.

Each error says where (file and line, or store directory) and, where it helps, what to try.
"""

from __future__ import annotations

from pathlib import Path


class KgError(Exception):
    """Base class: every error ``kg`` raises on purpose. Exit status 1 unless a subclass says."""

    exit_code = 1


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
    """A store directory is missing, locked, from another version, or damaged."""

    def __init__(self, store: str | Path, message: str) -> None:
        self.store = str(store)
        super().__init__(f"store {self.store}: {message}")


class QueryError(KgError):
    """A query was refused (read-only mode) or failed to parse or run."""

    exit_code = 2
