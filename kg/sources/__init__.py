"""Readers: one module per input format, registered by name, chosen by content.

A reader turns one file into an iterator of :class:`kg.records.Record`. ``detect`` asks every
registered reader to score a sample of the file and picks the best; ``--format`` (the
``format`` argument of :func:`read_file`) skips detection. Third-party readers register the
same way the built-ins do, with :func:`register`.
"""

from __future__ import annotations

import contextlib
import contextvars
import logging
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.errors import InputError
from kg.records import Record
from kg.sources._checks import checked
from kg.sources._text import read_sample

Sniffer = Callable[[str, Path], float]
ReadFn = Callable[[Path], Iterator[Record]]


@dataclass(frozen=True)
class Reader:
    """A registered input format: how to recognise it and how to read it."""

    name: str
    description: str
    sniff: Sniffer
    read: ReadFn


_REGISTRY: dict[str, Reader] = {}
_STRICT = contextvars.ContextVar("kg_strict_reading", default=False)
log = logging.getLogger("kg.sources")
_BUILTINS_LOADED = False


def register(name: str, description: str, sniff: Sniffer) -> Callable[[ReadFn], ReadFn]:
    """Register ``read`` under ``name``; ``sniff(sample, path)`` scores a file from 0 to 1."""

    def decorator(read: ReadFn) -> ReadFn:
        _REGISTRY[name] = Reader(name, description, sniff, read)
        return read

    return decorator


def readers() -> dict[str, Reader]:
    """Every registered reader by name (built-ins included), in registration order."""
    _load_builtins()
    return dict(_REGISTRY)


@contextlib.contextmanager
def strict_reading(strict: bool = True) -> Iterator[None]:
    """Within this block, a record a reader would skip is an :class:`InputError` instead."""
    token = _STRICT.set(strict)
    try:
        yield
    finally:
        _STRICT.reset(token)


def skip(path: Path, line: int, reason: str) -> None:
    """Report a record a reader leaves out (a warning), or refuse it under ``strict_reading``."""
    if _STRICT.get():
        raise InputError(path, reason, line)
    log.warning("%s:%d: skipped: %s", path, line, reason)


def detect(path: Path) -> Reader:
    """The reader whose sniffer scores ``path`` highest; an error if none recognises it."""
    sample = read_sample(path)
    scored = sorted(
        ((reader.sniff(sample, path), reader.name) for reader in readers().values()),
        reverse=True,
    )
    best_score, best_name = scored[0]
    if best_score <= 0.0:
        names = ", ".join(sorted(readers()))
        raise InputError(path, f"cannot tell which format this file is in; pass --format ({names})", 1)
    return _REGISTRY[best_name]


def read_file(path: str | Path, format: str | None = None) -> Iterator[Record]:
    """Read one file with the named reader, or the detected one."""
    path = Path(path)
    if path.is_dir():
        raise InputError(path, "is a directory, expected a file")
    if not path.exists():
        raise InputError(path, "no such file")
    if format is None:
        reader = detect(path)
    else:
        try:
            reader = readers()[format]
        except KeyError:
            names = ", ".join(sorted(readers()))
            raise InputError(path, f"unknown format {format!r}; known formats: {names}") from None
    return _checked(reader.read(path))


def _checked(records: Iterator[Record]) -> Iterator[Record]:
    strict = _STRICT.get()
    for record in records:
        yield checked(record, strict)


FACTS_FILE = "kg.toml"  # facts about the files beside it (kg.sources.file_facts), not a document


def iter_input_files(paths: Iterable[str | Path]) -> list[Path]:
    """Expand directories (recursively, sorted, hidden files skipped) into the files to read."""
    files: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            for root, dirs, names in os.walk(path):
                dirs[:] = sorted(d for d in dirs if not d.startswith("."))
                files.extend(
                    Path(root) / n for n in sorted(names) if not n.startswith((".", "README")) and n != FACTS_FILE
                )
        elif path.name == FACTS_FILE:
            continue  # `kg build corpus/*` names it too: facts about the documents, not one
        else:
            files.append(path)
    for path in files:
        if not path.exists():  # also a link in a loop, or to nothing: it resolves to no file
            what = "is a symbolic link that leads to no file (a loop or a missing target)"
            raise InputError(path, what if path.is_symlink() else "no such file or directory")
    return files


def _load_builtins() -> None:
    """Import the built-in reader modules once; each registers itself on import."""
    global _BUILTINS_LOADED
    if _BUILTINS_LOADED:
        return
    _BUILTINS_LOADED = True
    from kg.sources import (  # noqa: F401  (imported for their registration side effect)
        arxiv,
        arxiv_atom,
        bibtex,
        blog,
        csl_json,
        iclr_list,
        json_records,
        jsonl,
        openalex,
        openreview,
        paperlists,
        ris,
        semanticscholar,
        shortscience,
        table,
        workshop,
    )
