"""The Python API: everything the ``kg`` command does, callable from code.

>>> import kg
>>> report = kg.build(["data/corpus"], store=".kg")          # doctest: +SKIP
>>> kg.open_store(".kg").stats()["nodes"]["Paper"]            # doctest: +SKIP
505
"""

from __future__ import annotations

import gc
import hashlib
import logging
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from kg import __version__
from kg.errors import InputError, StoreError
from kg.export import STORE_FORMATS, export_store
from kg.export import export as _export
from kg.graph import Graph
from kg.ontology import load as load_ontology
from kg.query import cypher as cypher_query
from kg.query import index as lookup_index
from kg.query import sparql
from kg.query.limits import QueryLimits
from kg.records import Mention, Record
from kg.resolve import resolve
from kg.resolve.decisions import Decision, Resolution, for_review
from kg.resolve.overrides import Overrides
from kg.resolve.overrides import load as load_overrides
from kg.resources import default_corpus, resource_dir
from kg.sources import FACTS_FILE, iter_input_files, read_file, strict_reading
from kg.sources.file_facts import facts_for
from kg.store import cypher, layout, rdf
from kg.store import inputs as saved_inputs

log = logging.getLogger("kg")
RESOLUTION_FILE = "resolution.json"
Progress = Callable[[str, int, int], None]


@dataclass
class InputReport:
    """What one input file contributed."""

    file: str
    reader: str
    records: int
    sha256: str


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


def _sha256(path: Path) -> str:
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
    """Read every input file (directories recurse) into records; nothing is written."""
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
            reports.append(InputReport(shown, reader_name or "?", len(records) - before, _sha256(path)))


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
    from dataclasses import replace

    return replace(record, provenance=replace(record.provenance, file=shown))


@contextmanager
def timed(timings: dict[str, float], stage: str) -> Iterator[None]:
    """Adds the seconds the block takes to ``timings[stage]`` (the build report's per-stage times)."""
    started = time.perf_counter()
    try:
        yield
    finally:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - started


def overrides_files(paths: Sequence[str | Path] | None, overrides: str | Path | None = None) -> list[Path]:
    """The identity overrides of a build: ``overrides`` if given (or ``$KG_OVERRIDES``), else the
    ``kg.toml`` beside the inputs (in each input directory, and beside each input file)."""
    import os

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


def build(
    paths: Sequence[str | Path] | None = None,
    store: str | Path | None = None,
    format: str | None = None,
    strict: bool = False,
    progress: Progress | None = None,
    extract: bool = True,
    overrides: str | Path | None = None,
    allow_empty: bool = False,
) -> BuildReport:
    """Read the inputs, resolve them into a graph and swap a new store generation in.

    ``extract=False`` skips concept extraction (methods, datasets, tasks). ``overrides`` names
    a TOML file of identity overrides (:mod:`kg.resolve.overrides`); by default the
    ``[identity]`` section of the ``kg.toml`` beside the inputs is used. Inputs that give no
    records at all are an :class:`InputError` (a wrong ``format`` or an empty directory must not
    replace a good store with an empty one) unless ``allow_empty``.

    Everything is read and resolved before the store is touched, so bad input leaves the
    previous store as it was. Building the same inputs twice gives the same triples.
    """
    store_dir = Path(store) if store is not None else layout.default_store_dir()
    layout.check_store_dir(store_dir)  # a wrong --store fails before the inputs are read
    timings: dict[str, float] = {}
    started = time.perf_counter()
    rules = load_overrides(overrides_files(paths, overrides))  # a bad file fails before reading
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
            from kg.extract import default_workers, extract_records

            with timed(timings, "extract"):
                mentions = extract_records(records, workers=default_workers(len(records)))
        return publish(store_dir, inputs, records, mentions, rules, timings, started, progress)
    finally:
        gc.unfreeze()


# Past this many nodes the Cypher load waits for the other two writers (see _write_stores).
CONCURRENT_WRITES_UP_TO = 500_000


def _write_stores(graph: Graph, generation: layout.Generation, timings: dict[str, float]) -> int:
    """Write the three stores of a generation; returns the RDF triple count.

    Each writer reads the finished graph and writes its own directory, and much of their work
    is in Oxigraph, LadybugDB and SQLite, which release the GIL: three threads take 2.4 s where
    one after the other took 3.3 s on the default corpus (``benchmarks/bench_build.py``). Past
    ``CONCURRENT_WRITES_UP_TO`` nodes the Cypher load, whose COPY holds the most memory (1.0 GB
    beside the graph at 100k abstracts), starts when the RDF store and lookup index are done, so
    the peak is the graph and two writers rather than three; on two cores the three shared the
    CPU anyway. The per-store times in the report overlap; ``store_writes`` is their wall time."""
    from concurrent.futures import ThreadPoolExecutor

    def write_timed(stage: str, write: Callable[[], Any]) -> Any:
        with timed(timings, stage):
            return write()

    def load_cypher() -> Any:
        return pool.submit(write_timed, "cypher_load", lambda: cypher.write(graph, generation.cypher_dir))

    together = len(graph) <= CONCURRENT_WRITES_UP_TO
    with timed(timings, "store_writes"), ThreadPoolExecutor(max_workers=3, thread_name_prefix="kg-write") as pool:
        cypher_done = load_cypher() if together else None
        rdf_done = pool.submit(write_timed, "rdf_write", lambda: rdf.write(graph, generation.rdf_dir))
        index_done = pool.submit(write_timed, "lookup_index", lambda: lookup_index.write(graph, generation.path))
        index_done.result()
        triples = rdf_done.result()
        (cypher_done or load_cypher()).result()
        return triples


def _save_inputs(
    directory: Path,
    inputs: Sequence[InputReport],
    records: Sequence[Record],
    mentions: Sequence[Sequence[Mention]] | None,
) -> None:
    """Each input's records and mentions into the generation, for ``kg add``/``kg remove``."""
    from kg.extract import rules_fingerprint

    rules_used = rules_fingerprint() if mentions is not None else ""
    start = 0
    for report in inputs:
        end = start + report.records
        found = mentions[start:end] if mentions is not None else None
        saved_inputs.write(directory, report.file, report.sha256, report.reader, records[start:end], found, rules_used)
        start = end


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
) -> BuildReport:
    """Resolve records (``inputs``' records, in order) and swap a new store generation in.

    Shared by :func:`build` and :mod:`kg.update` (``kg add``/``kg remove``), so an updated store
    is written exactly as a full build of the same inputs would write it. It consumes
    ``records`` and ``mentions``: once resolved and saved into the generation the lists are
    emptied, so the store writers run beside the graph alone. ``base`` is the
    generation an update started from: if another writer replaced it meanwhile, nothing is
    written (the update would silently undo that writer's work)."""
    if progress:
        progress("resolving identities", 0, 1)
    gc.freeze()
    with timed(timings, "resolve"):
        graph, resolution = resolve(records, mentions, rules)
    gc.freeze()
    with layout.new_generation(store_dir) as generation:
        if base is not None and layout.current_name(store_dir) != base:
            raise StoreError(store_dir, "was changed by another command while this one ran; run it again")
        with timed(timings, "inputs_saved"):
            _save_inputs(generation.path, inputs, records, mentions)
        # The graph holds all the stores need: the records and mentions go before the writers
        # start (half a gigabyte of a 100k-record build).
        records.clear()
        if mentions is not None:
            mentions.clear()
        if progress:
            progress("writing the RDF store, Cypher database and lookup index", 0, 1)
        triples = _write_stores(graph, generation, timings)
        resolution.write(generation.path / RESOLUTION_FILE)
        counts = graph.counts()
        layout.write_meta(
            generation,
            {
                "kg_version": __version__,
                "inputs": [vars(i) for i in inputs],
                "counts": counts,
                "triples": triples,
                "extracted": mentions is not None,
                "resolution": resolution.summary(),
                "overrides": list(rules.files),
            },
        )
    timings["total"] = time.perf_counter() - started
    return BuildReport(store_dir, list(inputs), counts, triples, timings, resolution.summary())


class KnowledgeGraph:
    """A read handle on a built store (the live generation when it was opened)."""

    def __init__(self, store: str | Path | None = None) -> None:
        self.store_dir = Path(store) if store is not None else layout.default_store_dir()
        self.generation = layout.current_generation(self.store_dir)
        self.meta: dict[str, Any] = self.generation.meta()
        self._rdf = None
        self._cypher: Any = None
        self._lookup: Any = None

    @property
    def rdf_store(self) -> Any:
        """The read-only Oxigraph store (``pyoxigraph.Store``)."""
        if self._rdf is None:
            self._rdf = rdf.open_read_only(self.generation.rdf_dir)
        return self._rdf

    def sparql(
        self, query: str, params: dict[str, str] | None = None, limits: QueryLimits | None = None
    ) -> sparql.SparqlResult:
        """Run a read-only SPARQL query; ``params`` bind ``?name`` variables (never spliced).

        ``limits`` stop a query at a deadline (:class:`~kg.errors.LimitReached`) or cut its rows
        (the whole answer is collected: see :meth:`sparql_stream` for constant memory)."""
        return sparql.run(self.rdf_store, query, params, limits)

    def sparql_stream(
        self, query: str, params: dict[str, str] | None = None, limits: QueryLimits | None = None
    ) -> sparql.SparqlStream:
        """:meth:`sparql` with rows or triples as an iterator, computed as they are read."""
        return sparql.stream(self.rdf_store, query, params, limits)

    def cypher(
        self,
        query: str,
        params: dict[str, Any] | None = None,
        write: bool = False,
        limits: QueryLimits | None = None,
    ) -> cypher_query.CypherResult:
        """Run a Cypher query on the embedded database; ``params`` bind ``$name`` (never spliced).

        Read-only unless ``write``: then the live generation's Cypher database is opened for
        writing under the store's writer lock (the RDF store is not touched, and the next
        ``kg build`` replaces both).

        >>> kg.open_store(".kg").cypher("MATCH (p:Paper) RETURN count(*) AS n").rows   # doctest: +SKIP
        [{'n': 505}]
        """
        if not write:
            return self.cypher_stream(query, params, limits).collect()
        if self._cypher is not None:  # one process cannot hold a read-only and a writable handle
            self._cypher[1].close()
            self._cypher[0].close()
            self._cypher = None
        import ladybug

        with layout.writer_lock(self.store_dir):
            database = cypher.open_database(self.generation.cypher_dir, read_only=False)
            try:
                connection = ladybug.Connection(database)
                try:
                    return cypher_query.run(connection, query, params, write=True, limits=limits)
                finally:
                    connection.close()
            finally:
                database.close()

    def cypher_stream(
        self, query: str, params: dict[str, Any] | None = None, limits: QueryLimits | None = None
    ) -> cypher_query.CypherStream:
        """A read-only :meth:`cypher` query with its rows as an iterator, read from the engine
        as they are consumed (constant memory under a row limit)."""
        import ladybug

        cypher_query.check_read_only(query)  # a refused query opens nothing
        if self._cypher is None:
            database = cypher.open_database(self.generation.cypher_dir)
            self._cypher = (database, ladybug.Connection(database))
        return cypher_query.stream(self._cypher[1], query, params, limits=limits)

    @property
    def lookup_index(self) -> Any:
        """The generation's lookup index (:class:`kg.query.index.LookupIndex`), opened once."""
        if self._lookup is None:
            self._lookup = lookup_index.LookupIndex(self.generation.path)
        return self._lookup

    def who_works_on(
        self, topic: str, limit: int = 10, institution: str | None = None, since: int | None = None
    ) -> Any:
        """Authors who work on ``topic`` (free text), best first: a :class:`kg.query.lookup.WhoWorksOn`.

        >>> kg.open_store(".kg").who_works_on("lottery tickets").results[0].author.name  # doctest: +SKIP
        'Jonathan Frankle'
        """
        from kg.query import lookup

        return lookup.who_works_on(self.lookup_index, topic, limit=limit, institution=institution, since=since)

    def institutions_on(self, topic: str, limit: int = 10, since: int | None = None) -> Any:
        """Institutions whose authors work on ``topic``: a :class:`kg.query.lookup.InstitutionsOn`."""
        from kg.query import lookup

        return lookup.institutions_on(self.lookup_index, topic, limit=limit, since=since)

    def profile(self, name: str) -> Any:
        """An author's or institution's concepts, topics, papers, co-authors and institutions.

        Raises :class:`kg.query.match.AmbiguousMatchError` (listing the candidates) when several
        match and :class:`kg.query.match.NoMatchError` when none does.
        """
        from kg.query import profile

        return profile.profile(self.lookup_index, name)

    def related(self, topic: str, limit: int = 10) -> Any:
        """Concepts that co-occur with ``topic`` on papers, with counts: a :class:`kg.query.related.Related`."""
        from kg.query import related

        return related.related(self.lookup_index, topic, limit=limit)

    def stats(self) -> dict[str, Any]:
        """Counts per node type and relation, triples and records per source, from the store."""
        onto = load_ontology()
        by_type = self.sparql("SELECT ?t (COUNT(DISTINCT ?s) AS ?n) WHERE { ?s a ?t } GROUP BY ?t").rows
        type_counts = {row["t"]: row["n"] for row in by_type}
        by_predicate = self.sparql(
            "SELECT ?p (COUNT(*) AS ?n) WHERE { ?s ?p ?o FILTER(isIRI(?o)) "
            "FILTER NOT EXISTS { ?s a rdf:Statement } } GROUP BY ?p"
        ).rows
        predicate_counts = {row["p"]: row["n"] for row in by_predicate}
        triples = self.sparql("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }").rows[0]["n"]
        statements = type_counts.get("http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement", 0)
        return {
            "nodes": {key: type_counts.get(t.iri, 0) for key, t in sorted(onto.node_types.items())},
            "edges": {key: predicate_counts.get(r.iri, 0) for key, r in sorted(onto.relations.items())},
            "triples": triples,
            "statements": statements,
            "sources": self._sources(),
            "resolution": self.meta.get("resolution", {}),
        }

    def _sources(self) -> dict[str, int]:
        inputs = self.meta.get("inputs", [])
        if not isinstance(inputs, list) or not all(isinstance(i, dict) and "file" in i for i in inputs):
            raise StoreError(self.store_dir, "meta.json's inputs are damaged; rebuild it with `kg build`")
        return {i["file"]: i.get("records", 0) for i in inputs}

    def resolution(self) -> Resolution:
        """Every identity decision of the build that made this store (``resolution.json``)."""
        path = self.generation.path / RESOLUTION_FILE
        if not path.exists():
            raise StoreError(self.store_dir, "has no resolution record; rebuild it with `kg build`")
        return Resolution.read(path)

    def review(self, kind: str | None = None, limit: int | None = None) -> list[Decision]:
        """Merges made on weak evidence and near-misses, most worth a person's look first."""
        return for_review(self.resolution(), kind, limit)

    def graph(self) -> Graph:
        """The whole typed graph, read back from the RDF store."""
        return rdf.read_graph(self.rdf_store)

    def export(self, format: str, output: Path | IO[bytes], focus: Any = None) -> str | None:
        """Write the graph, or the part a :class:`kg.query.focus.Focus` picks, in an export format
        to a path (atomically) or a binary stream. Returns the focus's note on what a
        ``max_nodes`` cap left out, if anything was. The RDF formats of the whole store are
        streamed from the RDF store itself (:func:`kg.export.export_store`), in flat memory."""
        if focus is None:
            if format in STORE_FORMATS:
                export_store(self.rdf_store, load_ontology(), format, output)
            else:
                _export(self.graph(), format, output)
            return None
        from kg.query.focus import select

        selection = select(self.graph(), focus)
        _export(selection.graph, format, output)
        return selection.note

    def viz(self, output: Path, focus: Any = None, title: str | None = None) -> Any:
        """Write the interactive HTML view (:func:`kg.viz.write_html`); returns its ViewReport."""
        from kg.viz import write_html

        return write_html(self.graph(), output, focus, title)


def open_store(store: str | Path | None = None) -> KnowledgeGraph:
    """Open the store at ``store`` (default ``$KG_STORE`` or ``.kg``) for reading."""
    return KnowledgeGraph(store)


def records(paths: Iterable[str | Path], format: str | None = None) -> list[Record]:
    """Just read files into records (no graph, no store): useful to check a new input file."""
    return read_inputs(list(paths), format)[0]
