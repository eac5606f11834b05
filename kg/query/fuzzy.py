"""A cheap, exact prefilter for rapidfuzz over a fixed list of names.

Fuzzy matching (:meth:`kg.query.match.Vocabulary.match`, stage ``fuzzy``) compares the text with
every distinct name of a vocabulary, twice (``ratio`` and ``token_set_ratio``). On the default
corpus the concept vocabulary has about 9,000 names, and those two passes were most of a search
request's time in ``kg serve``. Most names share too few characters with the text to ever reach
the cutoff, and that can be told without running the scorer:

- ``ratio`` is the normalised Indel similarity, ``100 · (1 − d / (m + n))`` with Indel distance
  ``d = m + n − 2·LCS``. The longest common subsequence is at most the characters the two
  strings share as multisets, so ``ratio ≤ 200 · shared / (m + n)``.
- ``token_set_ratio`` of two strings with no word in common is the Indel similarity of their
  sorted, de-duplicated words joined by spaces, so the same bound holds on those forms. Names
  that share a word with the text are always scored (the word index finds them).

Character counts are kept in a NumPy matrix (``a``–``z``, ``0``–``9``, space, and one column for
every other character, which can only raise a bound), so the bounds for all names cost one
vectorised pass. The names that pass go to rapidfuzz's ``process.extract`` in their original
order, with the same scorer, cutoff and limit: the answer is identical to scoring every name,
including which names a full ``limit`` keeps (ties stay in list order). Build one
:class:`NameIndex` per vocabulary (that is, per store generation) and query it from any thread.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from rapidfuzz import fuzz, process

_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789 "
_OTHER = len(_ALPHABET)
# Rounding slack: a name whose bound is this close under the cutoff is scored anyway.
_SLACK = 1e-6


_WIDTH = _OTHER + 1
_CLASS = np.full(128, _OTHER, dtype=np.int64)
_CLASS[[ord(c) for c in _ALPHABET]] = np.arange(len(_ALPHABET))


def _classes(text: str) -> np.ndarray:
    """The character class (count-matrix column) of every character of ``text``, vectorised so
    that a 100,000-character text costs well under a millisecond."""
    codes = np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)
    return np.where(codes < 128, _CLASS[np.minimum(codes, 127)], _OTHER)


def _counts(text: str) -> np.ndarray:
    """How often each character class occurs in ``text`` (one row of the count matrix)."""
    return np.bincount(_classes(text), minlength=_WIDTH)


def _count_matrix(texts: Sequence[str]) -> np.ndarray:
    """The :func:`_counts` of every text, one row per character class (so a text of few classes
    reads few rows), computed in one pass over all of them."""
    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    columns = np.repeat(np.arange(len(texts)), lengths)
    cells = _classes("".join(texts)) * len(texts) + columns
    return np.bincount(cells, minlength=len(texts) * _WIDTH).reshape(_WIDTH, len(texts)).astype(np.int32)


def _shared(matrix: np.ndarray, text: str) -> np.ndarray:
    """Per name, how many characters it shares with ``text`` counted as multisets of classes."""
    wanted = _counts(text)
    shared = np.zeros(matrix.shape[1], dtype=np.int32)
    for column in np.flatnonzero(wanted):
        shared += np.minimum(matrix[column], wanted[column])
    return shared


def token_set_form(text: str) -> str:
    """The words of ``text`` de-duplicated, sorted and joined by one space, as token_set_ratio
    compares two strings that have no word in common."""
    return " ".join(sorted(set(text.split())))


class NameIndex:
    """Character counts and a word index of ``names``, to narrow rapidfuzz's candidates.

    >>> index = NameIndex(["graph neural network", "dropout", "jonathan frankle"])
    >>> index.ratio("grpah neural network", 86.0, limit=5)
    [('graph neural network', 95.0)]
    >>> index.token_set_ratio("frankle", 90.0, limit=5)
    [('jonathan frankle', 100.0)]
    """

    def __init__(self, names: Sequence[str]) -> None:
        self.names = list(names)
        self._lengths = np.array([len(n) for n in self.names], dtype=np.int64)
        self._counts = _count_matrix(self.names)
        set_forms = [token_set_form(n) for n in self.names]
        self._set_lengths = np.array([len(n) for n in set_forms], dtype=np.int64)
        self._set_counts = _count_matrix(set_forms)
        self._words: dict[str, list[int]] = {}
        for i, name in enumerate(self.names):
            for word in set(name.split()):
                self._words.setdefault(word, []).append(i)

    def ratio(self, query: str, cutoff: float, limit: int, min_length: int = 0) -> list[tuple[str, float]]:
        """``process.extract(query, names, scorer=fuzz.ratio, score_cutoff=cutoff, limit=limit)``
        over the names at least ``min_length`` long, as (name, score)."""
        if not self.names:
            return []
        shared = _shared(self._counts, query)
        reachable = 200.0 * shared >= (cutoff - _SLACK) * (len(query) + self._lengths)
        return self._extract(query, fuzz.ratio, cutoff, limit, reachable & (self._lengths >= min_length))

    def token_set_ratio(self, query: str, cutoff: float, limit: int, min_length: int = 0) -> list[tuple[str, float]]:
        """The same with ``fuzz.token_set_ratio``: names sharing a word with ``query`` are always
        scored, the others only when their word-set form can reach ``cutoff``."""
        if not self.names:
            return []
        form = token_set_form(query)
        shared = _shared(self._set_counts, form)
        reachable = 200.0 * shared >= (cutoff - _SLACK) * (len(form) + self._set_lengths)
        for word in set(query.split()):
            reachable[self._words.get(word, [])] = True
        return self._extract(query, fuzz.token_set_ratio, cutoff, limit, reachable & (self._lengths >= min_length))

    def _extract(
        self, query: str, scorer: object, cutoff: float, limit: int, mask: np.ndarray
    ) -> list[tuple[str, float]]:
        chosen = [self.names[i] for i in np.flatnonzero(mask)]  # original order: ties break alike
        found = process.extract(query, chosen, scorer=scorer, score_cutoff=cutoff, limit=limit)
        return [(name, score) for name, score, _ in found]
