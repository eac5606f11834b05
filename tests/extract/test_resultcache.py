"""Saved extraction results: a warm build reads what a cold one found (same mentions, and no
pipeline built), keys change with what results depend on, and a cache that cannot be used is
skipped. The tagger's products through numpy give the mentions thinc's BLIS gives."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from pathlib import Path

import numpy
import pytest
from thinc.api import NumpyOps

from kg.api import records as read_records
from kg.extract import _pipeline, extract_records, pending_records, pipeline, resultcache, results_key
from kg.extract.matmul import MatmulOps, one_blas_thread
from kg.extract.scheme import SchemeChoice
from kg.extract.tagger import MODEL_COMPONENT
from kg.records import Record
from tests.conftest import CORPUS_FILES


@pytest.fixture
def cache(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[Path]:
    """An empty cache directory (the pipelines this process built are kept: they do not depend on it)."""
    monkeypatch.setenv("KG_CACHE_DIR", str(tmp_path / "cache"))
    yield tmp_path / "cache"


@pytest.fixture(scope="module")
def summaries(corpus: Path) -> list[Record]:
    return read_records([corpus / CORPUS_FILES["shortscience_summaries"]])


def test_warm_extraction_reads_what_cold_found_without_a_pipeline(
    cache: Path, monkeypatch: pytest.MonkeyPatch, summaries: list[Record]
) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", "off")
    without = extract_records(summaries)
    assert any(m.rule.startswith("model:") for found in without for m in found)  # the tagger ran
    monkeypatch.setenv("KG_CACHE_DIR", str(cache))
    assert pending_records(summaries) == len(summaries)
    assert extract_records(summaries) == without  # cold: found and saved
    assert len(list(cache.glob("extracted-*.sqlite"))) == 1
    assert pending_records(summaries) == 0
    pipeline.cache_clear()
    assert extract_records(summaries) == without  # warm: read back
    assert _pipeline.cache_info().currsize == 0  # ... and nothing was built to read it


def test_only_new_texts_are_extracted(cache: Path, summaries: list[Record], corpus: Path) -> None:
    extract_records(summaries, model=False)
    more = read_records([corpus / CORPUS_FILES["workshop"]])
    assert pending_records(summaries + more, model=False) == len([r for r in more if r.text_fields()])
    both = extract_records(summaries + more, model=False)
    pipeline.cache_clear()
    assert extract_records(summaries + more, model=False) == both
    assert _pipeline.cache_info().currsize == 0


def test_the_key_names_the_model_and_the_scheme(tmp_path: Path) -> None:
    user = tmp_path / "mine.csv"
    user.write_text("type,label,aliases,broader\nMethod,Bradford Method,Bradford assay,\n")
    keys = {results_key(True), results_key(False), results_key(True, SchemeChoice.of([user]))}
    assert len(keys) == 3
    assert results_key(True) == results_key(True)


def test_damaged_files_and_rows_are_extracted_again(cache: Path, summaries: list[Record]) -> None:
    first = extract_records(summaries, model=False)
    path = next(cache.glob("extracted-*.sqlite"))
    with sqlite3.connect(path) as db:
        db.execute("UPDATE found SET value = '[[1, 2'")  # every row damaged
    assert pending_records(summaries, model=False) == 0  # saved, but unreadable:
    assert extract_records(summaries, model=False) == first  # extracted again, and replaced
    assert len(resultcache.load(results_key(False), [t for r in summaries for t in r.text_fields().values()])) > 0
    path.write_bytes(b"not a database at all, " * 100)
    assert extract_records(summaries, model=False) == first  # the file is dropped
    assert extract_records(summaries, model=False) == first  # and made anew
    assert sqlite3.connect(path).execute("SELECT count(*) FROM found").fetchone()[0] > 0


def test_an_unwritable_cache_is_skipped(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, summaries: list[Record]
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    monkeypatch.setenv("KG_CACHE_DIR", str(blocker / "cache"))
    assert sum(map(len, extract_records(summaries, model=False))) > 0


def test_only_the_newest_result_files_are_kept(cache: Path) -> None:
    for number in range(resultcache.KEEP + 2):
        resultcache.save(f"key{number}", {resultcache.digest("text"): resultcache.Found((), ())})
    assert len(list(cache.glob("extracted-*.sqlite"))) == resultcache.KEEP


def test_a_result_file_past_its_size_starts_anew(cache: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    many = {
        resultcache.digest(str(n)): resultcache.Found(
            ((0, 1, "concept/x", "Method", "X", "lexicon:x", 1.0, False),), ()
        )
        for n in range(200)
    }
    resultcache.save("big", many)
    assert len(resultcache.load("big", map(str, range(200)))) == 200
    monkeypatch.setattr(resultcache, "MAX_BYTES", 1024)
    resultcache.save("big", {resultcache.digest("new"): resultcache.Found((), ())})
    assert resultcache.load("big", [*map(str, range(200)), "new"]) == {
        resultcache.digest("new"): resultcache.Found((), ())
    }


@pytest.mark.parametrize(("trans1", "trans2"), [(False, False), (True, False), (False, True)])
def test_matmul_ops_multiply_as_thinc_does(trans1: bool, trans2: bool) -> None:
    rng = numpy.random.default_rng(0)
    x = rng.standard_normal((7, 5), dtype=numpy.float32)
    y = rng.standard_normal((5, 3), dtype=numpy.float32)
    x = numpy.ascontiguousarray(x.T) if trans1 else x
    y = numpy.ascontiguousarray(y.T) if trans2 else y
    expected = NumpyOps().gemm(x, y, trans1=trans1, trans2=trans2)
    assert numpy.allclose(MatmulOps().gemm(x, y, trans1=trans1, trans2=trans2), expected, atol=1e-5)
    out = numpy.zeros_like(expected)
    assert MatmulOps().gemm(x, y, out=out, trans1=trans1, trans2=trans2) is out
    assert numpy.allclose(out, expected, atol=1e-5)


def test_the_tagger_finds_the_same_with_numpy_and_blis(monkeypatch: pytest.MonkeyPatch, corpus: Path) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", "off")
    records = read_records([corpus / CORPUS_FILES["shortscience_papers"]])[:30]
    tagger = pipeline(True).get_pipe(MODEL_COMPONENT).model
    assert isinstance(tagger.ops, MatmulOps)
    fast = extract_records(records)
    try:
        for layer in tagger.walk():
            layer.ops = NumpyOps()
        assert extract_records(records) == fast
    finally:
        for layer in tagger.walk():
            layer.ops = MatmulOps()


def test_one_blas_thread_restores_the_count() -> None:
    from threadpoolctl import threadpool_info

    def blas_threads() -> list[int]:
        return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]

    before = blas_threads()
    if not before:
        pytest.skip("numpy is linked to no BLAS threadpoolctl knows here")
    with one_blas_thread():
        assert set(blas_threads()) == {1}
    assert blas_threads() == before
