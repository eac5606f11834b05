"""Topics as people type them: checks, alternatives, corrected words, and the co-occurrence
expansion, on the default corpus's lookup index."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from kg.query import topic
from kg.query.index import open_index
from kg.query.lookup import _relevance, expand, resolve_topic, who_works_on


@pytest.mark.parametrize(
    "text, parts",
    [
        ("neural tangent kernel / infinite-width networks", ["neural tangent kernel", "infinite-width networks"]),
        ("GNNs/transformers", ["GNNs", "transformers"]),
        ("pruning or lottery tickets", ["pruning", "lottery tickets"]),
        ("pruning OR distillation", ["pruning", "distillation"]),
        ("meta-learning | few-shot", ["meta-learning", "few-shot"]),
        ("I/O efficiency", ["I/O efficiency"]),  # a part without a real word: not split
        ("TCP/IP", ["TCP/IP"]),
        ("graph neural networks", ["graph neural networks"]),
        ("pruning / pruning", ["pruning"]),
    ],
)
def test_alternatives(text: str, parts: list[str]) -> None:
    assert topic.alternatives(text) == parts


@pytest.mark.parametrize("text", ["", "   \n\t", "x" * (topic.MAX_TOPIC + 1), "%%%", "---"])
def test_checked_refuses(text: str) -> None:
    with pytest.raises(topic.TopicError) as caught:
        topic.checked(text)
    assert caught.value.exit_code == 2 and "\n" not in str(caught.value)


def test_checked_tidies() -> None:
    assert topic.checked("  graph \n neural   networks ") == "graph neural networks"


def test_misspelt_words_are_corrected_against_the_store(built_store: Path) -> None:
    index = open_index(built_store)
    assert topic.corrected(index, "lotery tickets") == "lottery ticket"
    assert topic.corrected(index, "lottery tickets") is None  # nothing to correct
    resolution = resolve_topic(index, "lotery tickets")
    assert ("lotery tickets", "lottery ticket") in resolution.corrections
    assert who_works_on(index, "lotery tickets").results  # found through the corrected words


def test_alternatives_are_a_union(built_store: Path) -> None:
    index = open_index(built_store)
    both = resolve_topic(index, "lottery tickets / knowledge distillation")
    assert both.alternatives == ("lottery tickets", "knowledge distillation")
    papers = set(_relevance(index, both)[1].tolist())
    for part in both.alternatives:
        assert set(_relevance(index, resolve_topic(index, part))[1].tolist()) <= papers
    assert "alternatives" in both.describe()


def test_expansion_adds_concentrated_concepts_only(built_store: Path) -> None:
    index = open_index(built_store)
    for text in ("contrastive learning", "meta-learning", "GNNs", "pruning"):
        resolution = resolve_topic(index, text)
        relevance, order = _relevance(index, resolution)
        expanded = expand(index, resolution, relevance, order)
        added = expanded.expanded
        assert len(added) <= topic.EXPANSION_MAX
        assert not {c.id for c in added} & {c.id for c in resolution.concepts}
        assert all(0 < c.weight <= topic.EXPANSION_WEIGHT for c in added)
        if added:
            assert "expanded to" in expanded.describe()
            # each added concept is on at least EXPANSION_MIN_PAPERS of X's best papers
            top = order[np.argsort(-relevance[order], kind="stable")][: topic.EXPANSION_TOP]
            edges = index.concept_papers([c.id for c in added])
            for concept in added:
                assert len(set(edges[concept.id][0].tolist()) & set(top.tolist())) >= topic.EXPANSION_MIN_PAPERS
