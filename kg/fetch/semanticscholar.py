"""Semantic Scholar paper search → JSON lines of papers, the shape ``kg.sources.semanticscholar`` reads.

Up to 1,000 records: the relevance search ``GET /graph/v1/paper/search`` (``offset``/``limit``
paging, 100 a page; the service ranks at most 1,000 results). More: the bulk search
``/paper/search/bulk`` (``token`` paging, 1,000 a page), which cannot return ``tldr``. Both ask
for exactly the fields the reader uses and filter years with ``year=SINCE-``. An API key is read
from ``S2_API_KEY`` only (never an option, so it stays out of shell history and process lists)
and sent as the ``x-api-key`` header; it is never printed or written.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping
from typing import Any

from kg.fetch.client import PageError, header_secret
from kg.fetch.service import Page, Service, integer, json_page, json_records

FIELDS = "paperId,corpusId,externalIds,url,title,abstract,authors,year,venue,publicationVenue,tldr,fieldsOfStudy"
BULK_FIELDS = FIELDS.replace(",tldr", "")  # the bulk search does not serve tl;drs
RANKED = 1000  # the relevance search returns at most this many results


class SemanticScholar(Service):
    name = "semanticscholar"
    default_url = "https://api.semanticscholar.org/graph/v1"
    interval = 1.0

    @property
    def bulk(self) -> bool:
        """Whether more records are wanted than the relevance search can rank."""
        return self.query.limit > RANKED

    @property
    def max_page(self) -> int:  # type: ignore[override]
        return 1000 if self.bulk else 100

    def request(self) -> dict[str, Any]:
        return {**super().request(), "endpoint": "paper/search/bulk" if self.bulk else "paper/search"}

    def headers(self) -> Mapping[str, str]:
        key = header_secret("S2_API_KEY")
        return {"x-api-key": key} if key else {}

    def first_cursor(self) -> Any:
        return "" if self.bulk else 0  # "": the bulk search's first page, no token yet

    def url(self, cursor: Any, wanted: int) -> str:
        parameters: dict[str, Any] = {"query": self.query.text}
        if self.bulk:
            parameters["fields"] = BULK_FIELDS
            if cursor:
                parameters["token"] = cursor
        else:
            parameters.update(fields=FIELDS, offset=cursor, limit=min(self.page_size(wanted), RANKED - cursor))
        if self.query.since:
            parameters["year"] = f"{self.query.since}-"
        endpoint = "paper/search/bulk" if self.bulk else "paper/search"
        return f"{self.base_url}/{endpoint}?{urllib.parse.urlencode(parameters)}"

    def parse(self, body: bytes, url: str, page: int) -> Page:
        document, papers = json_page(body, url, page, "data")
        total = integer(document.get("total"), url, page, "total")
        if total is None:
            raise PageError(url, page, "not a Semantic Scholar search page (no 'total')")
        records = json_records(papers, url, page, "paperId")
        if self.bulk:
            token = document.get("token")
            if token is not None and not isinstance(token, str):
                raise PageError(url, page, f"'token' is not a continuation token: {token!r}")
            return Page(records, token if papers else None, total)
        following = integer(document.get("next"), url, page, "next")
        if following is not None and following >= RANKED:
            following = None
        return Page(records, following if papers else None, total)
