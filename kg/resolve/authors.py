"""Author identity: which spellings in the sources are one person, and why.

Spellings that parse to the same name (:mod:`kg.resolve.names`: case, accents, dots, hyphens
and BibTeX order folded away) are one *variant*. Variants are then compared pairwise within a
block (same surname, same first initial), on a scale where 1.0 is the same name:

==================  =====  ==============================================================
level               value  example
==================  =====  ==============================================================
same name           1.00   "Yi Ding Jiang" / "YiDing Jiang"
middle initial      0.95   "Jack William Rae" / "Jack W. Rae"
middle name left    0.85   "Aaron C. Courville" / "Aaron Courville"
out
nickname            0.75   "Russ Salakhutdinov" / "Ruslan Salakhutdinov" (``nicknames.toml``)
given initial       0.65   "A. Courville" / "Aaron Courville", "C. J." / "Cho-Jui Hsieh"
one letter apart    0.55   "Yuandong Tian" / "Yuangdong Tian"
==================  =====  ==============================================================

A surname shared by many people in the corpus (12 name variants or more: Li, Wang, Zhang, Kim,
Lee, …) takes 0.1 off any match on less than the same name, since such names are more often
two people. Names that differ in a given name ("Samy" / "Yoshua Bengio") or in an initial ("Cho-Jui" /
"Cheng-Yu Hsieh": C.-J. against C.-Y.) are never compared further. Evidence beyond the name is
added to the level: the same paper listed by two sources (+0.5), shared co-authors (+0.2 each,
at most +0.4), a shared institution (+0.2), overlapping topics and concepts (+0.1). A pair
merges when the sum reaches 0.85 (:data:`kg.resolve.decisions.MERGE_THRESHOLD`), so a name
that is only an initial needs a co-author (or an institution) in common, a nickname a shared
topic, and a dropped middle name nothing more; a merge that scores under 1.05 on less than the same name is *weak* and
goes to ``kg review``. Three guards keep people apart:

- two spellings in one record's author list are two people;
- every pair inside a merged group must be compatible ("J. Lee" cannot join both "Jason Lee"
  and "Jongmin Lee");
- a name that fits several people who are incompatible with each other ("C. Hsieh") merges only
  when one of them leads by 0.2 in evidence; otherwise it is a near-miss.

Pairs are merged best first in a fixed order of scores and keys, so the result does not depend
on the order of the input. Names that appear only in one *crowded* record (a hyper-authored
author list, :data:`kg.resolve.builder.MAX_PAIRWISE_AUTHORS`) are never paired with each other:
the one-list rule keeps them apart anyway, and comparing them pairwise would make one record of
10,000 authors cost 50 million comparisons. Overrides (:mod:`kg.resolve.overrides`) force merges and splits.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from itertools import combinations

from networkx.utils import UnionFind
from rapidfuzz.distance import Levenshtein

from kg.ids import node_id
from kg.normalize import key, slug
from kg.resolve.decisions import MERGE_THRESHOLD, Decision
from kg.resolve.names import GivenPart, PersonName, parse

SAME, MIDDLE_INITIAL, MIDDLE_MISSING, NICKNAME, INITIAL, TYPO = 1.0, 0.95, 0.85, 0.75, 0.65, 0.55
_LEVEL_REASONS = {
    SAME: "same name",
    MIDDLE_INITIAL: "a middle name written as its initial",
    MIDDLE_MISSING: "a middle name left out",
    NICKNAME: "a nickname of the given name",
    INITIAL: "the given name written as its initial",
    TYPO: "given names one letter apart",
}
_WEAK_BELOW = 1.05
# A surname this many different people (name variants) in the corpus share counts against a
# match on less than the full name: "Ang A. Li" and "Ang Li" need evidence, "Aaron C. Courville"
# and "Aaron Courville" do not.
COMMON_SURNAME, COMMON_PENALTY = 12, 0.1
_AMBIGUITY_MARGIN = 0.2


@dataclass(frozen=True, slots=True)
class AuthorOccurrence:
    """One author reference in one record, with what resolution may use as evidence."""

    as_written: str
    display: str
    record: str
    paper: str
    coauthors: tuple[str, ...]
    institutions: tuple[str, ...] = ()
    subjects: tuple[str, ...] = ()
    crowded: bool = False  # the record is hyper-authored: its names are not compared among themselves
    ids: tuple[str, ...] = ()


@dataclass
class _Variant:
    name: PersonName
    spellings: set[str] = field(default_factory=set)
    records: set[str] = field(default_factory=set)
    papers: set[str] = field(default_factory=set)
    coauthors: set[str] = field(default_factory=set)
    institutions: set[str] = field(default_factory=set)
    subjects: set[str] = field(default_factory=set)
    ids: set[str] = field(default_factory=set)


@dataclass(frozen=True)
class Person:
    """One resolved author: node id, display name, every spelling, and why spellings joined."""

    id: str
    name: str
    aliases: tuple[str, ...]
    merged_because: tuple[str, ...]


@dataclass
class AuthorIdentity:
    """The outcome: the person each spelling denotes, and the decisions taken."""

    people: dict[str, Person]
    by_key: dict[str, str]
    decisions: list[Decision]
    spellings: int

    def person(self, as_written: str) -> Person:
        return self.people[self.by_key[parse(as_written).key]]


@cache
def _nickname_groups() -> dict[str, frozenset[int]]:
    import tomllib

    from kg.resources import lexicon_path

    path = lexicon_path("nicknames.toml")
    groups: dict[str, set[int]] = defaultdict(set)
    if path.exists():
        with path.open("rb") as handle:
            for index, group in enumerate(tomllib.load(handle).get("groups", [])):
                for name in group:
                    groups[key(name).replace(" ", "")].add(index)
    return {name: frozenset(ids) for name, ids in groups.items()}


def _nicknames(a: str, b: str) -> bool:
    groups = _nickname_groups()
    return bool(groups.get(a, frozenset()) & groups.get(b, frozenset()))


def _part_level(a: GivenPart, b: GivenPart, initial_level: float) -> float | None:
    if a.full and b.full:
        if a.full == b.full:
            return SAME
        if _nicknames(a.full, b.full):
            return NICKNAME
        if (
            a.initials == b.initials
            and min(len(a.full), len(b.full)) >= 5
            and Levenshtein.distance(a.full, b.full) == 1
        ):
            return TYPO
        return None
    if a.initials.startswith(b.initials) or b.initials.startswith(a.initials):
        return initial_level
    return None


def name_level(a: PersonName, b: PersonName) -> float | None:
    """How alike two names are on the module's scale, or ``None`` when they cannot be one person."""
    if a.surname_key != b.surname_key:
        return None
    left, right = a.given_parts, b.given_parts
    if not left or not right:
        return None
    abbreviated = any(p.full is None for p in (*left, *right))
    if abbreviated and not (a.initials.startswith(b.initials) or b.initials.startswith(a.initials)):
        return None  # "C. J." is not "Cheng-Yu"
    if abbreviated and a.initials == b.initials and any(all(p.full is None for p in side) for side in (left, right)):
        return INITIAL  # "C. J. Hsieh" / "Cho-Jui Hsieh": every given name as its initial
    if all(p.full for p in (*left, *right)) and "".join(p.full or "" for p in left) == "".join(
        p.full or "" for p in right
    ):
        return SAME
    first = _part_level(left[0], right[0], INITIAL)
    if first is None:
        return None
    level = first
    for x, y in zip(left[1:], right[1:], strict=False):
        part = _part_level(x, y, MIDDLE_INITIAL)
        if part is None:
            return None
        level = min(level, part)
    if len(left) != len(right):
        level = min(level, MIDDLE_MISSING)
    return level


def _specificity(variant: _Variant) -> tuple[int, int, int, int, str]:
    """Which spelling names a merged group: full given names, more names, most papers."""
    parts = variant.name.given_parts
    display = variant.name.display
    return (sum(1 for p in parts if p.full), len(parts), len(variant.papers), len(display), display)


class _Groups:
    """networkx's union-find over variant keys, with each group's members at hand for the guards."""

    def __init__(self, keys: Iterable[str]) -> None:
        self._sets = UnionFind(keys)
        self.members = {k: [k] for k in self._sets}

    def find(self, item: str) -> str:
        return self._sets[item]

    def union(self, a: str, b: str) -> None:
        ra, rb = self.find(a), self.find(b)
        if ra != rb:
            self._sets.union(a, b)
            root = self.find(a)
            self.members[root].extend(self.members.pop(rb if root == ra else ra))


class AuthorResolver:
    """Collects author mentions, then decides once, over all of them."""

    def __init__(self) -> None:
        self._variants: dict[str, _Variant] = {}
        self._spellings: set[str] = set()
        self._forced_same: list[tuple[str, ...]] = []
        self._forced_apart: list[tuple[str, ...]] = []
        self._block_names: dict[str, set[str]] = defaultdict(set)
        self._crowded: set[str] = set()

    def add(self, mention: AuthorOccurrence) -> None:
        name = parse(mention.as_written or mention.display)
        if not name.surname:
            name = parse(mention.display)
        variant = self._variants.setdefault(name.key, _Variant(name))
        variant.spellings.update(s for s in (mention.as_written, mention.display, name.display) if s)
        self._spellings.add(mention.as_written or mention.display)
        variant.records.add(mention.record)
        if mention.crowded:
            self._crowded.add(mention.record)
        variant.papers.add(mention.paper)
        for coauthor in mention.coauthors:
            parsed = parse(coauthor)
            variant.coauthors.add(parsed.block)
            self._block_names[parsed.block].add(parsed.display)
        variant.institutions.update(mention.institutions)
        variant.subjects.update(mention.subjects)
        variant.ids.update(mention.ids)

    def force_same(self, names: Iterable[str]) -> None:
        self._forced_same.append(tuple(parse(n).key for n in names))

    def force_apart(self, names: Iterable[str]) -> None:
        self._forced_apart.append(tuple(parse(n).key for n in names))

    # ------------------------------------------------------------ deciding

    def _evidence(self, a: _Variant, b: _Variant) -> tuple[float, list[str]]:
        weight, facts = 0.0, []
        shared_papers = (a.papers & b.papers) if not (a.records & b.records) else set()
        if shared_papers:
            weight += 0.5
            facts.append(f"the same paper in two sources ({len(shared_papers)})")
        own = {a.name.block, b.name.block}
        coauthors = sorted((a.coauthors & b.coauthors) - own)
        if coauthors:
            weight += min(0.4, 0.2 * len(coauthors))
            names = [min(self._block_names[c], key=lambda n: (-len(n), n)) for c in coauthors[:3]]
            facts.append("shared co-authors " + ", ".join(names) + (" …" if len(coauthors) > 3 else ""))
        institutions = sorted(a.institutions & b.institutions)
        if institutions:
            weight += 0.2
            facts.append("shared institution " + institutions[0].split("/", 1)[-1])
        union = a.subjects | b.subjects
        if union and len(a.subjects & b.subjects) / len(union) >= 0.15:
            weight += 0.1
            facts.append(f"{len(a.subjects & b.subjects)} shared topics and concepts")
        return weight, facts

    def _apart(self, groups: _Groups, a: str, b: str, banned: set[frozenset[str]]) -> str | None:
        """Why the groups of ``a`` and ``b`` must stay apart, or ``None`` if they may merge."""
        left, right = groups.members[groups.find(a)], groups.members[groups.find(b)]
        for x in left:
            vx = self._variants[x]
            for y in right:
                vy = self._variants[y]
                if frozenset((x, y)) in banned:
                    return "kept apart by the overrides file"
                if vx.records & vy.records:
                    return f"both in the author list of {sorted(vx.records & vy.records)[0]}"
                if name_level(vx.name, vy.name) is None:
                    return f"“{vx.name.display}” and “{vy.name.display}” would join one person"
        return None

    def resolve(self) -> AuthorIdentity:
        keys = sorted(self._variants)
        groups = _Groups(keys)
        decisions: list[Decision] = []
        banned = {frozenset((x, y)) for group in self._forced_apart for x in group for y in group if x != y}
        for forced in self._forced_same:
            present = [k for k in forced if k in self._variants]
            for other in present[1:]:
                groups.union(present[0], other)
                decisions.append(
                    Decision(
                        "author",
                        self._variants[present[0]].name.display,
                        self._variants[other].name.display,
                        True,
                        2.0,
                        "joined by the overrides file",
                    )
                )
        self._join_identified(groups, keys, banned, decisions)
        candidates = self._candidates(keys)
        by_variant: dict[str, list[tuple[float, str]]] = defaultdict(list)
        for total, _level, a, b, _facts in candidates:
            by_variant[a].append((total, b))
            by_variant[b].append((total, a))
        for total, level, a, b, facts in candidates:
            if groups.find(a) == groups.find(b):
                continue
            va, vb = self._variants[a], self._variants[b]
            reason = _LEVEL_REASONS[level]
            if total < MERGE_THRESHOLD:
                blocked: str | None = "not enough evidence beyond the name"
            else:
                blocked = self._ambiguous(a, b, total, by_variant) or self._apart(groups, a, b, banned)
            merged = blocked is None
            if merged:
                groups.union(a, b)
            weak = merged and level < SAME and total < _WEAK_BELOW
            evidence = tuple(facts) + ((f"kept apart: {blocked}",) if blocked else ())
            decisions.append(
                Decision("author", va.name.display, vb.name.display, merged, round(total, 3), reason, evidence, weak)
            )
        return self._identity(groups, decisions)

    def _join_identified(
        self, groups: _Groups, keys: list[str], banned: set[frozenset[str]], decisions: list[Decision]
    ) -> None:
        """Spellings a source ties to the same person id (ORCID, OpenAlex, Semantic Scholar,
        OpenReview profile) are one person before any name is compared ("D. Schwab" and "David J.
        Schwab" with one Semantic Scholar id), unless the overrides or one author list keep them
        apart."""
        holders: dict[str, list[str]] = defaultdict(list)
        for k in keys:
            for identifier in self._variants[k].ids:
                holders[identifier].append(k)
        for identifier in sorted(holders):
            first, *others = holders[identifier]
            for other in others:
                if groups.find(first) == groups.find(other):
                    continue
                blocked = self._apart(groups, first, other, banned)
                if blocked is None:
                    groups.union(first, other)
                left, right = self._variants[first].name.display, self._variants[other].name.display
                evidence = (identifier,) + ((f"kept apart: {blocked}",) if blocked else ())
                decisions.append(Decision("author", left, right, blocked is None, 2.0, "the same identifier", evidence))

    def _candidates(self, keys: list[str]) -> list[tuple[float, float, str, str, list[str]]]:
        """Compatible pairs within each block, best first (ties in key order)."""
        blocks: dict[str, list[str]] = defaultdict(list)
        for k in keys:
            name = self._variants[k].name
            blocks[name.block].append(k)
            first = name.given_parts[0].full if name.given_parts else None
            for group in _nickname_groups().get(first or "", ()):  # "Bill" is compared with "William"
                blocks[f"{name.surname_key}|nickname {group}"].append(k)
        surnames = Counter(self._variants[k].name.surname_key for k in keys)
        pairs = []
        seen: set[tuple[str, str]] = set()
        for members in blocks.values():
            for a, b in self._pairs(members):
                if (a, b) in seen:
                    continue
                seen.add((a, b))
                level = name_level(self._variants[a].name, self._variants[b].name)
                if level is None:
                    continue
                weight, facts = self._evidence(self._variants[a], self._variants[b])
                if level < SAME and surnames[self._variants[a].name.surname_key] >= COMMON_SURNAME:
                    weight -= COMMON_PENALTY  # "Ang Li" / "Ang A. Li": many people have this name
                    facts = [*facts, "a common surname"]
                pairs.append((level + weight, level, a, b, facts))
        pairs.sort(key=lambda p: (-p[0], -p[1], p[2], p[3]))
        return pairs

    def _pairs(self, members: list[str]) -> Iterator[tuple[str, str]]:
        """Pairs of a block's variants (lower key first), leaving out pairs of names that both
        appear only in the same crowded record: a hyper-authored list costs its length here."""
        buckets: dict[str | None, list[str]] = defaultdict(list)
        for k in members:
            records = self._variants[k].records
            only = next(iter(records)) if len(records) == 1 else None
            buckets[only if only in self._crowded else None].append(k)
        loose = buckets.pop(None, [])
        yield from combinations(loose, 2)
        groups = [loose, *buckets.values()]
        for index, group in enumerate(groups):
            for other in groups[index + 1 :]:
                for a in group:
                    for b in other:
                        yield (a, b) if a < b else (b, a)

    def _ambiguous(self, a: str, b: str, total: float, by_variant: dict[str, list[tuple[float, str]]]) -> str | None:
        """A name that fits several incompatible people merges only with a clear leader."""
        for one, other in ((a, b), (b, a)):
            for score, rival in by_variant[one]:
                if rival == other or score <= total - _AMBIGUITY_MARGIN:
                    continue
                if name_level(self._variants[other].name, self._variants[rival].name) is None:
                    return f"“{self._variants[one].name.display}” also fits “{self._variants[rival].name.display}”"
        return None

    def _identity(self, groups: _Groups, decisions: list[Decision]) -> AuthorIdentity:
        people: dict[str, Person] = {}
        by_key: dict[str, str] = {}
        explained: dict[str, list[Decision]] = defaultdict(list)
        for decision in decisions:
            if decision.merged:
                explained[decision.left].append(decision)
        for root in sorted(groups.members, key=lambda r: min(groups.members[r])):
            members = [self._variants[k] for k in sorted(groups.members[root])]
            best = max(members, key=_specificity)
            person_id = node_id("Author", slug(best.name.display))
            if person_id in people:  # two people whose best spellings fold alike: keep both
                person_id += "-" + slug(root)[-8:]
            aliases = sorted({s for m in members for s in m.spellings})
            shown = {m.name.display for m in members}
            because = tuple(sorted(d.explanation() for name in shown for d in explained[name] if d.right in shown))
            people[person_id] = Person(person_id, best.name.display, tuple(aliases), because)
            for k in groups.members[root]:
                by_key[k] = person_id
        return AuthorIdentity(people, by_key, decisions, len(self._spellings))
