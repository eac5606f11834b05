"""The user's word on identity: spellings forced into one node, or kept in separate ones.

Overrides live in the ``[identity]`` section of the ``kg.toml`` beside the input files (the same
file that gives venues and years, :mod:`kg.sources.file_facts`), or in any TOML file passed as
``kg build --overrides FILE`` (or ``$KG_OVERRIDES``)::

    [[identity.same]]                 # one person, whatever the names suggest
    authors = ["Russ Salakhutdinov", "Ruslan Salakhutdinov"]
    why = "his web page lists both"   # optional; kept in the decision record

    [[identity.different]]            # never the same node
    authors = ["Samy Bengio", "S. Bengio"]

    [[identity.same]]
    institutions = ["Brain Team", "Google Brain"]

    [[identity.different]]            # the blog's GIN is not the graph isomorphism network
    concepts = ["GIN", "Graph Isomorphism Network"]

Each table names one kind (``authors``, ``institutions`` or ``concepts``) and at least two
spellings. ``kg review`` prints lines in this format for the decisions it asks about.
"""

from __future__ import annotations

import tomllib
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError

KINDS = ("authors", "institutions", "concepts")


@dataclass(frozen=True)
class Rule:
    """One ``[[identity.same]]`` or ``[[identity.different]]`` table."""

    kind: str
    names: tuple[str, ...]
    why: str = ""
    file: str = ""


@dataclass(frozen=True)
class Overrides:
    """Every rule from every overrides file of a build."""

    same: tuple[Rule, ...] = ()
    different: tuple[Rule, ...] = ()
    files: tuple[str, ...] = field(default=())

    def rules(self, kind: str, same: bool) -> list[tuple[str, ...]]:
        return [r.names for r in (self.same if same else self.different) if r.kind == kind]


NONE = Overrides()


def load(paths: Iterable[Path]) -> Overrides:
    """Read the ``[identity]`` rules of each file (a missing ``[identity]`` section is no rules)."""
    same: list[Rule] = []
    different: list[Rule] = []
    files: list[str] = []
    for path in paths:
        try:
            document = tomllib.loads(path.read_text(encoding="utf-8-sig"))
        except FileNotFoundError as err:
            raise InputError(path, "overrides file not found") from err
        except (tomllib.TOMLDecodeError, UnicodeDecodeError) as err:
            raise InputError(path, f"not valid TOML: {err}") from err
        identity = document.get("identity", {})
        if not identity:
            continue
        if not isinstance(identity, dict) or not set(identity) <= {"same", "different"}:
            raise InputError(path, "[identity] takes only [[identity.same]] and [[identity.different]] tables")
        files.append(str(path))
        for section, into in (("same", same), ("different", different)):
            tables = identity.get(section, [])
            if not isinstance(tables, list):
                raise InputError(path, f"identity.{section} must be an array of tables ([[identity.{section}]])")
            for number, table in enumerate(tables, start=1):
                into.append(_rule(path, f"identity.{section} #{number}", table))
    return Overrides(tuple(same), tuple(different), tuple(files))


def _rule(path: Path, where: str, table: object) -> Rule:
    if not isinstance(table, dict):
        raise InputError(path, f"[[{where}]] must be a table")
    kinds = [k for k in KINDS if k in table]
    unknown = sorted(set(table) - {*KINDS, "why"})
    if unknown or len(kinds) != 1:
        raise InputError(
            path, f"[[{where}]] needs exactly one of {', '.join(KINDS)} (and optionally why); got {sorted(table)}"
        )
    names = table[kinds[0]]
    if not isinstance(names, list) or len(names) < 2 or not all(isinstance(n, str) and n.strip() for n in names):
        raise InputError(path, f"[[{where}]] {kinds[0]} must list at least two non-empty names")
    why = table.get("why", "")
    if not isinstance(why, str):
        raise InputError(path, f"[[{where}]] why must be a string")
    return Rule(kinds[0], tuple(n.strip() for n in names), why, str(path))


def as_toml(section: str, kind: str, names: Iterable[str]) -> str:
    """A rule in the file's format, for ``kg review`` to suggest."""
    quoted = ", ".join('"' + n.replace("\\", "\\\\").replace('"', '\\"') + '"' for n in names)
    return f"[[identity.{section}]]\n{kind} = [{quoted}]\n"
