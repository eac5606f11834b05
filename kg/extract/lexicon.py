"""The ``kg_lexicon`` component: every alias of every concept of the scheme, found by phrase
matching.

Aliases written in lower case or as ordinary words match case-insensitively; acronyms and other
short or mixed-case aliases ("GNN", "BN", "ResNet") match case-sensitively, so "gan" in prose is
not a GAN (:func:`kg.extract.components.is_case_sensitive`). Plural and hyphen/space variants
are generated from every alias. The matchers' patterns are tokenised once and kept in the disk
cache (:mod:`kg.extract.diskcache`), so a process that extracts reads them instead of
tokenising some 14k forms again.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import spacy
from spacy.language import Language
from spacy.matcher import PhraseMatcher
from spacy.tokens import Doc, Span

from kg.extract import components, diskcache
from kg.extract.components import (
    SpanCandidate,
    _data,
    _Target,
    is_case_sensitive,
    is_generic,
    is_taggable,
    propose,
    variants,
)
from kg.extract.nounphrases import lists, singular
from kg.extract.scheme import BUNDLED, Concept, SchemeChoice, load_scheme, roots, scheme_fingerprint
from kg.normalize import key


@dataclass(frozen=True)
class LexiconPatterns:
    """What the lexicon's two phrase matchers hold: per matcher, each pattern as the hashes a
    :class:`PhraseMatcher` compares (``ORTH`` for the case-sensitive forms, ``LOWER`` for the
    folded ones) with the concepts it names, first owner first."""

    exact: dict[tuple[int, ...], list[_Target]]
    folded: dict[tuple[int, ...], list[_Target]]


def lexicon_patterns(nlp: Language, scheme: SchemeChoice = BUNDLED) -> LexiconPatterns:
    """The lexicon's patterns for ``scheme`` under ``nlp``'s tokenizer, from the disk cache
    (:mod:`kg.extract.diskcache`) when they were made before: tokenising the 14k alias forms
    took 0.6-0.8 s of CPU in every process that extracts; reading them back and adding them to
    the matchers takes about 0.1 s. The key (:func:`lexicon_key`) covers everything the
    patterns are made from, so they are always the ones tokenising would give."""
    return diskcache.cached(
        "lexicon",
        lexicon_key(nlp, scheme),
        lambda: build_lexicon_patterns(nlp, scheme),
        _encode_patterns,
        _decode_patterns,
    )


def lexicon_key(nlp: Language, scheme: SchemeChoice = BUNDLED) -> str:
    """The cache key of :func:`lexicon_patterns`: the scheme, the generic words, the code that
    chooses and tokenises the forms (this module and :mod:`kg.extract.components`), spaCy's
    version, the language and the tokenizer's rules and exceptions."""
    tokenizer = hashlib.sha256(nlp.tokenizer.to_bytes(exclude=["vocab"])).hexdigest()
    return diskcache.fingerprint(
        [scheme_fingerprint(scheme), spacy.__version__, nlp.lang, tokenizer],
        [_data("generic_terms.txt"), _data("noun_phrases.toml"), Path(__file__), *diskcache.source_files(components)],
    )


def build_lexicon_patterns(nlp: Language, scheme: SchemeChoice = BUNDLED) -> LexiconPatterns:
    """:func:`lexicon_patterns` made from the scheme: every alias form of every taggable
    concept, tokenised (an ambiguous form goes to the first concept in id order)."""
    exact_forms: dict[str, str] = {}
    folded_forms: dict[str, str] = {}
    seen: dict[tuple[bool, str], str] = {}
    targets: dict[str, _Target] = {}
    concepts = load_scheme(scheme)
    tasks = task_names(concepts)
    for concept in concepts.values():
        names = lexicon_names(concept, tasks)
        if names:
            targets[concept.id] = _Target(concept.id, concept.type, concept.label)
        for alias in names:
            for form in variants(alias):
                if concept.type == "Method" and is_family(form, tasks):
                    continue
                exact = is_case_sensitive(alias) or is_case_sensitive(form)
                form_key = (exact, form if exact else form.lower())
                if seen.setdefault(form_key, concept.id) != concept.id:
                    continue  # an ambiguous surface form: the first concept (in id order) keeps it
                (exact_forms if exact else folded_forms)[form] = concept.id
    found: list[dict[tuple[int, ...], list[_Target]]] = []
    for forms, folded in ((exact_forms, False), (folded_forms, True)):
        owners: dict[tuple[int, ...], list[_Target]] = {}
        ordered = sorted(forms, key=lambda f: (forms[f], f))
        for form, pattern in zip(ordered, nlp.tokenizer.pipe(ordered), strict=True):
            named = owners.setdefault(_token_key(pattern, folded), [])
            if targets[forms[form]] not in named:
                named.append(targets[forms[form]])
        found.append(owners)
    return LexiconPatterns(*found)


def lexicon_names(concept: Concept, tasks: frozenset[str]) -> list[str]:
    """The names the lexicon marks for ``concept``: its label and aliases, less generic words
    (plural names for the methods of a task go later, :func:`is_family`). A grouping concept of the scheme
    ("Policy Gradient Method", "Actor-Critic Method", :func:`~kg.extract.components.is_category`)
    is not marked by its label or by aliases ending in a head that is not part of names ("actor-
    critic algorithms"), but its bare names are the method's own ("policy gradient",
    "actor-critic", "Nelder-Mead"); the roots are never marked."""
    if concept.id in roots() or not concept.label or is_generic(concept.label):
        return []
    names = sorted({concept.label, *concept.aliases})
    names = [n for n in names if not is_generic(n)]
    if is_taggable(concept):
        return names
    unnamed = lists().unnamed
    return [n for n in names if n.split() and singular(n.split()[-1]) not in unnamed and not _activity(n)]


def _activity(name: str) -> bool:
    """A name in lower case ending in a nominalisation ("model compression", "ensemble
    learning", "distributed training"): the field a grouping concept's methods work in, which
    the text names as a task rather than as one of the methods."""
    return name == name.lower() and name.split()[-1].endswith(("tion", "sion", "ing", "ment"))


def is_family(form: str, tasks: frozenset[str]) -> bool:
    """A plural name for the methods of a task ("RL algorithms", "meta-learning methods"): the
    text refers to the whole family, not to a method, and the task's own name inside it is found
    instead. The singular stays a mention ("GCSL, a simple RL method" classifies GCSL, which the
    relation patterns link to the family)."""
    last = form.split()[-1] if form.split() else ""
    return singular(last) != last.lower() and is_task_category(form, tasks)


def task_names(concepts: dict[str, Concept]) -> frozenset[str]:
    """Every name of every Task concept of the scheme, folded (``key``)."""
    return frozenset(key(name) for c in concepts.values() if c.type == "Task" for name in (c.label, *c.aliases))


def is_task_category(alias: str, tasks: frozenset[str]) -> bool:
    """A name for the methods of a task rather than a method: a task's name and a head that is
    not part of names ("RL algorithms", "meta-learning methods", "clustering techniques"). The
    text names the family of methods that solve the task, which an annotator does not count as
    a method (../shared/ANNOTATION.md: generic words); the task's own name inside it is still
    found ("RL" → Reinforcement Learning). Its other aliases stay ("federated optimization")."""
    words = key(alias).split()
    if len(words) < 2:
        return False
    table = lists()
    head = singular(words[-1])
    return head in table.unnamed and table.heads.get(head) == "Method" and " ".join(words[:-1]) in tasks


def _encode_patterns(patterns: LexiconPatterns) -> dict[str, Any]:
    """Patterns as JSON: a table of concepts, and per matcher [hashes, [concept indices]]."""
    table: dict[_Target, int] = {}
    encoded: dict[str, Any] = {}
    for name, owners in (("exact", patterns.exact), ("folded", patterns.folded)):
        encoded[name] = [[list(k), [table.setdefault(t, len(table)) for t in named]] for k, named in owners.items()]
    encoded["concepts"] = [[t.concept, t.type, t.label] for t in table]
    return encoded


def _decode_patterns(data: dict[str, Any]) -> LexiconPatterns:
    table = [_Target(str(concept), str(kind), str(label)) for concept, kind, label in data["concepts"]]
    exact, folded = (
        {tuple(map(int, hashes)): [table[i] for i in named] for hashes, named in data[name]}
        for name in ("exact", "folded")
    )
    return LexiconPatterns(exact, folded)


class LexiconMatcher:
    """Marks every alias of every scheme concept (roots and generic words excluded).

    Two phrase matchers (case-sensitive forms, folded forms), each with all its forms under one
    match key; a match's concepts are looked up by its tokens' hashes. One key per concept made
    adding the 14k patterns three times slower (0.32 s against 0.11 s in every process that
    extracts). The patterns come tokenised from :func:`lexicon_patterns` (cached on disk).
    """

    def __init__(self, nlp: Language, name: str, scheme: SchemeChoice = BUNDLED) -> None:
        self.name = name
        self.concepts = load_scheme(scheme)
        patterns = lexicon_patterns(nlp, scheme)
        self.exact = PhraseMatcher(nlp.vocab, attr="ORTH")
        self.folded = PhraseMatcher(nlp.vocab, attr="LOWER")
        self.exact_targets = patterns.exact
        self.folded_targets = patterns.folded
        for matcher, owners in ((self.exact, self.exact_targets), (self.folded, self.folded_targets)):
            matcher.add("kg_lexicon", [list(hashes) for hashes in owners if hashes])

    def __call__(self, doc: Doc) -> Doc:
        for matcher, found, folded, rule, confidence in (
            (self.exact, self.exact_targets, False, "lexicon:exact", 0.95),
            (self.folded, self.folded_targets, True, "lexicon:alias", 0.9),
        ):
            for _, start, end in matcher(doc):
                for target in found[_token_key(doc[start:end], folded)]:
                    propose(doc, SpanCandidate(start, end, target.concept, target.type, target.label, rule, confidence))
        return doc


def _token_key(tokens: Doc | Span, folded: bool) -> tuple[int, ...]:
    """What a phrase matcher compares: the hashes of the tokens' text, or of their lower-case
    forms (the values ``PhraseMatcher`` reads for ``ORTH`` and ``LOWER``)."""
    return tuple(t.lower for t in tokens) if folded else tuple(t.orth for t in tokens)


@Language.factory("kg_lexicon", default_config={"scheme": {}})
def make_lexicon(nlp: Language, name: str, scheme: dict[str, Any]) -> LexiconMatcher:
    return LexiconMatcher(nlp, name, SchemeChoice.from_config(scheme))
