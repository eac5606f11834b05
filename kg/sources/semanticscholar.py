"""Semantic Scholar papers: Graph API responses and the papers dataset's JSON lines.

The Graph API returns a search page (``{"total", "offset", "next", "data": [paper, …]}``), a
batch (a JSON array, ``null`` for ids it does not know) or one paper object, with camelCase
keys: ``paperId``, ``corpusId``, ``externalIds`` (``ArXiv``, ``DOI``, …), ``title``,
``abstract``, ``venue``/``publicationVenue``, ``year``, ``authors`` (``authorId``, ``name``,
optional ``affiliations`` and ``externalIds.ORCID``), ``tldr.text``, ``fieldsOfStudy``. The
bulk dataset writes one paper per line with lower-case keys (``corpusid``, ``externalids``,
``s2fieldsofstudy``, ``publicationvenueid``); both read alike. Identifiers: ``s2:<paperId>``,
``s2corpus:<corpusId>``, ``doi:``, ``arxiv:``; authors ``s2:<authorId>`` and ``orcid:``.
A journal named "ArXiv" is the preprint server, not a venue.
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

NAME = "semanticscholar"
_S2_URL = "semanticscholar.org/paper/"


def _sniff(sample: str, path: Path) -> float:
    head = sample.lstrip()[:20000]
    if head.startswith(("{", "[")) and (
        has_key(head, "paperId") or (has_key(head, "corpusid") and has_key(head, "externalids"))
    ):
        return 0.98
    return 0.0


def _get(paper: dict[str, Any], name: str) -> Any:
    """A field by its Graph API name, or the dataset's lower-case spelling of it."""
    value = paper.get(name)
    return value if value is not None else paper.get(name.lower())


def _external_ids(paper: dict[str, Any]) -> tuple[str, ...]:
    external = obj(_get(paper, "externalIds"))
    paper_id = paper.get("paperId")
    url = paper.get("url")
    if not paper_id and isinstance(url, str) and _S2_URL in url:
        paper_id = url.rsplit("/", 1)[-1]
    corpus = _get(paper, "corpusId") or external.get("CorpusId")
    found = [
        ids.prefixed("s2", paper_id),
        ids.prefixed("s2corpus", corpus),
        ids.doi(external.get("DOI")),
        ids.arxiv(external.get("ArXiv")),
    ]
    return ids.with_arxiv_doi(ids.unique(found))


def _authors(paper: dict[str, Any]) -> tuple:
    refs = []
    for person in items(paper.get("authors")):
        name = text(person.get("name"))
        if not name:
            continue
        orcid = obj(_get(person, "externalIds")).get("ORCID")
        affiliations = [(a, None) for a in strings(person.get("affiliations"))]
        refs.append(
            author(len(refs) + 1, name, [ids.prefixed("s2", _get(person, "authorId")), ids.orcid(orcid)], affiliations)
        )
    return tuple(refs)


def _venue(paper: dict[str, Any]) -> str | None:
    venue = text(paper.get("venue")) or text(obj(_get(paper, "publicationVenue")).get("name"))
    if venue:
        return venue
    journal = text(obj(paper.get("journal")).get("name"))
    return journal if journal and journal.lower() != "arxiv" else None


def _fields(paper: dict[str, Any]) -> tuple[str, ...]:
    named = list(strings(_get(paper, "fieldsOfStudy")))
    named += [c for c in (text(f.get("category")) for f in items(_get(paper, "s2FieldsOfStudy"))) if c]
    return tuple(dict.fromkeys(named))


def record_from(paper: dict[str, Any], path: Path, line: int) -> Record | None:
    """One Semantic Scholar paper → a record (``None`` when it has neither title nor abstract)."""
    title, abstract = text(paper.get("title")), text(paper.get("abstract"))
    tldr = paper.get("tldr")
    tldr_text = text(tldr.get("text")) if isinstance(tldr, dict) else text(tldr)
    if not title and not abstract:
        return None
    external = _external_ids(paper)
    return Record(
        key=external[0] if external else str(line),
        provenance=Provenance(str(path), line, line, NAME),
        title=title,
        authors=_authors(paper),
        abstract=abstract,
        tldr=tldr_text,
        venue=_venue(paper),
        year=year(paper.get("year")) or year(_get(paper, "publicationDate")),
        topics=_fields(paper),
        external_ids=external,
    )


@register(NAME, "Semantic Scholar papers: Graph API JSON (search, batch, paper) or dataset JSON lines", _sniff)
def read(path: Path) -> Iterator[Record]:
    for line, paper in json_items(path, ("data", "recommendedPapers")):
        if paper is None:
            continue  # a batch response's placeholder for an id Semantic Scholar does not know
        if not isinstance(paper, dict):
            raise InputError(path, "expected a Semantic Scholar paper object", line)
        record = record_from(paper, path, line)
        if record is None:
            skip(path, line, "Semantic Scholar paper without a title or abstract")
        else:
            yield record
