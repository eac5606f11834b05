"""Identifiers as sources write them, brought to one prefixed, comparable form.

Services spell the same identifier many ways: a DOI as ``10.1/X``, ``doi:10.1/x`` or
``https://doi.org/10.1/X``; an arXiv id as ``arXiv:2101.00001v2`` or an abs URL; an ORCID as a
URL or bare. Every reader passes them through here, so two files that name one paper or one
person by the same identifier always agree, whatever each service's spelling. The prefixes are
the ones ``Record.external_ids`` and ``AuthorRef.ids`` use: ``doi:``, ``arxiv:``,
``openreview:``, ``openalex:``, ``s2:``, ``orcid:``, ``ror:``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_DOI = re.compile(r"(10\.\d{4,9}/\S+)", re.IGNORECASE)
_ARXIV_DOI = re.compile(r"^10\.48550/arxiv\.(.+)$", re.IGNORECASE)
_ARXIV_NEW = re.compile(r"(?<![\d.])(\d{4}\.\d{4,5})(?:v\d+)?(?![\d.])")
_ARXIV_OLD = re.compile(r"\b([a-z][a-z.-]*(?:\.[A-Z]{2})?/\d{7})(?:v\d+)?\b", re.IGNORECASE)
_ORCID = re.compile(r"(\d{4}-\d{4}-\d{4}-\d{3}[\dX])", re.IGNORECASE)
_ROR = re.compile(r"(?:ror\.org/|^)(0[a-z0-9]{6}\d{2})$", re.IGNORECASE)
_OPENALEX = re.compile(r"(?:openalex\.org/|^)([WAISCTFP]\d+)$", re.IGNORECASE)
_OPENREVIEW_URL = re.compile(r"openreview\.net/(?:forum|pdf)\?id=([A-Za-z0-9_-]+)")


def doi(value: object) -> str | None:
    """'https://doi.org/10.1234/AbC' → 'doi:10.1234/abc' (DOIs are case-insensitive)."""
    if not isinstance(value, str):
        return None
    match = _DOI.search(value.strip())
    return "doi:" + match.group(1).rstrip(".,;").lower() if match else None


def arxiv(value: object) -> str | None:
    """'arXiv:2101.00001v2', 'http://arxiv.org/abs/hep-th/9901001v1' → 'arxiv:2101.00001', ….

    The version is dropped: every version of a preprint is one paper.
    """
    if not isinstance(value, str):
        return None
    text = value.strip()
    arxiv_doi = _ARXIV_DOI.match(text.removeprefix("https://doi.org/").removeprefix("doi:"))
    if arxiv_doi:
        text = arxiv_doi.group(1)
    match = _ARXIV_NEW.search(text) or _ARXIV_OLD.search(text)
    return "arxiv:" + match.group(1).lower() if match else None


def orcid(value: object) -> str | None:
    """'https://orcid.org/0000-0002-1825-0097' → 'orcid:0000-0002-1825-0097'."""
    if not isinstance(value, str):
        return None
    match = _ORCID.search(value)
    return "orcid:" + match.group(1).upper() if match else None


def ror(value: object) -> str | None:
    """'https://ror.org/03vek6s52' → 'ror:03vek6s52'."""
    if not isinstance(value, str):
        return None
    match = _ROR.search(value.strip())
    return "ror:" + match.group(1).lower() if match else None


def openalex(value: object) -> str | None:
    """'https://openalex.org/W2741809807' → 'openalex:W2741809807' (works, authors, institutions)."""
    if not isinstance(value, str):
        return None
    match = _OPENALEX.search(value.strip())
    return "openalex:" + match.group(1).upper() if match else None


def openreview(value: object) -> str | None:
    """A forum id or an openreview.net forum/pdf URL → 'openreview:<id>'."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    match = _OPENREVIEW_URL.search(text)
    if match:
        return "openreview:" + match.group(1)
    return "openreview:" + text if re.fullmatch(r"[A-Za-z0-9_-]{6,}", text) else None


def prefixed(prefix: str, value: object) -> str | None:
    """An opaque id of one service ('s2', …) with its prefix; numbers are written as text."""
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        return None
    text = str(value).strip()
    return f"{prefix}:{text}" if text else None


def from_url(value: object) -> str | None:
    """The identifier a paper URL carries (a DOI, arXiv or OpenReview link), if any."""
    if not isinstance(value, str):
        return None
    if "arxiv.org/" in value:
        return arxiv(value)
    if "openreview.net/" in value:
        found = _OPENREVIEW_URL.search(value)
        return "openreview:" + found.group(1) if found else None
    if "doi.org/" in value:
        return doi(value)
    return None


def unique(values: Iterable[str | None]) -> tuple[str, ...]:
    """The identifiers found, each once, in order (``None`` for not-found dropped)."""
    return tuple(dict.fromkeys(v for v in values if v))


def with_arxiv_doi(ids: tuple[str, ...]) -> tuple[str, ...]:
    """An arXiv DOI (10.48550/arXiv.X) also names the arXiv id, so both are listed."""
    extra = [arxiv(i[4:]) for i in ids if i.startswith("doi:10.48550/")]
    return unique([*ids, *extra])
