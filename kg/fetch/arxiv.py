"""arXiv API search → one Atom feed holding every entry fetched, the shape ``kg.sources.arxiv_atom`` reads.

``GET /api/query?search_query=…&start=…&max_results=…``, newest submissions first (so paging
by ``start`` stays put while the fetch runs, apart from papers submitted meanwhile). A query
without a field prefix (``ti:``, ``au:``, ``abs:``, ``cat:``, ``all:``, …) searches all fields
for every word (``"quoted phrases"`` kept together); ``--since`` adds a ``submittedDate`` range.
arXiv asks for 3 seconds between requests. Each page's ``<entry>`` elements are appended to
one feed, opened before the first page and closed after the last, so the file is one Atom
document however many pages it took.
"""

from __future__ import annotations

import re
import urllib.parse
from typing import Any
from xml.etree import ElementTree
from xml.sax.saxutils import escape

from kg import __version__
from kg.fetch.client import FetchError, PageError
from kg.fetch.service import Page, Service

ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
OPENSEARCH = "http://a9.com/-/spec/opensearch/1.1/"
_FIELD_PREFIX = re.compile(r"\b(?:ti|au|abs|co|jr|cat|rn|id|all):")
_TERMS = re.compile(r'"[^"]+"|\S+')
_ERROR_ID = "arxiv.org/api/errors"
_XML_UNSAFE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")  # characters XML 1.0 cannot hold

ElementTree.register_namespace("atom", ATOM)  # entries are written standalone, each with its prefixes
ElementTree.register_namespace("arxiv", ARXIV)
ElementTree.register_namespace("opensearch", OPENSEARCH)


def search_query(text: str, since: int | None) -> str:
    """arXiv's ``search_query``: the text as written when it names fields, else all:WORD AND …"""
    query = text.strip() if _FIELD_PREFIX.search(text) else " AND ".join(f"all:{t}" for t in _TERMS.findall(text))
    if since:
        query = f"({query}) AND submittedDate:[{since}01010000 TO 999912312359]"
    return query


class Arxiv(Service):
    name = "arxiv"
    default_url = "https://export.arxiv.org/api"
    interval = 3.0
    max_page = 100
    footer = b"</feed>\n"

    @property
    def header(self) -> bytes:  # type: ignore[override]
        return (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            f'<feed xmlns="{ATOM}" xmlns:arxiv="{ARXIV}" xmlns:opensearch="{OPENSEARCH}">\n'
            f"  <title>kg fetch arxiv: {escape(_XML_UNSAFE.sub('', self.query.text))}</title>\n"
            f'  <generator version="{__version__}">kg fetch (from the arXiv API, export.arxiv.org)</generator>\n'
        ).encode()

    def first_cursor(self) -> Any:
        return 0

    def url(self, cursor: Any, wanted: int) -> str:
        parameters = {
            "search_query": search_query(self.query.text, self.query.since),
            "start": cursor,
            "max_results": self.page_size(wanted),
            "sortBy": "submittedDate",
            "sortOrder": "descending",
        }
        return f"{self.base_url}/query?{urllib.parse.urlencode(parameters)}"

    def parse(self, body: bytes, url: str, page: int) -> Page:
        if b"<!DOCTYPE" in body or b"<!ENTITY" in body:
            raise PageError(url, page, "a DOCTYPE in an Atom feed is not allowed")
        try:
            feed = ElementTree.fromstring(body)
        except ElementTree.ParseError as err:
            raise PageError(url, page, f"not an Atom feed ({err})") from err
        if feed.tag != f"{{{ATOM}}}feed":
            raise PageError(url, page, f"not an Atom feed (the document is <{feed.tag}>)")
        total_text = feed.findtext(f"{{{OPENSEARCH}}}totalResults")
        start_text = feed.findtext(f"{{{OPENSEARCH}}}startIndex") or "0"
        if total_text is None or not total_text.strip().isdigit() or not start_text.strip().isdigit():
            raise PageError(url, page, "no opensearch:totalResults count in the feed")
        total, start = int(total_text), int(start_text)
        entries = feed.findall(f"{{{ATOM}}}entry")
        records = []
        for number, entry in enumerate(entries, start=1):
            entry_id = entry.findtext(f"{{{ATOM}}}id") or ""
            if _ERROR_ID in entry_id:
                said = " ".join((entry.findtext(f"{{{ATOM}}}summary") or "").split())
                raise FetchError(url, f"arXiv refused the query: {said or 'no reason given'}", exit_code=2)
            if not entry_id.strip() or entry.find(f"{{{ATOM}}}title") is None:
                raise PageError(url, page, f"entry {number} has no <id> or <title>")
            entry.tail = "\n"
            records.append(b"  " + ElementTree.tostring(entry, encoding="utf-8", xml_declaration=False))
        following = start + len(entries)
        if not entries and start < total:
            raise FetchError(
                url, f"arXiv sent an empty page before result {total} (it does so at times); run the command again"
            )
        return Page(records, following if entries and following < total else None, total)
