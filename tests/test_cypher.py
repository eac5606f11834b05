"""The embedded Cypher store: schema from the ontology, exact bulk load, read-only queries, `kg cypher`."""

from __future__ import annotations

import json
import shlex
import shutil
from pathlib import Path

import ladybug
import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.errors import QueryError, StoreError
from kg.graph import Graph
from kg.ontology import load
from kg.query import cypher as cypher_query
from kg.store import cypher, layout

RDF_STATEMENT = "http://www.w3.org/1999/02/22-rdf-syntax-ns#Statement"


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def dump(connection: ladybug.Connection, tables: cypher.Schema, skip: frozenset[str] = frozenset()) -> dict:
    """Every node and relationship in the database as plain values, by label / type, sorted."""
    found: dict[str, list] = {}
    for label in tables.nodes:
        rows = cypher_query.run(connection, f"MATCH (n:{label}) RETURN n").rows
        found[label] = sorted(
            ({k: v for k, v in row["n"].items() if k not in skip} for row in rows), key=lambda n: n["id"]
        )
    for rel in tables.rels.values():
        rows = cypher_query.run(connection, f"MATCH (a)-[r:{rel.type}]->(b) RETURN a.id AS a, r, b.id AS b").rows
        found[rel.type] = sorted(
            ((row["a"], row["b"], {k: v for k, v in row["r"].items() if k not in skip}) for row in rows), key=repr
        )
    return found


def expected(graph: Graph, tables: cypher.Schema) -> dict:
    """The same shape, computed from the typed graph alone."""
    found: dict[str, list] = {}
    for label in tables.nodes:
        found[label] = [
            {"_label": label, "id": n.id, **{k: list(v) if isinstance(v, tuple) else v for k, v in n.props.items()}}
            for n in graph.nodes(label)
        ]
    for key, rel in tables.rels.items():
        edges = []
        for e in graph.edges(key):
            props = {k: list(v) if isinstance(v, tuple) else v for k, v in e.props.items()}
            if e.sources:
                props["sources"] = list(e.sources)
            edges.append((e.source, e.target, {"_type": rel.type, **props}))
        found[rel.type] = sorted(edges, key=repr)
    return found


# ---------------------------------------------------------------- schema


def test_schema_comes_from_the_ontology_without_fallbacks() -> None:
    onto = load()
    tables = cypher.schema(onto)
    assert set(tables.nodes) == set(onto.node_types)
    assert {rel.type for rel in tables.rels.values()} == {r.cypher_type for r in onto.relations.values()}
    notes = cypher._annotations()
    class_iris = {t.iri for t in onto.node_types.values()}
    for key, prop in onto.properties.items():
        declared = notes.get(prop.iri, {})
        on_nodes = class_iris & set(declared.get("domain", []))
        on_edges = declared.get("statement_of", [])
        assert on_nodes or on_edges, f"{key}: give it rdfs:domain, schema:domainIncludes or kg:statementOf in kg.ttl"
        assert not (RDF_STATEMENT in declared.get("domain", []) and not on_edges), f"{key}: add kg:statementOf"
    for key, relation in onto.relations.items():
        declared = notes.get(relation.iri, {})
        assert relation.domain or declared.get("domain"), f"{key}: no domain for its FROM tables"
        assert relation.range or declared.get("range"), f"{key}: no range for its TO tables"


def test_tables_columns_and_pairs() -> None:
    tables = cypher.schema()
    paper = {c.name: c.engine_type for c in tables.nodes["Paper"].columns}
    assert paper["title"] == "STRING" and paper["year"] == "INT64" and paper["external_ids"] == "STRING[]"
    assert "name" not in paper  # foaf:name is declared for authors, institutions and venues only
    assert {c.name: c.engine_type for c in tables.nodes["Method"].columns}["discovered"] == "BOOLEAN"
    authored = tables.rels["authored_by"]
    assert authored.type == "AUTHORED_BY" and authored.pairs == (("Paper", "Author"),)
    assert [c.name for c in authored.columns] == ["as_written", "position", "sources"]
    assert set(tables.rels["derived_from"].pairs) == {
        ("Paper", "SourceRecord"),
        ("Summary", "SourceRecord"),
        ("Mention", "SourceRecord"),
    }
    assert ("Dataset", "Method") in tables.rels["broader"].pairs
    ddl = tables.ddl()
    assert "CREATE NODE TABLE `Paper`(id STRING PRIMARY KEY, " in ddl[list(tables.nodes).index("Paper")]
    assert any(s.startswith("CREATE REL TABLE `DERIVED_FROM`(FROM `Mention` TO `SourceRecord`, ") for s in ddl)


# ---------------------------------------------------------------- loading


def test_build_writes_the_cypher_database(built_store: Path, handle: kg.KnowledgeGraph) -> None:
    generation = layout.current_generation(built_store)
    assert (generation.cypher_dir / cypher.DB_FILE).is_file()
    assert not list(generation.cypher_dir.glob(".cypher-load-*"))  # the CSV files are gone
    stats = handle.stats()
    by_label = handle.cypher("MATCH (n) RETURN label(n) AS label, count(*) AS n").rows
    assert {row["label"]: row["n"] for row in by_label} == {k: v for k, v in stats["nodes"].items() if v}
    by_type = handle.cypher("MATCH ()-[r]->() RETURN label(r) AS type, count(*) AS n").rows
    types = {r.key: r.cypher_type for r in load().relations.values()}
    assert {row["type"]: row["n"] for row in by_type} == {types[k]: v for k, v in stats["edges"].items() if v}


def test_every_node_edge_and_value_round_trips(handle: kg.KnowledgeGraph, graph: Graph) -> None:
    tables = cypher.schema(graph.ontology)
    handle.cypher("RETURN 1")  # open the read-only handle
    assert dump(handle._cypher[1], tables) == expected(graph, tables)


@pytest.mark.parametrize(("pool_mb", "retried"), [(64, False), (8, True)])
def test_a_large_graph_loads_in_a_bounded_pool_or_again_unbounded(
    graph: Graph,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
    pool_mb: int,
    retried: bool,
) -> None:
    """Past BOUNDED_POOL_FROM nodes the load runs in a bounded buffer pool; one too small for it
    (8 MB fails on this corpus) is loaded again unbounded, and either way every value is there."""
    monkeypatch.setattr(cypher, "BOUNDED_POOL_FROM", 0)
    monkeypatch.setattr(cypher, "BOUNDED_POOL_MB", pool_mb)
    with caplog.at_level("WARNING", logger="kg"):
        cypher.write(graph, tmp_path / "db")
    assert ("loading again unbounded" in caplog.text) is retried
    tables = cypher.schema(graph.ontology)
    database = cypher.open_database(tmp_path / "db")
    try:
        assert dump(ladybug.Connection(database), tables) == expected(graph, tables)
    finally:
        database.close()


def test_awkward_values_survive_the_csv_bulk_load(tmp_path: Path) -> None:
    graph = Graph()
    awkward = [
        "Univ. of California, Berkeley",
        'say "hi"',
        "x]y, [b]",
        "semi;colon",
        "back\\slash",
        "it's",
        " spaced ",
        "tab\tand\x1funit separator",
    ]
    graph.add_node("paper/a", "Paper", label='A, "quoted"\nsecond line\r\n', title="1984", year=2020)
    graph.add_node("paper/b", "Paper", label="B", external_ids=awkward, keywords=["\x1e", "\x1f\x1e"])
    graph.add_node("author/x", "Author", label="Émile Ünïcødé 李", name="Émile", aliases=awkward)
    graph.add_node("concept/m", "Method", label="M", confidence=0.25, discovered=True)
    graph.add_node("source/s", "SourceRecord", label="s", file="a b/c's.txt", line_start=1, line_end=3)
    graph.add_edge("paper/a", "authored_by", "author/x", sources=["source/s"], position=2, as_written=awkward)
    graph.add_edge("paper/a", "derived_from", "source/s")
    cypher.write(graph, tmp_path / "it's here")
    database = cypher.open_database(tmp_path / "it's here")
    tables = cypher.schema(graph.ontology)
    assert dump(ladybug.Connection(database), tables) == expected(graph, tables)


def test_quotes_after_the_first_256_rows_are_read_as_csv(tmp_path: Path) -> None:
    # Left to sniff the dialect, the engine looks at 256 rows and then reads `"a""b"` verbatim.
    graph = Graph()
    for index in range(300):
        graph.add_node(f"venue/{index:03d}", "Venue", label=f"plain {index}")
    graph.add_node("venue/999", "Venue", label='“Actor-Learner Distillation"” in abstract', name='say "hi"')
    cypher.write(graph, tmp_path / "db")
    connection = ladybug.Connection(cypher.open_database(tmp_path / "db"))
    rows = cypher_query.run(connection, "MATCH (v:Venue {id: 'venue/999'}) RETURN v.label AS l, v.name AS n").rows
    assert rows == [{"l": '“Actor-Learner Distillation"” in abstract', "n": 'say "hi"'}]


def test_an_edge_the_ontology_does_not_allow_is_refused(tmp_path: Path) -> None:
    graph = Graph()
    graph.add_node("paper/a", "Paper", label="A")
    graph.add_node("author/x", "Author", label="X")
    graph.add_edge("author/x", "authored_by", "paper/a")  # backwards
    with pytest.raises(StoreError, match="does not allow AUTHORED_BY from Author to Paper"):
        cypher.write(graph, tmp_path / "db")


def test_a_property_the_ontology_does_not_place_is_refused(tmp_path: Path) -> None:
    graph = Graph()
    graph.add_node("topic/t", "Topic", label="T", year=2020)  # year is a Paper's
    with pytest.raises(StoreError, match="property year is not declared for Topic"):
        cypher.write(graph, tmp_path / "db")


def test_build_reports_the_cypher_load_time(tmp_path: Path, corpus: Path) -> None:
    report = kg.build([corpus / "shortscience_iclr_papers.txt"], store=tmp_path / ".kg", extract=False)
    assert 0 < report.seconds["cypher_load"] < report.seconds["total"]
    rows = kg.open_store(tmp_path / ".kg").cypher("MATCH (p:Paper) RETURN count(*) AS n").rows
    assert rows == [{"n": report.counts["nodes"]["Paper"]}]


def test_a_store_without_a_cypher_database_says_to_rebuild(built_store: Path, tmp_path: Path) -> None:
    copy = tmp_path / "old"
    shutil.copytree(built_store, copy)
    shutil.rmtree(layout.current_generation(copy).cypher_dir)
    with pytest.raises(StoreError, match=r"no Cypher database .*run `kg build`"):
        kg.open_store(copy).cypher("RETURN 1")


# ---------------------------------------------------------------- read-only, parameters


@pytest.mark.parametrize(
    "query",
    [
        "CREATE (:Venue {id: 'venue/x'})",
        "MATCH (v:Venue) MERGE (v)-[:PART_OF]->(v)",
        "MATCH (v:Venue) SET v.name = 'x'",
        "MATCH (v:Venue) DELETE v",
        "match (v:Venue) detach delete v",
        "MATCH (v:Venue) REMOVE v.name",
        "DROP TABLE Venue",
        "COPY Venue FROM 'venues.csv'",
        "ALTER TABLE Venue ADD x INT64",
        "INSTALL json",
        "LOAD FROM '/etc/passwd' RETURN *",
        "CALL clear_warnings()",
        "CALL threads=1",
        "MATCH (v:Venue) FOREACH (x IN [1] | SET v.name = 'y')",
        "UNWIND [1] AS x CALL apoc.create.node(['X'], {}) YIELD node RETURN node",
    ],
)
def test_write_clauses_are_refused(handle: kg.KnowledgeGraph, query: str) -> None:
    with pytest.raises(QueryError, match=r"is refused: `kg cypher` is read-only \(pass --write"):
        handle.cypher(query)


@pytest.mark.parametrize(
    "query",
    [
        "RETURN 'CREATE (x) SET y DELETE z' AS text",
        "MATCH (m:Mention) RETURN m.start AS start, m.`end` AS stop LIMIT 1",
        "// delete everything?\nMATCH (v:Venue) RETURN count(*) AS n",
        "/* MERGE */ MATCH (v:Venue) RETURN v.name AS `set` LIMIT 1",
        "CALL show_tables() RETURN name",
        "MATCH (p:Paper) WHERE EXISTS { MATCH (p)-[:PUBLISHED_IN]->(:Venue) } RETURN count(*) AS n",
    ],
)
def test_read_queries_with_write_words_in_strings_names_and_comments_run(handle: kg.KnowledgeGraph, query: str) -> None:
    assert cypher_query.write_clause(query) is None
    handle.cypher(query)


def test_the_database_itself_is_read_only(handle: kg.KnowledgeGraph) -> None:
    handle.cypher("RETURN 1")
    with pytest.raises(QueryError, match="read-only"):
        cypher_query.run(handle._cypher[1], "CREATE (:Venue {id: 'venue/sneaky'})", write=True)
    assert handle.cypher("MATCH (v:Venue {id: 'venue/sneaky'}) RETURN v").rows == []


def test_parameters_are_bound_not_spliced(handle: kg.KnowledgeGraph) -> None:
    query = "MATCH (a:Author) WHERE a.name = $name RETURN a.id AS id"
    assert handle.cypher(query, {"name": "Yoshua Bengio"}).rows == [{"id": "author/yoshua-bengio"}]
    assert handle.cypher(query, {"name": "x' OR 1=1 OR a.name = '"}).rows == []
    assert handle.cypher(query, {"name": 'x" OR true //'}).rows == []
    assert cypher_query.parameters({"year": "2020", "name": "007 Bond", "n": "-3"}) == {
        "year": 2020,
        "name": "007 Bond",
        "n": -3,
    }


def test_a_missing_parameter_is_an_error_not_a_silent_null(handle: kg.KnowledgeGraph) -> None:
    with pytest.raises(QueryError, match=r"uses \$name but no value was given; add --param name="):
        handle.cypher("MATCH (a:Author) WHERE a.name = $name RETURN a")
    assert cypher_query.parameter_names("RETURN '$not' AS x, $yes // $comment") == {"yes"}


# ---------------------------------------------------------------- the command


def test_kg_cypher_formats(built_store: Path) -> None:
    query = "MATCH (p:Paper)-[:PUBLISHED_IN]->(v:Venue) RETURN v.name AS venue, count(*) AS papers ORDER BY venue"
    code, out, _ = run("cypher", query, "--format", "json", "--store", str(built_store))
    assert code == 0
    rows = json.loads(out)
    assert [r["venue"] for r in rows] == ["ICLR", "arXiv"] and all(r["papers"] > 0 for r in rows)
    code, out, _ = run("cypher", query, "--format", "csv", "--store", str(built_store))
    assert out.splitlines()[0] == "venue,papers" and out.splitlines()[1].startswith("ICLR,")
    code, out, _ = run("cypher", query, "--store", str(built_store))
    assert code == 0 and "venue" in out and "ICLR" in out


def test_kg_cypher_file_and_params(built_store: Path, tmp_path: Path) -> None:
    query = tmp_path / "q.cypher"
    query.write_text("MATCH (a:Author {name: $name}) RETURN a.id AS id, $year AS year", encoding="utf-8")
    args = ("cypher", "-f", str(query), "--param", "name=Yoshua Bengio", "--param", "year=2020", "--format", "json")
    code, out, _ = run(*args, "--store", str(built_store))
    assert code == 0 and json.loads(out) == [{"id": "author/yoshua-bengio", "year": 2020}]


def test_kg_cypher_refusals_are_one_line_exit_2(built_store: Path) -> None:
    code, out, err = run("cypher", "MATCH (v:Venue) DETACH DELETE v", "--store", str(built_store))
    assert code == 2 and out == ""
    refusal = "DETACH DELETE is refused: `kg cypher` is read-only (pass --write to change the database on purpose)"
    assert err == f"kg: error: {refusal}\n"
    code, _, err = run("cypher", "MATCH (a:Author RETURN a", "--store", str(built_store))
    assert code == 2 and err.startswith("kg: error: Cypher query failed: Parser exception") and err.count("\n") == 1


def test_kg_cypher_write_changes_only_the_cypher_database(built_store: Path, tmp_path: Path) -> None:
    store = tmp_path / "copy"
    shutil.copytree(built_store, store)
    create = "CREATE (:Venue {id: 'venue/test', name: 'Test venue'})"
    code, _, _ = run("cypher", "--write", create, "--store", str(store))
    assert code == 0
    code, out, _ = run(
        "cypher", "MATCH (v:Venue {id: 'venue/test'}) RETURN v.name AS name", "--format", "json", "--store", str(store)
    )
    assert json.loads(out) == [{"name": "Test venue"}]
    assert kg.open_store(store).sparql("ASK { ?v foaf:name 'Test venue' }").boolean is False


def test_kg_cypher_answers_the_readme_examples(built_store: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = Path(__file__).resolve().parent.parent
    monkeypatch.chdir(root)
    readme = (root / "README.md").read_text(encoding="utf-8")
    examples = [line.removeprefix("$ ") for line in readme.splitlines() if line.startswith("$ kg cypher ")]
    assert len(examples) >= 3
    for example in examples:
        args = shlex.split(example)[1:]
        if "--format" in args:
            del args[args.index("--format") : args.index("--format") + 2]
        code, out, err = run(*args, "--store", str(built_store), "--format", "json")
        assert code == 0, (example, err)
        assert json.loads(out), example
