"""Cypher queries over the embedded database (and Neo4j): read-only by default, bound parameters.

Two guards keep ``kg cypher`` read-only: the embedded database is opened read-only, and a query
with a write clause (``CREATE``, ``MERGE``, ``SET``, ``DELETE``, ``REMOVE``, ``DROP``, ``COPY``,
``ALTER``, ``INSTALL``, ``LOAD``, ``CALL`` of a procedure not known to be read-only, …) is refused
before it is sent, with a message naming the clause. Values a user supplies go in as query
parameters (``$name``), never into the query text; a query that uses a parameter nobody gave is
refused too (the engine would silently read it as null).

Results are plain Python values: nodes become ``{"_label": …, property: value…}``,
relationships ``{"_type": …, property: value…}``, paths ``{"nodes": […], "relationships": […]}``,
and anything else JSON cannot hold becomes its string form.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from kg.errors import LimitReached, QueryError
from kg.query.limits import Bounded, QueryLimits, open_stream
from kg.store.cypher import QUERY_MEMORY

WRITE_CLAUSES = (
    "CREATE",
    "MERGE",
    "SET",
    "DELETE",
    "DETACH",
    "REMOVE",
    "DROP",
    "COPY",
    "ALTER",
    "INSTALL",
    "UNINSTALL",
    "LOAD",
    "ATTACH",
    "IMPORT",
    "EXPORT",
    "FOREACH",
    "CHECKPOINT",
    "BEGIN",
    "COMMIT",
    "ROLLBACK",
    "GRANT",
    "DENY",
    "REVOKE",
)
# Procedures that only read (the embedded engine's catalogue functions and Neo4j's db.* schema ones).
READ_PROCEDURES = frozenset(
    {
        "show_tables",
        "table_info",
        "show_connection",
        "db_version",
        "current_setting",
        "show_functions",
        "show_indexes",
        "show_warnings",
        "show_macros",
        "db.labels",
        "db.relationshiptypes",
        "db.propertykeys",
        "db.schema.visualization",
        "db.schema.nodetypeproperties",
        "db.schema.reltypeproperties",
        "db.info",
        "dbms.components",
    }
)
_NOISE = re.compile(r"//[^\r\n]*|/\*.*?\*/|'(?:[^'\\]|\\.)*'|\"(?:[^\"\\]|\\.)*\"|`(?:[^`]|``)*`", re.DOTALL)
# A word the engine reads as a keyword: not inside a name, property or parameter. A digit may
# come right before one: the engine reads ``LIMIT 1LOAD FROM …`` as ``LIMIT 1 LOAD FROM …``.
_WORD = re.compile(r"(?<![^\W\d])(?<![.$])([A-Za-z_]\w*)")
_NAME = re.compile(r"[A-Za-z_][\w.]*")
_PARAMETER = re.compile(r"\$([A-Za-z_]\w*)")


@dataclass
class CypherResult:
    """Column names and one dict per row, in the engine's order; ``truncated`` when a row limit
    cut the rows short."""

    columns: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    truncated: bool = False


@dataclass
class CypherStream:
    """Column names and the rows as they are computed (an iterator, read once)."""

    columns: list[str]
    rows: Iterator[dict[str, Any]]
    _bounded: Bounded[Any] | None = None

    @property
    def truncated(self) -> bool:
        return self._bounded is not None and self._bounded.truncated

    def collect(self) -> CypherResult:
        rows = list(self.rows)
        return CypherResult(self.columns, rows, self.truncated)


def _blank(match: re.Match[str]) -> str:
    token = match.group(0)
    if token.startswith("`"):
        return "`x`"
    return " " if token.startswith("/") else "''"


def strip_literals(query: str) -> str:
    """The query with comments removed and strings/quoted names blanked (keywords stay where they were)."""
    return _NOISE.sub(_blank, query)


def write_clause(query: str) -> str | None:
    """The first write clause (or non-read procedure call) in ``query``, or None for a read-only query."""
    text = strip_literals(query)
    for match in _WORD.finditer(text):
        word = match.group(1).upper()
        if word in WRITE_CLAUSES:
            return "DETACH DELETE" if word == "DETACH" else word
    for match in _WORD.finditer(text):
        if match.group(1).upper() != "CALL":
            continue
        rest = text[match.end() :].lstrip()
        found = _NAME.match(rest)
        name = found.group(0) if found else None
        if name is None and rest[:1] in ("{", "("):
            continue  # CALL { subquery }: its clauses were checked above
        if name is None or name.lower() not in READ_PROCEDURES:
            return f"CALL {name or ''}".strip()
    return None


def check_read_only(query: str) -> None:
    """Raise :class:`QueryError` when ``query`` would write."""
    clause = write_clause(query)
    if clause is not None:
        raise QueryError(
            f"{clause} is refused: `kg cypher` is read-only (pass --write to change the database on purpose)"
        )


def parameter_names(query: str) -> set[str]:
    """The ``$name`` parameters the query uses (outside strings and comments)."""
    return set(_PARAMETER.findall(strip_literals(query)))


def parameters(raw: dict[str, str] | None) -> dict[str, Any]:
    """``--param`` values as query parameters: integers become ints, everything else stays a string."""
    return {name: _integer(value) for name, value in (raw or {}).items()}


def _integer(value: str) -> int | str:
    """An integer if ``value`` is one that fits the engines' 64-bit integers, else the string."""
    if re.fullmatch(r"-?\d+", value) and -(2**63) <= int(value) < 2**63:
        return int(value)
    return value


def check_parameters(query: str, params: dict[str, Any]) -> None:
    missing = sorted(parameter_names(query) - set(params))
    if missing:
        given = ", ".join(f"--param {name}=…" for name in missing)
        raise QueryError(f"the query uses ${', $'.join(missing)} but no value was given; add {given}")


def plain(value: Any) -> Any:
    """An engine value as plain Python: nodes, relationships and paths become dicts and lists."""
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, dict):
        if "_nodes" in value and "_rels" in value:
            return {"nodes": plain(value["_nodes"]), "relationships": plain(value["_rels"])}
        if "_LABEL" in value and "_ID" in value:
            kind = "_type" if "_SRC" in value else "_label"
            props = {k: plain(v) for k, v in value.items() if not k.startswith("_") and v is not None}
            return {kind: value["_LABEL"], **props}
        return {str(k): plain(v) for k, v in value.items()}
    return str(value)


def stream(
    connection: Any,
    query: str,
    params: dict[str, Any] | None = None,
    write: bool = False,
    limits: QueryLimits | None = None,
) -> CypherStream:
    """Run ``query`` on an embedded-engine connection with bound ``params``; rows are read from
    the engine as the stream is read, so a row limit keeps memory constant. At the deadline or
    on Ctrl-C the engine is interrupted (LimitReached, Interrupted)."""
    params = dict(params or {})
    if not write:
        check_read_only(query)
    check_parameters(query, params)
    limits = limits or QueryLimits()

    def answer() -> Iterator[Any]:
        try:
            result = connection.execute(query, params)
            if isinstance(result, list):  # several statements: the last one's rows
                result = result[-1]
            columns = result.get_column_names()
            yield columns
            while result.has_next():
                yield dict(zip(columns, (plain(v) for v in result.get_next()), strict=True))
        except RuntimeError as err:
            raise _query_error(err, limits) from err

    columns, items, bounded = open_stream(answer, limits, "Cypher query", connection.interrupt)
    return CypherStream(list(columns), items, bounded)


def run(
    connection: Any,
    query: str,
    params: dict[str, Any] | None = None,
    write: bool = False,
    limits: QueryLimits | None = None,
) -> CypherResult:
    """Run ``query`` on an embedded-engine connection with bound ``params``; all rows collected."""
    return stream(connection, query, params, write, limits).collect()


def _query_error(err: RuntimeError, limits: QueryLimits) -> Exception:
    message = str(err).splitlines()[0] if str(err) else type(err).__name__
    lowered = message.lower()
    if "read-only" in lowered or "read only" in lowered:
        return QueryError(f"the embedded database is open read-only: {message} (pass --write)")
    if "buffer pool is full" in lowered or "unable to allocate memory" in lowered:
        return LimitReached(
            "Cypher query stopped: it needs more memory than the query budget "
            f"({QUERY_MEMORY >> 20} MB); return fewer rows (LIMIT) or narrow the MATCH"
        )
    if message.strip() == "Interrupted." and limits.timeout is not None:
        return LimitReached(f"Cypher query stopped by its time limit ({limits.timeout:g} s); raise --timeout (0: none)")
    return QueryError(f"Cypher query failed: {message}")


def run_on_neo4j(
    text: str,
    params: dict[str, Any] | None = None,
    uri: str | None = None,
    user: str | None = None,
    database: str | None = None,
    write: bool = False,
    limits: QueryLimits | None = None,
) -> CypherResult:
    """Run a Cypher query on Neo4j (:mod:`kg.remote.neo4j` connects; password from
    ``NEO4J_PASSWORD``): in a read session, and refused if it writes, unless ``write``. The
    time limit is the server's transaction timeout; rows past the row limit are not fetched."""
    from kg.remote import neo4j as neo4j_store  # the driver (extra kg[neo4j]) loads only when used

    neo4j_store.driver_module()
    from neo4j import READ_ACCESS, WRITE_ACCESS, Query

    params = dict(params or {})
    limits = limits or QueryLimits()
    if not write:
        check_read_only(text)
    check_parameters(text, params)
    with (
        neo4j_store.connect(uri or neo4j_store.DEFAULT_URI, user or neo4j_store.DEFAULT_USER) as driver,
        driver.session(database=database, default_access_mode=WRITE_ACCESS if write else READ_ACCESS) as session,
    ):
        result = session.run(Query(text, timeout=limits.timeout), params)  # type: ignore[arg-type]
        columns = list(result.keys())
        rows, truncated = [], False
        for record in result:
            if limits.rows is not None and len(rows) >= limits.rows:
                truncated = True
                break
            rows.append({key: neo4j_plain(record[key]) for key in columns})
        result.consume()
    return CypherResult(columns, rows, truncated)


def neo4j_plain(value: Any) -> Any:
    """A Neo4j driver value as plain Python, shaped as :func:`plain` shapes the embedded engine's."""
    from neo4j.graph import Node, Path, Relationship

    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, Node):
        return {"_label": ":".join(sorted(value.labels)), **{k: neo4j_plain(v) for k, v in value.items()}}
    if isinstance(value, Relationship):
        return {"_type": value.type, **{k: neo4j_plain(v) for k, v in value.items()}}
    if isinstance(value, Path):
        return {
            "nodes": [neo4j_plain(n) for n in value.nodes],
            "relationships": [neo4j_plain(r) for r in value.relationships],
        }
    if isinstance(value, (list, tuple)):
        return [neo4j_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): neo4j_plain(v) for k, v in value.items()}
    return str(value)
