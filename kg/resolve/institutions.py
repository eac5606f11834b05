"""Institution identity: the institutions an affiliation string names, one node each.

An affiliation string resolves, in order, to

1. the lexicon entry (``data/lexicons/institutions.toml``) any spelling of which it matches
   ("MIT", "UC Berkeley", "FAIR", "Google Research, Brain Team");
2. else its parts (:func:`kg.sources.affiliations.affiliation_parts` splits at commas, "&",
   ";" and "/", keeping "University of California, Berkeley" and place qualifiers whole): each
   part that matches the lexicon is that entry; a part naming a sub-unit ("Department of
   Computer Science", "School of …", "Faculty of …") before a matched part is dropped, since
   the graph has no departments; "IBM Research - India" keeps its own spelling;
3. else one institution named by the string itself, with strings that differ only in case,
   accents, punctuation, "Univ."/"University", a leading "The" or a trailing place ("…, USA")
   folded together and shown in their most frequent spelling.

Identifiers come before names: affiliation strings a source ties to the same identifier (a ROR
id, from OpenAlex) are one institution whatever their spellings ("Meta (Israel)" and "Facebook
AI Research" with one ROR id), when each names one institution. Lexicon entries bring their
``part_of`` parents ("Google Brain" → "Google Research" → "Google"). Overrides
(:mod:`kg.resolve.overrides`) force spellings together or apart.
Resolution keeps every spelling as an alias and a :class:`~kg.resolve.decisions.Decision` for
each one that was folded into a different name, so ``kg review`` can show it.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache

from networkx.utils import UnionFind

from kg.ids import node_id
from kg.normalize import key, slug
from kg.resolve.decisions import Decision
from kg.resolve.lexicon import Entry, load_lexicon
from kg.resources import places
from kg.sources.affiliations import affiliation_parts

_SUB_UNIT = re.compile(
    r"^(?:dept\.?|department|school|faculty|college|division|graduate school|laboratory|lab|group|"
    r"chair|section|unit|program(?:me)?|centre|center|institute)\b",
    re.IGNORECASE,
)
_ABBREVIATIONS = {
    "univ": "university",
    "uni": "university",
    "inst": "institute",
    "tech": "technology",
    "natl": "national",
}


@dataclass(frozen=True)
class Institution:
    """One resolved institution: node id, display name, lexicon entry (if any), spellings."""

    id: str
    name: str
    entry: Entry | None = None
    aliases: tuple[str, ...] = ()


def _lexicon():  # type: ignore[no-untyped-def]
    return load_lexicon("institutions.toml", "institution")


def folded(text: str) -> str:
    """The key unknown institutions are compared by: "The Univ. of Foo, USA" → "university of foo"."""
    words = key(_without_place(text)).split()
    if words[:1] == ["the"] and len(words) > 1:
        words = words[1:]
    return " ".join(_ABBREVIATIONS.get(w, w) for w in words)


@cache
def _parts(text: str) -> tuple[tuple[str, Entry | None, str], ...]:
    """(spelling, lexicon entry or None, reason) for each institution a string names."""
    lexicon = _lexicon()
    whole = lexicon.lookup(text)
    if whole is not None:
        return ((text, whole, "lexicon spelling"),)
    parts = affiliation_parts(text)
    if len(parts) == 1:
        trimmed = _without_place(text)
        entry = lexicon.lookup(trimmed) if trimmed != text else None
        return ((text, entry, "lexicon spelling, place dropped" if entry else "as written"),)
    found: list[tuple[str, Entry | None, str]] = []
    matched = [lexicon.lookup(_without_place(p)) for p in parts]
    for index, (part, entry) in enumerate(zip(parts, matched, strict=True)):
        if entry is not None:
            found.append((part, entry, "lexicon spelling, one part of the affiliation"))
        elif _SUB_UNIT.match(part) and any(later is not None for later in matched[index + 1 :]):
            continue  # "Department of Computer Science, University of Toronto": the university
        else:
            found.append((part, None, "one part of the affiliation"))
    if not any(entry for _, entry, _ in found):
        return ((text, None, "as written"),)  # "ITS, CUNY Graduate Center": one name with a comma
    return tuple(found)


def _without_place(text: str) -> str:
    parts = [p.strip() for p in text.split(",") if p.strip()]
    while len(parts) > 1 and places.contains(parts[-1]):
        parts.pop()
    return ", ".join(parts)


@dataclass
class InstitutionResolver:
    """Collects affiliation strings, then names every institution once, over all of them."""

    spellings: Counter[str] = field(default_factory=Counter)
    _forced_same: list[tuple[str, ...]] = field(default_factory=list)
    _forced_apart: set[str] = field(default_factory=set)
    _identified: dict[str, set[str]] = field(default_factory=lambda: defaultdict(set))

    def add(self, affiliation: str, identifier: str | None = None) -> None:
        """One affiliation string as a source wrote it, with the source's id for it (``ror:…``)."""
        self.spellings[affiliation] += 1
        if identifier:
            self._identified[identifier].add(affiliation)

    def force_same(self, names: Iterable[str]) -> None:
        self._forced_same.append(tuple(names))

    def force_apart(self, names: Iterable[str]) -> None:
        """Each name keeps its own node, whatever the lexicon says ("Brain Team" ≠ "Google Brain")."""
        self._forced_apart.update(key(n) for n in names)

    def _own_id(self, part: str, entry: Entry | None) -> tuple[str, Entry | None]:
        if entry is not None and key(part) not in self._forced_apart:
            return node_id("Institution", entry.id), entry
        return node_id("Institution", slug(folded(part) or part)), None

    def resolve(self) -> InstitutionIdentity:
        by_string: dict[str, list[str]] = {}
        spellings_of: dict[str, Counter[str]] = defaultdict(Counter)
        entries: dict[str, Entry | None] = {}
        reasons: dict[tuple[str, str], str] = {}
        for text in sorted(self.spellings):
            ids = []
            for part, entry, reason in _parts(text):
                node, kept = self._own_id(part, entry)
                entries[node] = kept
                spellings_of[node][part] += self.spellings[text]
                reasons[(node, part)] = reason if kept else "same name up to case, punctuation and place"
                ids.append(node)
            by_string[text] = list(dict.fromkeys(ids))
        redirect, why = self._identifier_targets(by_string, entries)
        for node, target in self._forced_targets(by_string).items():
            if target in spellings_of:
                redirect[node], why[node] = redirect.get(target, target), "joined by the overrides file"
        institutions: dict[str, Institution] = {}
        decisions: list[Decision] = []

        def name_of(node: str) -> str:
            entry = entries.get(node)
            counts = spellings_of[node]
            return entry.name if entry else min(counts, key=lambda s: (-counts[s], s))

        for node in sorted(spellings_of):
            target = redirect.get(node, node)
            name, shown = name_of(node), name_of(target)
            if target != node:
                decisions.append(Decision("institution", name, shown, True, 2.0, why[node]))
            for spelling in sorted(spellings_of[node]):
                if spelling != name:
                    decisions.append(Decision("institution", spelling, name, True, 1.0, reasons[(node, spelling)]))
            existing = institutions.get(target)
            aliases = tuple(sorted({*spellings_of[node], *(existing.aliases if existing else ())}))
            institutions[target] = Institution(target, shown, entries.get(target), aliases)
        for text, ids in by_string.items():
            by_string[text] = list(dict.fromkeys(redirect.get(i, i) for i in ids))
        return InstitutionIdentity(institutions, by_string, decisions, len(self.spellings))

    def _identifier_targets(
        self, by_string: dict[str, list[str]], entries: dict[str, Entry | None]
    ) -> tuple[dict[str, str], dict[str, str]]:
        """Node → the node it joins because their strings share an identifier, and why.

        Only strings naming one institution take part (an id cannot say which part of
        "MIT, Google" it names), and a spelling the overrides keep apart stays apart. Each
        joined group is shown as its lexicon entry if it has one, else its first id."""
        nodes = UnionFind()
        shared: dict[str, str] = {}
        for identifier in sorted(self._identified):
            named = sorted(
                {
                    by_string[text][0]
                    for text in self._identified[identifier]
                    if len(by_string.get(text, ())) == 1 and key(text) not in self._forced_apart
                }
            )
            for node in named[1:]:
                nodes.union(named[0], node)
                shared.setdefault(node, identifier)
                shared.setdefault(named[0], identifier)
        redirect: dict[str, str] = {}
        why: dict[str, str] = {}
        for group in nodes.to_sets():
            target = min(group, key=lambda n: (entries.get(n) is None, n))
            for node in sorted(group - {target}):
                redirect[node], why[node] = target, f"the same identifier ({shared[node]})"
        return redirect, why

    def _forced_targets(self, by_string: dict[str, list[str]]) -> dict[str, str]:
        """Node → node it is joined into by a ``same`` override (the first name's node)."""
        redirect: dict[str, str] = {}
        for names in self._forced_same:
            nodes = [n for name in names for n in self._ids_of(name, by_string)]
            for node in nodes[1:]:
                if node != nodes[0]:
                    redirect[node] = nodes[0]
        return redirect

    def _ids_of(self, name: str, by_string: dict[str, list[str]]) -> list[str]:
        if name in by_string:
            return by_string[name]
        return [self._own_id(part, entry)[0] for part, entry, _ in _parts(name)]


@dataclass
class InstitutionIdentity:
    """The outcome: institutions by id, the ids each affiliation string names, decisions."""

    institutions: dict[str, Institution]
    by_string: dict[str, list[str]]
    decisions: list[Decision]
    spellings: int

    def of(self, affiliation: str) -> list[Institution]:
        return [self.institutions[i] for i in self.by_string[affiliation]]
