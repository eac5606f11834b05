"""Resolution is order-independent: shuffling the input records gives the same graph."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import kg
from kg.api import records as read_records
from kg.extract import extract_records
from kg.records import Mention, Record
from kg.resolve import resolve
from tests.conftest import CORPUS_FILES


@pytest.fixture(scope="module")
def sample(corpus: Path) -> tuple[list[Record], list[list[Mention]]]:
    """Every record of four files and a slice of the ICLR list, with their mentions."""
    files = [corpus / CORPUS_FILES[n] for n in ("blog", "shortscience_papers", "shortscience_summaries", "workshop")]
    records = read_records(files) + read_records([corpus / CORPUS_FILES["iclr2021"]])[:120]
    return records, [list(found) for found in extract_records(records)]


def snapshot(graph: kg.Graph) -> tuple[Any, ...]:
    nodes = tuple((n.id, n.type, tuple(sorted(n.props.items()))) for n in graph.nodes())
    edges = tuple((e.source, e.relation, e.target, tuple(sorted(e.props.items())), e.sources) for e in graph.edges())
    return nodes, edges


@pytest.fixture(scope="module")
def reference(sample: tuple[list[Record], list[list[Mention]]]) -> tuple[Any, ...]:
    graph, resolution = resolve(*sample)
    return snapshot(graph), sorted(resolution.decisions, key=repr)


@settings(max_examples=6, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_shuffled_records_give_the_same_graph_and_decisions(
    sample: tuple[list[Record], list[list[Mention]]], reference: tuple[Any, ...], data: st.DataObject
) -> None:
    records, mentions = sample
    order = data.draw(st.permutations(range(len(records))))
    graph, resolution = resolve([records[i] for i in order], [mentions[i] for i in order])
    assert (snapshot(graph), sorted(resolution.decisions, key=repr)) == reference
