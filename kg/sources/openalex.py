"""OpenAlex works: API pages (``{"meta": …, "results": [work, …]}``) and snapshot JSON lines.

Each work is a record: ``title`` (or ``display_name``), ``publication_year``, the venue from
``primary_location.source`` (a repository such as arXiv is not a venue), ``authorships`` in
order (``raw_author_name`` as written; author ids ``openalex:A…`` and ``orcid:``; each
institution with its ROR id, or the ``raw_affiliation_strings`` when OpenAlex matched none),
the abstract rebuilt from ``abstract_inverted_index`` (word → positions), ``topics`` and
``concepts`` below the top level with a score of at least 0.3 as topics, ``keywords``, and
identifiers: the OpenAlex id, DOI, and arXiv/OpenReview ids found in location URLs.

An inverted index that is not word → list of distinct non-negative positions is bad input
(the abstract cannot be rebuilt faithfully): an :class:`InputError` with the line.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.records import Provenance, Record
from kg.sources import _ids as ids
from kg.sources import register, skip
from kg.sources._fields import author, items, obj, strings, text, year
from kg.sources._json import has_key, json_items

NAME = "openalex"
_MIN_CONCEPT_SCORE = 0.3
_MAX_WORDS = 100_000  # positions beyond any abstract's length are a broken index


def _sniff(sample: str, path: Path) -> float:
    head = sample.lstrip()[:20000]
    if head.startswith(("{", "[")) and (
        has_key(head, "abstract_inverted_index") or (has_key(head, "authorships") and "openalex.org/" in head)
    ):
        return 0.98
    return 0.0


def abstract_from_index(index: Any, path: Path, line: int) -> str | None:
    """The abstract an inverted index encodes: each word placed at its positions, in order."""
    if index is None:
        return None
    if not isinstance(index, dict):
        raise InputError(path, "abstract_inverted_index must be an object of word → positions", line)
    placed: dict[int, str] = {}
    for word, positions in index.items():
        if not isinstance(positions, list) or not positions:
            raise InputError(path, f"abstract_inverted_index: {word!r} must map to a list of positions", line)
        for position in positions:
            if isinstance(position, bool) or not isinstance(position, int) or not 0 <= position < _MAX_WORDS:
                raise InputError(path, f"abstract_inverted_index: {word!r} has a bad position {position!r}", line)
            if position in placed:
                raise InputError(path, f"abstract_inverted_index: position {position} holds two words", line)
            placed[position] = word
    return " ".join(placed[p] for p in sorted(placed)) or None


def _authors(work: dict[str, Any]) -> tuple:
    refs = []
    for authorship in items(work.get("authorships")):
        person = obj(authorship.get("author"))
        written = text(authorship.get("raw_author_name")) or text(person.get("display_name"))
        if not written:
            continue
        institutions = [
            (inst.get("display_name") or "", ids.ror(inst.get("ror")) or ids.openalex(inst.get("id")))
            for inst in items(authorship.get("institutions"))
            if text(inst.get("display_name"))
        ]
        affiliations = institutions or [(raw, None) for raw in strings(authorship.get("raw_affiliation_strings"))]
        author_ids = [ids.openalex(person.get("id")), ids.orcid(person.get("orcid"))]
        refs.append(author(len(refs) + 1, written, author_ids, affiliations))
    return tuple(refs)


def _venue(work: dict[str, Any]) -> str | None:
    source = obj(obj(work.get("primary_location")).get("source"))
    if source and source.get("type") != "repository":
        return text(source.get("display_name"))
    return text(obj(work.get("host_venue")).get("display_name")) if not source else None


def _topics(work: dict[str, Any]) -> tuple[str, ...]:
    named = [text(t.get("display_name")) for t in items(work.get("topics"))]
    for concept in items(work.get("concepts")):
        level, score = concept.get("level"), concept.get("score")
        if isinstance(level, int) and level > 0 and isinstance(score, (int, float)) and score >= _MIN_CONCEPT_SCORE:
            named.append(text(concept.get("display_name")))
    return tuple(dict.fromkeys(n for n in named if n))


def _external_ids(work: dict[str, Any]) -> tuple[str, ...]:
    known = obj(work.get("ids"))
    urls = [obj(loc).get("landing_page_url") for loc in items(work.get("locations"))]
    urls.append(obj(work.get("primary_location")).get("landing_page_url"))
    found = [ids.openalex(work.get("id")), ids.doi(work.get("doi")) or ids.doi(known.get("doi"))]
    found += [ids.from_url(url) for url in urls]
    return ids.with_arxiv_doi(ids.unique(found))


def record_from(work: dict[str, Any], path: Path, line: int) -> Record | None:
    """One OpenAlex work → a record (``None`` when it has neither title nor abstract)."""
    title = text(work.get("title")) or text(work.get("display_name"))
    abstract = abstract_from_index(work.get("abstract_inverted_index"), path, line)
    if not title and not abstract:
        return None
    external = _external_ids(work)
    return Record(
        key=external[0] if external else str(line),
        provenance=Provenance(str(path), line, line, NAME),
        title=title,
        authors=_authors(work),
        abstract=abstract,
        venue=_venue(work),
        year=year(work.get("publication_year")) or year(work.get("publication_date")),
        topics=_topics(work),
        keywords=tuple(
            dict.fromkeys(k for k in (text(kw.get("display_name")) for kw in items(work.get("keywords"))) if k)
        ),
        external_ids=external,
    )


@register(NAME, "OpenAlex works: API pages ({results: [...]}) or snapshot JSON lines", _sniff)
def read(path: Path) -> Iterator[Record]:
    for line, work in json_items(path, ("results",)):
        if not isinstance(work, dict):
            raise InputError(path, "expected an OpenAlex work object", line)
        record = record_from(work, path, line)
        if record is None:
            skip(path, line, "OpenAlex work without a title or abstract")
        else:
            yield record
