"""The arXiv metadata snapshot (Kaggle ``arxiv-metadata-oai-snapshot.json``): JSON lines.

One object per line with ``id``, ``title``, ``abstract``, ``authors`` (a LaTeX string),
``authors_parsed`` (``[last, first, suffix]`` triples, accents decoded), ``categories``
(space-separated codes), ``versions`` (``created`` dates), ``doi`` and ``journal-ref``. Authors
come from ``authors_parsed``; the year is that of the first version (when the preprint
appeared); categories become topics as written (``cs.LG``). arXiv is a repository, not a
venue, so ``venue`` stays empty. The file streams one line at a time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.records import Provenance, Record
from kg.sources import _ids as ids
from kg.sources import register, skip
from kg.sources._fields import author, items, text, year
from kg.sources._json import has_key, json_lines
from kg.sources.names import clean

NAME = "arxiv"


def _sniff(sample: str, path: Path) -> float:
    head = sample.lstrip()
    if head.startswith("{") and has_key(head[:20000], "authors_parsed"):
        return 0.98
    if (
        head.startswith("{")
        and re.search(r'"categories"\s*:\s*"[a-z-]+(\.[A-Za-z-]+)?', head[:20000])
        and ('"versions"' in head[:20000])
    ):
        return 0.97
    return 0.0


def _authors(item: dict[str, Any]) -> tuple:
    parsed = item.get("authors_parsed")
    if isinstance(parsed, list) and parsed:
        written = []
        for parts in parsed:
            if not isinstance(parts, list):
                continue
            last, first, suffix = ([*(clean(p) if isinstance(p, str) else "" for p in parts[:3]), "", ""])[:3]
            if last:
                written.append(", ".join(p for p in (last, suffix, first) if p) if first else last)
        return tuple(author(i, name) for i, name in enumerate(written, start=1))
    listed = text(item.get("authors")) or ""
    names = [clean(n) for n in re.split(r",\s*|\s+and\s+", listed) if clean(n)]
    return tuple(author(i, name) for i, name in enumerate(names, start=1))


def record_from(item: dict[str, Any], path: Path, line: int) -> Record | None:
    """One snapshot object → a record (``None`` when it has no title)."""
    title = text(item.get("title"))
    if not title:
        return None
    arxiv_id = ids.arxiv(item.get("id")) if isinstance(item.get("id"), str) else None
    versions = items(item.get("versions"))
    first_version = versions[0].get("created") if versions else None
    categories = item.get("categories")
    return Record(
        key=arxiv_id or str(line),
        provenance=Provenance(str(path), line, line, NAME),
        title=title,
        authors=_authors(item),
        abstract=text(item.get("abstract")),
        year=year(first_version) or year(item.get("update_date")),
        topics=tuple(dict.fromkeys(categories.split())) if isinstance(categories, str) else (),
        external_ids=ids.with_arxiv_doi(ids.unique([arxiv_id, ids.doi(item.get("doi"))])),
    )


@register(NAME, "arXiv metadata snapshot (JSON lines with authors_parsed, categories, versions)", _sniff)
def read(path: Path) -> Iterator[Record]:
    for line, item in json_lines(path):
        if not isinstance(item, dict):
            raise InputError(path, "expected a JSON object on this line", line)
        record = record_from(item, path, line)
        if record is None:
            skip(path, line, "arXiv entry without a title")
        else:
            yield record
