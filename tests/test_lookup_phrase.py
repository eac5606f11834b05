"""Phrases as the lookup index has them: word variants, and whether a phrase's words stand
together in a field (kg.query.phrase), on the default corpus's real store."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from kg.query.index import open_index, tokens
from kg.query.lookup import _forms, _phrase_terms, paper_relevance, resolve_topic
from kg.query.phrase import SLACK, _scattered_in_text, scattered, stems, variant_of


@pytest.mark.parametrize(
    ("one", "other", "same"),
    [
        ("detection", "detecting", True),
        ("normalization", "normalize", True),
        ("translation", "translated", True),
        ("adversarial", "adversarially", True),
        ("robustness", "robust", True),
        ("embedding", "embed", True),
        ("learning", "learned", True),
        ("transformer", "transformation", False),  # -er names another thing
        ("learning", "learnable", False),
        ("continual", "continuous", False),
        ("gan", "gain", False),  # stems shorter than four letters are not made
    ],
)
def test_variants_share_a_stem(one: str, other: str, same: bool) -> None:
    assert variant_of(one, other) is same
    assert variant_of(other, one) is same


def test_stems_keep_at_least_four_letters() -> None:
    assert stems("being") == frozenset({"being"})
    assert min(stems("normalization"), key=len) == "normaliz"


def test_index_variants_and_merged_postings(built_store: Path) -> None:
    index = open_index(built_store)
    forms = index.variants("detection")
    assert forms[0] == "detection" and {"detecting", "detected"} <= set(forms)
    assert "detector" not in forms
    slots, tfs, papers = index.variant_postings("detection")
    expected: dict[int, int] = {}
    for form in forms:
        for slot, tf in zip(*(a.tolist() for a in index.postings(form)), strict=True):
            expected[slot] = expected.get(slot, 0) + tf
    assert slots.tolist() == sorted(expected) and tfs.tolist() == [expected[s] for s in sorted(expected)]
    assert papers == len(set(index.array("slot_paper")[slots].tolist()))
    assert index.variants("zzzqqq") == ()


def test_forms_of_one_word_in_a_phrase_are_one_term(built_store: Path) -> None:
    index = open_index(built_store)
    terms, idf, mass = _phrase_terms(index, "learning to learn")
    assert terms == ["learning"] and mass == pytest.approx(idf["learning"])


def test_slot_terms_are_the_fields_tokens(built_store: Path) -> None:
    index = open_index(built_store)
    slots = np.arange(0, len(index.array("slot_paper")), 37)
    slot, place, rowid = index.slot_terms(slots)
    names = {r: t for t, r in index.rows("SELECT term, rowid FROM terms")}
    texts = dict(index.rows_among("SELECT slot, text FROM fields WHERE slot IN ({})", slots.tolist()))
    for one in slots.tolist():
        mine = rowid[slot == one].tolist()
        assert [names[r] for r in mine] == tokens(texts[one])
        assert place[slot == one].tolist() == list(range(len(mine)))


@pytest.mark.parametrize("phrase", ["learning to learn", "incremental learning", "graph neural network", "batch norm"])
def test_scattered_from_the_array_is_scattered_in_the_text(built_store: Path, phrase: str) -> None:
    index = open_index(built_store)
    terms, _, _ = _phrase_terms(index, phrase)
    forms = _forms(index, terms)
    every = list(range(len(index.array("slot_paper"))))
    numbered = {t: n for n, t in enumerate(terms)}
    labels = {f: numbered[t] for f, t in forms.items()} | numbered
    assert scattered(index, terms, every, forms) == _scattered_in_text(index, labels, len(terms), every)


def test_scattered_words_are_told_from_a_phrase(built_store: Path) -> None:
    """ "incremental learning": fields where the words stand within SLACK of each other are
    not scattered; a field with both words far apart is."""
    index = open_index(built_store)
    terms, _, _ = _phrase_terms(index, "incremental learning")
    forms = _forms(index, terms)
    both = set(index.variant_postings("incremental")[0].tolist()) & set(index.variant_postings("learning")[0].tolist())
    apart = scattered(index, terms, both, forms)
    texts = dict(index.rows_among("SELECT slot, text FROM fields WHERE slot IN ({})", sorted(both)))
    for slot, text in texts.items():
        words = tokens(text)
        first = [i for i, w in enumerate(words) if forms.get(w) == "incremental"]
        second = [i for i, w in enumerate(words) if forms.get(w) == "learning"]
        near = any(abs(i - j) <= 1 + SLACK for i in first for j in second)  # a stretch of 2 + SLACK terms
        assert (slot in apart) is not near, text[:80]
    assert apart and len(apart) < len(both)


def test_a_phrase_of_common_words_counts_less(built_store: Path) -> None:
    """Searched as text alone, "learning to learn" (one common word in two forms) makes no paper
    strongly relevant, where "knowledge distillation" (specific words) does."""
    index = open_index(built_store)
    resolution = resolve_topic(index, "learning to learn")
    idiom = paper_relevance(index, replace(resolution, concepts=(), phrases=("learning to learn",)))
    specific = paper_relevance(index, replace(resolution, concepts=(), phrases=("knowledge distillation",)))
    assert idiom and max(r for r, _ in idiom.values()) < 0.5
    assert max(r for r, _ in specific.values()) > 1.0
