"""`kg add` and `kg remove`: change a store's inputs without reading the others again.

A store remembers each input's records and mentions (:mod:`kg.store.inputs`). Adding files
reads and extracts only those files; removing one drops its records. Then everything is
resolved again and a new generation is written through :func:`kg.api.publish`, the same path
a full build takes, so the store equals a ``kg build`` of the same inputs triple for triple
(identity is decided over all records at once: a new file can back a merge among the old
ones, which an append-only update would miss).

An input is known by the name ``kg build`` showed for it (``kg stats`` lists them): adding a
file whose name and content are in the store changes nothing; the same name with new content
replaces the old records. Inputs extracted by other rules (another kg version or concept
scheme) are extracted again from their saved records.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from pathlib import Path

from kg.api import (
    BuildReport,
    InputReport,
    Progress,
    display_path,
    publish,
    read_inputs,
    require_records,
    timed,
)
from kg.errors import StoreError, UsageError
from kg.records import Mention, Record
from kg.resolve.overrides import load as load_overrides
from kg.store import inputs as saved_inputs
from kg.store import layout


def _current(store_dir: Path) -> tuple[layout.Generation, dict, list[saved_inputs.CachedInput]]:  # type: ignore[type-arg]
    """The live generation, its meta.json and saved inputs (the base the update starts from)."""
    generation = layout.current_generation(store_dir)
    meta = generation.meta()
    if "inputs" not in meta or not (generation.path / saved_inputs.DIRECTORY).is_dir():
        raise StoreError(store_dir, "was built by a kg that did not save its inputs; rebuild it with `kg build`")
    return generation, meta, list(saved_inputs.read_all(generation.path, meta["inputs"]))


def _override_files(meta: dict, overrides: str | Path | None) -> list[Path]:  # type: ignore[type-arg]
    if overrides is not None:
        return [Path(overrides)]
    return [Path(p) for p in meta.get("overrides", []) if Path(p).is_file()]


def _unchanged(store_dir: Path, meta: dict) -> BuildReport:  # type: ignore[type-arg]
    inputs = [InputReport(**i) for i in meta["inputs"]]
    return BuildReport(store_dir, inputs, meta["counts"], meta["triples"], {"total": 0.0}, meta.get("resolution", {}))


def _publish_all(
    store_dir: Path,
    kept: Sequence[saved_inputs.CachedInput],
    meta: dict,  # type: ignore[type-arg]
    overrides: str | Path | None,
    timings: dict[str, float],
    started: float,
    progress: Progress | None,
    base: str,
) -> BuildReport:
    if not kept:
        raise UsageError("that would leave the store without inputs; build a new one with `kg build FILE…`")
    extracted = bool(meta.get("extracted", True))
    from kg.extract import rules_fingerprint

    stale = [c for c in kept if extracted and (c.mentions is None or c.fingerprint != rules_fingerprint())]
    fresh: dict[int, list[list[Mention]]] = {}
    if stale:
        from kg.extract import extract_records

        with timed(timings, "extract"):
            for cached in stale:
                fresh[id(cached)] = [list(m) for m in extract_records(cached.records)]
    records: list[Record] = []
    mentions: list[list[Mention]] | None = [] if extracted else None
    for cached in kept:
        records.extend(cached.records)
        if mentions is not None:
            mentions.extend(fresh.get(id(cached)) or cached.mentions or [])
    reports = [InputReport(c.file, c.reader, len(c.records), c.sha256) for c in kept]
    rules = load_overrides(_override_files(meta, overrides))
    return publish(store_dir, reports, records, mentions, rules, timings, started, progress, base=base)


def add(
    paths: Sequence[str | Path],
    store: str | Path | None = None,
    format: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    overrides: str | Path | None = None,
    allow_empty: bool = False,
) -> tuple[BuildReport, list[str]]:
    """Add input files to a built store; returns the report and the names actually added.

    A file that gives no records is an :class:`InputError` (a wrong ``format``, most likely)
    unless ``allow_empty``.

    >>> report, added = kg.add(["more/papers.bib"], store=".kg")   # doctest: +SKIP
    """
    store_dir = Path(store) if store is not None else layout.default_store_dir()
    started = time.perf_counter()
    timings: dict[str, float] = {}
    generation, meta, cached = _current(store_dir)
    with timed(timings, "read"):
        records, reports = read_inputs(list(paths), format, strict, progress)
    if not allow_empty:
        require_records(list(paths), reports, format, every_file=True)
    known = {(c.file, c.sha256) for c in cached}
    by_file = {c.file: c for c in cached}
    added: list[saved_inputs.CachedInput] = []
    start = 0
    for report in reports:
        chunk = records[start : start + report.records]
        start += report.records
        if (report.file, report.sha256) in known or any(a.file == report.file for a in added):
            continue
        added.append(saved_inputs.CachedInput(report.file, report.sha256, report.reader, chunk, None, ""))
    if not added:
        return _unchanged(store_dir, meta), []
    replaced = {a.file for a in added} & set(by_file)
    kept = [c for c in cached if c.file not in replaced] + added
    report = _publish_all(store_dir, kept, meta, overrides, timings, started, progress, generation.path.name)
    return report, [a.file for a in added]


def remove(
    paths: Sequence[str | Path],
    store: str | Path | None = None,
    progress: Progress | None = None,
    overrides: str | Path | None = None,
) -> BuildReport:
    """Take input files (as ``kg stats`` names them, or as paths) out of a built store."""
    store_dir = Path(store) if store is not None else layout.default_store_dir()
    started = time.perf_counter()
    generation, meta, cached = _current(store_dir)
    names = {c.file for c in cached}
    wanted = set()
    for raw in paths:
        text = str(raw)
        shown = display_path(Path(text)) if Path(text).exists() else text
        match = shown if shown in names else text if text in names else None
        if match is None:
            listed = ", ".join(sorted(names))
            raise UsageError(f"{text} is not an input of store {store_dir} (its inputs: {listed})")
        wanted.add(match)
    kept = [c for c in cached if c.file not in wanted]
    return _publish_all(store_dir, kept, meta, overrides, {}, started, progress, generation.path.name)
