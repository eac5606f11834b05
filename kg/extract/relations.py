"""Relations inside one sentence between two concept mentions: used for, evaluated on, a variant
of, compared with.

The rules are data (``data/extract/relations.toml``): each pattern is a regular expression over
the text between two mentions of one sentence (lower-cased, spaces collapsed), optionally
checks the text before the first and after the second, constrains the two mentions' types and
names the relation and its direction. A list continues a relation: in "datasets such as MNIST,
CIFAR-10 and SVHN" every item is a variant of "datasets"; in "X and Y for Z" both are used for Z
(the items of a list share a type: a mention of another type ends it).

Argument completion: a mention often stops short of the noun phrase it heads ("BERT" in "the
BERT model for QA"), and the next one may leave its modifiers out ("for robust speech
recognition"), so the text between them is not a pattern's words alone. :func:`readings` gives
each pair its readings, the exact one first, then the first mention completed over its head words
and the second taking its modifiers (the ``[completion]`` table of the same file); the first
reading some pattern accepts decides. A relation's ``head_span``/``tail_span`` are the completed
phrases; its ``head``/``tail`` stay the mentions, whose concepts the graph links.

Limits, by design: a relation never crosses a sentence end (sentences are split on ``.!?``
followed by a space and a capital, abbreviations such as "e.g." and "et al." excepted); each
mention is paired only with the ``NEAREST`` mentions after it, and the text between a pair is at
most ``MAX_GAP`` characters, so the work per sentence is linear in its mentions however many it
holds; mentions that overlap are never paired. No trained classifier: the patterns are the
whole method (``benchmarks/bench_relations.py`` measures them on SciERC).

Example:
    >>> from kg.extract import extract_text
    >>> text = "We evaluate ResNet on ImageNet."
    >>> [(r.relation, r.head.text, r.tail.text) for r in find_relations(text, extract_text(text))]
    [('evaluated_on', 'ResNet', 'ImageNet')]
"""

from __future__ import annotations

import re
import tomllib
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Protocol

from kg.records import CONCEPT_LINKS
from kg.resources import resource_dir

RELATIONS = CONCEPT_LINKS
NEAREST = 4
MAX_GAP = 90
COMPLETION_WORDS = 3
_CONTEXT = 60
_SPACES = re.compile(r"\s+")
_SENTENCE_END = re.compile(r"[.!?](?=\s+[A-Z0-9(\"'])")
_NOT_AN_END = re.compile(r"(?:\b(?:e\.g|i\.e|et al|etc|vs|cf|Fig|Eq|Sec|Tab|approx|resp|al|No|Dr|Mr|Ms)|\b[A-Z])\.$")
_CONJUNCTION = re.compile(r"\b(?:and|or)\b")
_LIST_SEP = re.compile(r"(?:\s*,\s*(?:and|or)?\s*|\s+(?:and|or)\s+)(?:the\s+|a\s+|an\s+)?")
_BARE_LIST_SEP = re.compile(r"\s*,\s*(?:and|or)?\s*|\s+(?:and|or)\s+")  # ", a" is an apposition


class Spanned(Protocol):
    """What relation extraction needs of a mention: its character span in the text and type."""

    @property
    def start(self) -> int: ...

    @property
    def end(self) -> int: ...

    @property
    def type(self) -> str: ...


@dataclass(frozen=True)
class Pattern:
    """One rule of ``relations.toml`` (see the file's header for the fields)."""

    id: str
    relation: str
    between: re.Pattern[str]
    first: frozenset[str]
    second: frozenset[str]
    before: re.Pattern[str] | None = None
    after: re.Pattern[str] | None = None
    swap: bool = False
    same_type: bool = False
    not_in_list: bool = False

    def allows(self, first: str, second: str) -> bool:
        return (
            ("*" in self.first or first in self.first)
            and ("*" in self.second or second in self.second)
            and (not self.same_type or first == second)
        )


@dataclass(frozen=True)
class Relation:
    """``head -relation-> tail`` stated in the sentence ``text[sentence_start:sentence_end]``.

    ``head_span`` and ``tail_span`` are the arguments as the pattern read them: the mention,
    completed to the noun phrase it heads ("BERT" read as "BERT model" in "the BERT model for
    QA"). The graph links the mentions' concepts; the spans say what the sentence relates."""

    relation: str
    head: Spanned
    tail: Spanned
    rule: str
    sentence_start: int
    sentence_end: int
    head_span: tuple[int, int]
    tail_span: tuple[int, int]


@dataclass(frozen=True)
class Completion:
    """Argument completion (the ``[completion]`` table of ``relations.toml``).

    ``head``: one word that continues a mention's noun phrase, matched right after it ("model"
    in "BERT model", "based approach" in "decision tree based approach"); ``modifier``: one word
    that modifies the next mention, matched right before it ("robust" in "for robust CSR")."""

    head: re.Pattern[str]
    modifier: re.Pattern[str]

    def extend(self, text: str, end: int, limit: int) -> int:
        """Where the noun phrase of a mention ending at ``end`` ends (never past ``limit``)."""
        for _ in range(COMPLETION_WORDS):
            found = self.head.match(text, end, limit)
            if found is None:
                break
            end = found.end()
        return end

    def skip(self, text: str, start: int, floor: int) -> int:
        """Where a mention starting at ``start`` begins with its modifiers (never before ``floor``)."""
        for _ in range(COMPLETION_WORDS):
            found = self.modifier.search(text, max(floor, start - _CONTEXT), start)
            if found is None or found.start() < floor:
                break
            start = found.start()
        return start


def patterns_path() -> Path:
    return resource_dir("data") / "extract" / "relations.toml"


@cache
def load_patterns(path: Path | None = None) -> tuple[Pattern, ...]:
    """The patterns of ``path`` (default: the shipped ``relations.toml``), in file order.

    A pattern naming an unknown relation or with an invalid expression raises ``ValueError``
    naming the pattern: the file is kg's own data, so that is a bug, not bad input."""
    source = path or patterns_path()
    with source.open("rb") as handle:
        table = tomllib.load(handle)
    found = []
    for entry in table.get("pattern", []):
        name = entry.get("id", "?")
        if entry.get("relation") not in RELATIONS:
            raise ValueError(f"{source}: pattern {name}: relation must be one of {', '.join(RELATIONS)}")
        try:
            found.append(
                Pattern(
                    id=name,
                    relation=entry["relation"],
                    between=re.compile(entry["between"]),
                    first=frozenset(entry.get("first", ["*"])),
                    second=frozenset(entry.get("second", ["*"])),
                    before=re.compile(f"(?:{entry['before']})$") if "before" in entry else None,
                    after=re.compile(entry["after"]) if "after" in entry else None,
                    swap=bool(entry.get("swap", False)),
                    same_type=bool(entry.get("same_type", False)),
                    not_in_list=bool(entry.get("not_in_list", False)),
                )
            )
        except (KeyError, re.error) as err:
            raise ValueError(f"{source}: pattern {name}: {err}") from err
    return tuple(found)


@cache
def load_completion(path: Path | None = None) -> Completion:
    """The ``[completion]`` table of ``path`` (default: the shipped ``relations.toml``); a file
    without one completes nothing."""
    source = path or patterns_path()
    with source.open("rb") as handle:
        table = tomllib.load(handle).get("completion", {})
    try:
        return Completion(
            head=re.compile(f"(?i)\\s*(?:{table.get('head', '(?!)')})\\b"),
            modifier=re.compile(f"(?i)(?<![\\w-])(?:{table.get('modifier', '(?!)')})\\s+$"),
        )
    except re.error as err:
        raise ValueError(f"{source}: [completion]: {err}") from err


def sentences(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` character spans of the sentences of ``text`` (see the module's limits)."""
    spans = []
    start = 0
    for match in _SENTENCE_END.finditer(text):
        if _NOT_AN_END.search(text, max(0, match.start() - 8), match.end()):
            continue
        spans.append((start, match.end()))
        start = match.end()
    if start < len(text):
        spans.append((start, len(text)))
    return [(s + len(text[s:e]) - len(text[s:e].lstrip()), e) for s, e in spans if text[s:e].strip()]


def _norm(text: str) -> str:
    return _SPACES.sub(" ", text.lower()).strip()


@dataclass(frozen=True)
class Reading:
    """One way to read the text between two mentions: where the first argument ends and where
    the second begins. The exact reading takes the mentions as they are; the others complete the
    first to the noun phrase it heads ("BERT model for QA") or let the second take the modifiers
    before it ("for robust speech recognition"), so a pattern sees its own words between them."""

    first_end: int
    second_start: int


def readings(text: str, first: Spanned, second: Spanned, completion: Completion, limit: int) -> list[Reading]:
    """The readings of the pair ``first`` … ``second`` of one sentence, the exact one first.

    ``limit`` is the sentence end. A completion never reaches into the other mention, and adds
    at most ``COMPLETION_WORDS`` words, so the readings are at most four and cost a few matches."""
    extended = completion.extend(text, first.end, min(second.start, limit))
    skipped = completion.skip(text, second.start, extended)
    found = [Reading(first.end, second.start)]
    for reading in (Reading(extended, second.start), Reading(first.end, skipped), Reading(extended, skipped)):
        if reading not in found:
            found.append(reading)
    return found


def _match(pattern: Pattern, types: tuple[str, str], gap: str, before: str, after: str) -> bool:
    """Whether ``pattern`` takes a pair of mentions of ``types`` with ``gap`` between them (and
    ``before`` and ``after`` them), all three already normalised."""
    return (
        pattern.allows(*types)
        and pattern.between.fullmatch(gap) is not None
        and (pattern.before is None or pattern.before.search(before) is not None)
        and (pattern.after is None or pattern.after.match(after) is not None)
    )


def _first_match(
    patterns: Sequence[Pattern],
    text: str,
    pair: tuple[Spanned, Spanned],
    sentence: tuple[int, int],
    completion: Completion,
    tail_end: int,
) -> tuple[Pattern, Reading] | None:
    """The first pattern, in file order, that some reading of ``pair`` satisfies (the exact
    reading before the completed ones, so completion only adds relations). ``tail_end``: where
    the second mention's phrase ends, for the patterns that look after it. Each text is
    normalised once for all the patterns."""
    first, second = pair
    types = (first.type, second.type)
    before = _norm(text[max(sentence[0], first.start - _CONTEXT) : first.start]) + " "
    after = text[tail_end : min(sentence[1], tail_end + _CONTEXT)].lower()
    for reading in readings(text, first, second, completion, sentence[1]):
        gap = _norm(text[reading.first_end : reading.second_start])
        for pattern in patterns:
            if _match(pattern, types, gap, before, after):
                return pattern, reading
    return None


def _listed(gap: str, longer: bool) -> bool:
    """Whether ``gap`` separates two items of a list. ", and" joins a third item at most: "X,
    e.g., SimCLR, and GAN" closes the example before GAN rather than adding GAN to it."""
    if not _LIST_SEP.fullmatch(gap):
        return False
    return longer or "," not in gap or not _CONJUNCTION.search(gap)


def _list_after(text: str, mentions: Sequence[Spanned], index: int, limit: int) -> list[int]:
    """Indices of the mentions listed after ``mentions[index]`` ("X, Y and Z")."""
    found = []
    current = index
    while current + 1 < len(mentions) and len(found) < limit:
        gap = text[mentions[current].end : mentions[current + 1].start]
        if mentions[current + 1].start < mentions[current].end or not _listed(gap, bool(found)):
            break
        current += 1
        found.append(current)
    return found


def _list_before(text: str, mentions: Sequence[Spanned], index: int, limit: int) -> list[int]:
    """Indices of the mentions listed before ``mentions[index]`` ("X and Y for Z": X for Y)."""
    found = []
    current = index
    while current > 0 and len(found) < limit:
        gap = text[mentions[current - 1].end : mentions[current].start]
        if mentions[current].start < mentions[current - 1].end or not _listed(gap, bool(found)):
            break
        current -= 1
        found.append(current)
    return found


def _phrase_ends(
    text: str, mentions: Sequence[Spanned], sentence: tuple[int, int], completion: Completion
) -> list[int]:
    """Where the noun phrase headed by each mention ends: past its head words, never into the
    next mention that starts after it, nor past the sentence."""
    starts = [m.start for m in mentions]  # sorted: find_relations orders the mentions
    ends = []
    for mention in mentions:
        after = bisect_left(starts, mention.end)
        limit = starts[after] if after < len(starts) else sentence[1]
        ends.append(completion.extend(text, mention.end, limit))
    return ends


def _in_sentence(
    text: str,
    mentions: Sequence[Spanned],
    sentence: tuple[int, int],
    patterns: Sequence[Pattern],
    completion: Completion,
) -> list[Relation]:
    found: dict[tuple[int, int, str], Relation] = {}
    ends = _phrase_ends(text, mentions, sentence, completion)

    def add(pattern: Pattern, a: int, b: int) -> None:
        head, tail = (b, a) if pattern.swap else (a, b)
        if mentions[head].start == mentions[tail].start:
            return
        spans = ((mentions[head].start, ends[head]), (mentions[tail].start, ends[tail]))
        found.setdefault(
            (head, tail, pattern.relation),
            Relation(pattern.relation, mentions[head], mentions[tail], "relation:" + pattern.id, *sentence, *spans),
        )

    for i, first in enumerate(mentions):
        for j in range(i + 1, min(len(mentions), i + 1 + NEAREST)):
            second = mentions[j]
            if second.start < first.end:
                continue  # overlapping mentions name one thing twice
            if second.start - first.end > MAX_GAP:
                break
            matched = _first_match(patterns, text, (first, second), sentence, completion, ends[j])
            if matched is None:
                continue
            pattern, reading = matched
            if pattern.not_in_list and (
                _list_after(text, mentions, j, 1)
                or _list_before(text, mentions, i, 1)
                or _BARE_LIST_SEP.fullmatch(text[reading.first_end : reading.second_start])
            ):
                continue  # "CIFAR, SVHN and STL-10": items of one list, not one a kind of the other
            add(pattern, i, j)
            for k in _list_after(text, mentions, j, NEAREST):
                if mentions[k].type != second.type:
                    break  # "X for A and B, and Y …": a list holds one kind of thing
                add(pattern, i, k)
            for k in _list_before(text, mentions, i, NEAREST):
                if mentions[k].type != first.type:
                    break
                add(pattern, k, j)
            break  # the nearest related mention takes the relation, not those beyond it
    return list(found.values())


def find_relations(
    text: str,
    mentions: Sequence[Spanned],
    patterns: Sequence[Pattern] | None = None,
    completion: Completion | None = None,
) -> list[Relation]:
    """Relations stated between ``mentions`` of ``text`` (one field), sentence by sentence.

    ``mentions`` need not be sorted or disjoint; relations come in text order. Mentions that
    cross a sentence end belong to no sentence and take part in no relation."""
    rules = load_patterns() if patterns is None else patterns
    completing = load_completion() if completion is None else completion
    ordered = sorted(mentions, key=lambda m: (m.start, -m.end))
    relations: list[Relation] = []
    cursor = 0
    for sentence in sentences(text):
        while cursor < len(ordered) and ordered[cursor].start < sentence[0]:
            cursor += 1
        inside = []
        while cursor < len(ordered) and ordered[cursor].start < sentence[1]:
            if ordered[cursor].end <= sentence[1]:
                inside.append(ordered[cursor])
            cursor += 1
        if len(inside) >= 2:
            relations.extend(_in_sentence(text, inside, sentence, rules, completing))
    return relations
