"""Corpus phrase mining: frequent, cohesive multi-word phrases (for weak supervision).

A phrase is a run of 2-4 content tokens (letters, digits and inner hyphens; no stop word at
either end, no punctuation inside) found in at least ``min_docs`` texts, whose words stick
together: it occurs at least ``min_cohesion`` times as often as the rarer of its two halves
would let it (count(phrase) / min(count(left part), count(right part))). This is the "quality
phrase" idea of AutoPhrase/AutoNER without a part-of-speech tagger: the pipeline is a blank
English one. Mined phrases are not labelled entities: the tagger's training marks them
*unknown* (neither entity nor non-entity), so "hierarchical attention network" is not taught
as a non-entity just because no rule typed it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence

from spacy.lang.en.stop_words import STOP_WORDS

MAX_WORDS = 4
_CONTENT = re.compile(r"^[A-Za-z][A-Za-z0-9]*(?:-[A-Za-z0-9]+)*$")


def content_word(text: str) -> bool:
    """A word a phrase may hold: alphabetic start, no punctuation but inner hyphens, not a stop word."""
    return bool(_CONTENT.match(text)) and text.lower() not in STOP_WORDS


def _runs(words: Sequence[str]) -> Iterable[tuple[int, int]]:
    """(start, end) of every maximal run of content words."""
    start = None
    for index, word in enumerate([*words, "."]):
        if content_word(word) if index < len(words) else False:
            if start is None:
                start = index
        elif start is not None:
            yield start, index
            start = None


def ngrams(words: Sequence[str]) -> Iterable[tuple[int, int, tuple[str, ...]]]:
    """Every 1-to-MAX_WORDS-word n-gram inside a run of content words, lower-cased."""
    folded = [w.lower() for w in words]
    for start, end in _runs(words):
        for i in range(start, end):
            for size in range(1, MAX_WORDS + 1):
                if i + size > end:
                    break
                yield i, i + size, tuple(folded[i : i + size])


def mine_phrases(
    tokenised: Iterable[Sequence[str]], min_docs: int = 3, min_cohesion: float = 0.25
) -> frozenset[tuple[str, ...]]:
    """The quality phrases (lower-cased word tuples) of a tokenised corpus."""
    counts: Counter[tuple[str, ...]] = Counter()
    docs: Counter[tuple[str, ...]] = Counter()
    for words in tokenised:
        grams = [gram for _, _, gram in ngrams(words)]
        counts.update(grams)
        docs.update({gram for gram in grams if len(gram) > 1})
    phrases = set()
    for gram, seen_in in docs.items():
        if seen_in < min_docs:
            continue
        count = counts[gram]
        if all(count / min(counts[gram[:cut]], counts[gram[cut:]]) >= min_cohesion for cut in range(1, len(gram))):
            phrases.add(gram)
    return frozenset(phrases)
