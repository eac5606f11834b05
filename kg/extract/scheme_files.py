"""A user's own concept scheme file (``kg build --scheme FILE``), read into plain entries.

Two formats, told apart by the suffix (``.csv``; ``.ttl``/``.turtle``), else by content (a first
line that is a CSV header naming ``type`` and ``label``):

- **CSV** with the header ``type,label,aliases,broader`` (an optional ``definition`` column):
  ``type`` is Method, Dataset or Task in any case; ``aliases`` and ``broader`` hold several
  values separated by ``;``; ``broader`` names another concept by its label or id.
- **SKOS Turtle** written like ``ontology/concepts/*.ttl``: each ``skos:Concept`` also has one of
  the types ``kg:Method``, ``kg:Dataset``, ``kg:Task``, a ``skos:prefLabel``, any number of
  ``skos:altLabel``/``skos:hiddenLabel`` and ``skos:broader`` links (to a concept of the file or
  of the bundled scheme, ``kgc:…``).

This module checks each entry on its own (a known type, a label, a parsable file) and says where
a fault is: file and line (a Turtle syntax error: the parser's line and column). Whether a
``broader`` names a concept is decided when the entries join a scheme
(:func:`kg.extract.scheme.load_scheme`), which knows every concept.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox

from kg.errors import InputError
from kg.ids import concept_id
from kg.normalize import slug
from kg.ontology import CONCEPT_BASE, NAMESPACE
from kg.records import CONCEPT_TYPES

COLUMNS = ("type", "label", "aliases", "broader")
OPTIONAL_COLUMNS = ("definition",)
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_SKOS = "http://www.w3.org/2004/02/skos/core#"
_TYPES = {t.lower(): t for t in CONCEPT_TYPES}
_TURTLE_ERROR = re.compile(r"^Parser error at line \d+ (?:between columns (\d+) and \d+|column (\d+))?:?\s*")
_SUBJECT = re.compile(r"^\s*(<[^>\s]*>|[A-Za-z][\w.\-]*:[\w.\-%]*|:[\w.\-%]*)")


@dataclass(frozen=True)
class Entry:
    """One concept as a scheme file states it.

    ``id`` is set when the file names it (a ``kgc:`` IRI), else derived from the label;
    ``broader`` holds concept ids (Turtle) or labels/ids as written (CSV)."""

    file: str
    line: int | None
    type: str
    label: str
    aliases: tuple[str, ...] = ()
    broader: tuple[str, ...] = ()
    definition: str | None = None
    id: str | None = None

    @property
    def concept_id(self) -> str:
        return self.id or concept_id(slug(self.label))


def file_bytes(path: str | Path) -> bytes:
    """The content of a scheme file; :class:`InputError` when it is missing or unreadable."""
    try:
        return Path(path).read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such scheme file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not a scheme file (CSV or SKOS Turtle)") from None
    except OSError as err:
        raise InputError(path, f"cannot read the scheme file ({err.strerror or err})") from err


def read_entries(path: Path) -> list[Entry]:
    """The concepts ``path`` states, in file order; :class:`InputError` (file, line, reason) for
    a missing or unreadable file or an entry that cannot be a concept."""
    data = file_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as err:
        line = data[: err.start].count(b"\n") + 1
        raise InputError(path, "not UTF-8 text", line) from None
    return _read_csv(path, text) if _is_csv(path, text) else _read_turtle(path, text)


def _is_csv(path: Path, text: str) -> bool:
    suffix = path.suffix.lower()
    if suffix in (".ttl", ".turtle"):
        return False
    if suffix == ".csv":
        return True
    first = next((line for line in text.splitlines() if line.strip()), "")
    cells = {cell.strip().lower() for cell in next(csv.reader([first]), [])}
    return {"type", "label"} <= cells


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split(";") if part.strip())


def _read_csv(path: Path, text: str) -> list[Entry]:
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(path, f"empty: a scheme CSV starts with the header {','.join(COLUMNS)}", 1) from None
    except csv.Error as err:
        raise InputError(path, f"not valid CSV ({err})", 1) from None
    columns = [cell.strip().lower() for cell in header]
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        plural = "s" * (len(missing) > 1)
        raise InputError(path, f"missing column{plural} {', '.join(missing)} (the header is {','.join(COLUMNS)})", 1)
    unknown = [c for c in columns if c not in COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        allowed = ", ".join(COLUMNS + OPTIONAL_COLUMNS)
        raise InputError(path, f"unknown column {unknown[0]!r} (the columns are {allowed})", 1)
    entries = []
    line = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as err:
            raise InputError(path, f"not valid CSV ({err})", line) from None
        if any(cell.strip() for cell in row):
            entries.append(_csv_entry(path, line, columns, row))
        line = reader.line_num + 1
    return entries


def _csv_entry(path: Path, line: int, columns: list[str], row: list[str]) -> Entry:
    if len(row) > len(columns):
        raise InputError(path, f"{len(row)} cells but {len(columns)} columns (quote a cell that holds a comma)", line)
    cells = dict(zip(columns, (cell.strip() for cell in row), strict=False))
    written = cells.get("type", "")
    concept_type = _TYPES.get(written.lower())
    if concept_type is None:
        raise InputError(path, f"unknown type {written!r} (Method, Dataset or Task)", line)
    label = cells.get("label", "")
    if not label:
        raise InputError(path, "empty label", line)
    return Entry(
        str(path),
        line,
        concept_type,
        label,
        _split(cells.get("aliases")),
        _split(cells.get("broader")),
        cells.get("definition") or None,
    )


def _read_turtle(path: Path, text: str) -> list[Entry]:
    parser = ox.parse(text, format=ox.RdfFormat.TURTLE)
    subjects: dict[str, dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]]] = {}
    try:
        for triple in parser:
            if isinstance(triple.subject, ox.NamedNode | ox.BlankNode):
                name = str(triple.subject)
                subjects.setdefault(name, {}).setdefault(triple.predicate.value, []).append(triple.object)
    except SyntaxError as err:
        reason = str(err.args[0]) if err.args else str(err)
        found = _TURTLE_ERROR.match(reason)
        column = (found.group(1) or found.group(2)) if found else None
        where = f" (column {column})" if column else ""
        reason = reason[found.end() if found else 0 :]
        raise InputError(path, f"not valid Turtle{where}: {reason}", err.lineno) from None
    lines = _subject_lines(text, parser.prefixes)
    concepts = {name: facts for name, facts in subjects.items() if _is_concept(facts)}
    ids = {name: _turtle_id(name, facts) for name, facts in concepts.items()}
    return [_turtle_entry(path, lines.get(name), name, facts, ids) for name, facts in concepts.items()]


def _is_concept(facts: dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]]) -> bool:
    kinds = {o.value for o in facts.get(_RDF_TYPE, ()) if isinstance(o, ox.NamedNode)}
    return _SKOS + "Concept" in kinds or any(kind.startswith(NAMESPACE) for kind in kinds)


def _label(facts: dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]]) -> str:
    """The preferred label: English or untagged first (a scheme may label in several languages)."""
    labels = [o for o in facts.get(_SKOS + "prefLabel", ()) if isinstance(o, ox.Literal)]
    labels.sort(key=lambda o: (o.language not in (None, "en") and not (o.language or "").startswith("en-"), o.value))
    return labels[0].value.strip() if labels else ""


def _turtle_id(name: str, facts: dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]]) -> str:
    iri = name[1:-1] if name.startswith("<") else ""
    if iri.startswith(CONCEPT_BASE) and iri != CONCEPT_BASE:
        return concept_id(iri.removeprefix(CONCEPT_BASE))
    return concept_id(slug(_label(facts) or name))


def _turtle_entry(
    path: Path,
    line: int | None,
    name: str,
    facts: dict[str, list[ox.NamedNode | ox.Literal | ox.BlankNode]],
    ids: dict[str, str],
) -> Entry:
    kinds = sorted(o.value for o in facts.get(_RDF_TYPE, ()) if isinstance(o, ox.NamedNode))
    typed = [kind.removeprefix(NAMESPACE) for kind in kinds if kind.startswith(NAMESPACE)]
    if not typed:
        raise InputError(path, f"{name} has no type (add `a kg:Method`, `kg:Dataset` or `kg:Task`)", line)
    unknown = [t for t in typed if t not in CONCEPT_TYPES]
    if unknown:
        raise InputError(path, f"{name}: unknown type kg:{unknown[0]} (kg:Method, kg:Dataset or kg:Task)", line)
    if len(typed) > 1:
        raise InputError(path, f"{name} has {len(typed)} types ({', '.join(typed)}); a concept has one", line)
    label = _label(facts)
    if not label:
        raise InputError(path, f"{name} has an empty or no skos:prefLabel", line)
    aliases = sorted(
        o.value.strip()
        for predicate in ("altLabel", "hiddenLabel")
        for o in facts.get(_SKOS + predicate, ())
        if isinstance(o, ox.Literal) and o.value.strip()
    )
    broader = []
    for target in facts.get(_SKOS + "broader", ()):
        iri = target.value if isinstance(target, ox.NamedNode) else ""
        if str(target) in ids:
            broader.append(ids[str(target)])
        elif iri.startswith(CONCEPT_BASE) and iri != CONCEPT_BASE:
            broader.append(concept_id(iri.removeprefix(CONCEPT_BASE)))
        else:
            raise InputError(path, f"{name}: skos:broader {target} names no concept of this file or kg's scheme", line)
    definitions = [o.value for o in facts.get(_SKOS + "definition", ()) if isinstance(o, ox.Literal)]
    return Entry(
        str(path), line, typed[0], label, tuple(aliases), tuple(broader), min(definitions, default=None), ids[name]
    )


def _subject_lines(text: str, prefixes: dict[str, str]) -> dict[str, int]:
    """The line where each subject (as ``<iri>``) is first written at the start of a line: where
    a fault in its statements is reported (the parser gives positions only for syntax errors)."""
    lines: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        found = _SUBJECT.match(line)
        if not found or line.lstrip().startswith(("@prefix", "@base")):
            continue
        token = found.group(1)
        if token.startswith("<"):
            lines.setdefault(token, number)
            continue
        prefix, _, local = token.partition(":")
        if prefix in prefixes:
            lines.setdefault(f"<{prefixes[prefix]}{local}>", number)
    return lines
