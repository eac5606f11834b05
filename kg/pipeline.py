"""The build: read → extract → resolve → publish, one stage after the other, for ``kg build``,
``kg add`` and ``kg remove``.

::

    paths ──read──▶ records ──extract──▶ mentions ──resolve──▶ Graph ──publish──▶ store generation
          (kg.sources)        (kg.extract)          (kg.resolve)        (kg.store: inputs, RDF,
                                                                          Cypher, lookup index)

:func:`build` runs every stage over the inputs. :func:`add` and :func:`remove` start from the
records and mentions a store saved per input (:mod:`kg.store.inputs`): they read and extract
only new files, then resolve everything again and publish the way a build does, so the store
equals a ``kg build`` of the same inputs triple for triple (identity is decided over all records
at once: a new file can back a merge among the old ones, which an append-only update would
miss). Everything is read and resolved before the store is touched, so bad input leaves the
previous store as it was.

An input is known by the name ``kg build`` showed for it (``kg stats`` lists them): adding a
file whose content is in the store changes nothing (from whatever directory it is named); the
same name with new content replaces the old records. Inputs extracted by other rules (another kg version or concept
scheme) are extracted again from their saved records.
"""

from __future__ import annotations

import contextvars
import gc
import os
import time
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from kg import __version__
from kg.errors import StoreError, UsageError
from kg.extract import cpu_times, default_workers, extract_records, idle_cores, pending_records
from kg.extract.scheme import SchemeChoice, load_scheme, using_scheme
from kg.extract.settings import Extraction
from kg.graph import Graph
from kg.records import Mention, Record
from kg.resolve import communities, resolve
from kg.resolve.decisions import Resolution
from kg.resolve.overrides import Overrides
from kg.resolve.overrides import load as load_overrides
from kg.resources import default_corpus
from kg.sources import FACTS_FILE
from kg.sources.reading import InputReport, Progress, display_path, read_inputs, require_records
from kg.store import cypher, layout, lookup_index, rdf
from kg.store import inputs as saved_inputs

RESOLUTION_FILE = "resolution.json"
# Past this many nodes the Cypher load waits for the other two writers (see _write_stores).
CONCURRENT_WRITES_UP_TO = 500_000


@dataclass
class BuildReport:
    """The outcome of a build: inputs, graph counts, triple count, timings (seconds)."""

    store: Path
    inputs: list[InputReport]
    counts: dict[str, dict[str, int]]
    triples: int
    seconds: dict[str, float] = field(default_factory=dict)
    resolution: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return sum(i.records for i in self.inputs)


@contextmanager
def timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    """Adds the seconds the block takes to ``timings[stage]`` (the build report's per-stage
    times) and this process's CPU seconds meanwhile (all its threads; not worker processes') to
    ``timings[stage + "_cpu"]``: on a shared machine wall time follows the load, CPU time less."""
    started = time.perf_counter()
    cpu = time.process_time()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started
        timings[f"{stage}_cpu"] = timings.get(f"{stage}_cpu", 0.0) + time.process_time() - cpu


def overrides_files(paths: Sequence[str | Path] | None, overrides: str | Path | None = None) -> list[Path]:
    """The identity overrides of a build: ``overrides`` if given (or ``$KG_OVERRIDES``), else the
    ``kg.toml`` beside the inputs (in each input directory, and beside each input file)."""
    chosen = overrides or os.environ.get("KG_OVERRIDES")
    if chosen:
        return [Path(chosen)]
    found: dict[Path, None] = {}
    for raw in paths or [default_corpus()]:
        path = Path(raw)
        directory = path if path.is_dir() else path.parent
        candidate = directory / FACTS_FILE
        if candidate.is_file():
            found[candidate.resolve()] = None
    return list(found)


# ---------------------------------------------------------------------- the full build


def build(
    paths: Sequence[str | Path] | None = None,
    store: str | Path | None = None,
    format: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    extract: bool = True,
    overrides: str | Path | None = None,
    allow_empty: bool = False,
    model: Path | bool = True,
    min_confidence: float = 0.0,
    scheme: Sequence[str | Path] = (),
    scheme_mode: str = "add",
) -> BuildReport:
    """Read the inputs, resolve them into a graph and swap a new store generation in.

    ``extract=False`` skips concept extraction (methods, datasets, tasks); ``model`` is the
    span tagger (True: the shipped one, False: rules alone, or a ``kg train`` output folder) and
    ``min_confidence`` drops mentions below it. ``scheme`` names the user's concept scheme files
    (CSV or SKOS Turtle, :mod:`kg.extract.scheme_files`), added to the bundled scheme or, with
    ``scheme_mode="replace"``, in its place. ``overrides`` names a TOML file of identity
    overrides (:mod:`kg.resolve.overrides`); by default the ``[identity]`` section of the
    ``kg.toml`` beside the inputs is used. Inputs that give no records at all are an
    :class:`InputError` (a wrong ``format`` or an empty directory must not replace a good store
    with an empty one) unless ``allow_empty``.

    Everything is read and resolved before the store is touched, so bad input leaves the
    previous store as it was. Building the same inputs twice gives the same triples.
    """
    store_dir = layout.store_dir(store)
    layout.check_store_dir(store_dir)  # a wrong --store fails before the inputs are read
    layout.refuse_if_being_written(store_dir)  # and so does a store another build is writing
    timings: dict[str, float] = {}
    started = time.perf_counter()
    machine = cpu_times()  # how busy the machine is while this one process works: see default_workers
    rules = load_overrides(overrides_files(paths, overrides))  # a bad file fails before reading
    extraction = Extraction(model, min_confidence, SchemeChoice.of(scheme, scheme_mode))
    if extract:
        # A faulty scheme file fails before anything is read. The pipeline is built when a text
        # needs it, so a missing or damaged model fails after reading, still before the store is
        # touched; a rebuild whose texts were all extracted before (kg.extract.resultcache) never
        # builds it (0.7 s of CPU).
        load_scheme(extraction.scheme)
    with timed(timings, "read"):
        records, inputs = read_inputs(paths, format, strict, progress)
    if not allow_empty:
        require_records(paths or [default_corpus()], inputs, format)
    # Records, mentions and the graph live for the whole build: frozen, the cyclic garbage
    # collector stops rescanning them at every full collection (without it the read stage grew
    # 16x per 10x records from 10k to 100k; benchmarks/bench_scale.py).
    gc.freeze()
    try:
        mentions = None
        if extract:
            if progress:
                progress("extracting concepts", 0, 1)
            with timed(timings, "extract"):
                pending = pending_records(records, model, extraction.scheme)
                mentions = extract_records(
                    records,
                    workers=default_workers(pending, model, idle_cores(machine)),
                    model=model,
                    min_confidence=min_confidence,
                    scheme=extraction.scheme,
                )
        return publish(store_dir, inputs, records, mentions, rules, timings, started, progress, extraction=extraction)
    finally:
        gc.unfreeze()


# ---------------------------------------------------------------------- resolve and publish


DEFAULT_EXTRACTION = Extraction()


def publish(
    store_dir: Path,
    inputs: Sequence[InputReport],
    records: list[Record],
    mentions: list[list[Mention]] | None,
    rules: Overrides,
    timings: dict[str, float],
    started: float,
    progress: Progress | None = None,
    base: str | None = None,
    extraction: Extraction = DEFAULT_EXTRACTION,
) -> BuildReport:
    """Resolve records (``inputs``' records, in order) and swap a new store generation in.

    Shared by :func:`build`, :func:`add` and :func:`remove`, so an updated store is written
    exactly as a full build of the same inputs would write it. It consumes ``records`` and
    ``mentions``: once resolved and saved into the generation the lists are emptied, so the
    store writers run beside the graph alone. ``base`` is the generation an update started
    from: if another writer replaced it meanwhile, nothing is written (the update would
    silently undo that writer's work). The stages after extraction look concepts up in the
    scheme of ``extraction`` (:func:`kg.extract.scheme.using_scheme`)."""
    with using_scheme(extraction.scheme):
        if progress:
            progress("resolving identities", 0, 1)
        gc.freeze()
        with timed(timings, "resolve"):
            graph, resolution = resolve(records, mentions, rules)
        with timed(timings, "communities"):
            partition = communities.assign(graph)
        gc.freeze()
        with layout.new_generation(store_dir) as generation:
            if base is not None and layout.current_name(store_dir) != base:
                raise StoreError(store_dir, "was changed by another command while this one ran; run it again")
            with timed(timings, "inputs_saved"):
                _save_inputs(generation.path, inputs, records, mentions, extraction)
            # The graph holds all the stores need: the records and mentions go before the writers
            # start (half a gigabyte of a 100k-record build).
            records.clear()
            if mentions is not None:
                mentions.clear()
            if progress:
                progress("writing the RDF store, Cypher database and lookup index", 0, 1)
            triples = _write_stores(graph, generation, timings)
            counts = _write_meta(
                generation, graph, resolution, inputs, triples, mentions is not None, rules, extraction, partition
            )
        timings["total"] = time.perf_counter() - started
        timings["process_cpu"] = time.process_time()  # this process's CPU since it started, imports included
        return BuildReport(store_dir, list(inputs), counts, triples, timings, resolution.summary())


def _save_inputs(
    directory: Path,
    inputs: Sequence[InputReport],
    records: Sequence[Record],
    mentions: Sequence[Sequence[Mention]] | None,
    extraction: Extraction,
) -> None:
    """Each input's records and mentions into the generation, for ``kg add``/``kg remove``."""
    rules_used = extraction.fingerprint() if mentions is not None else ""
    start = 0
    for report in inputs:
        end = start + report.records
        found = mentions[start:end] if mentions is not None else None
        saved_inputs.write(directory, report.file, report.sha256, report.reader, records[start:end], found, rules_used)
        start = end


def _write_stores(graph: Graph, generation: layout.Generation, timings: dict[str, float]) -> int:
    """Write the three stores of a generation; returns the RDF triple count.

    Each writer reads the finished graph and writes its own directory, and much of their work
    is in Oxigraph, LadybugDB and SQLite, which release the GIL: three threads take 2.4 s where
    one after the other took 3.3 s on the default corpus (``benchmarks/bench_build.py``). Past
    ``CONCURRENT_WRITES_UP_TO`` nodes the Cypher load, whose COPY holds the most memory (1.0 GB
    beside the graph at 100k abstracts), starts when the RDF store and lookup index are done, so
    the peak is the graph and two writers rather than three; on two cores the three shared the
    CPU anyway. The per-store times in the report overlap; ``store_writes`` is their wall time.
    Each writer runs in a copy of this thread's context, so it sees the build's concept scheme."""

    def write_timed(stage: str, write: Callable[[], Any]) -> Any:
        with timed(timings, stage):
            return write()

    def submit(stage: str, write: Callable[[], Any]) -> Any:
        return pool.submit(contextvars.copy_context().run, write_timed, stage, write)

    def load_cypher() -> Any:
        return submit("cypher_load", lambda: cypher.write(graph, generation.cypher_dir))

    together = len(graph) <= CONCURRENT_WRITES_UP_TO
    with timed(timings, "store_writes"), ThreadPoolExecutor(max_workers=3, thread_name_prefix="kg-write") as pool:
        cypher_done = load_cypher() if together else None
        rdf_done = submit("rdf_write", lambda: rdf.write(graph, generation.rdf_dir))
        index_done = submit("lookup_index", lambda: lookup_index.write(graph, generation.path))
        index_done.result()
        triples = rdf_done.result()
        (cypher_done or load_cypher()).result()
        return triples


def _write_meta(
    generation: layout.Generation,
    graph: Graph,
    resolution: Resolution,
    inputs: Sequence[InputReport],
    triples: int,
    extracted: bool,
    rules: Overrides,
    extraction: Extraction,
    partition: communities.CommunitySummary,
) -> dict[str, dict[str, int]]:
    """``resolution.json`` and ``meta.json`` of the generation; returns the graph's counts."""
    resolution.write(generation.path / RESOLUTION_FILE)
    counts = graph.counts()
    layout.write_meta(
        generation,
        {
            "kg_version": __version__,
            "inputs": [vars(i) for i in inputs],
            "counts": counts,
            "triples": triples,
            "extracted": extracted,
            "extraction": extraction.to_meta(),
            "resolution": resolution.summary(),
            "overrides": list(rules.files),
            "communities": partition.as_json(),
        },
    )
    return counts


# ---------------------------------------------------------------------- updates: kg add, kg remove


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
    store_dir = layout.store_dir(store)
    layout.refuse_if_being_written(store_dir)
    started = time.perf_counter()
    timings: dict[str, float] = {}
    generation, meta, cached = _current(store_dir)
    with timed(timings, "read"):
        records, reports = read_inputs(list(paths), format, strict, progress)
    if not allow_empty:
        require_records(list(paths), reports, format, every_file=True)
    contents = {c.sha256 for c in cached}  # content already in: no new input (named from elsewhere too)
    by_file = {c.file: c for c in cached}
    added: list[saved_inputs.CachedInput] = []
    start = 0
    for report in reports:
        chunk = records[start : start + report.records]
        start += report.records
        if report.sha256 in contents or any(a.file == report.file for a in added):
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
    store_dir = layout.store_dir(store)
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


def _current(store_dir: Path) -> tuple[layout.Generation, dict[str, Any], list[saved_inputs.CachedInput]]:
    """The live generation, its meta.json and saved inputs (the base the update starts from)."""
    generation = layout.current_generation(store_dir)
    meta = generation.meta()
    if "inputs" not in meta or not (generation.path / saved_inputs.DIRECTORY).is_dir():
        raise StoreError(store_dir, "was built by a kg that did not save its inputs; rebuild it with `kg build`")
    return generation, meta, list(saved_inputs.read_all(generation.path, meta["inputs"]))


def _override_files(meta: dict[str, Any], overrides: str | Path | None) -> list[Path]:
    if overrides is not None:
        return [Path(overrides)]
    return [Path(p) for p in meta.get("overrides", []) if Path(p).is_file()]


def _unchanged(store_dir: Path, meta: dict[str, Any]) -> BuildReport:
    inputs = [InputReport(**i) for i in meta["inputs"]]
    return BuildReport(store_dir, inputs, meta["counts"], meta["triples"], {"total": 0.0}, meta.get("resolution", {}))


def _publish_all(
    store_dir: Path,
    kept: Sequence[saved_inputs.CachedInput],
    meta: dict[str, Any],
    overrides: str | Path | None,
    timings: dict[str, float],
    started: float,
    progress: Progress | None,
    base: str,
) -> BuildReport:
    """The extract stage for inputs whose saved mentions are stale, then :func:`publish`."""
    if not kept:
        raise UsageError("that would leave the store without inputs; build a new one with `kg build FILE…`")
    extracted = bool(meta.get("extracted", True))
    extraction = Extraction.from_meta(meta.get("extraction"))  # extract as the store was built
    stale = [c for c in kept if extracted and (c.mentions is None or c.fingerprint != extraction.fingerprint())]
    fresh: dict[int, list[list[Mention]]] = {}
    if stale:
        with timed(timings, "extract"):
            for cached in stale:
                found = extract_records(
                    cached.records,
                    model=extraction.model,
                    min_confidence=extraction.min_confidence,
                    scheme=extraction.scheme,
                )
                fresh[id(cached)] = [list(m) for m in found]
    records: list[Record] = []
    mentions: list[list[Mention]] | None = [] if extracted else None
    for cached in kept:
        records.extend(cached.records)
        if mentions is not None:
            mentions.extend(fresh.get(id(cached)) or cached.mentions or [])
    reports = [InputReport(c.file, c.reader, len(c.records), c.sha256) for c in kept]
    rules = load_overrides(_override_files(meta, overrides))
    return publish(
        store_dir, reports, records, mentions, rules, timings, started, progress, base=base, extraction=extraction
    )
