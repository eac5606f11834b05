"""A phrase's words as the index has them: their variants ("detect", "detecting",
"detection"), and whether they stand together in a field or are only scattered through it.

Variants. The index singularises words but keeps other forms apart, so "adversarially robust"
would not be "adversarial robustness" and "we meta-learn" not "meta-learning". :func:`stems`
strips a few suffixes that keep a word's sense (-ation, -ion, -ing, -ed, -ness, -ly, -e; a
doubled final consonant after -ing/-ed is undoubled) and two index terms are variants when they
share a stem of at least :data:`MIN_STEM` letters. Suffixes that change the kind of thing named
(-er: "transformer" is not "transformation"; -able, -ive, -al, -ity) are left alone.

Together or scattered.
The inverted index (:mod:`kg.store.lookup_index`) keeps how often each term occurs in a field,
not where, so a bag-of-words match cannot tell "learning to learn" from "uses supervised
learning to learn goal-reaching policies" or "incremental learning" from "an incremental editing
model ... learning". This module reads the few fields a multi-word phrase matched and measures
the shortest stretch of the field's terms holding one occurrence of each query term present
there. The lookup (:mod:`kg.query.lookup`) counts a field whose stretch is longer than the
phrase plus :data:`SLACK` terms for less.

The field's terms are :func:`kg.store.lookup_format.tokens`' (folded, singularised, stop words
dropped), so "out-of-distribution detection", "detection of out of distribution inputs" (within
the slack) and "OOD-detection" read as the index reads them. Text is bound as parameters only.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from kg.normalize import key
from kg.query.match import singular
from kg.store.lookup_format import _WORD, STOPWORDS

if TYPE_CHECKING:
    import numpy as np

    from kg.query.index import LookupIndex

SLACK = 1  # other terms allowed inside the stretch ("graph convolutional neural network")
MIN_STEM = 4
_SUFFIXES = ("ation", "ness", "ion", "ing", "ed", "ly", "e")


def stems(term: str) -> frozenset[str]:
    """The term and what it is left with after each suffix strip (at least MIN_STEM letters).

    >>> sorted(stems("normalization"))
    ['normalizat', 'normalization', 'normaliz']
    """
    found = {term}
    for suffix in _SUFFIXES:
        if term.endswith(suffix) and len(term) - len(suffix) >= MIN_STEM:
            stem = term[: -len(suffix)]
            found.add(stem)
            doubled = suffix in ("ing", "ed") and stem[-1] == stem[-2] and stem[-1] not in "aeious"
            if doubled and len(stem) - 1 >= MIN_STEM:
                found.add(stem[:-1])
    return frozenset(found)


def variant_of(term: str, other: str) -> bool:
    """Whether two index terms are forms of one word (they share a stem)."""
    return term == other or bool(stems(term) & stems(other))


def scattered(
    index: LookupIndex, terms: Sequence[str], slots: Iterable[int], forms: dict[str, str] | None = None
) -> set[int]:
    """The slots among ``slots`` in which at least two of the phrase's ``terms`` occur but never
    within ``len(present) + SLACK`` consecutive terms of each other (empty for a one-term phrase).
    ``forms`` maps each variant found in the index to its query term (each term stands for
    itself without it).

    Read from the index's ``slot_terms`` array (the fields' text for a store without it).

    >>> scattered(index, ["learning", "learn"], [12, 40])  # doctest: +SKIP
    {40}
    """
    import numpy as np

    wanted = np.array(sorted(set(slots)), dtype=np.int64)
    numbered = {t: n for n, t in enumerate(dict.fromkeys(terms))}
    if len(numbered) < 2 or not len(wanted):
        return set()
    labels = {form: numbered[term] for form, term in (forms or {}).items() if term in numbered} | numbered
    if not len(index.array("slot_terms")):
        return _scattered_in_text(index, labels, len(numbered), wanted.tolist())
    rowids = index.term_rowids(list(labels))
    codes = np.array(sorted(rowids.values()), dtype=np.int64)
    label_of = np.array([labels[t] for t, _ in sorted(rowids.items(), key=lambda kv: kv[1])], dtype=np.int64)
    slot, place, term = index.slot_terms(wanted)
    found = np.searchsorted(codes, term)
    hit = found < len(codes)
    hit[hit] = codes[found[hit]] == term[hit]
    result = set()
    if len(numbered) == 2:
        return _scattered_pairs(slot[hit], place[hit], label_of[found[hit]])
    rows = (slot[hit].tolist(), place[hit].tolist(), label_of[found[hit]].tolist())
    for one, positions in _grouped(*rows, len(numbered)):
        present = [p for p in positions if p]
        if len(present) >= 2 and _span(present) > len(present) + SLACK:
            result.add(one)
    return result


def _scattered_pairs(slot: np.ndarray, place: np.ndarray, label: np.ndarray) -> set[int]:
    """:func:`scattered` for a two-term phrase, from the hits ordered by slot and place: the
    nearest occurrences of two terms are neighbours in that order, so a slot holds both terms
    when some neighbours in it differ in term, and they stand together when such neighbours are
    at most ``1 + SLACK`` places apart."""
    if len(slot) < 2:
        return set()
    differ = (slot[1:] == slot[:-1]) & (label[1:] != label[:-1])
    near = differ & (place[1:] - place[:-1] <= 1 + SLACK)
    return set(slot[1:][differ].tolist()) - set(slot[1:][near].tolist())


def _grouped(
    slots: list[int], places: list[int], labels: list[int], count: int
) -> Iterable[tuple[int, list[list[int]]]]:
    """(slot, positions of each query term in it) from rows ordered by slot."""
    current, positions = -1, None
    for slot, place, label in zip(slots, places, labels, strict=True):
        if slot != current:
            if positions is not None:
                yield current, positions
            current, positions = slot, [[] for _ in range(count)]
        positions[label].append(place)
    if positions is not None:
        yield current, positions


def _scattered_in_text(index: LookupIndex, labels: dict[str, int], count: int, slots: list[int]) -> set[int]:
    """:func:`scattered` for a store without ``slot_terms``: the fields' text, tokenised again."""
    found = set()
    sql = "SELECT slot, text FROM fields WHERE slot IN ({})"
    for slot, text in index.rows_among(sql, slots):
        present = [p for p in _positions(text, labels, count) if p]
        if len(present) >= 2 and _span(present) > len(present) + SLACK:
            found.add(slot)
    return found


def _positions(text: str, wanted: dict[str, int], count: int) -> list[list[int]]:
    """For each of ``count`` query terms, its positions among the index terms of ``text``
    (``wanted``: each form of a query term → its number).

    Equal to scanning :func:`kg.store.lookup_format.tokens` (singular() keeps a word's first two
    letters, so only words starting like a query term need singularising)."""
    heads = {t[:2] for t in wanted}
    positions: list[list[int]] = [[] for _ in range(count)]
    place = 0
    for word in _WORD.findall(key(text)):
        if word in STOPWORDS:
            continue
        if word[:2] in heads:
            term = wanted.get(singular(word))
            if term is not None:
                positions[term].append(place)
        place += 1
    return positions


def _span(positions: list[list[int]]) -> int:
    """The length of the shortest stretch holding one position from every list (a sliding
    window over the merged positions)."""
    merged = sorted((p, n) for n, found in enumerate(positions) for p in found)
    need, have, counts = len(positions), 0, [0] * len(positions)
    best, left = merged[-1][0] - merged[0][0] + 1, 0
    for place, which in merged:
        counts[which] += 1
        have += counts[which] == 1
        while have == need:
            best = min(best, place - merged[left][0] + 1)
            counts[merged[left][1]] -= 1
            have -= counts[merged[left][1]] == 0
            left += 1
    return best
