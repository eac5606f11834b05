"""Free text → graph nodes: "GNNs", "graph neural nets", "Frankle", "MIT" to concepts, topics,
authors and institutions.

Matching runs in stages and stops at the first stage that finds anything, so a precise answer
is never drowned by looser ones:

1. ``exact``: the text's matching key (:func:`kg.normalize.key`: case, accents, punctuation
   folded) equals a node's label.
2. ``alias``: it equals one of the node's aliases (SKOS altLabels, spellings seen in sources).
3. ``acronym``: the text, with a plural ``s`` dropped ("GNNs"), equals the initials of a label
   or alias of two or more words ("Graph Neural Network" → ``gnn``).
4. ``inflection``: every word singularised and a few short forms expanded ("nets" → "network")
   gives the same key as a label or alias ("graph neural nets", "Transformers").
5. ``fuzzy``: rapidfuzz similarity of the keys, the better of ``ratio`` (typos: "grpah neural
   network") and ``token_set_ratio`` (a word of a longer name: "Frankle" → "Jonathan Frankle"),
   at least :data:`FUZZY_CUTOFF` (0–100).

:func:`suggest` gives the closest names below that cutoff, for "did you mean …" messages.

Two ways to call it, with the same results:

>>> from kg.query.match import match_nodes
>>> graph = kg.open_store(".kg").graph()                          # doctest: +SKIP
>>> match_nodes(graph, "GNNs", types=("Method",))[0].id           # doctest: +SKIP
'concept/graph-neural-network'
>>> match_nodes(graph, "frankle", types=("Author",))[0].label     # doctest: +SKIP
'Jonathan Frankle'

``source`` may be a :class:`kg.graph.Graph` (its nodes' labels, names and aliases are read once
and cached for that graph object), a :class:`Vocabulary` built from any candidates, or any
object with a ``vocabulary()`` method returning one (the store's lookup index does that).
Types are ontology node-type keys: ``Method``, ``Dataset``, ``Task``, ``Topic``, ``Author``,
``Institution``, ``Venue``, ``Paper``; ``"Concept"`` stands for the first three. Without
``types`` every named type except ``Paper`` is searched. The text is only compared with
strings, never put into a query.
"""

from __future__ import annotations

import math
import weakref
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from kg.errors import QueryError, shown
from kg.normalize import key
from kg.query.fuzzy import NameIndex
from kg.records import CONCEPT_TYPES

NAMED_TYPES = (*CONCEPT_TYPES, "Topic", "Author", "Institution", "Venue")
STAGES = ("exact", "alias", "acronym", "inflection", "fuzzy")
FUZZY_CUTOFF = 86.0
SUGGEST_CUTOFF = 55.0
# token_set_ratio scores count for a little less than ratio ones (a word of a longer name).
_TOKEN_SET_FACTOR = 0.95

# Short forms people type, expanded in the inflection stage (applied after singularising).
_SHORT_FORMS = {"net": "network", "nn": "neural network", "conv": "convolutional", "rl": "reinforcement learning"}
_ACRONYM_SKIP = {"of", "and", "the", "for", "a", "an", "in", "on", "with", "to", "by"}


@dataclass(frozen=True)
class Candidate:
    """A node that text can match: id, type, label and other names.

    ``weight`` breaks ties between equally good matches (e.g. how many papers a concept has).
    """

    id: str
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    weight: float = 0.0


@dataclass(frozen=True)
class NodeMatch:
    """One node the text matched.

    ``kind`` is the stage (``exact``, ``alias``, ``acronym``, ``inflection``, ``fuzzy`` or
    ``suggestion``), ``score`` in [0, 1] (1 for the exact stages), ``matched`` the label or
    alias that matched.
    """

    id: str
    type: str
    label: str
    kind: str
    score: float
    matched: str


class NoMatchError(QueryError):
    """Nothing matched the text; ``suggestions`` are the closest names (maybe none)."""

    def __init__(self, text: str, what: str, suggestions: Sequence[NodeMatch] = ()) -> None:
        self.text = text
        self.suggestions = tuple(suggestions)
        hint = ""
        if self.suggestions:
            hint = "; did you mean " + ", ".join(f"“{s.label}”" for s in self.suggestions) + "?"
        super().__init__(f"no {what} matches “{shown(text)}”{hint}")


class AmbiguousMatchError(QueryError):
    """Several nodes match the text equally well; ``candidates`` lists them."""

    def __init__(self, text: str, candidates: Sequence[NodeMatch]) -> None:
        self.text = text
        self.candidates = tuple(candidates)
        listed = "; ".join(f"{c.label} ({c.type}, {c.id})" for c in self.candidates)
        super().__init__(
            f"“{shown(text)}” matches {len(self.candidates)} nodes: {listed}; give the full name or the id"
        )


@lru_cache(maxsize=1 << 16)
def singular(word: str) -> str:
    """A plain English singular for matching (networks → network, studies → study, GNNs → gnn)."""
    if len(word) <= 3 or not word.isalpha():
        return word[:-1] if len(word) >= 3 and word.endswith("s") and word[:-1].isalpha() else word
    if word.endswith("ies"):
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("s"):
        return word[:-1]
    return word


def inflection_key(text: str, folded: bool = False) -> str:
    """The matching key with every word singularised and short forms expanded."""
    words = [_SHORT_FORMS.get(singular(w), singular(w)) for w in (text if folded else key(text)).split()]
    return " ".join(words)


def acronym_of(text: str, folded: bool = False) -> str | None:
    """Initials of a name of two or more words ("Graph Neural Network" → "gnn"), else None."""
    words = [w for w in (text if folded else key(text)).split() if w not in _ACRONYM_SKIP]
    if len(words) < 2:
        return None
    return "".join(w[0] for w in words)


def _acronym_queries(text: str) -> list[str]:
    """What a one-word text could abbreviate: itself, and without a plural ``s`` ("GNNs")."""
    stripped = text.strip()
    if not stripped or len(stripped.split()) > 1 or len(stripped) > 10:
        return []
    compact = key(stripped).replace(" ", "")
    forms = [compact]
    if len(compact) > 2 and stripped.endswith("s"):
        forms.append(compact[:-1])
    return forms


class Vocabulary:
    """Every name of a set of candidate nodes, indexed for the matching stages.

    Build one with :meth:`from_graph` or from :class:`Candidate` objects; it is immutable and
    cheap to query (dictionary look-ups, then one rapidfuzz pass over the distinct names).
    """

    def __init__(
        self, candidates: Iterable[Candidate], names: Iterable[tuple[int, str, str, str, str]] | None = None
    ) -> None:
        """Index ``candidates``; ``names`` are precomputed :meth:`name_rows` (faster to load)."""
        self.candidates: list[Candidate] = list(candidates)
        self.by_id = {c.id: c for c in self.candidates}
        self._exact: dict[str, list[int]] = {}
        self._alias: dict[str, list[tuple[int, str]]] = {}
        self._acronym: dict[str, list[tuple[int, str]]] = {}
        self._inflected: dict[str, list[tuple[int, str]]] = {}
        self._names: dict[str, list[tuple[int, str]]] = {}
        label_keys: dict[int, str] = {}
        for index, surface, surface_key, inflected, initials in names if names is not None else self.name_rows():
            if surface == self.candidates[index].label:
                label_keys[index] = surface_key
                self._exact.setdefault(surface_key, []).append(index)
            elif surface_key != label_keys.get(index):
                self._alias.setdefault(surface_key, []).append((index, surface))
            if initials:
                self._acronym.setdefault(initials, []).append((index, surface))
            self._inflected.setdefault(inflected, []).append((index, surface))
            self._names.setdefault(surface_key, []).append((index, surface))
        self._name_keys = list(self._names)

    def name_rows(self) -> list[tuple[int, str, str, str, str]]:
        """(candidate index, surface, key, inflection key, initials or "") for every name."""
        rows = []
        for index, candidate in enumerate(self.candidates):
            for surface in dict.fromkeys((candidate.label, *candidate.aliases)):
                surface_key = key(surface)
                if surface_key:
                    initials = acronym_of(surface_key, folded=True) or ""
                    rows.append((index, surface, surface_key, inflection_key(surface_key, folded=True), initials))
        return rows

    @classmethod
    def from_graph(cls, graph: Any, types: Iterable[str] | None = None) -> Vocabulary:
        """The named nodes of a :class:`kg.graph.Graph` (label, name, title and aliases)."""
        wanted = set(_expand_types(types)) if types is not None else {*NAMED_TYPES, "Paper"}
        candidates = []
        for node in graph.nodes():
            if node.type not in wanted:
                continue
            props = node.props
            label = props.get("label") or props.get("name") or props.get("title") or node.id
            names = tuple(str(n) for n in (props.get("name"), props.get("title")) if n and n != label)
            degree = float(graph.degree(node.id))  # edges in and out, without a networkx copy
            aliases = names + tuple(props.get("aliases", ()))
            candidates.append(Candidate(node.id, node.type, str(label), aliases, degree))
        return cls(candidates)

    # ------------------------------------------------------------------ matching

    def match(
        self, text: str, types: Iterable[str] | None = None, limit: int = 5, first_stage: bool = True
    ) -> list[NodeMatch]:
        """The nodes ``text`` names, best first, from the first stage that finds any.

        With ``first_stage=False`` the exact, alias, acronym and inflection stages are pooled
        (each node keeps its earliest stage; earlier stages rank first); fuzzy matching still
        runs only when they all find nothing.
        """
        allowed = _allowed(types)
        query = key(text)
        if not query:
            return []
        stages: list[tuple[str, list[tuple[int, str, float]]]] = [
            ("exact", [(i, self.candidates[i].label, 1.0) for i in self._exact.get(query, [])]),
            ("alias", [(i, s, 1.0) for i, s in self._alias.get(query, [])]),
        ]
        acronyms = [(i, s, 1.0) for form in _acronym_queries(text) for i, s in self._acronym.get(form, [])]
        stages.append(("acronym", acronyms))
        stages.append(("inflection", [(i, s, 1.0) for i, s in self._inflected.get(inflection_key(text), [])]))
        pooled: list[NodeMatch] = []
        for kind, hits in stages:
            if kind == "acronym" and pooled:
                continue  # initials are a guess: only when no name matched outright
            found = self._finish(kind, hits, allowed, limit)
            if found and first_stage:
                return found
            pooled.extend(m for m in found if all(m.id != p.id for p in pooled))
        if pooled:
            return pooled[:limit]
        return self._finish("fuzzy", self._fuzzy(query, FUZZY_CUTOFF), allowed, limit)

    def suggest(self, text: str, types: Iterable[str] | None = None, limit: int = 3) -> list[NodeMatch]:
        """The closest names however far (down to :data:`SUGGEST_CUTOFF`), for "did you mean"."""
        query = key(text)
        if not query:
            return []
        hits = self._fuzzy(query, SUGGEST_CUTOFF)
        return self._finish("suggestion", hits, _allowed(types), limit)

    @cached_property
    def name_index(self) -> NameIndex:
        """The prefilter of the fuzzy stage (:mod:`kg.query.fuzzy`), built at its first use:
        vocabularies that never reach that stage (most of a build's) never pay for it."""
        return NameIndex(self._name_keys)

    def _fuzzy(self, query: str, cutoff: float) -> list[tuple[int, str, float]]:
        best: dict[str, float] = {}
        names = self.name_index
        # Names too short to reach the cutoff are not compared, so a long text (100k characters)
        # costs no more than a short one: ratio ≤ 200·len(name) / (len(query) + len(name)), and
        # token_set matches of names shorter than the text are dropped anyway.
        needed = cutoff
        shortest = math.floor(needed * len(query) / (200 - needed))
        for name, score in names.ratio(query, needed, limit=200, min_length=shortest):
            best[name] = max(best.get(name, 0.0), score)
        needed = cutoff / _TOKEN_SET_FACTOR
        for name, score in names.token_set_ratio(query, needed, limit=200, min_length=len(query)):
            best[name] = max(best.get(name, 0.0), score * _TOKEN_SET_FACTOR)
        return [
            (index, surface, score / 100.0)
            for name, score in best.items()
            if score >= cutoff
            for index, surface in self._names[name]
        ]

    def _finish(
        self, kind: str, hits: list[tuple[int, str, float]], allowed: set[str] | None, limit: int
    ) -> list[NodeMatch]:
        best: dict[int, tuple[float, str]] = {}
        for index, surface, score in hits:
            if allowed is not None and self.candidates[index].type not in allowed:
                continue
            if index not in best or score > best[index][0]:
                best[index] = (score, surface)
        order = sorted(
            best,
            key=lambda i: (-best[i][0], -self.candidates[i].weight, self.candidates[i].label, self.candidates[i].id),
        )
        return [
            NodeMatch(c.id, c.type, c.label, kind, round(best[i][0], 3), best[i][1])
            for i in order[: max(limit, 0)]
            for c in (self.candidates[i],)
        ]


def _expand_types(types: Iterable[str]) -> list[str]:
    expanded: list[str] = []
    for name in types:
        expanded.extend(CONCEPT_TYPES if name == "Concept" else (name,))
    return expanded


def _allowed(types: Iterable[str] | None) -> set[str] | None:
    if types is None:
        return set(NAMED_TYPES)
    return set(_expand_types(types))


_GRAPH_VOCABULARIES: weakref.WeakKeyDictionary[Any, Vocabulary] = weakref.WeakKeyDictionary()


def vocabulary(source: Any) -> Vocabulary:
    """The :class:`Vocabulary` of a Graph (cached per graph object), index or vocabulary."""
    if isinstance(source, Vocabulary):
        return source
    if hasattr(source, "vocabulary"):
        return source.vocabulary()
    if hasattr(source, "nodes") and hasattr(source, "nx"):
        cached = _GRAPH_VOCABULARIES.get(source)
        if cached is None:
            cached = _GRAPH_VOCABULARIES[source] = Vocabulary.from_graph(source)
        return cached
    raise TypeError(f"cannot match nodes in a {type(source).__name__}: give a Graph, Vocabulary or lookup index")


def match_nodes(source: Any, text: str, types: Sequence[str] | None = None, limit: int = 5) -> list[NodeMatch]:
    """The nodes of ``source`` that ``text`` names, best first (empty when none).

    Args:
        source: a :class:`kg.graph.Graph`, a :class:`Vocabulary` or a lookup index.
        text: what a person typed ("GNNs", "graph neural nets", "frankle", "Google Brain").
        types: node-type keys to consider ("Concept" = Method, Dataset, Task); default: every
            named type except Paper.
        limit: at most this many matches.

    Returns:
        Matches of the first stage that found any (see the module docstring), best first.

    >>> match_nodes(graph, "graph neural nets")[0].kind                # doctest: +SKIP
    'alias'
    """
    return vocabulary(source).match(text, types, limit)


def suggest(source: Any, text: str, types: Sequence[str] | None = None, limit: int = 3) -> list[NodeMatch]:
    """The closest names for a text nothing matched ("did you mean …")."""
    return vocabulary(source).suggest(text, types, limit)


def equally_good(found: Sequence[NodeMatch]) -> list[NodeMatch]:
    """The matches (best first) that score as well as the best one, within rounding."""
    return [m for m in found if m.score >= found[0].score - 0.02] if found else []


def resolve_one(source: Any, text: str, types: Sequence[str] | None = None, what: str = "node") -> NodeMatch:
    """Exactly one node for ``text``, or a typed error.

    An id (``author/jonathan-frankle``) is taken as is. Raises :class:`NoMatchError` (with
    suggestions) when nothing matches and :class:`AmbiguousMatchError` when the best stage finds
    several equally good nodes (both exit status 2 on the command line).
    """
    vocab = vocabulary(source)
    allowed = _allowed(types)
    direct = vocab.by_id.get(text.strip())
    if direct is not None and (allowed is None or direct.type in allowed):
        return NodeMatch(direct.id, direct.type, direct.label, "exact", 1.0, direct.id)
    found = vocab.match(text, types, limit=10)
    if not found:
        raise NoMatchError(text, what, vocab.suggest(text, types))
    top = equally_good(found)
    if len(top) > 1:
        raise AmbiguousMatchError(text, top)
    return found[0]
