"""The read stage: input paths → records, with what each file contributed.

Directories expand to their files (:func:`kg.sources.iter_input_files`); each file is read by
its reader (detected, or the one ``format`` names), its records renamed to the path shown in
provenance (relative to the working directory, or ``data/…`` for the packaged corpus) and
completed with the facts of the ``kg.toml`` beside it. Nothing is written: the build pipeline
(:mod:`kg.pipeline`) and ``kg.api.records`` both read through here.
"""

from __future__ import annotations

import gc
import hashlib
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from kg.errors import InputError
from kg.records import Record
from kg.resources import default_corpus, resource_dir
from kg.sources import iter_input_files, read_file, strict_reading
from kg.sources.file_facts import facts_for

log = logging.getLogger("kg")

# A stage's progress callback: (what is happening, done, total); the CLI draws it as a bar.
Progress = Callable[[str, int, int], None]


@dataclass
class InputReport:
    """What one input file contributed."""

    file: str
    reader: str
    records: int
    sha256: str


def display_path(path: Path) -> str:
    """How a file is named in provenance: relative to the working directory when inside it;
    the packaged default corpus as ``data/corpus/<name>`` wherever kg is installed."""
    resolved = path.resolve()
    try:
        return str(resolved.relative_to(Path.cwd().resolve()))
    except ValueError:
        pass
    data = resource_dir("data").resolve()
    if resolved.is_relative_to(data):
        return str(Path("data") / resolved.relative_to(data))
    return str(resolved)


def sha256(path: Path) -> str:
    """The file's SHA-256 (hex): how a store tells a changed input from the same one."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_inputs(
    paths: Sequence[str | Path] | None = None,
    format: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
) -> tuple[list[Record], list[InputReport]]:
    """Read every input file (directories recurse; default: the bundled corpus) into records,
    in file order, with one :class:`InputReport` per file; nothing is written."""
    files = iter_input_files(paths or [default_corpus()])
    records: list[Record] = []
    reports: list[InputReport] = []
    collecting = gc.isenabled()
    gc.disable()  # records hold no cycles; scanning the growing list made reading super-linear
    try:
        _read_files(files, format, strict, progress, records, reports)
    finally:
        if collecting:
            gc.enable()
    if progress:
        progress("read", len(files), len(files))
    return records, reports


def _read_files(
    files: Sequence[Path],
    format: str | None,
    strict: bool,
    progress: Progress | None,
    records: list[Record],
    reports: list[InputReport],
) -> None:
    with strict_reading(strict):
        for index, path in enumerate(files):
            if progress:
                progress(f"reading {path.name}", index, len(files))
            shown = display_path(path)
            before = len(records)
            reader_name = format
            facts = facts_for(path)
            for record in read_file(path, format):
                reader_name = record.provenance.reader
                records.append(facts.apply(_renamed(record, shown)))
            reports.append(InputReport(shown, reader_name or "?", len(records) - before, sha256(path)))


def require_records(
    paths: Sequence[str | Path], inputs: Sequence[InputReport], format: str | None, every_file: bool = False
) -> None:
    """InputError when ``inputs`` gave no records (with ``every_file``: when any file gave none):
    nothing to build, and nothing a store should be replaced with. Otherwise files that gave
    none beside others that did are only warned about."""
    empty = [report.file for report in inputs if report.records == 0]
    if inputs and len(empty) < len(inputs) and not (every_file and empty):
        for name in empty:
            log.warning("%s: no records read%s", name, f" as {format}" if format else "")
        return
    named = empty if inputs else [str(p) for p in paths]
    where = ", ".join(named[:3]) + (f" and {len(named) - 3} more" if len(named) > 3 else "")
    if not inputs:
        raise InputError(where, "no input files found; nothing was written (pass --allow-empty for an empty store)")
    hint = f"is --format {format} right? " if format else ""
    raise InputError(where, f"no records read; nothing was written ({hint}pass --allow-empty to build an empty store)")


def _renamed(record: Record, shown: str) -> Record:
    if record.provenance.file == shown:
        return record
    return replace(record, provenance=replace(record.provenance, file=shown))
