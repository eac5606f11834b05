"""Neo4j: generated statements (run for real in the embedded engine where the syntax is shared),
the neo4j-admin import files, password handling, and, when NEO4J_URI is set, a live server."""

from __future__ import annotations

import csv
import io
import os
import re
from pathlib import Path

import ladybug
import networkx as nx
import pytest

import kg
from kg.errors import StoreError, UsageError
from kg.export import export
from kg.graph import Graph
from kg.query import cypher as cypher_query
from kg.remote import neo4j
from kg.store import cypher

from .test_cypher import dump, run
from .test_query_catalogue import PAIRS, QUERIES, as_tuples, declared_params

MARK = cypher.Column(neo4j.MARK, "string", False)
IMPORT_TYPE = re.compile(r"^[a-z_]+:(int|long|float|double|boolean|string)(\[\])?$")
live = pytest.mark.skipif(not os.environ.get("NEO4J_URI"), reason="NEO4J_URI is not set: no Neo4j server to test")


# ---------------------------------------------------------------- statements


def test_push_statements_build_the_same_graph_in_the_embedded_engine(graph: Graph, tmp_path: Path) -> None:
    """The exact statements and rows push sends, run twice, then the wipe: the bulk-loaded graph, then nothing."""
    papers = [node.id for node in graph.nodes("Paper")][::8]
    keep = set(papers)
    for _ in range(2):  # every node type and relation, a fraction of the rows
        keep |= {other for node in list(keep) for other in nx.all_neighbors(graph.nx, node)}
    sample = graph.subgraph(keep)
    tables = cypher.schema(graph.ontology)
    cypher.write(sample, tmp_path / "copied")
    loaded = dump(ladybug.Connection(cypher.open_database(tmp_path / "copied")), tables)
    assert all(loaded.values())
    cypher.write(Graph(graph.ontology), tmp_path / "pushed", extra=[MARK])  # empty tables, plus kg_store
    connection = ladybug.Connection(ladybug.Database(str(tmp_path / "pushed" / cypher.DB_FILE)))
    for _ in range(2):  # pushing twice changes nothing
        for batch in neo4j.batches(sample, size=200):
            connection.execute(batch.statement, {"rows": batch.rows, neo4j.MARK: neo4j.MARK_VALUE})
        assert dump(connection, tables, skip=frozenset({neo4j.MARK})) == loaded
    marks = cypher_query.run(connection, f"MATCH (n) RETURN DISTINCT n.{neo4j.MARK} AS mark").rows
    assert marks == [{"mark": neo4j.MARK_VALUE}]
    removed = 0
    for statement in neo4j.wipe_statements(tables):
        while count := connection.execute(statement, {"batch": 500}).get_all()[0][0]:
            removed += count
    counts = sample.counts()
    assert removed == sum(counts["nodes"].values()) + sum(counts["edges"].values())
    assert connection.execute("MATCH (n) RETURN count(*)").get_all() == [[0]]


def test_batches_are_parameterised_shaped_and_complete(graph: Graph) -> None:
    sent: dict[str, int] = {}
    for batch in neo4j.batches(graph, size=100):
        assert 0 < len(batch.rows) <= 100
        assert batch.statement.startswith("UNWIND $rows AS row ")
        assert "paper/" not in batch.statement and "author/" not in batch.statement  # values are parameters
        assert all(None not in row.values() for row in batch.rows)
        assert len({frozenset(row) for row in batch.rows}) == 1  # one shape per batch
        sent[batch.what] = sent.get(batch.what, 0) + len(batch.rows)
    counts = graph.counts()
    types = {r.key: r.cypher_type for r in graph.ontology.relations.values()}
    assert sent == {
        **{k: v for k, v in counts["nodes"].items() if v},
        **{types[k]: v for k, v in counts["edges"].items() if v},
    }


def test_statement_text() -> None:
    tables = cypher.schema()
    assert neo4j.constraint_statement("Paper") == (
        "CREATE CONSTRAINT `kg_Paper_id` IF NOT EXISTS FOR (n:`Paper`) REQUIRE n.id IS UNIQUE"
    )
    statement = neo4j.node_statement(tables.nodes["Venue"], frozenset({"id", "name", "label"}))
    assert statement == (
        "UNWIND $rows AS row MERGE (n:`Venue` {id: row.id}) SET n.`aliases` = NULL, n.`label` = row.`label`, "
        "n.`name` = row.`name`, n.kg_store = $kg_store"
    )
    assert neo4j.edge_statement(tables.rels["published_in"], ("Paper", "Venue")) == (
        "UNWIND $rows AS row MATCH (a:`Paper` {id: row.source}) MATCH (b:`Venue` {id: row.target}) "
        "MERGE (a)-[r:`PUBLISHED_IN`]->(b) SET r.`sources` = row.`sources`, r.kg_store = $kg_store"
    )


# ---------------------------------------------------------------- neo4j-admin import files


def test_neo4j_csv_export_follows_the_import_format(built_store: Path, graph: Graph, tmp_path: Path) -> None:
    out = tmp_path / "import"
    code, _, _ = run("export", "--format", "neo4j-csv", "-o", str(out), "--store", str(built_store))
    assert code == 0
    written = [p.name for p in out.iterdir()]
    script = (out / "import.sh").read_text(encoding="utf-8")
    # ';' unless the data holds one (evidence sentences of concept relations do): then '|'
    words = {"--array-delimiter=';'": ";", "--array-delimiter='|'": "|", "--array-delimiter=$'\\x1f'": "\x1f"}
    (delimiter,) = [d for word, d in words.items() if word in script]
    tables = cypher.schema(graph.ontology)
    data = cypher.TableRows(graph, tables)
    ids: dict[str, set[str]] = {}
    for label, table in tables.nodes.items():
        with (out / f"{label}.nodes.csv").open(encoding="utf-8", newline="") as handle:
            rows = list(csv.reader(handle))
        header = rows[0]
        assert header[:2] == [f"id:ID({label})", ":LABEL"] and header[-1] == neo4j.MARK
        assert all(IMPORT_TYPE.match(column) for column in header[2:-1])
        assert [h.split(":")[0] for h in header[2:-1]] == [c.name for c in table.columns]
        assert [_parse(header, row, delimiter) for row in rows[1:]] == [
            {"id": r["id"], ":LABEL": label, **{k: v for k, v in r.items() if k != "id"}, neo4j.MARK: "kg"}
            for r in data.nodes(label)
        ]
        ids[label] = {row[0] for row in rows[1:]}
    files = sorted(p.name for p in out.glob("*.relationships.csv"))
    assert files, "relationship files"
    for key, rel in tables.rels.items():
        for pair in data.pairs(key):
            name = f"{rel.type}.{pair[0]}.{pair[1]}.relationships.csv"
            files.remove(name)
            with (out / name).open(encoding="utf-8", newline="") as handle:
                rows = list(csv.reader(handle))
            header = rows[0]
            assert header[:3] == [f":START_ID({pair[0]})", f":END_ID({pair[1]})", ":TYPE"]
            assert all(IMPORT_TYPE.match(column) for column in header[3:-1]) and header[-1] == neo4j.MARK
            parsed = [_parse(header, row, delimiter) for row in rows[1:]]
            assert all(p[header[0]] in ids[pair[0]] and p[header[1]] in ids[pair[1]] for p in parsed)
            assert parsed == [
                {
                    header[0]: r["source"],
                    header[1]: r["target"],
                    ":TYPE": rel.type,
                    **{k: v for k, v in r.items() if k not in ("source", "target")},
                    neo4j.MARK: "kg",
                }
                for r in data.edges(key, pair)
            ]
    assert files == []
    assert "neo4j-admin database import full" in script
    assert "--multiline-fields=true" in script
    assert all(f"--nodes={label}.nodes.csv" in script for label in tables.nodes)
    # exporting again replaces the directory; a directory holding anything else, or a stream, is refused
    export(graph, "neo4j-csv", out)
    assert sorted(p.name for p in out.iterdir()) == sorted(written)
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(UsageError, match=r"holds other files \(notes.txt\); give a new directory"):
        export(graph, "neo4j-csv", out)
    with pytest.raises(UsageError, match="writes a directory"):
        export(graph, "neo4j-csv", io.BytesIO())
    with pytest.raises(UsageError, match="is a directory; jsonl writes one file"):
        export(graph, "jsonl", out)


def _parse(header: list[str], row: list[str], delimiter: str = ";") -> dict[str, object]:
    """One CSV row read the way neo4j-admin reads it: typed columns, arrays split on the
    export's ``--array-delimiter``, empty = absent."""
    assert len(row) == len(header)
    values: dict[str, object] = {}
    for column, text in zip(header, row, strict=True):
        name, _, kind = column.partition(":")
        if not name:
            values[column] = text
            continue
        if kind.startswith("ID("):
            values[name] = text
            continue
        if text == "":
            values[name] = None
            continue
        scalar = kind.removesuffix("[]") or "string"
        items = text.split(delimiter) if kind.endswith("[]") else [text]
        typed = [
            int(i) if scalar == "int" else float(i) if scalar == "double" else i == "true" if scalar == "boolean" else i
            for i in items
        ]
        values[name] = typed if kind.endswith("[]") else typed[0]
    return values


def test_array_delimiter_moves_off_a_semicolon_in_the_data(tmp_path: Path) -> None:
    graph = Graph()
    graph.add_node("venue/x", "Venue", label="X", aliases=["a;b", "c|d"])
    neo4j.write_import_files(graph, tmp_path)
    assert "--array-delimiter=$'\\x1f'" in (tmp_path / "import.sh").read_text(encoding="utf-8")
    graph = Graph()
    graph.add_node("venue/x", "Venue", label="X", aliases=["a;b", "c"])
    neo4j.write_import_files(graph, tmp_path)
    assert "--array-delimiter='|'" in (tmp_path / "import.sh").read_text(encoding="utf-8")
    assert "a;b|c" in (tmp_path / "Venue.nodes.csv").read_text(encoding="utf-8")


# ---------------------------------------------------------------- password and errors


def test_the_password_comes_only_from_the_environment(monkeypatch: pytest.MonkeyPatch, built_store: Path) -> None:
    monkeypatch.delenv("NEO4J_PASSWORD", raising=False)
    with pytest.raises(UsageError, match="set NEO4J_PASSWORD"):
        neo4j.password()
    code, _, err = run("neo4j", "push", "--store", str(built_store))
    assert code == 2 and "set NEO4J_PASSWORD" in err
    code, _, err = run("neo4j", "push", "--password", "x", "--store", str(built_store))
    assert code == 2 and "No such option '--password'" in err
    assert "--password" not in run("cypher", "--help")[1]


def test_connection_errors_never_carry_the_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NEO4J_PASSWORD", "s3cret-pa55")
    with pytest.raises(StoreError) as caught:
        cypher_query.run_on_neo4j("RETURN 1", uri="bolt://127.0.0.1:9")  # nothing listens on the discard port
    message = str(caught.value)
    assert "cannot reach Neo4j" in message and "\n" not in message
    assert "s3cret" not in message and caught.value.__cause__ is None and caught.value.__suppress_context__
    code, _, err = run("cypher", "--neo4j", "--uri", "bolt://127.0.0.1:9", "RETURN 1")
    assert code == 1 and "s3cret" not in err
    code, _, err = run("cypher", "--neo4j", "--uri", "bolt://127.0.0.1:9", "MATCH (n) DETACH DELETE n")
    assert code == 2 and "DETACH DELETE is refused" in err  # refused before connecting


# ---------------------------------------------------------------- a live server (NEO4J_URI)


def _server() -> dict[str, str | None]:
    return {
        "uri": os.environ["NEO4J_URI"],
        "user": os.environ.get("NEO4J_USER", "neo4j"),
        "database": os.environ.get("NEO4J_DATABASE"),
    }


def _snapshot() -> tuple[list, list]:
    nodes = cypher_query.run_on_neo4j(
        f"MATCH (n) WHERE n.{neo4j.MARK} IS NOT NULL RETURN n ORDER BY n.id", **_server()
    ).rows
    rels = cypher_query.run_on_neo4j(
        f"MATCH (a)-[r]->(b) WHERE r.{neo4j.MARK} IS NOT NULL RETURN a.id AS a, type(r) AS t, r, b.id AS b "
        "ORDER BY a, t, b",
        **_server(),
    ).rows
    return nodes, rels


@live
def test_live_push_is_idempotent_and_wipe_removes_only_kgs(graph: Graph) -> None:
    server = _server()
    cypher_query.run_on_neo4j("CREATE (:Paper {id: 'paper/not-kgs', title: 'kept'})", write=True, **server)
    try:
        first = neo4j.push(graph, wipe=True, **server)
        counts = graph.counts()
        assert sum(first.nodes.values()) == sum(counts["nodes"].values())
        before = _snapshot()
        neo4j.push(graph, **server)
        assert _snapshot() == before
        assert len(before[0]) == sum(counts["nodes"].values()) and len(before[1]) == sum(counts["edges"].values())
        again = neo4j.push(graph, wipe=True, **server)
        assert again.removed == len(before[0]) + len(before[1])
        kept = cypher_query.run_on_neo4j("MATCH (p:Paper {id: 'paper/not-kgs'}) RETURN p.title AS title", **server).rows
        assert kept == [{"title": "kept"}]
    finally:
        cypher_query.run_on_neo4j("MATCH (p:Paper {id: 'paper/not-kgs'}) DETACH DELETE p", write=True, **server)


@live
@pytest.mark.parametrize("name", PAIRS)
def test_live_catalogue_agrees_with_the_embedded_engine(handle: kg.KnowledgeGraph, graph: Graph, name: str) -> None:
    server = _server()
    if not cypher_query.run_on_neo4j(f"MATCH (n) WHERE n.{neo4j.MARK} IS NOT NULL RETURN n.id LIMIT 1", **server).rows:
        neo4j.push(graph, **server)
    text = (QUERIES / f"{name}.cypher").read_text(encoding="utf-8")
    params = cypher_query.parameters(declared_params(text, "//"))
    there, here = cypher_query.run_on_neo4j(text, params, **server), handle.cypher(text, params)
    assert there.columns == here.columns
    assert as_tuples(there.columns, there.rows) == as_tuples(here.columns, here.rows)


@live
def test_live_queries_run_in_read_transactions() -> None:
    from neo4j import RoutingControl

    server = _server()
    with pytest.raises(StoreError, match="Neo4j error"), neo4j.connect(server["uri"], server["user"]) as driver:
        driver.execute_query("CREATE (:KgProbe)", routing_=RoutingControl.READ, database_=server["database"])
    assert cypher_query.run_on_neo4j("MATCH (n:KgProbe) RETURN count(*) AS n", **server).rows == [{"n": 0}]
