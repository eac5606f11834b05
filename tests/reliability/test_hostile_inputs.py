"""Hostile and malformed input files: each is read, or refused with one line naming the file and
place (exit status 2), and the store stays as it was; nothing a file holds costs more than
linear work or turns into invalid output.

The cases come from issue 22 ("Hardening"): each test failed before its fix.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import json
import logging
import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest
from click.testing import CliRunner, Result

import kg
from kg.cli import main
from kg.resolve.builder import MAX_PAIRWISE_AUTHORS
from kg.sources import detect, read_file
from kg.sources._checks import MAX_FIELD_CHARS
from tests.test_viz import Page, browser  # noqa: F401  (the view tests' headless Chromium, reused)

SURNAMES = ("Smith", "Lee", "Garcia", "Kumar", "Chen", "Novak", "Ivanov", "Okafor", "Silva", "Tanaka")


def invoke(*args: str) -> Result:
    return CliRunner().invoke(main, list(args))


def write_jsonl(path: Path, *objects: object) -> Path:
    path.write_text("".join(json.dumps(o) + "\n" for o in objects), encoding="utf-8")
    return path


def author_list(count: int, prefix: str = "Given") -> list[str]:
    """``count`` names in ten surname blocks (digits are no part of a parsed name, so "Given7
    Smith0" and "Given17 Smith1" are both "Given Smith": the worst case for pairwise identity)."""
    return [f"{prefix}{i} {SURNAMES[i % 10]}{i // 10}" for i in range(count)]


# ---------------------------------------------------------------------- hyper-authored records


@pytest.fixture(scope="module")
def hyper_store(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A store with one 10,000-author record, one of exactly MAX_PAIRWISE_AUTHORS authors and
    a two-author paper; the text of the warnings the build logged."""
    root = tmp_path_factory.mktemp("hyper")
    source = write_jsonl(
        root / "hyper.jsonl",
        {"title": "A small paper", "authors": ["Ann Lee", "Bo Chen"], "year": 2020},
        {"title": "Observation of a new particle", "authors": author_list(10_000), "year": 2012},
        {"title": "A large but ordinary paper", "authors": author_list(MAX_PAIRWISE_AUTHORS, "Other"), "year": 2019},
    )
    handler = _Collect()
    logging.getLogger("kg").addHandler(handler)
    try:
        kg.build([source], store=root / "store", extract=False)
    finally:
        logging.getLogger("kg").removeHandler(handler)
    return root / "store", "\n".join(handler.messages)


class _Collect(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


def test_hyper_authored_record_has_no_pairwise_coauthorship(hyper_store: tuple[Path, str]) -> None:
    store, warnings = hyper_store
    handle = kg.open_store(store)
    stats = handle.stats()
    assert stats["edges"]["authored_by"] == 10_000 + MAX_PAIRWISE_AUTHORS + 2  # every author is kept
    pairs = MAX_PAIRWISE_AUTHORS * (MAX_PAIRWISE_AUTHORS - 1) // 2
    assert stats["edges"]["coauthor_with"] == pairs + 1  # the ordinary papers' pairs only
    assert stats["nodes"]["Author"] == 10_000 + MAX_PAIRWISE_AUTHORS + 2  # one list: all different people
    assert "hyper.jsonl:2: 10000 authors, more than 100: no co-author edges among them" in warnings
    assert "hyper.jsonl:3" not in warnings and "hyper.jsonl:1" not in warnings
    assert stats["triples"] < 200_000  # linear: 1,000 authors made 3 million triples before


def test_hyper_authored_record_reads_back_and_answers(hyper_store: tuple[Path, str]) -> None:
    store, _ = hyper_store
    result = invoke("profile", "Given9999 Tanaka999", "--json", "--store", str(store))
    assert result.exit_code == 0, result.output
    profile = json.loads(result.stdout)
    assert [p["label"] for p in profile["papers"]] == ["Observation of a new particle"]


# ---------------------------------------------------------------------- detection


def test_jsonl_whose_first_line_is_longer_than_the_sample_is_detected(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "long-first-line.jsonl",
        {"title": "A paper with a long abstract", "abstract": "word " * 20_000, "authors": ["Ann Lee"]},
        {"title": "Second", "authors": ["Bo Chen"]},
    )
    assert source.read_text(encoding="utf-8").index("\n") > 64 * 1024
    assert detect(source).name == "jsonl"
    assert [r.title for r in read_file(source)] == ["A paper with a long abstract", "Second"]
    one_line_only = tmp_path / "one.jsonl"
    one_line_only.write_text(json.dumps({"title": "T", "abstract": "x " * 40_000}), encoding="utf-8")  # no newline
    assert detect(one_line_only).name == "jsonl"


# ---------------------------------------------------------------------- refused with one line, store intact


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store of two small papers; the refusal tests check it is byte for byte as it was."""
    root = tmp_path_factory.mktemp("small")
    source = write_jsonl(
        root / "good.jsonl",
        {"title": "Dropout on MNIST", "authors": ["Ann Lee", "Bo Chen"], "year": 2020},
        {"title": "Graph neural networks", "authors": ["Bo Chen"], "year": 2021},
    )
    store = root / "store"
    kg.build([source], store=store, extract=False)
    return store


def store_bytes(store: Path) -> dict[str, str]:
    return {
        str(p.relative_to(store)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(store.rglob("*"))
        if p.is_file()
    }


def refused(store: Path, *args: str) -> str:
    """Run ``kg build ARGS --store STORE``: exit status 2, one line `kg: error: …`, the store as it was."""
    before = store_bytes(store)
    result = invoke("build", *args, "--store", str(store))
    assert result.exit_code == 2, (result.exit_code, result.output[-2000:], result.exception)
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("kg: error: "), result.stderr[-2000:]
    assert "Traceback" not in result.output
    assert store_bytes(store) == before
    return lines[0]


def test_nul_bytes_past_the_detection_sample_are_refused(tmp_path: Path, small_store: Path) -> None:
    source = tmp_path / "posters.txt"
    entry = "A Paper Title, Ann Lee (MIT); Bo Chen (Mila)\nAn abstract about dropout.\n\n"
    text = entry * (70_000 // len(entry) + 1)
    source.write_bytes(text.encode() + b"Late Title, Cy Doe (MIT)\nBad\x00 abstract.\n")
    line = text.count("\n") + 2
    message = refused(small_store, str(source), "--format", "workshop-list")
    assert message == f"kg: error: {source}:{line}: looks like a binary file (NUL bytes), not text"


def test_control_characters_never_reach_the_xml_exports(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "controls.jsonl",
        {
            "title": "Drop\u0000out \u0001on\u001f MNIST\ud800",
            "abstract": "Bell\u0007 and \ufffe text\u007f.",
            "authors": ["Ann\u0000 Lee", {"name": "Bo\u0008 Chen", "institutions": [{"name": "MIT\u000b"}]}],
            "topics": ["\u0000"],
            "year": 2020,
        },
    )
    store = tmp_path / "store"
    kg.build([source], store=store, extract=False)
    handle = kg.open_store(store)
    titles = handle.sparql("SELECT ?t WHERE { ?p a kg:Paper ; dcterms:title ?t }").rows
    assert titles == [{"t": "Dropout on MNIST"}]
    names = {row["n"] for row in handle.sparql("SELECT ?n WHERE { ?a a kg:Author ; foaf:name ?n }").rows}
    assert names == {"Ann Lee", "Bo Chen"}
    for format in ("graphml", "gexf"):
        output = tmp_path / f"graph.{format}"
        handle.export(format, output)
        ElementTree.parse(output)  # well-formed XML (a NUL or \x01 made it fail)


def test_implausible_years_are_refused_with_file_and_line(tmp_path: Path, small_store: Path) -> None:
    for year in (str(2**63), "-5", "0", "99999", "1" + "0" * 5000):
        source = tmp_path / "years.jsonl"
        source.write_text(
            json.dumps({"title": "Fine", "year": 2020}) + "\n" + f'{{"title": "Bad year", "year": {year}}}\n',
            encoding="utf-8",
        )
        message = refused(small_store, str(source))
        assert message.startswith(f"kg: error: {source}:2: ") and len(message) < 300, message
        assert "is not a plausible publication year (kg reads 1000 to 2100)" in message or "digits" in message


def test_overlong_fields_are_cut_for_extraction(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    words = "We train a ResNet with dropout on CIFAR-10. " * 25_000  # 1.1 million characters
    source = write_jsonl(tmp_path / "long.jsonl", {"title": "A very long abstract", "abstract": words, "year": 2020})
    store = tmp_path / "store"
    with caplog.at_level(logging.WARNING, logger="kg"):
        # extraction ran (spaCy refuses texts over 1,000,000 characters: E088); the rules are
        # enough to see it, the tagger over a million characters would only add time
        kg.build([source], store=store, model=False)
    assert f"{source.name}:1: the abstract is 1,099,999 characters long; kg reads at most 1,000,000" in caplog.text
    abstract = kg.open_store(store).sparql("SELECT ?a WHERE { ?p schema:abstract ?a }").rows[0]["a"]
    assert words.startswith(abstract) and 999_000 < len(abstract) <= MAX_FIELD_CHARS
    mentions = (
        kg.open_store(store)
        .sparql(
            "SELECT ?text ?start ?end WHERE { ?m a kg:Mention ; kg:field 'abstract' ; kg:matchedText ?text ; "
            "kg:charStart ?start ; kg:charEnd ?end }"
        )
        .rows
    )
    assert mentions and all(abstract[m["start"] : m["end"]] == m["text"] for m in mentions)
    strict = invoke("build", str(source), "--strict", "--no-model", "--store", str(tmp_path / "strict"))
    assert strict.exit_code == 2 and "kg reads at most 1,000,000 per field" in strict.stderr
    assert not (tmp_path / "strict" / "CURRENT").exists()


# ---------------------------------------------------------------------- JSON shapes


def test_deeply_nested_json_is_refused(tmp_path: Path, small_store: Path) -> None:
    deep = "[" * 100_000 + "]" * 100_000
    jsonl = tmp_path / "deep.jsonl"
    jsonl.write_text(json.dumps({"title": "Fine"}) + '\n{"title": "Deep", "x": ' + deep + "}\n", encoding="utf-8")
    assert refused(small_store, str(jsonl)) == f"kg: error: {jsonl}:2: invalid JSON: nested too deeply"
    paperlists = tmp_path / "iclr2020.json"
    paperlists.write_text('[{"title": "Deep", "author": "A B", "x": ' + deep + "}]", encoding="utf-8")
    assert refused(small_store, str(paperlists), "--format", "paperlists").endswith("invalid JSON: nested too deeply")


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('"authors": 5', "authors is a number; expected a list of names"),
        ('"authors": {"name": "Jane Doe"}', "authors is an object; expected a list of names"),
        ('"authors": ["Jane Doe", 5]', "author #2 is a number; expected a name or an author object"),
        ('"authors": [{"name": "Jane Doe", "institutions": 7}]', "author #1's institutions is a number"),
    ],
)
def test_wrong_json_types_are_refused_with_the_line(
    tmp_path: Path, small_store: Path, value: str, expected: str
) -> None:
    source = tmp_path / "types.jsonl"
    source.write_text(json.dumps({"title": "Fine"}) + '\n{"title": "Typed", ' + value + "}\n", encoding="utf-8")
    message = refused(small_store, str(source))
    assert message.startswith(f"kg: error: {source}:2: {expected}"), message


def test_paperlists_author_of_the_wrong_type_is_refused(tmp_path: Path, small_store: Path) -> None:
    source = tmp_path / "iclr2020.json"
    source.write_text('[{"title": "A", "author": "Ann Lee"},\n {"title": "B", "author": 5}]', encoding="utf-8")
    message = refused(small_store, str(source))
    assert message == f"kg: error: {source}:2: author must be a ';'-joined string of names"


def test_an_author_string_is_a_list_written_out(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "strings.jsonl",
        {"title": "One", "authors": "Jane Doe"},
        {"title": "Two", "authors": "Jane Doe; John Roe and Ann Lee"},
        {"title": "Three", "authors": "Doe, Jane", "year": 2020},
        {"title": "Four", "authors": [{"name": "Bo Chen", "institutions": "Computer Science and Engineering, MIT"}]},
    )
    records = list(read_file(source))
    assert [[a.name for a in r.authors] for r in records] == [
        ["Jane Doe"],
        ["Jane Doe", "John Roe", "Ann Lee"],
        ["Jane Doe"],
        ["Bo Chen"],
    ]
    assert records[3].authors[0].affiliations == ("Computer Science and Engineering, MIT",)


# ---------------------------------------------------------------------- exports


def test_csv_cells_that_start_a_formula_are_quoted(tmp_path: Path) -> None:
    source = write_jsonl(
        tmp_path / "formulas.jsonl",
        {"title": '=HYPERLINK("http://evil","x")', "authors": ["@SUM(A1)", "+1 Lee", "-2 Chen"], "year": 2020},
    )
    store = tmp_path / "store"
    kg.build([source], store=store, extract=False)
    result = invoke("export", "--format", "csv", "-o", str(tmp_path / "csv"), "--store", str(store))
    assert result.exit_code == 0 and result.stderr == f"wrote {tmp_path / 'csv'} (csv)\n", result.output
    with (tmp_path / "csv" / "nodes.csv").open(encoding="utf-8", newline="") as handle:
        cells = [cell for row in csv.reader(handle) for cell in row]
    assert '\'=HYPERLINK("http://evil","x")' in cells and "'@Sum" in cells and "'+1 Lee" in cells
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_outputs_follow_the_umask(small_store: Path, tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        for format, name in (("jsonl", "p.jsonl"), ("csv", "csv")):
            assert (
                invoke("export", "--format", format, "-o", str(tmp_path / name), "--store", str(small_store)).exit_code
                == 0
            )
        assert invoke("viz", "-o", str(tmp_path / "v.html"), "--store", str(small_store)).exit_code == 0
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "p.jsonl").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "v.html").stat().st_mode) == 0o644
    assert stat.S_IMODE((tmp_path / "csv").stat().st_mode) == 0o755


def test_unwritable_export_directory_is_one_line(small_store: Path, tmp_path: Path) -> None:
    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o500)
    places = [Path("/proc/kg-no-such-place")]  # not writable even for root
    if not os.access(locked, os.W_OK):
        places.append(locked)
    try:
        for place in places:
            for format, name in (("jsonl", "p.jsonl"), ("csv", "csv"), ("graphml", "g.graphml")):
                result = invoke("export", "--format", format, "-o", str(place / name), "--store", str(small_store))
                assert result.exit_code == 1, result.output  # the request was sound, the disk not
                assert result.stderr.startswith(f"kg: error: cannot write {place / name} ("), result.output
                assert result.stderr.count("\n") == 1
    finally:
        locked.chmod(0o700)


# ---------------------------------------------------------------------- what a new user tripped over


def test_viz_max_nodes_zero_means_no_cap(hyper_store: tuple[Path, str], tmp_path: Path) -> None:
    store, _ = hyper_store
    capped = invoke("viz", "-o", str(tmp_path / "capped.html"), "--store", str(store))
    assert capped.exit_code == 0 and "wrote" in capped.stderr and ": 1500 nodes" in capped.stderr, capped.output
    whole = invoke("viz", "-o", str(tmp_path / "whole.html"), "--max-nodes", "0", "--store", str(store))
    assert whole.exit_code == 0, whole.output
    assert "showing" not in whole.stderr and ": 10105 nodes" in whole.stderr, whole.stderr


def test_lookups_take_format_csv_and_json(built_store: Path) -> None:
    for command in ("who-works-on", "institutions-on"):
        table = invoke(command, "reinforcement learning", "--store", str(built_store))
        assert table.exit_code == 0 and "(?)" not in table.stdout, table.output
        as_csv = invoke(command, "reinforcement learning", "--format", "csv", "--store", str(built_store))
        assert as_csv.exit_code == 0, as_csv.output
        rows = list(csv.DictReader(as_csv.stdout.splitlines()))
        others = "institutions" if command == "who-works-on" else "authors"
        assert rows and list(rows[0]) == ["#", "id", "name", "score", "papers", others, "best paper", "evidence"]
        assert all(row["name"] and row["best paper"] for row in rows)
        as_json = invoke(command, "reinforcement learning", "--format", "json", "--store", str(built_store))
        old_json = invoke(command, "reinforcement learning", "--json", "--store", str(built_store))
        assert json.loads(as_json.stdout) == json.loads(old_json.stdout)


def test_one_narrower_concept_is_singular(built_store: Path) -> None:
    one = invoke("related", "Short-Time Fourier Transform", "--store", str(built_store))
    assert one.exit_code == 0 and re.search(r"\(Method, exact\) and 1 narrower concept\b(?!s)", one.stderr), one.stderr
    many = invoke("related", "Boosting", "--store", str(built_store))
    assert re.search(r"and \d+ narrower concepts\b", many.stderr), many.stderr


def test_symbolic_link_loops_are_one_line(tmp_path: Path, small_store: Path) -> None:
    folder = tmp_path / "corpus"
    folder.mkdir()
    write_jsonl(folder / "a.jsonl", {"title": "Fine"})
    (folder / "l1").symlink_to("l2")
    (folder / "l2").symlink_to("l1")
    message = refused(small_store, str(folder))
    assert (
        message == f"kg: error: {folder / 'l1'}: is a symbolic link that leads to no file (a loop or a missing target)"
    )
    assert refused(small_store, str(folder / "l2")).endswith("leads to no file (a loop or a missing target)")


def test_malformed_bibtex_prints_only_kg_error(tmp_path: Path, small_store: Path) -> None:
    source = tmp_path / "bad.bib"
    source.write_text("@article{a,\n title={Good},\n author={A B}}\n@article{b, title={Bad\n", encoding="utf-8")
    assert refused(small_store, str(source)).startswith(f"kg: error: {source}:4: cannot parse this BibTeX entry")
    kg_command = Path(sys.executable).parent / "kg"
    run = subprocess.run(  # a real process: the parser's own log line went to its stderr first
        [str(kg_command), "build", str(source), "--store", str(small_store)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 2 and run.stderr.splitlines() == [
        f"kg: error: {source}:4: cannot parse this BibTeX entry (BlockAbortedException)"
    ], run.stderr


def test_same_file_from_another_directory_is_no_new_input(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "work" / "sub").mkdir(parents=True)
    write_jsonl(tmp_path / "work" / "papers.jsonl", {"title": "Dropout", "authors": ["Ann Lee"], "year": 2020})
    store = tmp_path / "store"
    monkeypatch.chdir(tmp_path / "work")
    kg.build([Path("papers.jsonl")], store=store, extract=False)
    before = store_bytes(store)
    monkeypatch.chdir(tmp_path / "work" / "sub")
    result = invoke("add", str(Path("..") / "papers.jsonl"), "--store", str(store))
    assert result.exit_code == 0 and "nothing to add" in result.stderr, result.output
    assert store_bytes(store) == before
    assert list(kg.open_store(store).stats()["sources"]) == ["papers.jsonl"]


# ---------------------------------------------------------------------- damaged stores


def copy_store(store: Path, tmp_path: Path) -> tuple[Path, Path]:
    """A copy of ``store`` and its live generation's directory."""
    copy = tmp_path / "store"
    shutil.copytree(store, copy)
    return copy, copy / (copy / "CURRENT").read_text(encoding="utf-8").strip()


@pytest.mark.parametrize("damage", ["truncated", "same-size", "manifest"])
def test_corrupted_rdf_store_is_one_line(small_store: Path, tmp_path: Path, damage: str) -> None:
    store, generation = copy_store(small_store, tmp_path)
    pattern = "MANIFEST*" if damage == "manifest" else "*.sst"
    for path in (generation / "rdf").glob(pattern):
        size = path.stat().st_size
        path.write_bytes(b"garbage" * 10 if damage == "truncated" else bytes(range(256)) * (size // 256 + 1))
        if damage == "same-size":
            path.write_bytes(path.read_bytes()[:size])
    for args in (("stats",), ("sparql", "ASK {}"), ("export", "--format", "nt", "-o", str(tmp_path / "x.nt"))):
        result = invoke(*args, "--store", str(store))
        assert result.exit_code == 2, (args, result.output, result.exception)  # a damaged store
        assert result.stderr.startswith(f"kg: error: store {store}: cannot open the RDF store (Corruption"), (
            result.stderr
        )
        assert result.stderr.count("\n") == 1


@pytest.mark.parametrize("damage", [b"\x1f\x8b\x08\x00garbage-deflate-stream", b"not gzip at all"])
def test_corrupted_saved_inputs_are_one_line(small_store: Path, tmp_path: Path, damage: bytes) -> None:
    store, generation = copy_store(small_store, tmp_path)
    for path in (generation / "inputs").iterdir():
        path.write_bytes(damage)
    extra = write_jsonl(tmp_path / "more.jsonl", {"title": "More"})
    result = invoke("add", str(extra), "--store", str(store))
    assert result.exit_code == 2, (result.output, result.exception)
    assert "the saved records of an input are unreadable" in result.stderr and result.stderr.count("\n") == 1


def test_saved_inputs_that_are_not_utf8_are_one_line(small_store: Path, tmp_path: Path) -> None:
    store, generation = copy_store(small_store, tmp_path)
    for path in (generation / "inputs").iterdir():
        path.write_bytes(gzip.compress(b'{"file": "\xff\xfe"}\n'))
    result = invoke("remove", "good.jsonl", "--store", str(store))
    assert result.exit_code == 2 and "the saved records of an input are unreadable" in result.stderr, result.output


def test_stats_explains_the_institution_counts(built_store: Path) -> None:
    result = invoke("stats", "--json", "--store", str(built_store))
    stats = json.loads(result.stdout)
    after, nodes = stats["resolution"]["institution"]["after"], stats["nodes"]["Institution"]
    parents = kg.open_store(built_store).sparql("SELECT DISTINCT ?p WHERE { ?i kg:partOf ?p }").rows
    assert after < nodes <= after + len(parents)  # the difference is the lexicon's parents
    table = invoke("stats", "--store", str(built_store))
    assert "parent institutions from the lexicon" in " ".join(table.stdout.split())


@pytest.mark.slow
def test_view_around_an_author_shows_papers_not_coauthor_edges(
    browser: Any,  # noqa: F811
    built_store: Path,
    tmp_path: Path,
) -> None:
    around = tmp_path / "around.html"
    result = invoke("viz", "-o", str(around), "--around", "Yoshua Bengio", "--store", str(built_store))
    assert result.exit_code == 0, result.output
    people = tmp_path / "people.html"
    result = invoke("viz", "-o", str(people), "--types", "author", "--store", str(built_store))
    assert result.exit_code == 0, result.output
    page = Page(browser, around)
    try:
        seen = page.evaluate(
            """() => ({
              relations: [...new Set(kgView.data.edges.map(e => e.relation))].sort(),
              drawn: kgView.network.body.edgeIndices.length, edges: kgView.data.edges.length,
              papers: kgView.data.nodes.filter(n => n.kind === 'Paper')
                        .map(n => ({label: n.label, heading: n.info.heading,
                              tooltip: kgView.network.body.nodes[n.id].options.title.textContent})),
            })"""
        )
        assert page.errors == [] and page.blocked == []
    finally:
        page.close()
    assert "coauthor_with" not in seen["relations"] and "authored_by" in seen["relations"]
    assert seen["drawn"] == seen["edges"]
    assert seen["papers"] and all(len(p["label"]) <= 28 for p in seen["papers"])
    long_titles = [p for p in seen["papers"] if len(p["heading"]) > 28]
    assert long_titles and all(p["label"].endswith("…") for p in long_titles)
    assert all(p["heading"] in p["tooltip"] for p in long_titles)  # the whole title on hover
    page = Page(browser, people)
    try:
        relations = page.evaluate("() => [...new Set(kgView.data.edges.map(e => e.relation))]")
    finally:
        page.close()
    assert relations == ["coauthor_with"]  # no papers shown: co-authorship is the structure


def test_damaged_cypher_write_ahead_log_is_named(small_store: Path, tmp_path: Path) -> None:
    store, generation = copy_store(small_store, tmp_path)
    written = invoke(
        "cypher", "MATCH (p:Paper) SET p.label = 'changed' RETURN count(*) AS n", "--write", "--store", str(store)
    )
    assert written.exit_code == 0, written.output
    wal = generation / "cypher" / "graph.lbug.wal"
    wal.write_bytes(bytes(range(256)) * 4)  # what a write killed half way can leave
    for args in (("cypher", "RETURN 1 AS x"), ("cypher", "RETURN 1 AS x", "--write")):
        result = invoke(*args, "--store", str(store))
        assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
        assert "write-ahead log (graph.lbug.wal) is damaged" in result.stderr, result.stderr
        assert "is another process" not in result.stderr
    assert invoke("stats", "--store", str(store)).exit_code == 0  # the rest of the store still answers


def test_read_only_store_and_output_directory(small_store: Path, tmp_path: Path) -> None:
    """A store the user may not write: reads answer, writes are one line (exit 1), nothing changes."""
    store, _ = copy_store(small_store, tmp_path)
    source = write_jsonl(tmp_path / "more.jsonl", {"title": "More"})
    prefix: list[str] = []
    if os.geteuid() == 0:  # root writes anywhere: run as nobody
        setpriv = shutil.which("setpriv")
        if setpriv is None:
            pytest.skip("running as root without setpriv")
        prefix = [setpriv, "--reuid=65534", "--regid=65534", "--clear-groups"]
        for parent in (tmp_path, *tmp_path.parents):
            if parent != Path("/"):
                parent.chmod(parent.stat().st_mode | 0o005)
        source.chmod(0o644)
        for path in store.rglob("*"):
            path.chmod(path.stat().st_mode | (0o005 if path.is_dir() else 0o004))
    for path in (store, *store.rglob("*")):
        path.chmod(path.stat().st_mode & ~0o222)
    before = store_bytes(store)
    kg_command = [*prefix, str(Path(sys.executable).parent / "kg")]
    try:
        read = subprocess.run(
            [*kg_command, "stats", "--store", str(store)], capture_output=True, text=True, timeout=120
        )
        assert read.returncode == 0, read.stderr
        for args in (
            ["build", str(source)],
            ["add", str(source)],
            ["export", "--format", "jsonl", "-o", str(store / "x.jsonl")],
            ["viz", "-o", str(store / "x.html")],
        ):
            run = subprocess.run(
                [*kg_command, *args, "--store", str(store)], capture_output=True, text=True, timeout=120, cwd="/"
            )
            assert run.returncode == 1, (args, run.stderr)
            assert run.stderr.count("\n") == 1 and run.stderr.startswith("kg: error: "), (args, run.stderr)
            assert "Permission denied" in run.stderr, run.stderr
    finally:
        for path in (store, *store.rglob("*")):
            path.chmod(path.stat().st_mode | 0o200)
    assert store_bytes(store) == before
