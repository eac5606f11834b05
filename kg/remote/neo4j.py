"""Neo4j over Bolt (the official ``neo4j`` driver): push the graph, query it, write import CSV.

The schema is :func:`kg.store.cypher.schema`, the one the embedded database uses: labels are the
ontology's node type keys, relationship types its ``kg:cypherType``, property names its keys,
multi-valued properties lists. So a query written for one engine reads the other.

``push`` creates a uniqueness constraint on ``id`` per label, then sends the nodes and the edges
in batches of ``UNWIND $rows AS row MERGE … SET …`` statements, each in a write transaction.
Every column is set explicitly (an absent value sets null, which removes the property) rather
than with ``SET n += row.props``: pushing twice changes nothing, a push after a rebuild updates
values in place, and the statements are also valid in the embedded engine, where the tests run
them. Everything kg writes carries a ``kg_store`` property; ``wipe`` deletes exactly the nodes
(with their relationships) and relationships that have one, in batches, before pushing. Nodes
under other labels, or with ids kg does not use, are never touched. Without ``wipe``, nodes and
edges that left the graph since an earlier push stay in Neo4j: pass ``wipe`` to mirror it exactly.

The password comes only from ``NEO4J_PASSWORD``; it is never a parameter, never logged, and
scrubbed from any error text that might echo it. A ``--uri`` carrying ``user:password@`` is
refused, and errors name the URI with that part masked (:func:`redact_uri`).

``write_import_files`` writes the header-annotated CSV files ``neo4j-admin database import full``
reads (``id:ID(Paper)``, ``:LABEL``, ``:START_ID(Paper)``, ``:END_ID(Author)``, ``:TYPE``,
``year:int``, ``aliases:string[]`` with ``;`` between items) and an ``import.sh`` with the command.
"""

from __future__ import annotations

import csv
import os
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType
from typing import Any

from kg.errors import StoreError, UsageError
from kg.graph import Graph
from kg.store.cypher import ID, Column, NodeTable, RelTable, Schema, TableRows, quote, schema

MARK = "kg_store"
MARK_VALUE = "kg"
DEFAULT_URI = "bolt://localhost:7687"
DEFAULT_USER = "neo4j"
BATCH = 1000
PASSWORD_VARIABLE = "NEO4J_PASSWORD"
BOLT_SCHEMES = ("bolt", "bolt+s", "bolt+ssc", "neo4j", "neo4j+s", "neo4j+ssc")
Progress = Callable[[str, int, int], None]
_IMPORT_TYPES = {"integer": "int", "double": "double", "boolean": "boolean", "string": "string"}
_ARRAY_DELIMITERS = (";", "|", "\x1f")


# ---------------------------------------------------------------- statements (shared Cypher)


def constraint_statement(label: str) -> str:
    """The uniqueness constraint on ``id`` for one label (Neo4j 5 syntax)."""
    return f"CREATE CONSTRAINT {quote(f'kg_{label}_id')} IF NOT EXISTS FOR (n:{quote(label)}) REQUIRE n.{ID} IS UNIQUE"


def _assignments(variable: str, columns: tuple[Column, ...], present: frozenset[str] | None) -> str:
    """``n.p = row.p`` for the columns a batch's rows have, ``n.p = NULL`` (removal) for the others."""
    sets = [
        f"{variable}.{quote(c.name)} = " + (f"row.{quote(c.name)}" if present is None or c.name in present else "NULL")
        for c in columns
    ]
    return ", ".join([*sets, f"{variable}.{MARK} = ${MARK}"])


def node_statement(table: NodeTable, present: frozenset[str] | None = None) -> str:
    """``UNWIND $rows AS row MERGE (n:Label {id: row.id}) SET n.p = row.p, …, n.kg_store = $kg_store``.

    ``present``: the columns the rows carry (default all); the others are set to NULL.
    """
    return (
        f"UNWIND $rows AS row MERGE (n:{quote(table.label)} {{{ID}: row.{ID}}}) "
        f"SET {_assignments('n', table.columns, present)}"
    )


def edge_statement(rel: RelTable, pair: tuple[str, str], present: frozenset[str] | None = None) -> str:
    """``UNWIND $rows AS row MATCH (a:From {id: row.source}) MATCH (b:To {id: row.target})
    MERGE (a)-[r:TYPE]->(b) SET r.p = row.p, …, r.kg_store = $kg_store``."""
    return (
        f"UNWIND $rows AS row MATCH (a:{quote(pair[0])} {{{ID}: row.source}}) "
        f"MATCH (b:{quote(pair[1])} {{{ID}: row.target}}) MERGE (a)-[r:{quote(rel.type)}]->(b) "
        f"SET {_assignments('r', rel.columns, present)}"
    )


def wipe_statements(tables: Schema) -> list[str]:
    """Batched deletes of what kg wrote: relationships first, then nodes (``$batch`` at a time)."""
    statements = [
        f"MATCH ()-[r:{quote(rel.type)}]->() WHERE r.{MARK} IS NOT NULL WITH r LIMIT $batch DELETE r "
        "RETURN count(*) AS removed"
        for rel in tables.rels.values()
    ]
    statements += [
        f"MATCH (n:{quote(label)}) WHERE n.{MARK} IS NOT NULL WITH n LIMIT $batch DETACH DELETE n "
        "RETURN count(*) AS removed"
        for label in tables.nodes
    ]
    return statements


@dataclass
class Batch:
    """One statement and the rows it is sent with (``what``: the label or relationship type)."""

    statement: str
    rows: list[dict[str, Any]]
    what: str


def batches(graph: Graph, size: int = BATCH, tables: Schema | None = None) -> Iterator[Batch]:
    """The push as statements with their rows: every node table, then every relationship pair.

    Rows carry only the properties a node or edge has, and rows are batched by that shape: each
    statement sets the shape's properties and sets the others to NULL. No null ever travels as a
    parameter, so every value keeps its type in either engine (the embedded one types a null
    parameter as a string and refuses it for an integer or list column).
    """
    data = TableRows(graph, tables)
    for label, table in data.schema.nodes.items():
        yield from _shaped(data.nodes(label), size, label, lambda present, t=table: node_statement(t, present))
    for key, rel in data.schema.rels.items():
        for pair in data.pairs(key):
            rows = data.edges(key, pair)
            yield from _shaped(rows, size, rel.type, lambda present, r=rel, p=pair: edge_statement(r, p, present))


def _shaped(
    rows: Iterator[dict[str, Any]], size: int, what: str, statement: Callable[[frozenset[str]], str]
) -> Iterator[Batch]:
    groups: dict[frozenset[str], list[dict[str, Any]]] = {}
    for row in rows:
        sparse = {key: value for key, value in row.items() if value is not None}
        shape = frozenset(sparse)
        group = groups.setdefault(shape, [])
        group.append(sparse)
        if len(group) >= size:
            yield Batch(statement(shape), group, what)
            groups[shape] = []
    for shape, group in groups.items():
        if group:
            yield Batch(statement(shape), group, what)


# ---------------------------------------------------------------- connecting


def password() -> str:
    """The Neo4j password from ``NEO4J_PASSWORD`` (UsageError when unset)."""
    value = os.environ.get(PASSWORD_VARIABLE)
    if not value:
        raise UsageError(
            f"set {PASSWORD_VARIABLE} to the Neo4j user's password (kg never takes it on the command line)"
        )
    return value


def _scrub(text: str, secret: str) -> str:
    """One line, with the secret masked should the driver ever echo it."""
    return " ".join((text.replace(secret, "***") if secret else text).split())


def redact_uri(uri: str) -> str:
    """``uri`` with any ``user:password@`` part masked: ``bolt://***@host:7687``.

    Everything between ``//`` and the last ``@`` goes, whatever it holds (a password may
    contain ``/`` or ``@``), so nothing of it can reach a message even for a malformed URI.
    """
    scheme, separator, rest = uri.partition("//")
    if not separator or "@" not in rest:
        return uri
    return f"{scheme}//***@{rest.rpartition('@')[2]}"


def check_uri(uri: str) -> str:
    """``uri`` as messages show it (:func:`redact_uri`, the password masked), after refusing one
    that carries credentials or is not a Bolt URI (UsageError)."""
    shown = _scrub(redact_uri(uri), os.environ.get(PASSWORD_VARIABLE, ""))
    if redact_uri(uri) != uri:
        raise UsageError(f"--uri {shown}: credentials in the URI are refused; give --user and set {PASSWORD_VARIABLE}")
    if uri.partition("://")[0].lower() not in BOLT_SCHEMES:
        raise UsageError(f"--uri {shown!r}: kg talks to Neo4j over Bolt: bolt://HOST:7687 or neo4j://HOST:7687")
    return shown


def driver_module() -> ModuleType:
    """The ``neo4j`` driver package. It is the optional extra ``kg[neo4j]`` (only pushing to and
    querying a Neo4j server need it), imported here on first use; missing, a UsageError names
    the extra to install."""
    try:
        import neo4j  # the optional extra, loaded only when kg talks to a server
    except ImportError as err:
        raise UsageError("talking to Neo4j needs the Neo4j driver, an optional extra: pip install 'kg[neo4j]'") from err
    return neo4j


@contextmanager
def connect(uri: str = DEFAULT_URI, user: str = DEFAULT_USER) -> Iterator[Any]:
    """A verified ``neo4j.Driver`` (password from ``NEO4J_PASSWORD``); errors become StoreError."""
    driver_module()
    from neo4j import GraphDatabase
    from neo4j.exceptions import AuthError, DriverError, Neo4jError

    secret = password()
    shown = check_uri(uri)
    # Errors are re-raised ``from None``: the driver's exception must not carry the secret along.
    try:
        driver = GraphDatabase.driver(uri, auth=(user, secret))
    except (ValueError, DriverError) as err:
        raise UsageError(f"--uri {shown!r}: {_scrub(str(err), secret)}") from None
    try:
        driver.verify_connectivity()
    except AuthError:
        driver.close()
        raise StoreError(shown, f"Neo4j refused user {user!r}; check --user and {PASSWORD_VARIABLE}") from None
    except (DriverError, OSError) as err:
        driver.close()
        raise StoreError(
            shown, f"cannot reach Neo4j ({_scrub(str(err), secret)}); is it running? check --uri", exit_code=1
        ) from None
    except Neo4jError as err:
        driver.close()
        raise StoreError(shown, f"Neo4j error: {_scrub(str(err.message or err), secret)}", exit_code=1) from None
    try:
        yield driver
    except Neo4jError as err:
        raise StoreError(shown, f"Neo4j error: {_scrub(str(err.message or err), secret)}", exit_code=1) from None
    finally:
        driver.close()


# ---------------------------------------------------------------- push


@dataclass
class Neo4jPushReport:
    """What a push did: rows sent per label / relationship type, what ``wipe`` removed, seconds."""

    nodes: dict[str, int] = field(default_factory=dict)
    relationships: dict[str, int] = field(default_factory=dict)
    removed: int = 0
    seconds: float = 0.0


def push(
    graph: Graph,
    uri: str = DEFAULT_URI,
    user: str = DEFAULT_USER,
    database: str | None = None,
    wipe: bool = False,
    progress: Progress | None = None,
    batch_size: int = BATCH,
) -> Neo4jPushReport:
    """Load ``graph`` into Neo4j (idempotent; ``wipe`` first removes everything kg wrote there)."""
    started = time.perf_counter()
    tables = schema(graph.ontology)
    report = Neo4jPushReport()
    counts = graph.counts()
    total = sum(counts["nodes"].values()) + sum(counts["edges"].values())
    with connect(uri, user) as driver, driver.session(database=database) as session:
        for label in tables.nodes:
            session.run(constraint_statement(label)).consume()
        if wipe:
            for statement in wipe_statements(tables):
                while removed := session.execute_write(_removed, statement, batch_size):
                    report.removed += removed
                    if progress:
                        progress(f"wiping kg's nodes ({report.removed} removed)", 0, 0)
        done = 0
        for batch in batches(graph, batch_size, tables):
            session.execute_write(_send, batch.statement, batch.rows)
            done += len(batch.rows)
            counter = report.nodes if batch.what in tables.nodes else report.relationships
            counter[batch.what] = counter.get(batch.what, 0) + len(batch.rows)
            if progress:
                progress(f"pushing {batch.what}", done, total)
    report.seconds = time.perf_counter() - started
    return report


def _send(tx: Any, statement: str, rows: list[dict[str, Any]]) -> None:
    tx.run(statement, rows=rows, **{MARK: MARK_VALUE}).consume()


def _removed(tx: Any, statement: str, batch_size: int) -> int:
    record = tx.run(statement, batch=batch_size).single()
    return int(record["removed"]) if record else 0


# ---------------------------------------------------------------- neo4j-admin import files


def header(column: Column) -> str:
    """``name:type`` for neo4j-admin import: ``year:int``, ``aliases:string[]``."""
    kind = _IMPORT_TYPES.get(column.datatype, "string")
    return f"{column.name}:{kind}{'[]' if column.multi else ''}"


def write_import_files(graph: Graph, directory: Path) -> list[Path]:
    """Write ``<Label>.nodes.csv``, ``<TYPE>.<From>.<To>.relationships.csv`` and ``import.sh``.

    Arrays are joined with ``;`` (neo4j-admin's default); if some item holds a ``;`` the next
    free delimiter is used for the whole export and written into ``import.sh``.
    """
    data = TableRows(graph)
    delimiter = _array_delimiter(data)
    directory.mkdir(parents=True, exist_ok=True)
    node_files, rel_files = [], []
    for label, table in data.schema.nodes.items():
        path = directory / f"{label}.nodes.csv"
        names = [c.name for c in table.columns]
        head = [f"{ID}:ID({label})", ":LABEL", *(header(c) for c in table.columns), MARK]
        body = ([row[ID], label, *(row[n] for n in names), MARK_VALUE] for row in data.nodes(label))
        _write(path, head, body, delimiter)
        node_files.append(path.name)
    for key, rel in data.schema.rels.items():
        for pair in data.pairs(key):
            path = directory / f"{rel.type}.{pair[0]}.{pair[1]}.relationships.csv"
            names = [c.name for c in rel.columns]
            head = [f":START_ID({pair[0]})", f":END_ID({pair[1]})", ":TYPE", *(header(c) for c in rel.columns), MARK]
            rows = data.edges(key, pair)
            body = ([row["source"], row["target"], rel.type, *(row[n] for n in names), MARK_VALUE] for row in rows)
            _write(path, head, body, delimiter)
            rel_files.append(path.name)
    written = [directory / name for name in (*node_files, *rel_files)]
    script = directory / "import.sh"
    arguments = [f"--nodes={name}" for name in node_files] + [f"--relationships={name}" for name in rel_files]
    lines = [
        "#!/bin/sh",
        "# Load these files into a new, empty Neo4j database (written by `kg export --format neo4j-csv`).",
        "# Usage: sh import.sh [DATABASE]   (default: neo4j; run where neo4j-admin is, with the DBMS stopped",
        "# or the database absent; then CREATE DATABASE / START DATABASE as usual).",
        'cd "$(dirname "$0")" || exit 1',
        "exec neo4j-admin database import full \\",
        f"  --array-delimiter={_shell_word(delimiter)} --multiline-fields=true --id-type=string \\",
        *(f"  {argument} \\" for argument in arguments),
        '  "${1:-neo4j}"',
    ]
    script.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return [*written, script]


def _array_delimiter(data: TableRows) -> str:
    text: set[str] = set()
    for label, table in data.schema.nodes.items():
        multi = [c.name for c in table.columns if c.multi]
        if multi:
            for row in data.nodes(label):
                text.update(item for name in multi for item in row[name] or ())
    for key, rel in data.schema.rels.items():
        multi = [c.name for c in rel.columns if c.multi]
        for pair in data.pairs(key):
            for row in data.edges(key, pair):
                text.update(str(item) for name in multi for item in row[name] or ())
    for candidate in _ARRAY_DELIMITERS:
        if not any(candidate in item for item in text):
            return candidate
    raise StoreError("neo4j-csv", "every array delimiter occurs in the data; strip control characters")


def _shell_word(text: str) -> str:
    return "'" + text.replace("'", "'\\''") + "'" if text.isprintable() else "$'\\x1f'"


def _write(path: Path, head: list[str], body: Iterator[list[Any]], delimiter: str) -> None:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(head)
        for row in body:
            writer.writerow([_cell(value, delimiter) for value in row])


def _cell(value: Any, delimiter: str) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return delimiter.join(_cell(v, delimiter) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    return str(value)
