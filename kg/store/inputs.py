"""Each input's records and mentions, kept in the store so `kg add` and `kg remove` need not
read or extract the other inputs again.

Identity is decided over all records at once (:mod:`kg.resolve`), so adding one file can
change how others resolve: a new co-author backs a merge, a new listing confirms a paper. `kg
add` therefore resolves everything again, but it reads and extracts only the new files: the
rest come from here. One gzipped JSON-lines file per input, in each store generation::

    gen-…/inputs/<digest of the file's name and sha256>.jsonl.gz
      {"file": …, "sha256": …, "reader": …, "records": N, "fingerprint": …}   header
      {"record": {…}, "mentions": [{…}, …] or null}                            one per record

JSON, not pickle: a store directory can come from anywhere, and reading it must not run code.
The ``fingerprint`` names the extraction rules the mentions came from
(:func:`kg.extract.rules_fingerprint`, given by the caller: the store does not know extraction);
mentions from other rules are not reused.
"""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, fields, is_dataclass
from functools import cache
from pathlib import Path
from typing import Any

from kg.errors import StoreError, shown
from kg.normalize import digest
from kg.records import AuthorRef, Mention, Provenance, Record

DIRECTORY = "inputs"


@dataclass(frozen=True)
class CachedInput:
    """One input file as a build saw it: its records and, if extracted, their mentions."""

    file: str
    sha256: str
    reader: str
    records: list[Record]
    mentions: list[list[Mention]] | None
    fingerprint: str


def _record_from(raw: dict[str, Any]) -> Record:
    raw = dict(raw)
    raw["provenance"] = Provenance(**raw["provenance"])
    raw["authors"] = tuple(
        AuthorRef(
            a["name"],
            a["as_written"],
            a["position"],
            tuple(a["affiliations"]),
            tuple(a.get("ids", ())),
            tuple(a.get("affiliation_ids", ())),
        )
        for a in raw["authors"]
    )
    for name in ("summaries", "topics", "keywords", "external_ids", "paper_affiliations"):
        raw[name] = tuple(raw[name])
    return Record(**raw)


def _mention_from(raw: dict[str, Any]) -> Mention:
    return Mention(**{**raw, "aliases": tuple(raw["aliases"])})


def write(
    generation_dir: Path,
    file: str,
    sha256: str,
    reader: str,
    records: Sequence[Record],
    mentions: Sequence[Sequence[Mention]] | None,
    fingerprint: str = "",
) -> None:
    """Save one input's records (and mentions, with the ``fingerprint`` of the extraction rules
    that found them) into a generation being built."""
    folder = generation_dir / DIRECTORY
    folder.mkdir(exist_ok=True)
    header = {"file": file, "sha256": sha256, "reader": reader, "records": len(records), "fingerprint": fingerprint}
    with gzip.open(folder / _name(file, sha256), "wt", encoding="utf-8", compresslevel=3) as handle:
        handle.write(json.dumps(header, ensure_ascii=False) + "\n")
        for index, record in enumerate(records):
            found = mentions[index] if mentions is not None else None
            handle.write(json.dumps({"record": record, "mentions": found}, ensure_ascii=False, default=_as_dict) + "\n")


def _as_dict(value: Any) -> dict[str, Any]:
    """A record, author or mention as JSON sees it: its fields in order. The same JSON as
    ``dataclasses.asdict`` gives (tuples are written as lists either way) without its deep copy,
    which took half the time of saving the default corpus's inputs."""
    if not is_dataclass(value) or isinstance(value, type):
        raise TypeError(f"cannot save a {type(value).__name__} with the inputs")
    return {name: getattr(value, name) for name in _field_names(type(value))}


@cache
def _field_names(kind: type) -> tuple[str, ...]:
    return tuple(f.name for f in fields(kind))


def _name(file: str, sha256: str) -> str:
    return f"{digest(file, sha256)}.jsonl.gz"


def read(generation_dir: Path, file: str, sha256: str) -> CachedInput:
    """One input as saved by :func:`write`; a missing or damaged file is a :class:`StoreError`."""
    path = generation_dir / DIRECTORY / _name(file, sha256)
    try:
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            lines = iter(handle)
            header = json.loads(next(lines))
            records: list[Record] = []
            mentions: list[list[Mention]] = []
            extracted = True
            for line in lines:
                row = json.loads(line)
                records.append(_record_from(row["record"]))
                if row["mentions"] is None:
                    extracted = False
                else:
                    mentions.append([_mention_from(m) for m in row["mentions"]])
    # zlib.error: a damaged deflate stream; ValueError: not UTF-8 or not JSON (or a bad field value)
    except (OSError, EOFError, StopIteration, zlib.error, ValueError, KeyError, TypeError, AttributeError) as err:
        raise StoreError(
            generation_dir.parent,
            f"the saved records of an input are unreadable ({path.name}: {shown(str(err))}); rebuild with `kg build`",
        ) from err
    if len(records) != header.get("records"):
        raise StoreError(generation_dir.parent, f"{path.name} is truncated; rebuild with `kg build`")
    return CachedInput(
        header["file"],
        header["sha256"],
        header["reader"],
        records,
        mentions if extracted else None,
        header["fingerprint"],
    )


def read_all(generation_dir: Path, inputs: Sequence[dict[str, Any]]) -> Iterator[CachedInput]:
    """Every input listed in a generation's meta.json, in that order."""
    for entry in inputs:
        yield read(generation_dir, entry["file"], entry["sha256"])
