"""The concept scheme (``ontology/concepts/*.ttl``, SKOS) as plain Python for the matchers.

Each concept has an id (``concept/<slug>``), a type (Method, Dataset or Task, from its
``rdf:type``), a preferred label, aliases and broader concepts. The scheme roots ("Method",
"Dataset", "Task") are never matched in text: they are generic words. Parsing uses Oxigraph's
Turtle parser, which reads the whole scheme in a few tens of milliseconds.

A build may bring its own scheme files (``kg build --scheme FILE``, read by
:mod:`kg.extract.scheme_files`): a :class:`SchemeChoice` names them, how they join the bundled
scheme (``add``, or ``replace`` it keeping only the three roots) and a hash of their content.
:func:`load_scheme` gives the concepts of a choice, cached per choice (the hash is part of it,
so an edited file is read again). The extraction pipeline is given its choice explicitly (it
runs in worker processes too); the later stages, which look concepts up from many places, see
the choice of the build they run in through :func:`using_scheme`, a context variable set for
that build only, so builds in one process never see each other's schemes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from functools import cache, lru_cache
from pathlib import Path
from typing import Any

import pyoxigraph as ox

from kg import ids, normalize
from kg.errors import InputError, UsageError
from kg.extract import diskcache as disk_cache
from kg.extract import scheme_files as scheme_files_module
from kg.extract.scheme_files import Entry, file_bytes, read_entries
from kg.ids import concept_id
from kg.normalize import key, slug
from kg.ontology import CONCEPT_BASE, NAMESPACE
from kg.records import CONCEPT_TYPES
from kg.resources import resource_dir

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
MODES = ("add", "replace")


@cache
def roots() -> frozenset[str]:
    """The ids of the scheme's three top concepts (``method``, ``dataset``, ``task``)."""
    return frozenset(concept_id(t.lower()) for t in CONCEPT_TYPES)


@dataclass
class Concept:
    """One concept of the scheme."""

    id: str
    type: str
    label: str
    aliases: list[str] = field(default_factory=list)
    broader: list[str] = field(default_factory=list)
    definition: str | None = None
    file: str | None = None
    """The user's scheme file that brought the concept (None: kg's own scheme)."""


@dataclass(frozen=True)
class SchemeChoice:
    """Which concept scheme a build extracts with: the bundled one (no ``files``), or the user's
    ``files`` added to it (``mode="add"``) or in its place (``"replace"``); ``sha256`` hashes
    the files' content, so a changed file is a different choice (and different rules)."""

    files: tuple[str, ...] = ()
    mode: str = "add"
    sha256: str = ""

    @classmethod
    def of(cls, files: Sequence[str | Path], mode: str = "add") -> SchemeChoice:
        """The choice of ``files`` (absolute paths, so ``kg add`` finds them from anywhere) as
        they are now; :class:`InputError` for a file that cannot be read."""
        if mode not in MODES:
            raise UsageError(f"scheme mode {mode!r} is not one of {', '.join(MODES)}")
        if not files:
            if mode == "replace":
                raise UsageError("--scheme-mode replace needs a --scheme FILE to replace the bundled scheme with")
            return BUNDLED
        paths = tuple(str(Path(f).expanduser().absolute()) for f in files)
        return cls(paths, mode, _content_hash(paths))

    def as_config(self) -> dict[str, Any]:
        """The choice as plain values: the config of a scheme-reading spaCy component
        (``nlp.add_pipe(name, config={"scheme": …})``)."""
        return {"files": list(self.files), "mode": self.mode, "sha256": self.sha256} if self.files else {}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> SchemeChoice:
        """The choice :meth:`as_config` gave (an empty config: the bundled scheme)."""
        files = tuple(map(str, config.get("files") or ()))
        return cls(files, str(config.get("mode", "add")), str(config.get("sha256", ""))) if files else BUNDLED


BUNDLED = SchemeChoice()
_ACTIVE: ContextVar[SchemeChoice] = ContextVar("kg_scheme", default=BUNDLED)


def _content_hash(paths: Sequence[str]) -> str:
    digest = hashlib.sha256()
    for path in paths:
        digest.update(hashlib.sha256(file_bytes(path)).digest())
    return digest.hexdigest()[:16]


@contextmanager
def using_scheme(choice: SchemeChoice) -> Iterator[None]:
    """Within the block (this thread or task), :func:`load_scheme` without an argument gives
    ``choice``'s concepts."""
    token = _ACTIVE.set(choice)
    try:
        yield
    finally:
        _ACTIVE.reset(token)


def active_scheme() -> SchemeChoice:
    """The choice :func:`load_scheme` uses when given none (the bundled scheme outside
    :func:`using_scheme`)."""
    return _ACTIVE.get()


def scheme_dir() -> Path:
    return resource_dir("ontology") / "concepts"


def load_scheme(choice: SchemeChoice | None = None) -> dict[str, Concept]:
    """All concepts by id of ``choice`` (default: :func:`active_scheme`); callers must not
    change what they are given (it is cached)."""
    return _load(choice if choice is not None else _ACTIVE.get())


@lru_cache(maxsize=8)
def _load(choice: SchemeChoice) -> dict[str, Concept]:
    bundled = _bundled(scheme_dir())
    if not choice.files:
        return bundled
    if _content_hash(choice.files) != choice.sha256:
        raise InputError(choice.files[0], "a scheme file changed while it was being read; run the command again")
    return _with_entries(bundled, [e for path in choice.files for e in read_entries(Path(path))], choice.mode)


@cache
def _bundled(directory: Path) -> dict[str, Concept]:
    """All concepts by id (every ``*.ttl`` file of the scheme directory), from the disk cache
    (:mod:`kg.extract.diskcache`) when this scheme was parsed before: reading the saved concepts
    takes a few milliseconds, parsing the Turtle about 0.2 s in every process."""
    files = sorted(directory.glob("*.ttl"))
    return disk_cache.cached(
        "scheme", _bundled_key(directory), lambda: _parse_scheme(files), _encode_concepts, _decode_concepts
    )


@cache
def _bundled_key(directory: Path) -> str:
    """The cache key of the bundled scheme: its files, the code that parses them and the
    ontology's names for concepts."""
    return disk_cache.fingerprint(
        [ox.__version__, CONCEPT_BASE, NAMESPACE, ids.concept_prefix(), *CONCEPT_TYPES],
        [*sorted(directory.glob("*.ttl")), Path(__file__), *disk_cache.source_files(normalize, ids)],
    )


def scheme_fingerprint(choice: SchemeChoice) -> str:
    """Names the concepts :func:`load_scheme` gives for ``choice`` (the bundled scheme's key, the
    user's files by path and content hash, the mode, the code that reads them): the part of a
    cache key for anything made from a scheme."""
    parts = [_bundled_key(scheme_dir()), choice.mode, choice.sha256, *choice.files]
    return disk_cache.fingerprint(parts, disk_cache.source_files(scheme_files_module) if choice.files else ())


def _encode_concepts(concepts: dict[str, Concept]) -> list[list[Any]]:
    return [[c.id, c.type, c.label, c.aliases, c.broader, c.definition, c.file] for c in concepts.values()]


def _decode_concepts(rows: list[list[Any]]) -> dict[str, Concept]:
    concepts = {}
    for identifier, concept_type, label, aliases, broader, definition, file in rows:
        concepts[str(identifier)] = Concept(
            str(identifier), concept_type, label, list(aliases), list(broader), definition, file
        )
    return concepts


def _parse_scheme(files: Sequence[Path]) -> dict[str, Concept]:
    """The concepts of the scheme's Turtle ``files``: one per subject typed Method, Dataset or
    Task, with its labels and broader links."""
    concepts: dict[str, Concept] = {}
    types = {NAMESPACE + t: t for t in CONCEPT_TYPES}
    rows: list[tuple[str, str, ox.NamedNode | ox.Literal | ox.BlankNode]] = []
    for path in files:
        for triple in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
            if isinstance(triple.subject, ox.NamedNode) and triple.subject.value.startswith(CONCEPT_BASE):
                rows.append((triple.subject.value, triple.predicate.value, triple.object))
    for subject, predicate, obj in rows:
        if predicate == _RDF_TYPE and obj.value in types:
            identifier = concept_id(subject.removeprefix(CONCEPT_BASE))
            concepts.setdefault(identifier, Concept(identifier, types[obj.value], ""))
    for subject, predicate, obj in rows:
        concept = concepts.get(concept_id(subject.removeprefix(CONCEPT_BASE)))
        if concept is None:
            continue
        if predicate == _SKOS + "prefLabel":
            concept.label = obj.value
        elif predicate == _SKOS + "altLabel":
            concept.aliases.append(obj.value)
        elif predicate == _SKOS + "broader" and obj.value.startswith(CONCEPT_BASE):
            concept.broader.append(concept_id(obj.value.removeprefix(CONCEPT_BASE)))
        elif predicate == _SKOS + "definition":
            concept.definition = obj.value
    for concept in concepts.values():
        concept.aliases.sort()
        concept.broader.sort()
    return concepts


def _with_entries(bundled: dict[str, Concept], entries: Sequence[Entry], mode: str) -> dict[str, Concept]:
    """The scheme of a choice: the user's entries added to the bundled concepts (an entry with a
    bundled concept's id extends it: its label becomes an alias, aliases and broader links are
    merged) or in their place (the three roots stay, so ``broader`` may name "Method"). An entry
    without ``broader`` hangs under its type's root. The user's concepts come first in the result.
    Copies: the bundled scheme is not changed."""
    kept = bundled if mode == "add" else {i: c for i, c in bundled.items() if i in roots()}
    concepts = {i: replace(c, aliases=list(c.aliases), broader=list(c.broader)) for i, c in kept.items()}
    new: list[str] = []
    for entry in entries:
        identifier = entry.concept_id
        concept = concepts.get(identifier)
        if concept is None:
            concepts[identifier] = Concept(identifier, entry.type, entry.label, [], [], entry.definition, entry.file)
            new.append(identifier)
        elif concept.type != entry.type:
            where = "kg's scheme" if identifier in bundled and mode == "add" else "this scheme"
            raise InputError(
                entry.file, f"{entry.label!r} is already a {concept.type} in {where}, not a {entry.type}", entry.line
            )
        else:
            concept.definition = concept.definition or entry.definition
        concept = concepts[identifier]
        for alias in (entry.label, *entry.aliases):
            if alias != concept.label and alias not in concept.aliases:
                concept.aliases.append(alias)
    by_label: dict[str, str] = {}
    for concept in concepts.values():
        by_label.setdefault(key(concept.label), concept.id)
    for entry in entries:
        concept = concepts[entry.concept_id]
        for name in entry.broader:
            parent = _named(name, concepts, by_label)
            if parent is None:
                raise InputError(
                    entry.file, f"broader {name!r} names no concept of the scheme (give a label or an id)", entry.line
                )
            if parent == concept.id:
                raise InputError(entry.file, f"{entry.label!r} cannot be broader than itself", entry.line)
            if parent not in concept.broader:
                concept.broader.append(parent)
    for identifier in new:
        if not concepts[identifier].broader:
            concepts[identifier].broader.append(concept_id(concepts[identifier].type.lower()))
    for concept in concepts.values():
        concept.aliases.sort()
        concept.broader.sort()
    # The user's concepts first: where one of their spellings is also a bundled concept's ("PDB"),
    # the matcher gives it to the concept met first, and in a field's own scheme that is theirs.
    named = dict.fromkeys(entry.concept_id for entry in entries)
    return {**{i: concepts[i] for i in named}, **concepts}


def _named(name: str, concepts: dict[str, Concept], by_label: dict[str, str]) -> str | None:
    """The concept a ``broader`` cell names: an id (``concept/x`` or ``x``), else a label."""
    for candidate in (name, concept_id(name), concept_id(slug(name))):
        if candidate in concepts:
            return candidate
    return by_label.get(key(name))


def ancestors(concepts: dict[str, Concept], concept_id: str) -> list[str]:
    """Every broader concept, transitively, nearest first (cycles tolerated)."""
    seen: list[str] = []
    frontier = list(concepts[concept_id].broader) if concept_id in concepts else []
    while frontier:
        current = frontier.pop(0)
        if current in seen or current not in concepts:
            continue
        seen.append(current)
        frontier.extend(concepts[current].broader)
    return seen
