"""The `kg` command end to end: CliRunner for every command, one real subprocess run."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner

from kg.cli import main
from kg.sources import read_file
from tests.rdf_sets import file_triples

PER_FILE = {
    "data/corpus/iclr2020_talk_summaries_blog.txt": 28,
    "data/corpus/iclr2021_authors_tldr_abstracts.txt": 434,
    "data/corpus/shortscience_iclr_papers.txt": 11,
    "data/corpus/shortscience_summaries.txt": 5,
    "data/corpus/workshop_posters_affiliations.txt": 27,
}
PAPER_KEYS = {
    "id",
    "title",
    "label",
    "year",
    "venue",
    "abstract",
    "tldr",
    "summary",
    "topics",
    "sources",
    "authors",
    "methods",
    "datasets",
    "tasks",
}


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


def run(runner: CliRunner, *args: str) -> tuple[int, str, str]:
    result = runner.invoke(main, list(args), catch_exceptions=False)
    return result.exit_code, result.stdout, result.stderr


def test_help_lists_every_command(runner: CliRunner) -> None:
    code, out, _ = run(runner, "--help")
    assert code == 0
    for command in ("build", "stats", "sparql", "export", "formats"):
        assert f"  {command} " in out


def test_build_then_stats_json(runner: CliRunner, tmp_path: Path) -> None:
    store = str(tmp_path / "s")
    code, out, err = run(runner, "build", "--store", store)
    assert code == 0 and out == ""
    assert "505 records from 5 files" in err
    code, out, _ = run(runner, "stats", "--json", "--store", store)
    stats = json.loads(out)
    assert stats["sources"] == PER_FILE
    assert stats["nodes"]["Paper"] == 504 and stats["nodes"]["Summary"] == 44  # Training BatchNorm: two sources
    assert stats["edges"]["summarises"] == 44
    assert stats["triples"] > 0
    assert set(stats) == {"concepts", "nodes", "edges", "triples", "statements", "sources", "resolution"}
    scheme, discovered = stats["concepts"]["scheme"], stats["concepts"]["discovered"]
    assert scheme > 0 and discovered > 0  # the shipped tagger finds concepts the scheme does not list
    authors = stats["resolution"]["author"]
    assert authors["after"] == stats["nodes"]["Author"] < authors["before"]
    assert stats["resolution"]["paper"] == {"before": 505, "after": 504, "merged": 1, "weak": 0, "near_misses": 0}


def test_stats_table(runner: CliRunner, built_store: Path) -> None:
    code, out, _ = run(runner, "stats", "--store", str(built_store))
    assert code == 0 and "Paper" in out and "authored_by" in out and "triples:" in out


def test_store_from_environment(runner: CliRunner, built_store: Path) -> None:
    result = runner.invoke(main, ["stats", "--json"], env={"KG_STORE": str(built_store)})
    assert result.exit_code == 0 and json.loads(result.stdout)["nodes"]["Paper"] == 504


def test_sparql_select_formats(runner: CliRunner, built_store: Path) -> None:
    query = "SELECT ?t WHERE { ?p a kg:Paper ; dcterms:title ?t } ORDER BY ?t LIMIT 3"
    code, out, _ = run(runner, "sparql", query, "--format", "json", "--store", str(built_store))
    rows = json.loads(out)
    assert code == 0 and len(rows) == 3 and all(set(r) == {"t"} for r in rows)
    code, out, _ = run(runner, "sparql", query, "--format", "csv", "--store", str(built_store))
    assert out.splitlines()[0] == "t" and len(out.splitlines()) == 4


def test_sparql_param_is_bound_not_spliced(runner: CliRunner, built_store: Path) -> None:
    query = "SELECT ?p ?title WHERE { ?p dcterms:title ?title }"
    code, out, _ = run(
        runner, "sparql", query, "--param", "title=Mogrifier LSTM", "--format", "json", "--store", str(built_store)
    )
    assert code == 0 and len(json.loads(out)) == 1
    hostile = 'x" } ; DROP ALL ; SELECT * WHERE { "'
    code, out, _ = run(
        runner, "sparql", query, "--param", f"title={hostile}", "--format", "json", "--store", str(built_store)
    )
    assert code == 0 and json.loads(out) == []
    code, _, err = run(
        runner,
        "sparql",
        "SELECT ?p WHERE { ?p dcterms:title ?title }",
        "--param",
        "title=x",
        "--store",
        str(built_store),
    )
    assert code == 2 and "every --param must name a variable the query selects" in err


def test_sparql_ask_construct_and_file(runner: CliRunner, built_store: Path, tmp_path: Path) -> None:
    code, out, _ = run(runner, "sparql", "ASK { ?p a kg:Paper }", "--store", str(built_store))
    assert (code, out.strip()) == (0, "true")
    query_file = tmp_path / "q.rq"
    query_file.write_text("CONSTRUCT { ?v foaf:name ?n } WHERE { ?v a kg:Venue ; foaf:name ?n }")
    code, out, _ = run(runner, "sparql", "-f", str(query_file), "--format", "json", "--store", str(built_store))
    assert code == 0 and {r["object"] for r in json.loads(out)} == {'"ICLR"', '"arXiv"'}


@pytest.mark.parametrize(
    "update",
    [
        "INSERT DATA { <urn:a> <urn:b> <urn:c> }",
        "PREFIX ex: <urn:x#>\n# comment\nDELETE WHERE { ?s ?p ?o }",
        "DROP ALL",
        "LOAD <file:///etc/passwd>",
    ],
)
def test_sparql_update_is_refused(runner: CliRunner, built_store: Path, update: str) -> None:
    code, out, err = run(runner, "sparql", update, "--store", str(built_store))
    assert code == 2 and out == ""
    assert (
        err.strip() == "kg: error: SPARQL UPDATE is refused: `kg sparql` is read-only (rebuild the store to change it)"
    )


def test_sparql_syntax_error_is_one_line(runner: CliRunner, built_store: Path) -> None:
    code, _, err = run(runner, "sparql", "SELEKT ?x", "--store", str(built_store))
    assert code == 2 and err.startswith("kg: error: SPARQL syntax error") and err.count("\n") == 1


def test_export_jsonl_contract_and_round_trip(runner: CliRunner, built_store: Path, tmp_path: Path) -> None:
    output = tmp_path / "papers.jsonl"
    code, _, _ = run(runner, "export", "--format", "jsonl", "-o", str(output), "--store", str(built_store))
    assert code == 0
    papers = [json.loads(line) for line in output.read_text(encoding="utf-8").splitlines()]
    assert len(papers) == 504 and all(set(p) == PAPER_KEYS for p in papers)
    assert all(p["label"] for p in papers)
    by_title = {p["title"]: p for p in papers}
    fantastic = by_title["Fantastic Generalization Measures and Where to Find Them"]
    bengio = fantastic["authors"][-1]
    assert (bengio["name"], bengio["as_written"]) == ("Samy Bengio", "Samy Bengio")
    assert {i["name"] for i in bengio["institutions"]} == {"Google Brain"}  # "Google Research, Brain Team"
    blog = by_title["Mogrifier LSTM"]
    assert (blog["venue"], blog["year"], blog["topics"]) == ("ICLR", 2020, ["Seq2Seq models"])
    assert blog["sources"] == [{"file": "data/corpus/iclr2020_talk_summaries_blog.txt", "line": 303}]
    records = list(read_file(output))
    assert len(records) == 504
    assert {r.title for r in records} == {p["title"] for p in papers}
    # a second build from the export alone gives the same papers, authors and institutions
    store = tmp_path / "from-export"
    code, _, _ = run(runner, "build", str(output), "--no-model", "--store", str(store))  # concepts aside
    again = tmp_path / "again.jsonl"
    run(runner, "export", "--format", "jsonl", "-o", str(again), "--store", str(store))
    reread = {json.loads(line)["id"]: json.loads(line) for line in again.read_text().splitlines()}
    assert set(reread) == {p["id"] for p in papers}
    for paper in papers:
        other = reread[paper["id"]]
        assert [a["id"] for a in other["authors"]] == [a["id"] for a in paper["authors"]]
        assert (other["title"], other["abstract"], other["summary"]) == (
            paper["title"],
            paper["abstract"],
            paper["summary"],
        )


def test_export_rdf_formats_agree(runner: CliRunner, built_store: Path, tmp_path: Path) -> None:
    graphs = {}
    for fmt in ("turtle", "nt", "jsonld"):
        output = tmp_path / f"graph.{fmt}"
        code, _, _ = run(runner, "export", "--format", fmt, "-o", str(output), "--store", str(built_store))
        assert code == 0
        graphs[fmt] = file_triples(output, fmt)
    assert len(graphs["nt"]) > 100_000
    assert graphs["nt"] == graphs["turtle"] == graphs["jsonld"]
    document = json.loads((tmp_path / "graph.jsonld").read_text())
    assert document["@context"]["kg"] == "https://w3id.org/kg/ontology#"
    assert any("Paper" in node.get("@type", []) for node in document["@graph"])


def test_export_to_stdout(runner: CliRunner, built_store: Path) -> None:
    result = runner.invoke(main, ["export", "--format", "nt", "-o", "-", "--store", str(built_store)])
    assert result.exit_code == 0
    assert len(list(ox.parse(result.stdout_bytes, format=ox.RdfFormat.N_TRIPLES))) > 1000


def test_bad_input_is_one_line_exit_2_and_store_untouched(runner: CliRunner, tmp_path: Path, corpus: Path) -> None:
    store = tmp_path / "s"
    run(runner, "build", str(corpus / "shortscience_summaries.txt"), "--store", str(store))
    current = (store / "CURRENT").read_text()
    bad = tmp_path / "unknown.txt"
    bad.write_text("nothing that any reader recognises\n")
    code, out, err = run(runner, "build", str(bad), "--store", str(store))
    assert code == 2 and out == ""
    assert (
        err == f"kg: error: {bad}:1: cannot tell which format this file is in; pass --format "
        "(arxiv, arxiv-atom, bibtex, blog, csl-json, csv, iclr-list, json-records, jsonl, openalex, openreview, "
        "paperlists, ris, semanticscholar, shortscience-papers, shortscience-summaries, tsv, workshop-list)\n"
    )
    assert (store / "CURRENT").read_text() == current
    code, _, err = run(runner, "build", str(tmp_path / "missing.txt"), "--store", str(store))
    assert code == 2 and "no such file or directory" in err


def test_formats_lists_registries(runner: CliRunner) -> None:
    code, out, _ = run(runner, "formats")
    assert code == 0 and "paperlists" in out and "jsonld" in out


def test_real_subprocess(tmp_path: Path) -> None:
    executable = shutil.which("kg", path=str(Path(sys.executable).parent)) or shutil.which("kg")
    command = [executable] if executable else [sys.executable, "-m", "kg.cli"]
    env = {**os.environ, "KG_STORE": str(tmp_path / "store")}
    built = subprocess.run(
        [*command, "build", "--no-model"], capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120
    )
    assert built.returncode == 0, built.stderr
    assert built.stdout == "" and "505 records" in built.stderr
    stats = subprocess.run([*command, "stats", "--json"], capture_output=True, text=True, env=env, timeout=60)
    assert json.loads(stats.stdout)["sources"] == PER_FILE


def test_version_and_lazy_commands(built_store: Path) -> None:
    # a lookup loads neither the extractor nor the analyses; `kg --help` still lists every command
    script = (
        "import sys; from kg.cli import main\n"
        f"main(['who-works-on', 'pruning', '--store', {str(built_store)!r}], standalone_mode=False)\n"
        "print(sorted(m for m in ('kg.extract', 'kg.commands.analyses', 'kg.commands.fetch') if m in sys.modules))"
    )
    run_lookup = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert run_lookup.returncode == 0, run_lookup.stderr
    assert run_lookup.stdout.strip().splitlines()[-1] == "[]"
    version = subprocess.run([sys.executable, "-m", "kg.cli", "--version"], capture_output=True, text=True, timeout=60)
    assert version.returncode == 0 and version.stdout.startswith("kg, version ")
    listed = CliRunner().invoke(main, ["--help"]).output
    assert all(name in listed for name in ("who-works-on", "train", "fetch", "review", "neo4j", "trends", "build"))
