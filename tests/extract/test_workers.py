"""Extraction in worker processes gives exactly what one process gives."""

from __future__ import annotations

from pathlib import Path

from kg.api import records as read_records
from kg.extract import PARALLEL_FROM, TAGGED_PARALLEL_FROM, default_workers, extract_records
from tests.conftest import CORPUS_FILES


def test_workers_find_the_same_mentions(corpus: Path) -> None:
    # the blog defines acronyms its other sections use: the corpus-wide step must see all slices
    records = read_records([corpus / CORPUS_FILES["blog"], corpus / CORPUS_FILES["shortscience_papers"]])
    alone = extract_records(records)
    assert sum(map(len, alone)) > 50
    assert extract_records(records, workers=2) == alone


def test_small_inputs_stay_in_one_process() -> None:
    assert default_workers(PARALLEL_FROM - 1) == 1
    assert default_workers(PARALLEL_FROM) >= 1
    assert default_workers(TAGGED_PARALLEL_FROM - 1, model=True) == 1
    assert default_workers(TAGGED_PARALLEL_FROM, model=True) == default_workers(PARALLEL_FROM)
