"""The embedded Cypher store: the graph in a LadybugDB (the maintained Kùzu fork) database.

The schema is derived from the ontology, never written by hand, and is the one every Cypher
target uses (this database, Neo4j via :mod:`kg.remote.neo4j`, the Neo4j import CSV export):

- one node table per node type: the label is the type key (``Paper``), the primary key ``id`` is
  the graph's node id (``paper/…``), and there is one column per property the ontology says the
  type has (``rdfs:domain`` or ``schema:domainIncludes``), named by the property's key. Single
  values are ``STRING``/``INT64``/``DOUBLE``/``BOOLEAN`` by the property's XSD range;
  multi-valued properties are lists (``STRING[]``). Absent values are ``NULL`` (never ``''`` or
  ``[]``), as in Neo4j where an absent property reads as null.
- one relationship table per relation: the type is its ``kg:cypherType`` (``AUTHORED_BY``), the
  FROM/TO pairs are domain × range (``schema:domainIncludes`` × ``schema:rangeIncludes`` for
  reused terms, so ``DERIVED_FROM`` runs from Paper, Summary and Mention to SourceRecord), the
  columns are the edge properties whose ``kg:statementOf`` names the relation, plus ``sources``:
  the ids of the source records (or mentions) the edge was derived from.

Loading writes one CSV file per table (and per FROM/TO pair) into a temporary directory and
bulk-loads each with ``COPY … FROM`` (row-by-row ``MERGE`` is two orders of magnitude slower).
Lists travel as one CSV field joined with a control character absent from the data and are split
back by ``string_split`` in the ``COPY`` subquery: the engine's own CSV list syntax keeps quotes
and cannot escape commas.

Limits: ``end`` (a Mention's end offset) is a reserved word in this engine's parser; write
``m.`end``` there (Neo4j accepts both). An edge between node types the ontology does not allow
for its relation is refused (fix the ontology, not the data).
"""

from __future__ import annotations

import csv
import gc
import logging
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache, partial
from itertools import product
from pathlib import Path
from typing import Any

from kg.errors import StoreError
from kg.graph import EdgeKey, Graph
from kg.ontology import NAMESPACE, Ontology, load, ontology_path

log = logging.getLogger("kg")

DB_FILE = "graph.lbug"
ID = "id"
SOURCES = "sources"
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_STATEMENT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement"
_RDFS = "http://www.w3.org/2000/01/rdf-schema#"
_SCHEMA = "https://schema.org/"
_ENGINE_TYPES = {"integer": "INT64", "double": "DOUBLE", "boolean": "BOOLEAN", "string": "STRING"}
_CSV_DIALECT = "header=true, delim=',', quote='\"', escape='\"', auto_detect=false, parallel=false"
# Candidate list separators, tried in turn: control characters no reader keeps in text.
_SEPARATORS = ("\x1f", "\x1e", "\x1d", "\x1c", "\x17", "\x16", "\x15", "\x14")


@dataclass(frozen=True)
class Column:
    """A property column: ontology key, XSD datatype local name, list or single value."""

    name: str
    datatype: str
    multi: bool

    @property
    def engine_type(self) -> str:
        scalar = _ENGINE_TYPES.get(self.datatype, "STRING")
        return f"{scalar}[]" if self.multi else scalar


@dataclass(frozen=True)
class NodeTable:
    label: str
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class RelTable:
    relation: str
    type: str
    pairs: tuple[tuple[str, str], ...]
    columns: tuple[Column, ...]


@dataclass(frozen=True)
class Schema:
    """Node tables by type key, relationship tables by relation key."""

    nodes: dict[str, NodeTable]
    rels: dict[str, RelTable]

    def ddl(self, extra: Iterable[Column] = ()) -> list[str]:
        """``CREATE NODE TABLE`` / ``CREATE REL TABLE`` statements (``extra`` columns on every table)."""
        extra = tuple(extra)
        statements = []
        for table in self.nodes.values():
            columns = ", ".join(f"{quote(c.name)} {c.engine_type}" for c in (*table.columns, *extra))
            statements.append(f"CREATE NODE TABLE {quote(table.label)}(id STRING PRIMARY KEY, {columns})")
        for rel in self.rels.values():
            pairs = ", ".join(f"FROM {quote(a)} TO {quote(b)}" for a, b in rel.pairs)
            columns = "".join(f", {quote(c.name)} {c.engine_type}" for c in (*rel.columns, *extra))
            statements.append(f"CREATE REL TABLE {quote(rel.type)}({pairs}{columns})")
        return statements


def quote(identifier: str) -> str:
    """A backquoted identifier (labels, types and property names come from the ontology)."""
    return "`" + identifier.replace("`", "``") + "`"


@cache
def _annotations() -> dict[str, dict[str, list[str]]]:
    """``{term IRI: {'domain'|'range'|'statement_of': [IRIs]}}`` from ``ontology/kg.ttl``."""
    import pyoxigraph as ox

    wanted = {
        _RDFS + "domain": "domain",
        _SCHEMA + "domainIncludes": "domain",
        _RDFS + "range": "range",
        _SCHEMA + "rangeIncludes": "range",
        NAMESPACE + "statementOf": "statement_of",
    }
    found: dict[str, dict[str, list[str]]] = {}
    for triple in ox.parse(path=str(ontology_path()), format=ox.RdfFormat.TURTLE):
        name = wanted.get(triple.predicate.value)
        if name is not None and isinstance(triple.object, ox.NamedNode):
            found.setdefault(triple.subject.value, {}).setdefault(name, []).append(triple.object.value)
    return found


_SCHEMAS: dict[int, tuple[Ontology, Schema]] = {}


def schema(ontology: Ontology | None = None) -> Schema:
    """The Cypher schema of ``ontology`` (default: ``ontology/kg.ttl``).

    A property the ontology places nowhere goes on every node table (and an edge property of
    unnamed relation on every relationship table); a relation without domain or range connects
    every node type. ``tests/test_cypher.py`` checks that neither fallback is needed.
    """
    onto = ontology or load()
    cached = _SCHEMAS.get(id(onto))
    if cached is None or cached[0] is not onto:
        cached = _SCHEMAS[id(onto)] = (onto, _derive(onto))
    return cached[1]


def _derive(onto: Ontology) -> Schema:
    notes = _annotations()
    class_keys = {t.iri: key for key, t in onto.node_types.items()}
    relation_keys = {r.iri: key for key, r in onto.relations.items()}
    node_columns: dict[str, list[Column]] = {key: [] for key in onto.node_types}
    rel_columns: dict[str, list[Column]] = {key: [] for key in onto.relations}
    for key, prop in sorted(onto.properties.items()):
        column = Column(key, prop.datatype.removeprefix(_XSD), not prop.functional)
        declared = notes.get(prop.iri, {})
        domains = [class_keys[iri] for iri in declared.get("domain", []) if iri in class_keys]
        relations = [relation_keys[iri] for iri in declared.get("statement_of", []) if iri in relation_keys]
        on_statements = _RDF_STATEMENT in declared.get("domain", [])
        if not domains and not relations:
            relations = list(onto.relations) if on_statements else []
            domains = [] if on_statements else list(onto.node_types)
        for node_type in sorted(set(domains)):
            node_columns[node_type].append(column)
        for relation in sorted(set(relations)):
            rel_columns[relation].append(column)
    nodes = {key: NodeTable(key, tuple(node_columns[key])) for key in sorted(onto.node_types)}
    rels = {}
    for key, relation in sorted(onto.relations.items()):
        declared = notes.get(relation.iri, {})
        sources = [relation.domain] if relation.domain else _keys(declared.get("domain", []), class_keys)
        targets = [relation.range] if relation.range else _keys(declared.get("range", []), class_keys)
        pairs = tuple(product(sources or sorted(onto.node_types), targets or sorted(onto.node_types)))
        columns = (*rel_columns[key], Column(SOURCES, "string", True))
        rels[key] = RelTable(key, relation.cypher_type, pairs, columns)
    return Schema(nodes, rels)


def _keys(iris: list[str], class_keys: dict[str, str]) -> list[str]:
    return sorted({class_keys[iri] for iri in iris if iri in class_keys})


# ---------------------------------------------------------------- rows (shared with Neo4j)


class TableRows:
    """The graph's nodes and edges as rows of the schema's tables, generated on demand.

    A node row is ``{id, column: value…}``, an edge row ``{source, target, column: value…}``;
    values take the column's shape (a list for multi-valued columns, None when absent). Rows are
    in id order. An edge or a property the schema has no place for is refused: the ontology must
    say first. Rows are generated rather than kept, so loading holds no second copy of the graph.
    """

    def __init__(self, graph: Graph, tables: Schema | None = None) -> None:
        self.schema = tables or schema(graph.ontology)
        self._graph = graph
        self._ids: dict[str, list[str]] = {label: [] for label in self.schema.nodes}
        for node in graph.nodes():  # id order
            self._ids[node.type].append(node.id)
        # (source, target) order within each group, as edge_keys yields (source, relation, target)
        self._edges: dict[str, dict[tuple[str, str], list[EdgeKey]]] = {
            key: {pair: [] for pair in rel.pairs} for key, rel in self.schema.rels.items()
        }
        for edge_key in graph.edge_keys():
            source, relation, target = edge_key
            pair = (graph.node_type(source), graph.node_type(target))
            groups = self._edges[relation]
            if pair not in groups:
                raise StoreError(
                    "cypher",
                    f"edge {source} -{relation}-> {target}: ontology/kg.ttl does not allow "
                    f"{self.schema.rels[relation].type} from {pair[0]} to {pair[1]} "
                    "(extend the relation's domain and range, or its schema:domainIncludes/rangeIncludes)",
                )
            groups[pair].append(edge_key)

    def count(self, label: str) -> int:
        return len(self._ids[label])

    def pairs(self, relation: str) -> dict[tuple[str, str], int]:
        """The relation's (source type, target type) pairs that have edges, with their counts."""
        return {pair: len(edges) for pair, edges in self._edges[relation].items() if edges}

    def nodes(self, label: str) -> Iterator[dict[str, Any]]:
        columns = self.schema.nodes[label].columns
        names = {c.name for c in columns}
        for node_id in self._ids[label]:
            props = self._graph.node(node_id).props
            _check_declared(
                names,
                props,
                f"node {node_id}",
                label,
                "add the type to the property's rdfs:domain or schema:domainIncludes",
            )
            yield {ID: node_id, **{c.name: _value(props.get(c.name), c.multi) for c in columns}}

    def edges(self, relation: str, pair: tuple[str, str]) -> Iterator[dict[str, Any]]:
        columns = self.schema.rels[relation].columns
        names = {c.name for c in columns}
        for edge_key in self._edges[relation][pair]:
            edge = self._graph.edge(*edge_key)
            _check_declared(
                names, edge.props, f"edge {edge.source} -{relation}-> {edge.target}", relation, "add kg:statementOf"
            )
            values = {**edge.props, SOURCES: edge.sources}
            yield {
                "source": edge.source,
                "target": edge.target,
                **{c.name: _value(values.get(c.name), c.multi) for c in columns},
            }


def _value(value: Any, multi: bool) -> Any:
    """A graph value in a column's shape: a list for multi-valued columns, None when absent."""
    if value is None or value == () or value == "":
        return None
    if multi:
        return list(value) if isinstance(value, (tuple, list)) else [value]
    if isinstance(value, (tuple, list)):
        return value[0] if value else None
    return value


# ---------------------------------------------------------------- loading


class _SeparatorClash(Exception):
    """A list item holds the separator: write the file again with the next one."""


def _quote_path(path: Path) -> str:
    return "'" + str(path).replace("\\", "\\\\").replace("'", "\\'") + "'"


def _write_csv(path: Path, keys: list[str], rows: Iterable[dict[str, Any]], separator: str) -> None:
    """Write the rows, lists joined with ``separator`` (:class:`_SeparatorClash` if an item holds it).

    The csv module writes None as an empty field and numbers as ``str()`` does (``repr`` for floats);
    only lists and booleans need converting.
    """
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(keys)
        for row in rows:
            cells = [row[key] for key in keys]
            for index, value in enumerate(cells):
                if isinstance(value, list):
                    items = [_text(v) for v in value]
                    joined = separator.join(items)
                    if joined.count(separator) != len(items) - 1:
                        raise _SeparatorClash
                    cells[index] = joined
                elif value is True or value is False:
                    cells[index] = "true" if value else "false"
            writer.writerow(cells)


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)


def _copy_statement(target: str, path: Path, keys: list[str], columns: tuple[Column, ...], separator: str) -> str:
    """``COPY target FROM (LOAD WITH HEADERS (…) FROM file RETURN …)``: lists split back from one field.

    The dialect is spelled out: left to detect it, the engine samples the first 256 rows and, if
    no field there is quoted, reads ``"a""b"`` further down verbatim. The parallel reader cannot
    read quoted line breaks, and on this scale it is no faster.
    """
    by_name = {c.name: c for c in columns}
    headers, returns = [], []
    for name in keys:
        column = by_name.get(name)
        headers.append(f"{quote(name)} {'STRING' if column is None or column.multi else column.engine_type}")
        if column is not None and column.multi:
            split = f"string_split({quote(name)}, '{separator}')"
            scalar = column.engine_type.removesuffix("[]")
            if scalar != "STRING":
                split = f"list_transform({split}, x -> CAST(x AS {scalar}))"
            returns.append(f"CASE WHEN {quote(name)} IS NULL THEN NULL ELSE {split} END")
        else:
            returns.append(quote(name))
    return (
        f"COPY {target} FROM (LOAD WITH HEADERS ({', '.join(headers)}) FROM {_quote_path(path)} "
        f"({_CSV_DIALECT}) RETURN {', '.join(returns)})"
    )


def _copy(
    connection: Any,
    target: str,
    path: Path,
    keys: list[str],
    rows: Callable[[], Iterable[dict[str, Any]]],
    columns: tuple[Column, ...],
    pair: tuple[str, str] | None = None,
) -> None:
    for separator in _SEPARATORS:
        try:
            _write_csv(path, keys, rows(), separator)
            break
        except _SeparatorClash:
            continue
    else:
        raise StoreError("cypher", f"{target}: every list separator occurs in the data; strip control characters")
    statement = _copy_statement(target, path, keys, columns, separator)
    if pair is not None:
        statement += f" (from='{pair[0]}', to='{pair[1]}')"
    connection.execute(statement)


# Past this many nodes the load runs in a bounded buffer pool, checkpointing as it goes. The
# engine's default pool (most of the machine's memory) keeps every page it loaded resident until
# the one checkpoint at the end: +1.47 GB beside the graph at 100k abstracts, against +1.01 GB
# in a 1 GB pool with automatic checkpoints, in the same 56 s. Below it, one checkpoint at the
# end is the faster way. Too small a pool fails the COPY (64 MB does at 10k abstracts), so a
# load that fails in the bounded pool is run again unbounded rather than failing the build.
BOUNDED_POOL_FROM = 500_000
BOUNDED_POOL_MB = 1024


class _LoadFailed(StoreError):
    """The engine refused a statement of the load (not a graph the ontology does not allow)."""


def write(graph: Graph, directory: Path, extra: Iterable[Column] = ()) -> dict[str, float]:
    """Create the database in ``directory`` (new, empty) and bulk-load ``graph``; returns timings.

    ``extra`` adds columns to every table (tests use it to run Neo4j's statements here).
    """
    import ladybug

    directory.mkdir(parents=True, exist_ok=True)
    tables = schema(graph.ontology)
    with _collector_paused():
        if len(graph) >= BOUNDED_POOL_FROM:
            try:
                return _load(ladybug, graph, tables, directory, tuple(extra), BOUNDED_POOL_MB)
            except _LoadFailed as err:
                log.warning(
                    "the Cypher load did not fit a %d MB buffer pool (%s); loading again unbounded",
                    BOUNDED_POOL_MB,
                    err,
                )
                shutil.rmtree(directory)
                directory.mkdir(parents=True)
        return _load(ladybug, graph, tables, directory, tuple(extra))


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector: rows and cells hold no cycles (reference counting frees
    them), and one full collection of a build's heap (the spaCy pipeline) costs 0.1 s mid-load."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(
    ladybug: Any,
    graph: Graph,
    tables: Schema,
    directory: Path,
    extra: tuple[Column, ...],
    pool_mb: int | None = None,
) -> dict[str, float]:
    timings: dict[str, float] = {}
    started = time.perf_counter()
    data = TableRows(graph, tables)
    if pool_mb is None:  # one checkpoint at the end, not one per COPY
        database = ladybug.Database(str(directory / DB_FILE), auto_checkpoint=False)
    else:
        database = ladybug.Database(str(directory / DB_FILE), buffer_pool_size=pool_mb << 20, auto_checkpoint=True)
    connection = ladybug.Connection(database)
    try:
        for statement in tables.ddl(extra):
            connection.execute(statement)
        timings["schema"] = time.perf_counter() - started
        mark = time.perf_counter()
        with tempfile.TemporaryDirectory(prefix=".cypher-load-", dir=directory) as tmp:
            for label, table in tables.nodes.items():
                if data.count(label):
                    keys = [ID, *(c.name for c in table.columns)]
                    path = Path(tmp) / f"{label}.csv"
                    _copy(connection, quote(label), path, keys, partial(data.nodes, label), table.columns)
            for key, rel in tables.rels.items():
                for pair in data.pairs(key):
                    keys = ["source", "target", *(c.name for c in rel.columns)]
                    path = Path(tmp) / f"{rel.type}-{pair[0]}-{pair[1]}.csv"
                    _copy(connection, quote(rel.type), path, keys, partial(data.edges, key, pair), rel.columns, pair)
        timings["copy"] = time.perf_counter() - mark
        mark = time.perf_counter()
        connection.execute("CHECKPOINT")
        timings["checkpoint"] = time.perf_counter() - mark
    except RuntimeError as err:
        raise _LoadFailed(directory, f"loading the Cypher database failed: {err}") from err
    finally:
        connection.close()
        database.close()
    return timings


QUERY_MEMORY = 2 << 30
"""Bytes of buffer pool a read-only open may use: past it the engine fails a query rather than
the machine swapping (a cross product with ORDER BY reached 6 GB with the default pool, which
is most of the machine's memory). Pages of the database are evicted and read again, so reading
a larger database needs no more than this."""


def open_database(directory: Path, read_only: bool = True) -> Any:
    """Open a generation's database (``ladybug.Database``); read-only unless asked otherwise
    (read-only opens get a :data:`QUERY_MEMORY` buffer pool)."""
    import ladybug

    path = directory / DB_FILE
    store = directory.parent.parent
    if not path.exists():
        raise StoreError(store, "this store has no Cypher database (built by an older kg); run `kg build`")
    try:
        return ladybug.Database(str(path), read_only=read_only, buffer_pool_size=QUERY_MEMORY if read_only else 0)
    except RuntimeError as err:
        reason = str(err).splitlines()[0] if str(err) else type(err).__name__
        if "WAL" in reason:  # the write-ahead log of a `kg cypher --write` that did not finish
            raise StoreError(
                store,
                f"the Cypher database's write-ahead log ({DB_FILE}.wal) is damaged ({reason}), left by an "
                "interrupted `kg cypher --write`; the RDF store and lookups still answer; `kg build` rebuilds it",
            ) from err
        hint = "is another process writing it?" if read_only else "is another process reading it?"
        raise StoreError(store, f"cannot open the Cypher database ({reason}); {hint} If not, run `kg build`") from err


_DECLARE_ON_TYPE = "add the type to the property's rdfs:domain or schema:domainIncludes"


def _check_declared(declared: set[str], props: dict[str, Any], where: str, table: str, fix: str) -> None:
    """A property the ontology does not declare for this table has no column to go to: say so."""
    if not declared.issuperset(props):
        unknown = ", ".join(sorted(set(props) - declared))
        raise StoreError(
            "cypher", f"{where}: property {unknown} is not declared for {table} in ontology/kg.ttl ({fix})"
        )
