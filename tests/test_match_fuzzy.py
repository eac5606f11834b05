"""The fuzzy prefilter (kg/query/fuzzy.py) changes no answer: every query below is matched by the
prefiltered vocabulary and by a reference that scores every name, as match.py did before, on the
default corpus's people and concept vocabularies (typos, acronyms, surnames, long text, Unicode)."""

from __future__ import annotations

import copy
import math
import random
from pathlib import Path

import pytest
from rapidfuzz import fuzz, process

import kg
from kg.query.fuzzy import NameIndex
from kg.query.match import FUZZY_CUTOFF, SUGGEST_CUTOFF, Vocabulary, match_nodes, suggest


class Exhaustive(Vocabulary):
    """The fuzzy stage as it was before the prefilter: rapidfuzz over every distinct name."""

    def _fuzzy(self, query: str, cutoff: float) -> list[tuple[int, str, float]]:
        best: dict[str, float] = {}
        for scorer, factor in ((fuzz.ratio, 1.0), (fuzz.token_set_ratio, 0.95)):
            needed = cutoff / factor
            shortest = math.floor(needed * len(query) / (200 - needed)) if scorer is fuzz.ratio else len(query)
            names = [n for n in self._name_keys if len(n) >= shortest]
            for name, score, _ in process.extract(query, names, scorer=scorer, score_cutoff=needed, limit=200):
                if scorer is fuzz.token_set_ratio and len(name) < len(query):
                    continue
                best[name] = max(best.get(name, 0.0), score * factor)
        return [
            (index, surface, score / 100.0)
            for name, score in best.items()
            if score >= cutoff
            for index, surface in self._names[name]
        ]


def _misspelt(text: str, rng: random.Random) -> str:
    """One typo: a dropped, doubled, swapped or replaced character."""
    if len(text) < 3:
        return text + "x"
    i = rng.randrange(len(text) - 1)
    edit = rng.randrange(4)
    if edit == 0:
        return text[:i] + text[i + 1 :]
    if edit == 1:
        return text[:i] + text[i] + text[i:]
    if edit == 2:
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    return text[:i] + rng.choice("aeiostz") + text[i + 1 :]


@pytest.fixture(scope="module")
def vocabularies(built_store: Path) -> list[tuple[Vocabulary, Vocabulary]]:
    """(prefiltered, exhaustive) pairs over the same names, for people and for concepts."""
    index = kg.open_store(built_store).lookup_index
    pairs = []
    for vocabulary in (index.people_vocabulary, index.concept_vocabulary):
        reference = copy.copy(vocabulary)  # the very same names (the index stores more than name_rows())
        reference.__class__ = Exhaustive
        pairs.append((vocabulary, reference))
    return pairs


@pytest.fixture(scope="module")
def queries(vocabularies: list[tuple[Vocabulary, Vocabulary]]) -> list[str]:
    rng = random.Random(19)
    people, concepts = (v.candidates for v, _ in vocabularies)
    texts = [
        "GNNs", "CNN", "RL", "BERT", "grpah neural network", "graph neural nets", "transfomer",
        "reinforcment learning", "frankle", "Bengio", "yoshua bengo", "MIT", "Google Brain",
        "Univ of Toronto", "stanford univeristy", "Müller", "Zürich", "北京大学", "drop out",
        "a", "x" * 300, "graph " * 50, "neural network network", "the of and",
    ]  # fmt: skip
    for candidate in rng.sample(people, 25) + rng.sample(concepts, 25):
        texts.append(candidate.label)
        texts.append(_misspelt(candidate.label, rng))
        texts.append(candidate.label.split()[-1])
    return texts


def test_prefilter_keeps_every_fuzzy_score(vocabularies, queries) -> None:
    for fast, reference in vocabularies:
        for text in queries:
            query = kg.normalize.key(text)
            if not query:
                continue
            for cutoff in (FUZZY_CUTOFF, SUGGEST_CUTOFF):
                assert fast._fuzzy(query, cutoff) == reference._fuzzy(query, cutoff), (text, cutoff)


def test_match_and_suggest_are_unchanged(vocabularies, queries) -> None:
    for (fast, reference), types in zip(vocabularies, (("Author", "Institution"), ("Concept", "Topic")), strict=True):
        for text in queries[:80]:
            assert match_nodes(fast, text, types, limit=50) == match_nodes(reference, text, types, limit=50), text
            assert suggest(fast, text, types) == suggest(reference, text, types), text


def test_name_index_matches_rapidfuzz_with_a_full_limit() -> None:
    """More names above the cutoff than ``limit``: the same ones are kept, ties in list order."""
    names = [f"node {i % 7} alpha" for i in range(60)] + ["alpha", "beta gamma", "alphabet", "zzz"]
    index = NameIndex(names)
    for query, limit in (("alpha", 10), ("node alpha", 25), ("alpah", 5), ("beta", 3)):
        for cutoff in (50.0, 86.0):
            expected = process.extract(query, names, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit)
            assert index.ratio(query, cutoff, limit) == [(n, s) for n, s, _ in expected]
            expected = process.extract(query, names, scorer=fuzz.token_set_ratio, score_cutoff=cutoff, limit=limit)
            assert index.token_set_ratio(query, cutoff, limit) == [(n, s) for n, s, _ in expected]


def test_name_index_of_nothing_finds_nothing() -> None:
    assert NameIndex([]).ratio("graph", 50.0, 5) == []
    assert NameIndex([]).token_set_ratio("graph", 50.0, 5) == []
