"""What every fetcher has in common: the request asked of a service, and one page of its answer.

A service module (arXiv, OpenAlex, Semantic Scholar) turns a :class:`Query` into page URLs
(``url(cursor, wanted)``) and each page's body into a :class:`Page`: the records as the bytes to
write (one Atom ``<entry>`` or one JSON line each, in the shape ``kg.sources`` reads) and the
cursor of the next page. :mod:`kg.fetch.run` does the rest (paging, limits, resuming).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, ClassVar

from kg.fetch.client import PageError


@dataclass(frozen=True)
class Query:
    """What the user asked: the search text, an optional first publication year, records wanted."""

    text: str
    since: int | None = None
    limit: int = 200
    page_size: int | None = None  # records per request; None: the service's largest page


@dataclass(frozen=True)
class Page:
    """One page: its records (bytes to append, one per record), the next cursor (None: no more
    pages) and the number of records the service says match, when it says."""

    records: list[bytes]
    next_cursor: Any
    total: int | None = None


class Service:
    """The base of the three fetchers; subclasses fill in the class attributes and methods."""

    name: ClassVar[str]
    default_url: ClassVar[str]
    interval: ClassVar[float]  # the service's asked-for minimum seconds between requests
    max_page: ClassVar[int]  # the largest page the service serves
    header: bytes = b""  # written before the first record (the arXiv feed's opening)
    footer: bytes = b""  # written after the last (the arXiv feed's close)

    def __init__(self, query: Query, base_url: str) -> None:
        self.query = query
        self.base_url = base_url.rstrip("/")

    def page_size(self, wanted: int) -> int:
        """Records to ask for: what is still wanted, at most the service's (or the user's) page."""
        return max(1, min(wanted, self.query.page_size or self.max_page, self.max_page))

    def request(self) -> dict[str, Any]:
        """What identifies this fetch for resuming: a partial file of another request is refused."""
        return {"service": self.name, "query": self.query.text, "since": self.query.since}

    def headers(self) -> Mapping[str, str]:
        """Extra request headers (a key); never shown in a message or written to a file."""
        return {}

    def first_cursor(self) -> Any:
        raise NotImplementedError

    def url(self, cursor: Any, wanted: int) -> str:
        raise NotImplementedError

    def parse(self, body: bytes, url: str, page: int) -> Page:
        raise NotImplementedError


def json_page(body: bytes, url: str, page: int, list_key: str) -> tuple[dict[str, Any], list[Any]]:
    """A JSON object page and the list under ``list_key`` (missing: an empty list), or a
    :class:`PageError` saying what is wrong with it."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, ValueError, RecursionError) as err:
        raise PageError(url, page, f"not JSON ({err})") from err
    if not isinstance(document, dict):
        raise PageError(url, page, "expected a JSON object")
    found = document.get(list_key, [])
    if not isinstance(found, list):
        raise PageError(url, page, f"{list_key!r} is not a list")
    return document, found


def json_records(items: list[Any], url: str, page: int, id_key: str) -> list[bytes]:
    """Each item as one JSON line; an item that is not an object with ``id_key`` is a PageError."""
    lines = []
    for number, item in enumerate(items, start=1):
        if not isinstance(item, dict) or not item.get(id_key):
            raise PageError(url, page, f"result {number} is not a record with {id_key!r}")
        lines.append(json.dumps(item, ensure_ascii=False).encode() + b"\n")
    return lines


def integer(value: Any, url: str, page: int, name: str) -> int | None:
    """An optional non-negative integer field of a page (a PageError when it is something else)."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise PageError(url, page, f"{name!r} is not a count: {value!r}")
    return value
