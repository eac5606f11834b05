"""CSV and TSV with a header row: spreadsheets, database dumps, scraped lists.

Columns are found by their header name, compared without case, spaces, ``_``, ``-`` or ``.``:
``title`` (also "paper title", "article title"), ``abstract``, ``authors``, ``year``
("publication year", "date"), ``venue`` ("journal", "conference", "source title"), ``doi``,
``keywords`` ("author keywords", "tags"), ``tldr``, ``url`` ("link"), ``arxiv``, ``id``
("paper id"), ``affiliations``. :func:`column_names` (the CLI's ``--columns
title=Paper Name,authors=Writers``) names other headers. A file without a title column is bad
input: the error lists the headers it found.

Authors are split on ``;`` when the cell has one (``Last, First; Last, First``, as Scopus and
Web of Science write them), else on commas and " and "; keywords on ``;`` or ``,``. A URL
column gives arXiv, OpenReview and DOI ids. CSV uses standard quoting (quoted cells may hold
commas and newlines); TSV is read as the IANA format defines it, unquoted (a cell never holds a
tab or a newline), so a quote character inside a cell is text. Rows stream one at a time.
"""

from __future__ import annotations

import contextlib
import contextvars
import csv
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from kg.errors import InputError, UsageError
from kg.records import Provenance, Record
from kg.sources import Sniffer, register, skip
from kg.sources import _ids as ids
from kg.sources._fields import author, text, year
from kg.sources.names import clean

_ALIASES: dict[str, tuple[str, ...]] = {
    "title": ("title", "papertitle", "articletitle", "documenttitle"),
    "abstract": ("abstract", "abstracttext", "summary", "description"),
    "authors": ("authors", "author", "authornames", "authorfullnames", "creators", "creator"),
    "year": ("year", "publicationyear", "pubyear", "py", "date", "publicationdate", "published"),
    "venue": ("venue", "journal", "conference", "sourcetitle", "publicationtitle", "booktitle", "containertitle"),
    "doi": ("doi",),
    "keywords": ("keywords", "keyword", "authorkeywords", "tags", "topics"),
    "tldr": ("tldr", "tl;dr", "onesentencesummary"),
    "url": ("url", "link", "forum", "forumlink", "forumurl", "pdf", "pdfurl", "pdflink"),
    "arxiv": ("arxiv", "arxivid", "eprint"),
    "id": ("id", "paperid", "key", "citationkey"),
    "affiliations": ("affiliations", "affiliation"),
}
FIELDS = tuple(_ALIASES)
_COLUMNS: contextvars.ContextVar[Mapping[str, str] | None] = contextvars.ContextVar("kg_table_columns", default=None)
_FIELD_LIMIT = 16 * 1024 * 1024  # one cell; the csv module's default (128 KiB) is below long abstracts


def _folded(name: str) -> str:
    """A header or key as compared: "Paper Title", "paper_title" and "TL;DR:" (a scraped page's
    label) fold to "papertitle" and "tl;dr"."""
    return re.sub(r"[\s_\-.:]+", "", name.strip().lower())


def parse_columns(spec: str) -> dict[str, str]:
    """'title=Paper Name,authors=Writers' → {'title': 'Paper Name', 'authors': 'Writers'}."""
    mapping: dict[str, str] = {}
    for part in spec.split(","):
        field, sep, header = part.partition("=")
        field = field.strip().lower()
        if not sep or not header.strip():
            raise UsageError(f"--columns: {part.strip()!r} is not FIELD=HEADER")
        if field not in FIELDS:
            raise UsageError(f"--columns: unknown field {field!r}; known: {', '.join(FIELDS)}")
        mapping[field] = header.strip()
    return mapping


@contextlib.contextmanager
def column_names(mapping: Mapping[str, str]) -> Iterator[None]:
    """Within this block, CSV/TSV columns named in ``mapping`` (field → header) are read as
    those fields, before the built-in names are tried."""
    token = _COLUMNS.set(dict(mapping))
    try:
        yield
    finally:
        _COLUMNS.reset(token)


def _delimiter(header: str) -> str | None:
    for delimiter in ("\t", ",", ";"):
        if delimiter in header:
            return delimiter
    return None


def columns(header: list[str]) -> dict[str, int]:
    """Field → column index, from ``column_names`` first, then the built-in names."""
    folded = {_folded(name): index for index, name in reversed(list(enumerate(header)))}
    found: dict[str, int] = {}
    for field, name in (_COLUMNS.get() or {}).items():
        if _folded(name) in folded:
            found[field] = folded[_folded(name)]
    for field, aliases in _ALIASES.items():
        if field not in found:
            index = next((folded[a] for a in aliases if a in folded), None)
            if index is not None:
                found[field] = index
    return found


def _header(sample: str) -> list[str] | None:
    first = next((line for line in sample.split("\n") if line.strip()), "")
    delimiter = _delimiter(first)
    if delimiter is None:
        return None
    return next(csv.reader([first], delimiter=delimiter))


def _sniff_for(tabs: bool) -> Sniffer:
    def sniff(sample: str, path: Path) -> float:
        header = _header(sample)
        if header is None or len(header) < 2 or (("\t" in sample.split("\n", 1)[0]) != tabs):
            return 0.0
        if "title" in columns(header):
            return 0.9
        return 0.5 if path.suffix.lower() in (".csv", ".tsv", ".tab") else 0.0

    return sniff


def _split_authors(cell: str) -> list[str]:
    parts = cell.split(";") if ";" in cell else re.split(r",|\s+and\s+|\s*&\s*", cell)
    return [clean(p) for p in parts if clean(p)]


def _read(path: Path, tabs: bool) -> Iterator[Record]:
    try:
        handle = path.open(encoding="utf-8-sig", newline="")
    except OSError as err:
        raise InputError(path, f"cannot read: {err.strerror}") from err
    csv.field_size_limit(_FIELD_LIMIT)
    header_line, rows = 0, None
    with handle:
        try:
            first = ""
            while not first.strip():
                first = handle.readline()
                header_line += 1
                if not first:
                    return  # nothing but blank lines
            delimiter = "\t" if tabs else _delimiter(first) or ","
            quoting = csv.QUOTE_NONE if tabs else csv.QUOTE_MINIMAL
            header = next(csv.reader([first], delimiter=delimiter, quoting=quoting))
            by_field = columns(header)
            if "title" not in by_field:
                shown = ", ".join(repr(h) for h in header[:12])
                raise InputError(
                    path, f"no title column (headers: {shown}); name one with --columns title=HEADER", header_line
                )
            rows = csv.reader(handle, delimiter=delimiter, quoting=quoting)
            ended = header_line
            for row in rows:
                line, ended = ended + 1, rows.line_num + header_line
                if not any(cell.strip() for cell in row):
                    continue
                record = row_record(row, by_field, path, (line, ended), "tsv" if tabs else "csv")
                if record is None:
                    skip(path, line, "row without a title")
                else:
                    yield record
        except UnicodeDecodeError as err:
            raise InputError(path, "not valid UTF-8; re-save the file as UTF-8") from err
        except csv.Error as err:
            line = rows.line_num + header_line if rows is not None else header_line
            raise InputError(path, f"cannot read this row: {err}", line) from err


def row_record(
    row: list[str], by_field: dict[str, int], path: Path, lines: tuple[int, int], reader: str
) -> Record | None:
    """The record of one row (``by_field``: field → cell index, as :func:`columns` finds them);
    None when the row has no title."""

    def cell(field: str) -> str | None:
        index = by_field.get(field)
        return text(row[index]) if index is not None and index < len(row) else None

    title = cell("title")
    if not title:
        return None
    url = cell("url")
    external = ids.with_arxiv_doi(ids.unique([ids.doi(cell("doi")), ids.arxiv(cell("arxiv")), ids.from_url(url)]))
    keywords = cell("keywords") or ""
    separator = ";" if ";" in keywords else ","
    return Record(
        key=cell("id") or (external[0] if external else str(lines[0])),
        provenance=Provenance(str(path), *lines, reader),
        title=title,
        authors=tuple(author(i, name) for i, name in enumerate(_split_authors(cell("authors") or ""), start=1)),
        abstract=cell("abstract"),
        tldr=cell("tldr"),
        venue=cell("venue"),
        year=year(cell("year")),
        keywords=tuple(dict.fromkeys(k for k in (clean(k) for k in keywords.split(separator)) if k)),
        external_ids=external,
        paper_affiliations=tuple(a for a in (clean(a) for a in (cell("affiliations") or "").split(";")) if a),
    )


@register("csv", "CSV with a header row; columns by name (title, authors, year, venue, doi, …)", _sniff_for(False))
def read_csv(path: Path) -> Iterator[Record]:
    return _read(path, tabs=False)


@register("tsv", "TSV (tab-separated, unquoted) with a header row; columns as for csv", _sniff_for(True))
def read_tsv(path: Path) -> Iterator[Record]:
    return _read(path, tabs=True)
