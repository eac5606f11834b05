"""The RDF store: deterministic rebuilds, atomic swaps, the writer lock, version checks."""

from __future__ import annotations

import gzip
import json
import sqlite3
from dataclasses import asdict, fields
from pathlib import Path

import pyoxigraph as ox
import pytest

import kg
from kg.errors import InputError, StoreError
from kg.records import Record
from kg.store import inputs, layout, lookup_format, rdf


def _triples(store: Path) -> set[str]:
    generation = layout.current_generation(store)
    dump = rdf.open_read_only(generation.rdf_dir).dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())
    return set(dump.decode("utf-8").splitlines())


def test_rebuilding_in_any_input_order_gives_identical_triples(tmp_path: Path, corpus: Path, built_store: Path) -> None:
    # a second build of the corpus, its files in reverse order, gives the session store's triples
    # (rebuilding over an existing store: test_analyses, test_graph, the kill tests)
    store = tmp_path / "reversed"
    kg.build(sorted(corpus.iterdir(), reverse=True), store=store)
    assert _triples(store) == _triples(built_store)


def test_bad_input_leaves_the_previous_store_untouched(tmp_path: Path, corpus: Path) -> None:
    store = tmp_path / "s"
    kg.build([corpus / "workshop_posters_affiliations.txt"], store=store)
    before = _triples(store)
    generation = layout.current_generation(store).path
    bad = tmp_path / "bad.json"
    bad.write_text('[{"title": "T", "author": "A"},\n{"title": ')
    with pytest.raises(InputError):
        kg.build([corpus / "shortscience_summaries.txt", bad], store=store)
    assert layout.current_generation(store).path == generation
    assert _triples(store) == before
    assert not list(store.glob(".tmp-*"))


def test_failure_while_writing_keeps_the_previous_generation(
    tmp_path: Path, corpus: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = tmp_path / "s"
    kg.build([corpus / "workshop_posters_affiliations.txt"], store=store)
    before = _triples(store)

    def explode(graph, directory):
        (directory / "partial").mkdir(parents=True)
        raise OSError("disk full")

    monkeypatch.setattr(rdf, "write", explode)
    with pytest.raises(OSError, match="disk full"):
        kg.build(None, store=store, model=False)  # the tagger has no part in what is tested
    assert _triples(store) == before
    assert not list(store.glob(".tmp-*"))


def test_second_writer_is_refused_with_the_holder_before_reading(tmp_path: Path) -> None:
    store = tmp_path / "s"
    missing = tmp_path / "not-read.jsonl"  # refused for the lock, before the inputs are looked at
    with layout.writer_lock(store):
        for write in (lambda: kg.build([missing], store=store), lambda: kg.add([missing], store=store)):
            with pytest.raises(StoreError, match=r"is being written by pid \d+"):
                write()


def test_old_generations_are_removed_but_the_previous_is_kept(tmp_path: Path, corpus: Path) -> None:
    store = tmp_path / "s"
    for _ in range(3):
        kg.build([corpus / "shortscience_summaries.txt"], store=store)
    assert len(list(store.glob("gen-*"))) == 2


def test_missing_store_and_foreign_version(tmp_path: Path, corpus: Path) -> None:
    with pytest.raises(StoreError, match="run `kg build` first"):
        kg.open_store(tmp_path / "nothing")
    store = tmp_path / "s"
    kg.build([corpus / "shortscience_summaries.txt"], store=store)
    meta_path = layout.current_generation(store).meta_path
    meta = json.loads(meta_path.read_text())
    meta["format_version"] = 99
    meta_path.write_text(json.dumps(meta))
    with pytest.raises(StoreError, match="upgrade kg"):
        kg.open_store(store)


def test_meta_lists_inputs_with_hashes(handle) -> None:
    inputs = {i["file"]: i for i in handle.meta["inputs"]}
    assert inputs["data/corpus/iclr2021_authors_tldr_abstracts.txt"]["records"] == 434
    assert all(len(i["sha256"]) == 64 for i in inputs.values())
    assert handle.meta["kg_version"] == kg.__version__


def test_graph_reads_back_identically(handle) -> None:
    graph = handle.graph()
    assert set(map(str, rdf.triples(graph))) == set(map(str, rdf.triples(handle.graph())))
    written = {str(t) for t in rdf.triples(graph)}
    stored = {str(q.triple) for q in handle.rdf_store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
    assert written == stored


def test_saved_inputs_are_the_records_and_mentions_as_asdict_gives_them(built_store: Path, tmp_path: Path) -> None:
    generation = layout.current_generation(built_store)
    first = next(inputs.read_all(generation.path, generation.meta()["inputs"]))
    assert first.mentions is not None and any(first.mentions)
    inputs.write(tmp_path, first.file, first.sha256, first.reader, first.records, first.mentions, "rules")
    with gzip.open(tmp_path / inputs.DIRECTORY / inputs._name(first.file, first.sha256), "rt") as handle:
        rows = [json.loads(line) for line in handle][1:]
    expected = [
        {"record": asdict(record), "mentions": [asdict(m) for m in mentions]}
        for record, mentions in zip(first.records, first.mentions, strict=True)
    ]
    assert rows == json.loads(json.dumps(expected))  # tuples as lists, fields in declaration order
    assert [list(row["record"]) for row in rows[:1]] == [[f.name for f in fields(Record)]]
    again = inputs.read(tmp_path, first.file, first.sha256)
    assert again.records == first.records and again.mentions == first.mentions


def test_lookup_index_is_complete_without_a_journal(built_store: Path) -> None:
    path = layout.current_generation(built_store).path / lookup_format.FILENAME
    assert not path.with_name(path.name + "-journal").exists()
    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        assert connection.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        assert connection.execute("SELECT COUNT(*) FROM papers").fetchone()[0] == 504
    finally:
        connection.close()
