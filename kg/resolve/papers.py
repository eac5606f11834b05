"""Paper identity: the records (from any file) that describe one paper become one Paper node.

Two records are one paper when they share an external id (OpenReview id, DOI, arXiv id), or
when their titles agree, confirmed by what else both records state:

- titles agree when their matching keys are equal, or, for near matches (a typo, "and"/"&",
  British spelling, a subtitle dropped), when ``rapidfuzz``'s ``token_sort_ratio`` of the keys
  reaches 92 (candidates come from shared rare title words, so the cost stays near-linear);
- the match is confirmed unless both records list authors and no surname is shared, or both
  give years more than one apart (a preprint and its conference version are a year apart);
- a near match (not an equal key) also needs a confirmation: a shared surname or a year within
  one; a near match with nothing to confirm it is a near-miss for ``kg review``.

Records no identifier or title joins may still be one paper: the same ordered author list at the
same venue and year, or near-identical abstracts (:mod:`kg.resolve.paper_links`). The result does
not depend on record order: groups are formed from sorted keys, and each paper's id and title come from its group's most
frequent title (ties: the lexicographically first).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy
from networkx.utils import UnionFind
from rapidfuzz import fuzz, process

from kg.ids import node_id
from kg.normalize import digest, key, slug
from kg.records import Record
from kg.resolve.decisions import Decision
from kg.resolve.names import parse
from kg.resolve.paper_links import link_by_authors, link_by_text

_NEAR = 92.0
_RARE_WORDS = 3
_COMMON_WORD_LIMIT = 200
_STOP = frozenset(
    [
        "a",
        "an",
        "and",
        "the",
        "of",
        "for",
        "in",
        "on",
        "with",
        "to",
        "via",
        "from",
        "by",
        "is",
        "are",
        "as",
        "at",
        "we",
        "our",
    ]
)


@dataclass(frozen=True)
class PaperIdentity:
    """Paper id per record index, the display title per paper id, and the decisions taken."""

    of_record: list[str]
    titles: dict[str, str]
    decisions: list[Decision]


def _surnames(record: Record) -> frozenset[str]:
    return frozenset(parse(a.as_written or a.name).surname_key for a in record.authors)


def _conflict(a: Record, b: Record) -> str | None:
    """Why two records with matching titles are still different papers, or ``None``."""
    if a.authors and b.authors and not (_surnames(a) & _surnames(b)):
        return "no author in common"
    if a.year is not None and b.year is not None and abs(a.year - b.year) > 1:
        return f"years {a.year} and {b.year}"
    return None


def _confirmation(a: Record, b: Record) -> list[str]:
    facts = []
    shared = sorted(_surnames(a) & _surnames(b))
    if shared:
        facts.append("shared authors " + ", ".join(s.title() for s in shared[:3]))
    if a.year is not None and b.year is not None:
        facts.append(f"years {a.year} and {b.year}")
    return facts


def resolve_papers(records: Sequence[Record]) -> PaperIdentity:
    """Group ``records`` into papers; ``records`` must be in a fixed order (file, line)."""
    titles = [key(r.title) if r.title else "" for r in records]
    union = UnionFind(range(len(records)))
    decisions: list[Decision] = []
    by_external: dict[str, int] = {}
    for index, record in enumerate(records):
        for external in record.external_ids:
            if external in by_external:
                union.union(by_external[external], index)
            else:
                by_external[external] = index
    by_title: dict[str, list[int]] = defaultdict(list)
    for index, title in enumerate(titles):
        if title:
            by_title[title].append(index)
    for indices in by_title.values():
        for other in indices[1:]:
            first = next((i for i in indices if i < other and _conflict(records[i], records[other]) is None), None)
            if first is not None:
                if union[first] != union[other]:
                    _decide(decisions, records, first, other, 1.0, "same title", union)
            else:
                reason = _conflict(records[indices[0]], records[other]) or ""
                decisions.append(
                    Decision(
                        "paper",
                        records[indices[0]].title or "",
                        records[other].title or "",
                        False,
                        1.0,
                        "same title",
                        (f"kept apart: {reason}",),
                    )
                )
    _near_matches(records, titles, by_title, union, decisions)
    link_by_authors(records, union, decisions)
    link_by_text(records, union, decisions, _surnames)
    groups: dict[int, list[int]] = defaultdict(list)
    for index in range(len(records)):
        groups[union[index]].append(index)
    of_record = [""] * len(records)
    shown: dict[str, str] = {}
    used: set[str] = set()
    for members in groups.values():  # in order of each group's first record
        paper, title = _paper_id(records, titles, members)
        if paper in used:  # same title, another paper: the first keeps the plain id
            first = records[min(members)]
            paper += "-" + digest(first.provenance.file, first.key, length=6)
        used.add(paper)
        for index in members:
            of_record[index] = paper
        if title:
            shown[paper] = title
    return PaperIdentity(of_record, shown, decisions)


def _decide(
    decisions: list[Decision], records: Sequence[Record], a: int, b: int, score: float, reason: str, union: UnionFind
) -> None:
    union.union(a, b)
    left, right = records[a], records[b]
    if left.provenance.file != right.provenance.file or left.title != right.title:
        decisions.append(
            Decision(
                "paper", left.title or "", right.title or "", True, score, reason, tuple(_confirmation(left, right))
            )
        )


def _near_matches(
    records: Sequence[Record],
    titles: list[str],
    by_title: dict[str, list[int]],
    union: UnionFind,
    decisions: list[Decision],
) -> None:
    """Near-equal titles, found through their rarest words (no all-pairs comparison)."""
    distinct = sorted(by_title)
    frequency: Counter[str] = Counter(w for t in distinct for w in set(t.split()) if w not in _STOP)
    postings: dict[str, list[int]] = defaultdict(list)
    for position, title in enumerate(distinct):
        words = sorted({w for w in title.split() if w not in _STOP}, key=lambda w: (frequency[w], w))
        for word in words[:_RARE_WORDS]:
            if frequency[word] <= _COMMON_WORD_LIMIT:
                postings[word].append(position)
    for a, b in _similar_pairs(distinct, postings):
        score = fuzz.token_sort_ratio(distinct[a], distinct[b])
        left, right = by_title[distinct[a]][0], by_title[distinct[b]][0]
        if union[left] == union[right]:
            continue
        conflict = _conflict(records[left], records[right])
        confirmed = bool(_surnames(records[left]) & _surnames(records[right])) or _years_close(
            records[left], records[right]
        )
        if conflict is None and confirmed:
            _decide(decisions, records, left, right, round(score / 100, 3), "near-identical titles", union)
        else:
            why = conflict or "nothing but the title to confirm it"
            decisions.append(
                Decision(
                    "paper",
                    records[left].title or "",
                    records[right].title or "",
                    False,
                    round(score / 100, 3),
                    "near-identical titles",
                    (f"kept apart: {why}",),
                )
            )


def _similar_pairs(distinct: list[str], postings: dict[str, list[int]]) -> Iterator[tuple[int, int]]:
    """Title pairs ``(a, b)``, ``a < b``, sharing a rare word and reaching ``_NEAR``: each pair
    once, in the order the postings first hold it.

    Each posting's pairs are scored in one ``rapidfuzz.process.cdist`` call (C++, cut off at
    ``_NEAR``) rather than one Python call per pair, which took 15 s of a 100k-record build."""
    seen: set[tuple[int, int]] = set()
    for positions in postings.values():
        if len(positions) < 2:
            continue
        keys = [distinct[p] for p in positions]
        scores = process.cdist(keys, keys, scorer=fuzz.token_sort_ratio, score_cutoff=_NEAR)
        for i, j in zip(*numpy.nonzero(numpy.triu(scores, 1)), strict=True):  # row-major: i, then j
            pair = (positions[i], positions[j])
            if pair not in seen:
                seen.add(pair)
                yield pair


def _years_close(a: Record, b: Record) -> bool:
    return a.year is not None and b.year is not None and abs(a.year - b.year) <= 1


def _paper_id(records: Sequence[Record], titles: list[str], members: list[int]) -> tuple[str, str | None]:
    counts = Counter(titles[i] for i in members if titles[i])
    if counts:
        best = min(counts, key=lambda t: (-counts[t], t))
        title = min((records[i].title or "" for i in members if titles[i] == best), key=lambda t: (t.lower() == t, t))
        return node_id("Paper", slug(title, 60) + "-" + digest(best, length=6)), title
    first = records[min(members)]
    content = first.abstract or first.tldr or " ".join(first.summaries)
    return node_id("Paper", "untitled-" + digest(key(content), length=12)), None
