"""Extraction in worker processes gives exactly what one process gives."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.api import records as read_records
from kg.extract import PARALLEL_FROM, TAGGED_PARALLEL_FROM, cpu_times, default_workers, extract_records, idle_cores
from tests.conftest import CORPUS_FILES


def test_workers_find_the_same_mentions(corpus: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KG_CACHE_DIR", "off")  # saved results would spare the workers their work
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


def test_a_busy_machine_gets_no_worker() -> None:
    cores = min(os.cpu_count() or 1, 4)
    assert default_workers(TAGGED_PARALLEL_FROM, model=True, idle=0.0) == 1
    assert default_workers(TAGGED_PARALLEL_FROM, model=True, idle=0.4) == 1
    assert default_workers(TAGGED_PARALLEL_FROM, model=True, idle=1.0) == min(2, cores)
    assert default_workers(TAGGED_PARALLEL_FROM, model=True, idle=64.0) == cores
    assert default_workers(TAGGED_PARALLEL_FROM, model=True, idle=None) == cores
    assert default_workers(TAGGED_PARALLEL_FROM - 1, model=True, idle=64.0) == 1


def test_idle_cores_from_two_readings_of_the_machine() -> None:
    cores = os.cpu_count() or 1
    assert idle_cores((100, 1000), (150, 1100)) == cores * 0.5
    assert idle_cores((100, 1000), (100, 1000)) is None  # no time between them
    assert idle_cores(None, (100, 1000)) is None
    first = cpu_times()
    if first is None:
        pytest.skip("no /proc/stat here")
    sum(range(2_000_000))  # some work, so the clock moves
    second = cpu_times()
    assert second is not None and second[1] >= first[1] and second[0] >= first[0]
    found = idle_cores(first, second)
    assert found is None or 0.0 <= found <= cores
