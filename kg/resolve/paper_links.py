"""Papers two sources describe without a shared title: linked by who wrote them, or by their text.

A listing of titles and an abstract collection without titles (the ICLR 2021 list in the
default corpus) describe the same papers, but nothing textual joins them. Two rules do, after
identifiers and titles have had their say (:mod:`kg.resolve.papers`):

- **the same ordered author list at the same venue and year**: every author's surname, in
  order, equal, and the venue (through ``data/lexicons/venues.toml``: "ICLR" and
  "International Conference on Learning Representations" agree) and year equal. It links two
  papers only when exactly two papers share that signature, from different files, at least one
  of them titled and never two different titles (a group that writes two papers a year at one
  venue is then two papers, each shown to ``kg review`` as a near-miss);
- **near-identical abstracts or tl;drs**: ``rapidfuzz``'s ``ratio`` of the texts' matching keys
  at least 90 (a listing that copied the abstract, a re-export), from different files,
  confirmed by a shared author surname when both list authors. Candidates share two of their
  rarest words, so the cost stays near-linear.

Every link is a :class:`~kg.resolve.decisions.Decision` of kind ``paper`` with the evidence, in
``resolution.json``. The result does not depend on record order: signatures are visited sorted,
and candidate pairs in index order of records sorted by (file, line).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Sequence
from functools import lru_cache

from networkx.utils import UnionFind
from rapidfuzz import fuzz

from kg.normalize import key
from kg.records import Record
from kg.resolve.decisions import Decision
from kg.resolve.lexicon import load_lexicon
from kg.resolve.names import parse

TEXT_NEAR = 90.0
TITLE_IN_TEXT = 0.5  # share of title words the text must hold to pick one of several candidates
TITLE_IN_TEXT_ANY_VENUE = 0.8  # … to link across venues on the author list alone
_MIN_TEXT_WORDS = 12
_RARE_WORDS = 4
_COMMON_WORD_LIMIT = 50


def shown(record: Record) -> str:
    """How a decision names a record: its title, else its first author and opening words."""
    if record.title:
        return record.title
    text = record.tldr or record.abstract or (record.summaries[0] if record.summaries else "")
    lead = record.authors[0].name if record.authors else "untitled"
    words = text.split()
    return f"{lead} et al.: {' '.join(words[:8])}{'…' if len(words) > 8 else ''} ({record.provenance})"


def _venue_key(venue: str) -> str:
    entry = load_lexicon("venues.toml", "venue").lookup(venue)
    return entry.id if entry is not None else key(venue)


@lru_cache(maxsize=200_000)
def _surname(written: str) -> str:
    return parse(written).surname_key


def _surnames_in_order(record: Record) -> tuple[str, ...] | None:
    surnames = tuple(_surname(a.as_written or a.name) for a in record.authors)
    return surnames if surnames and all(surnames) else None


def _signature(record: Record) -> tuple[str, ...] | None:
    surnames = _surnames_in_order(record) if record.venue and record.year is not None else None
    return (_venue_key(record.venue or ""), str(record.year), *surnames) if surnames else None


def link_by_authors(records: Sequence[Record], union: UnionFind, decisions: list[Decision]) -> None:
    """Give each untitled paper the titled paper of another file with its author list: at the
    same venue and year when exactly one fits (or its text names one title clearly better);
    at any venue (a workshop version) when its text holds the title's words."""
    _link(records, union, decisions, _signature, TITLE_IN_TEXT)
    _link(records, union, decisions, _authors_only, TITLE_IN_TEXT_ANY_VENUE)


def _authors_only(record: Record) -> tuple[str, ...] | None:
    return _surnames_in_order(record) if len(record.authors) >= 2 else None


def _link(
    records: Sequence[Record],
    union: UnionFind,
    decisions: list[Decision],
    signature_of: Callable[[Record], tuple[str, ...] | None],
    needed: float,
) -> None:
    buckets: dict[tuple[str, ...], list[int]] = defaultdict(list)
    for index, record in enumerate(records):
        signature = signature_of(record)
        if signature is not None:
            buckets[signature].append(index)
    for signature in sorted(buckets):
        groups: dict[int, list[int]] = defaultdict(list)
        for index in buckets[signature]:
            groups[union[index]].append(index)
        members = sorted(groups.values(), key=min)
        untitled = [m for m in members if not any(records[i].title for i in m)]
        titled = [m for m in members if any(records[i].title for i in m)]
        fits = {
            min(u): [t for t in titled if not _files(records, u) & _files(records, t) and _years_agree(records, u, t)]
            for u in untitled
        }
        fit_ids = {first: {min(t) for t in candidates} for first, candidates in fits.items()}
        for u in untitled:
            if fits[min(u)]:
                rivals = [v for v in untitled if fit_ids[min(v)] & fit_ids[min(u)]]
                _choose(records, union, decisions, u, fits[min(u)], rivals, needed)


def _years_agree(records: Sequence[Record], a: list[int], b: list[int]) -> bool:
    years_a = {records[i].year for i in a if records[i].year is not None}
    years_b = {records[i].year for i in b if records[i].year is not None}
    return not years_a or not years_b or any(abs(x - y) <= 1 for x in years_a for y in years_b)


def _files(records: Sequence[Record], members: list[int]) -> set[str]:
    return {records[i].provenance.file for i in members}


def _title_in_text(records: Sequence[Record], untitled: list[int], titled: list[int]) -> float:
    """Share of the titled paper's title words that the untitled paper's own text contains."""
    text = set(key(" ".join(t for i in untitled for t in (records[i].tldr, records[i].abstract) if t)).split())
    words = {w for i in titled if records[i].title for w in key(records[i].title).split() if len(w) > 3}
    return len(words & text) / len(words) if words else 0.0


def _choose(
    records: Sequence[Record],
    union: UnionFind,
    decisions: list[Decision],
    untitled: list[int],
    candidates: list[list[int]],
    rivals: list[list[int]],
    needed: float,
) -> None:
    """Join ``untitled`` to its one candidate (at the same venue and year), or to the candidate
    whose title its text names clearly best, with at least ``needed`` of the title's words,
    when that candidate's title fits no rival better; else record a near-miss."""
    left = records[min(untitled)]
    same_venue = needed == TITLE_IN_TEXT
    evidence = [f"{len(left.authors)} authors in the same order"]
    evidence += [f"{left.venue} {left.year}"] if same_venue else []
    reason = "same authors, venue and year" if same_venue else "same authors, title words in its text"
    if same_venue and len(candidates) == 1 and len(rivals) == 1:
        chosen, score = candidates[0], 1.0
    else:
        scored = sorted(((_title_in_text(records, untitled, c), min(c)) for c in candidates), reverse=True)
        best, best_at = scored[0]
        second = scored[1][0] if len(scored) > 1 else 0.0
        chosen = next(c for c in candidates if min(c) == best_at)
        rival_best = max((_title_in_text(records, r, chosen) for r in rivals if min(r) != min(untitled)), default=0.0)
        if len(candidates) > 1 or len(rivals) > 1:
            evidence.append(f"{len(candidates)} titled papers and {len(rivals)} untitled ones share them")
        if best >= needed and best - max(second, rival_best) >= 0.2:
            runner_up = round(max(second, rival_best) * 100)
            evidence.append(f"its text has {round(best * 100)}% of the title's words (next best {runner_up}%)")
            score = round(best, 3)
        elif same_venue:
            for candidate in candidates:
                decisions.append(
                    Decision(
                        "paper",
                        shown(left),
                        shown(records[min(candidate)]),
                        False,
                        0.5,
                        reason,
                        (*evidence, "kept apart: the text names no one title clearly"),
                    )
                )
            return
        else:
            return  # another venue and the text does not name the title: nothing to review
    if union[min(untitled)] == union[min(chosen)]:
        return
    union.union(min(untitled), min(chosen))
    right = records[min(chosen)]
    decisions.append(Decision("paper", shown(left), shown(right), True, score, reason, tuple(evidence)))


def _texts(record: Record) -> list[tuple[str, str]]:
    found = []
    for field, text in (("abstract", record.abstract), ("tl;dr", record.tldr)):
        if text and len(text.split()) >= _MIN_TEXT_WORDS:
            found.append((field, key(text)))
    return found


def link_by_text(
    records: Sequence[Record],
    union: UnionFind,
    decisions: list[Decision],
    surnames: Callable[[Record], frozenset[str]],
) -> None:
    """Join papers whose abstracts (or tl;drs) are near-identical, from different files.

    Candidates share at least two of their rarest words (near-identical texts share nearly all
    of them) and come from different files; only those pairs are scored, so a large corpus of
    distinct abstracts costs a count of word pairs, not a comparison of texts."""
    entries = [(index, field, text) for index, record in enumerate(records) for field, text in _texts(record)]
    frequency: Counter[str] = Counter(w for _, _, text in entries for w in set(text.split()))
    postings: dict[tuple[str, str], list[int]] = defaultdict(list)
    for position, (_, field, text) in enumerate(entries):
        words = sorted({w for w in text.split() if frequency[w] <= _COMMON_WORD_LIMIT}, key=lambda w: (frequency[w], w))
        for word in words[:_RARE_WORDS]:
            postings[(field, word)].append(position)
    shared: Counter[tuple[int, int]] = Counter()
    for posting in postings.values():
        for i, a in enumerate(posting):
            file = records[entries[a][0]].provenance.file
            shared.update((a, b) for b in posting[i + 1 :] if records[entries[b][0]].provenance.file != file)
    for (a, b), count in sorted(shared.items()):
        if count < 2:
            continue
        score = fuzz.ratio(entries[a][2], entries[b][2], score_cutoff=TEXT_NEAR)
        pair = (entries[a][0], entries[b][0])
        if score and union[pair[0]] != union[pair[1]]:
            _text_decision(records, union, decisions, surnames, pair, entries[a][1], score)


def _text_decision(
    records: Sequence[Record],
    union: UnionFind,
    decisions: list[Decision],
    surnames: Callable[[Record], frozenset[str]],
    pair: tuple[int, int],
    field: str,
    score: float,
) -> None:
    left, right = records[pair[0]], records[pair[1]]
    evidence = [f"{field}s {round(score)}% alike"]
    shared = sorted(surnames(left) & surnames(right))
    why = None
    if left.authors and right.authors and not shared:
        why = "no author in common"
    if shared:
        evidence.append("shared authors " + ", ".join(s.title() for s in shared[:3]))
    if why is None:
        union.union(*pair)
    else:
        evidence.append(f"kept apart: {why}")
    reason = f"near-identical {field}s"
    decisions.append(
        Decision("paper", shown(left), shown(right), why is None, round(score / 100, 3), reason, tuple(evidence))
    )
