"""BibTeX files (``bibtexparser`` 2): one record per entry with a title.

LaTeX accents are decoded ("M{\\"u}ller" → "Müller"); authors are split on top-level " and "
(braced corporate names such as "{Google Brain Team}" stay whole). The venue is the entry's
``booktitle``, ``journal`` or ``publisher``, in that order. An entry the parser cannot read is
reported with its line; entries without a title are skipped (they are not papers).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.records import Provenance, Record
from kg.sources import register
from kg.sources._text import read_text
from kg.sources.names import author_refs, clean

NAME = "bibtex"
_SILENT = logging.NullHandler()
_ENTRY_START = re.compile(
    r"^\s*@\s*(article|inproceedings|misc|book|incollection|phdthesis|techreport|proceedings|unpublished|conference|online|preprint)\s*\{",
    re.IGNORECASE | re.MULTILINE,
)


def _sniff(sample: str, path: Path) -> float:
    return 0.95 if _ENTRY_START.search(sample) else 0.0


def split_authors(field: str) -> list[str]:
    """Split a BibTeX author field on ' and ' outside braces, dropping the braces."""
    names, depth, current = [], 0, []
    tokens = re.split(r"(\s+and\s+|[{}])", field)
    for token in tokens:
        if token == "{":
            depth += 1
        elif token == "}":
            depth = max(0, depth - 1)
        elif depth == 0 and re.fullmatch(r"\s+and\s+", token or ""):
            names.append("".join(current))
            current = []
        elif token:
            current.append(token)
    names.append("".join(current))
    return [clean(name) for name in names if clean(name) and clean(name).lower() != "others"]


@register(NAME, "BibTeX (.bib): one record per entry with a title", _sniff)
def read(path: Path) -> Iterator[Record]:
    import bibtexparser  # imported here: only BibTeX users pay for it
    from bibtexparser.middlewares import LatexDecodingMiddleware

    # The parser logs each block it gives up on; kg reports the first one itself, as one line.
    logging.getLogger("bibtexparser").propagate = False
    logging.getLogger("bibtexparser").addHandler(_SILENT)
    text = read_text(path)
    library = bibtexparser.parse_string(text, append_middleware=[LatexDecodingMiddleware()])
    if library.failed_blocks:
        block = library.failed_blocks[0]
        raise InputError(path, f"cannot parse this BibTeX entry ({type(block.error).__name__})", block.start_line + 1)
    ends = sorted(entry.start_line for entry in library.entries)
    for entry in library.entries:
        fields = {field.key.lower(): clean(str(field.value)) for field in entry.fields}
        title = fields.get("title", "").replace("{", "").replace("}", "")
        if not title:
            continue
        year_match = re.search(r"(19|20)\d{2}", fields.get("year", ""))
        later = [start for start in ends if start > entry.start_line]
        last_line = later[0] if later else text.count("\n") + 1
        keywords = tuple(clean(k) for k in re.split(r"[,;]", fields.get("keywords", "")) if clean(k))
        external = tuple(f"{name}:{fields[name]}" for name in ("doi", "eprint") if fields.get(name))
        yield Record(
            key=entry.key,
            provenance=Provenance(str(path), entry.start_line + 1, max(entry.start_line + 1, last_line), NAME),
            title=title,
            authors=author_refs(split_authors(fields.get("author", ""))),
            abstract=fields.get("abstract") or None,
            venue=fields.get("booktitle") or fields.get("journal") or fields.get("publisher") or None,
            year=int(year_match.group(0)) if year_match else None,
            keywords=keywords,
            external_ids=external,
        )
