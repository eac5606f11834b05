"""OpenAlex works search → JSON lines of works, the shape ``kg.sources.openalex`` reads.

``GET /works?search=…&select=…&per-page=…&cursor=…``: cursor paging (``cursor=*`` first, then
each page's ``meta.next_cursor`` until it is null), up to 200 works a page, only the fields the
reader uses (``select=``), publication years from ``--since`` on (``filter=from_publication_date``),
and ``mailto=`` from ``KG_MAILTO`` (OpenAlex's "polite pool" answers such requests first).
"""

from __future__ import annotations

import urllib.parse
from typing import Any

from kg.fetch.client import PageError, contact_address
from kg.fetch.service import Page, Service, integer, json_page, json_records

FIELDS = (
    "id,doi,title,display_name,publication_year,publication_date,ids,primary_location,locations,"
    "authorships,abstract_inverted_index,topics,concepts,keywords,type"
)


class OpenAlex(Service):
    name = "openalex"
    default_url = "https://api.openalex.org"
    interval = 1.0
    max_page = 200

    def first_cursor(self) -> Any:
        return "*"

    def url(self, cursor: Any, wanted: int) -> str:
        parameters = {"search": self.query.text, "select": FIELDS, "per-page": self.page_size(wanted), "cursor": cursor}
        if self.query.since:
            parameters["filter"] = f"from_publication_date:{self.query.since}-01-01"
        contact = contact_address()
        if contact:
            parameters["mailto"] = contact
        return f"{self.base_url}/works?{urllib.parse.urlencode(parameters)}"

    def parse(self, body: bytes, url: str, page: int) -> Page:
        document, works = json_page(body, url, page, "results")
        meta = document.get("meta")
        if not isinstance(meta, dict) or "results" not in document:
            raise PageError(url, page, "not an OpenAlex list page (no 'meta' and 'results')")
        next_cursor = meta.get("next_cursor")
        if next_cursor is not None and not isinstance(next_cursor, str):
            raise PageError(url, page, f"'meta.next_cursor' is not a cursor: {next_cursor!r}")
        total = integer(meta.get("count"), url, page, "meta.count")
        return Page(json_records(works, url, page, "id"), next_cursor if works else None, total)
