"""The Python API: everything the ``kg`` command does, callable from code.

This module is the facade only: :func:`build`, :func:`add` and :func:`remove` are the build
pipeline's (:mod:`kg.pipeline`), :func:`open_store` gives a :class:`KnowledgeGraph` to query a
built store, :func:`records` reads files without building anything.

>>> import kg
>>> report = kg.build(["data/corpus"], store=".kg")          # doctest: +SKIP
>>> kg.open_store(".kg").stats()["nodes"]["Paper"]            # doctest: +SKIP
505
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from kg.errors import StoreError
from kg.export import STORE_FORMATS, export_store
from kg.export import export as _export
from kg.graph import Graph
from kg.ontology import load as load_ontology
from kg.pipeline import RESOLUTION_FILE, BuildReport, add, build, overrides_files, publish, remove, timed
from kg.query import cypher as cypher_query
from kg.query import lookup, profile, related, sparql
from kg.query.discovered import DiscoveredConcept, weakest
from kg.query.focus import select
from kg.query.index import LookupIndex
from kg.query.limits import QueryLimits
from kg.records import CONCEPT_TYPES, Record
from kg.resolve.decisions import Decision, Resolution, for_review
from kg.sources.reading import InputReport, Progress, display_path, read_inputs
from kg.store import cypher, layout, rdf
from kg.viz import write_html

__all__ = [
    "RESOLUTION_FILE",
    "BuildReport",
    "InputReport",
    "KnowledgeGraph",
    "Progress",
    "add",
    "build",
    "display_path",
    "open_store",
    "overrides_files",
    "publish",
    "read_inputs",
    "records",
    "remove",
    "timed",
]


class KnowledgeGraph:
    """A read handle on a built store (the live generation when it was opened)."""

    def __init__(self, store: str | Path | None = None) -> None:
        self.store_dir = layout.store_dir(store)
        self.generation = layout.current_generation(self.store_dir)
        self.meta: dict[str, Any] = self.generation.meta()
        self._rdf = None
        self._cypher: Any = None
        self._lookup: Any = None
        self._tables: Any = None

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
        import ladybug  # the Cypher engine loads only when a Cypher query runs: `kg stats` starts fast

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
        import ladybug  # the Cypher engine loads only when a Cypher query runs: `kg stats` starts fast

        cypher_query.check_read_only(query)  # a refused query opens nothing
        if self._cypher is None:
            database = cypher.open_database(self.generation.cypher_dir)
            self._cypher = (database, ladybug.Connection(database))
        return cypher_query.stream(self._cypher[1], query, params, limits=limits)

    @property
    def lookup_index(self) -> Any:
        """The generation's lookup index (:class:`kg.query.index.LookupIndex`), opened once."""
        if self._lookup is None:
            self._lookup = LookupIndex(self.generation.path)
        return self._lookup

    def who_works_on(
        self,
        topic: str,
        limit: int = 10,
        institution: str | None = None,
        since: int | None = None,
        venue: str | None = None,
    ) -> Any:
        """Authors who work on ``topic`` (free text), best first: a :class:`kg.query.results.WhoWorksOn`
        (the score is explained in :mod:`kg.query.lookup`).

        >>> kg.open_store(".kg").who_works_on("lottery tickets").results[0].author.name  # doctest: +SKIP
        'Jonathan Frankle'
        """
        return lookup.who_works_on(
            self.lookup_index, topic, limit=limit, institution=institution, since=since, venue=venue
        )

    def institutions_on(self, topic: str, limit: int = 10, since: int | None = None, venue: str | None = None) -> Any:
        """Institutions whose authors work on ``topic``: a :class:`kg.query.results.InstitutionsOn`."""
        return lookup.institutions_on(self.lookup_index, topic, limit=limit, since=since, venue=venue)

    def profile(self, name: str) -> Any:
        """An author's or institution's concepts, topics, papers, co-authors and institutions.

        Raises :class:`kg.query.match.AmbiguousMatchError` (listing the candidates) when several
        match and :class:`kg.query.match.NoMatchError` when none does.
        """
        return profile.profile(self.lookup_index, name)

    def related(self, topic: str, limit: int = 10) -> Any:
        """Concepts that co-occur with ``topic`` on papers, with counts: a :class:`kg.query.related.Related`."""
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
        concepts = sum(type_counts.get(onto.node_types[t].iri, 0) for t in CONCEPT_TYPES if t in onto.node_types)
        discovered = self.sparql("SELECT (COUNT(DISTINCT ?c) AS ?n) WHERE { ?c kg:discovered true }").rows[0]["n"]
        return {
            "concepts": {"scheme": concepts - discovered, "discovered": discovered},
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

    def discovered_concepts(self, limit: int | None = None) -> list[DiscoveredConcept]:
        """Discovered concepts (``kg:discovered true``), weakest first: lowest confidence, then
        fewest papers; each with the rule that found it and one evidence sentence.

        >>> kg.open_store(".kg").discovered_concepts(1)[0].confidence               # doctest: +SKIP
        0.5
        """
        return weakest(lambda query: self.sparql(query).rows, self.lookup_index, limit)

    def graph(self) -> Graph:
        """The whole typed graph, read back from the RDF store."""
        return rdf.read_graph(self.rdf_store)

    def export(self, format: str, output: str | os.PathLike[str] | IO[bytes], focus: Any = None) -> str | None:
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
        selection = select(self.graph(), focus)
        _export(selection.graph, format, output)
        return selection.note

    def tables(self) -> Any:
        """The store as flat tables (:class:`kg.query.tables.Tables`), read from Cypher once."""
        if self._tables is None:
            from kg.query import tables

            self._tables = tables.read(lambda query: self.cypher(query).rows)
        return self._tables

    def analyses(self, since: int | None = None, topic: str | None = None) -> Any:
        """Overview, top concepts and institutions, trends (:class:`kg.query.analyses.Analyses`)
        of the papers from ``since`` on about ``topic``; what ``kg top``/``trends``/``report`` print.

        >>> kg.open_store(".kg").analyses(since=2020).top("method", 3)[0].name   # doctest: +SKIP
        'Convolutional Neural Network'
        """
        from kg.query.analyses import Analyses, make_scope

        return Analyses(self.tables(), make_scope(self.lookup_index, since, topic))

    def communities(self, since: int | None = None, topic: str | None = None, limit: int = 12) -> Any:
        """The build's co-authorship communities among the scope's authors, largest first
        (:class:`kg.query.network.Communities`)."""
        from kg.query.network import Network

        return Network(self.analyses(since, topic)).communities(limit)

    def report(
        self,
        output: str | os.PathLike[str],
        topic: str | None = None,
        since: int | None = None,
        base_url: str | None = None,
        title: str | None = None,
    ) -> Any:
        """Write the offline HTML report (:mod:`kg.report`); returns its
        :class:`kg.report.ReportSummary`, whose ``problem`` says why a page shows no analyses
        (an empty store, a topic that matched nothing, no papers in scope)."""
        from kg import report
        from kg.errors import QueryError

        started = time.perf_counter()
        title = title or (f"kg report: {topic}" if topic else "kg report")
        try:
            analyses, problem = self.analyses(since, topic), None
            analyses.require_papers()
        except QueryError as err:  # no match for the topic, no papers in scope: the page says so
            analyses, problem = None, str(err)
        html = report.render(analyses, self.meta, title, base_url, problem)
        return report.write(Path(output), html, started, problem)

    def to_networkx(self) -> Any:
        """The whole graph as a networkx ``MultiDiGraph``: node attributes ``type`` and every
        property (lists as lists), edges keyed by relation with ``relation``, their properties
        and ``sources``. Read back from the RDF store.

        >>> g = kg.open_store(".kg").to_networkx()                                # doctest: +SKIP
        >>> g.nodes["author/yoshua-bengio"]["community"]                           # doctest: +SKIP
        """
        from kg.query.frames import to_networkx

        return to_networkx(self.graph())

    def frame(self, name: str) -> Any:
        """One table of the store as a pandas DataFrame: ``papers``, ``authors``,
        ``authorships`` or ``mentions`` (needs the ``kg[analysis]`` extra)."""
        from kg.query.frames import frame

        return frame(self, name)

    def viz(
        self, output: str | os.PathLike[str], focus: Any = None, title: str | None = None, color_by: str = "type"
    ) -> Any:
        """Write the interactive HTML view (:func:`kg.viz.write_html`); returns its ViewReport.
        ``color_by="community"`` colours authors by their co-authorship community."""
        return write_html(self.graph(), Path(output), focus, title, color_by)


def open_store(store: str | Path | None = None) -> KnowledgeGraph:
    """Open the store at ``store`` (default ``$KG_STORE`` or ``.kg``) for reading."""
    return KnowledgeGraph(store)


def records(paths: Iterable[str | Path], format: str | None = None) -> list[Record]:
    """Just read files into records (no graph, no store): useful to check a new input file."""
    return read_inputs(list(paths), format)[0]
