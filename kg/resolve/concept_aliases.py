"""Concept identity: names extraction found that denote one concept become one concept node.

Extraction already puts a mention on a scheme concept when its text is the concept's label,
alias or acronym. What it cannot see, record by record, is that two *discovered* concepts from
different records are one thing, or that a discovered long form is a scheme concept spelled
another way. This module compares every discovered concept's label, over the whole build, in
three forms:

- its matching key ("Online-EWC" → "online ewc");
- singular ("masked language models" → "masked language model");
- with acronyms the scheme knows written out ("online ewc" → "online elastic weight
  consolidation"): the acronym links from extraction, applied across records.

A discovered concept whose form is a scheme concept's label or alias joins that concept;
discovered concepts that share a form become one, named by the member whose own label is that
form (else the smallest id). Only labels are compared, never the acronym a record defined for
itself ("GIN" in one paper is not "GIN" in another). Overrides join concepts by name or keep
them apart; a ``different`` rule also takes a mention whose text is one of the names off the
concept another name denotes, into a concept of its own.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import replace
from functools import cache
from typing import TYPE_CHECKING

from kg import ids
from kg.normalize import key, slug
from kg.records import Mention
from kg.resolve.decisions import Decision
from kg.resolve.overrides import Overrides

if TYPE_CHECKING:
    from kg.extract.scheme import SchemeChoice


def _scheme_index() -> tuple[dict[str, str], dict[str, str]]:
    """Scheme concept id by label/alias key, and long-form key by single-word alias key (of the
    scheme of the build this runs in)."""
    from kg.extract.scheme import active_scheme

    return _index_of(active_scheme())


@cache
def _index_of(scheme: SchemeChoice) -> tuple[dict[str, str], dict[str, str]]:
    from kg.extract.scheme import load_scheme

    by_key: dict[str, str] = {}
    expansions: dict[str, str] = {}
    for concept in sorted(load_scheme(scheme).values(), key=lambda c: c.id):
        for spelling in (concept.label, *concept.aliases):
            by_key.setdefault(key(spelling), concept.id)
            if spelling.isupper() and " " not in spelling and len(spelling) > 1:
                expansions.setdefault(key(spelling), key(concept.label))
    return by_key, expansions


def _singular(text: str) -> str:
    words = text.split()
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith(("ss", "us", "is")):
        words[-1] = words[-1][:-1]
    return " ".join(words)


def forms(label: str) -> list[str]:
    """The forms a discovered concept's label is compared in (most literal first)."""
    _, expansions = _scheme_index()
    plain = key(label)
    expanded = " ".join(expansions.get(w, w) for w in plain.split())
    return list(dict.fromkeys([plain, _singular(plain), expanded, _singular(expanded)]))


def canonical_concepts(
    mentions: Iterable[Mention], overrides: Overrides
) -> tuple[dict[str, tuple[str, str, str]], list[Decision]]:
    """Concept id → (canonical id, label, type) for every concept to move; plus the decisions."""
    by_key, _ = _scheme_index()
    from kg.extract.scheme import load_scheme

    scheme = load_scheme()
    discovered = _discovered(mentions)
    apart = [set(_named(n, discovered) for n in names) - {None} for names in overrides.rules("concepts", same=False)]
    moves: dict[str, tuple[str, str, str]] = {}
    decisions: list[Decision] = []
    groups: dict[str, list[str]] = defaultdict(list)
    for concept_id in sorted(discovered):
        groups[forms(discovered[concept_id].label)[-1]].append(concept_id)
    for form, members in sorted(groups.items()):
        known = sorted({by_key[f] for m in members for f in forms(discovered[m].label) if f in by_key})
        rest = []
        for member in members:
            target = next((k for k in known if not _kept_apart(apart, member, k)), None)
            if target is None:
                rest.append(member)
                continue
            moves[member] = (target, scheme[target].label, scheme[target].type)
            decisions.append(
                Decision(
                    "concept",
                    discovered[member].label,
                    scheme[target].label,
                    True,
                    1.0,
                    "a spelling of a scheme concept",
                )
            )
        own = [m for m in rest if key(discovered[m].label) == form]
        head = min(own or rest, default=None)
        for member in rest:
            if head is None or member == head or _kept_apart(apart, member, head):
                continue
            chief = discovered[head]
            moves[member] = (head, chief.label, chief.type)
            decisions.append(
                Decision(
                    "concept",
                    discovered[member].label,
                    chief.label,
                    True,
                    0.95,
                    "the same name, singular or with its acronym written out",
                )
            )
    for names in overrides.rules("concepts", same=True):
        ids = [i for i in (_named(n, discovered) for n in names) if i is not None]
        for other in ids[1:]:
            head = moves.get(ids[0], (ids[0], "", ""))[0]
            label, kind = _label_type(head, scheme, discovered)
            if other != head:
                moves[other] = (head, label, kind)
                decisions.append(
                    Decision(
                        "concept",
                        _label_type(other, scheme, discovered)[0],
                        label,
                        True,
                        2.0,
                        "joined by the overrides file",
                    )
                )
    return moves, decisions


def _label_type(concept_id: str, scheme: dict, discovered: dict[str, Mention]) -> tuple[str, str]:  # type: ignore[type-arg]
    if concept_id in scheme:
        return scheme[concept_id].label, scheme[concept_id].type
    mention = discovered[concept_id]
    return mention.label, mention.type


def _named(name: str, discovered: dict[str, Mention]) -> str | None:
    """The concept id a name in the overrides file denotes: a concept this build discovered
    under that name first (the user names what they saw), else the scheme's."""
    if name.startswith(ids.concept_prefix()):
        return name
    wanted = key(name)
    found = next((cid for cid, m in sorted(discovered.items()) if key(m.label) == wanted), None)
    return found or _scheme_index()[0].get(wanted)


def _kept_apart(apart: list[set[str | None]], a: str, b: str) -> bool:
    return any(a in group and b in group for group in apart)


def split_mentions(mentions: Sequence[Sequence[Mention]], overrides: Overrides) -> list[list[Mention]]:
    """Apply ``different`` rules to each record's mentions: a mention whose text is a listed
    name, on the concept another listed name denotes, moves to the concept its own name denotes
    (a discovered concept of its own text if none)."""
    rules = overrides.rules("concepts", same=False)
    if not rules:
        return [list(found) for found in mentions]
    discovered = _discovered(m for found in mentions for m in found)
    denoted = [{key(n): _named(n, discovered) for n in names} for names in rules]
    moved: list[list[Mention]] = []
    for found in mentions:
        kept = []
        for mention in found:
            text = key(mention.text)
            for names in denoted:
                own = names.get(text, "")
                if text in names and mention.concept != own and mention.concept in names.values():
                    target = own or ids.concept_id(slug(mention.text) + "-" + mention.type.lower())
                    mention = replace(mention, concept=target, label=mention.text, rule=mention.rule + "+override")
                    break
            kept.append(mention)
        moved.append(kept)
    return moved


def _discovered(mentions: Iterable[Mention]) -> dict[str, Mention]:
    """The first mention of each concept the scheme does not have."""
    from kg.extract.scheme import load_scheme

    scheme = load_scheme()
    found: dict[str, Mention] = {}
    for mention in mentions:
        if mention.concept not in scheme:
            found.setdefault(mention.concept, mention)
    return found
