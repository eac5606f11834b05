"""The arXiv API's Atom feed (``export.arxiv.org/api/query`` responses), read as a stream.

Each ``<entry>`` is one record: ``<id>`` (the abs URL, version dropped), ``<title>``,
``<summary>`` (the abstract), ``<author><name>`` with optional ``<arxiv:affiliation>``,
``<published>`` (the year the preprint appeared), ``<category term>`` (topics as written),
``<arxiv:doi>``. One response per file (save each page of a query to its own file). The XML
is parsed with expat in 64 KiB chunks, so memory holds one entry at a time; a DOCTYPE is
refused (no entity expansion from a downloaded file), and a syntax error is an
:class:`InputError` with its line.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from xml.parsers import expat

from kg.errors import InputError
from kg.records import Provenance, Record
from kg.sources import _ids as ids
from kg.sources import register, skip
from kg.sources._fields import author, text, year

NAME = "arxiv-atom"
ATOM = "http://www.w3.org/2005/Atom"
ARXIV = "http://arxiv.org/schemas/atom"
_CHUNK = 64 * 1024


def _sniff(sample: str, path: Path) -> float:
    if re.search(r"<feed\b[^>]*\bxmlns=\"http://www\.w3\.org/2005/Atom\"", sample) and "arxiv.org" in sample:
        return 0.98
    return 0.0


class _Entry:
    """What one ``<entry>`` has said so far."""

    def __init__(self, line: int) -> None:
        self.line = line
        self.fields: dict[str, str] = {}
        self.authors: list[tuple[str, list[str]]] = []
        self.categories: list[str] = []


class _FeedParser:
    """Expat callbacks turning entries into records, collected until the caller takes them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.done: list[Record] = []
        self.entry: _Entry | None = None
        self.text: list[str] = []
        self.author: tuple[str, list[str]] | None = None
        self.parser = self._new_parser()

    def _new_parser(self) -> expat.XMLParserType:
        parser = expat.ParserCreate(namespace_separator=" ")
        parser.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
        parser.StartDoctypeDeclHandler = self._doctype
        parser.StartElementHandler = self._start
        parser.EndElementHandler = self._end
        parser.CharacterDataHandler = self.text.append
        return parser

    def _doctype(self, *_: object) -> None:
        raise InputError(self.path, "a DOCTYPE in an Atom feed is not allowed", self.parser.CurrentLineNumber)

    def _start(self, name: str, attrs: dict[str, str]) -> None:
        self.text.clear()
        if name == f"{ATOM} entry":
            self.entry = _Entry(self.parser.CurrentLineNumber)
        elif self.entry is None:
            return
        elif name == f"{ATOM} author":
            self.author = ("", [])
        elif name == f"{ATOM} category" and attrs.get("term"):
            self.entry.categories.append(attrs["term"])

    def _end(self, name: str) -> None:
        value = "".join(self.text)
        self.text.clear()
        entry = self.entry
        if entry is None:
            return
        if name == f"{ATOM} entry":
            self._finish(entry)
            self.entry = None
        elif self.author is not None:
            if name == f"{ATOM} name":
                self.author = (value, self.author[1])
            elif name == f"{ARXIV} affiliation":
                self.author[1].append(value)
            elif name == f"{ATOM} author":
                entry.authors.append(self.author)
                self.author = None
        elif name.startswith((f"{ATOM} ", f"{ARXIV} ")):
            entry.fields.setdefault(name.split(" ", 1)[1], value)

    def _finish(self, entry: _Entry) -> None:
        line_end = self.parser.CurrentLineNumber
        title = text(entry.fields.get("title"))
        if not title:
            skip(self.path, entry.line, "arXiv entry without a title")
            return
        arxiv_id = ids.arxiv(entry.fields.get("id"))
        authors = tuple(
            author(i, name, affiliations=[(a, None) for a in affs])
            for i, (name, affs) in enumerate((a for a in entry.authors if text(a[0])), start=1)
        )
        self.done.append(
            Record(
                key=arxiv_id or str(entry.line),
                provenance=Provenance(str(self.path), entry.line, line_end, NAME),
                title=title,
                authors=authors,
                abstract=text(entry.fields.get("summary")),
                year=year(entry.fields.get("published")),
                topics=tuple(dict.fromkeys(entry.categories)),
                external_ids=ids.with_arxiv_doi(ids.unique([arxiv_id, ids.doi(entry.fields.get("doi"))])),
            )
        )

    def feed(self, data: bytes, final: bool) -> None:
        try:
            self.parser.Parse(data, final)
        except expat.ExpatError as err:
            raise InputError(self.path, f"invalid XML: {expat.errors.messages[err.code]}", err.lineno) from err


@register(NAME, "arXiv API Atom feed (export.arxiv.org/api/query responses)", _sniff)
def read(path: Path) -> Iterator[Record]:
    feed = _FeedParser(path)
    try:
        handle = path.open("rb")
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror}") from err
    with handle:
        started = False
        while True:
            chunk = handle.read(_CHUNK)
            if not chunk and not started:
                return  # an empty file holds no entries
            started = started or bool(chunk.strip())
            feed.feed(chunk, final=not chunk)
            yield from feed.done
            feed.done.clear()
            if not chunk:
                return
