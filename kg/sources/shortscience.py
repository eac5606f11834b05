"""ShortScience.org pages: a venue page of papers with summaries, and a bare list of summaries.

**Paper page** (``shortscience-papers``): for each paper, a title line, an authors line (BibTeX
"Last, First and Last, First" or "First Last and First Last"), a venue line ("International
Conference on Learning Representations - 2019 via Local Bibsonomy"), a "Keywords:" line, the
same three lines repeated (the page renders each block twice: one record, not two), an optional
arXiv abstract between "**Abstract:**" and the "more"/"less" toggles, then "[link]" and the
summary. A paper starts where a line is followed by an authors line and a venue line.

**Summary list** (``shortscience-summaries``): "[link]" lines each followed by a summary of a
paper the page does not name. Each becomes a record with no title or authors; the text is kept.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.records import Provenance, Record
from kg.resources import page_furniture
from kg.sources import register
from kg.sources._text import paragraphs, read_lines
from kg.sources.names import author_refs, clean, split_bibtex_authors

PAPERS = "shortscience-papers"
SUMMARIES = "shortscience-summaries"
_VENUE = re.compile(r"^(?P<venue>.+?)\s+-\s+(?P<year>(?:19|20)\d{2})\s+via\s+.+$")
_KEYWORDS = re.compile(r"^Keywords:\s*(?P<keywords>.*)$", re.IGNORECASE)
_LINK = "[link]"
_FIRST_PUBLISHED = re.compile(r"^\*\*First published:\*\*", re.IGNORECASE)
_ABSTRACT = re.compile(r"^\*\*Abstract:\*\*\s*", re.IGNORECASE)
_TOGGLES = {"more", "less"}


def _sniff_papers(sample: str, path: Path) -> float:
    venues = sum(1 for line in sample.split("\n") if _VENUE.match(line.strip()))
    links = sample.count(_LINK)
    return 0.95 if venues >= 2 and links >= 1 else 0.0


def _sniff_summaries(sample: str, path: Path) -> float:
    lines = [line.strip() for line in sample.split("\n") if line.strip()]
    links = sum(1 for line in lines if line == _LINK)
    venues = sum(1 for line in lines if _VENUE.match(line))
    return 0.9 if links >= 1 and venues == 0 and links * 2 >= len(lines) - 2 else 0.0


def _paper_starts(units: list[tuple[int, str]]) -> list[int]:
    """Indexes of title lines: a line followed by an authors line and then a venue line."""
    return [
        index
        for index in range(len(units) - 2)
        if _VENUE.match(units[index + 2][1].strip()) and _could_be_title(units[index][1].strip())
    ]


def _could_be_title(text: str) -> bool:
    """Not a venue, keywords, toggle or furniture line (those precede a block's repeated header)."""
    return not (
        _VENUE.match(text) or _KEYWORDS.match(text) or text.lower() in _TOGGLES or page_furniture.contains(text)
    )


def _keywords(text: str) -> tuple[str, ...]:
    items = [clean(item) for item in re.split(r"[,;]", text)]
    return tuple(item for item in items if item and not page_furniture.contains(item))


def _read_block(path: Path, units: list[tuple[int, str]], ordinal: int) -> Record:
    (title_line, title), (_, authors), (_, venue_line) = units[:3]
    venue = _VENUE.match(venue_line.strip())
    assert venue is not None  # guaranteed by _paper_starts
    keywords: tuple[str, ...] = ()
    abstract_lines: list[str] = []
    summary_lines: list[str] = []
    state = "header"
    for _, text in units[3:]:
        stripped = text.strip()
        if state == "summary":
            if not page_furniture.contains(stripped):
                summary_lines.append(stripped)
        elif stripped == _LINK:
            state = "summary"
        elif _ABSTRACT.match(stripped):
            state = "abstract"
            abstract_lines.append(_ABSTRACT.sub("", stripped))
        elif stripped.lower() in _TOGGLES:
            state = "header"
        elif state == "abstract":
            abstract_lines.append(stripped)
        elif (match := _KEYWORDS.match(stripped)) and not keywords:
            keywords = _keywords(match.group("keywords"))
        elif (
            stripped in (authors.strip(), venue_line.strip())
            or _KEYWORDS.match(stripped)
            or _FIRST_PUBLISHED.match(stripped)
        ):
            continue  # the block's repeated header, or arXiv furniture
        else:
            raise InputError(path, f"unexpected line in the header of {title.strip()!r}", _line_of(units, text))
    summary = clean(" ".join(summary_lines))
    return Record(
        key=f"{ordinal}",
        provenance=Provenance(str(path), title_line, units[-1][0], PAPERS),
        title=clean(title),
        authors=author_refs(split_bibtex_authors(authors)),
        abstract=clean(" ".join(abstract_lines)) or None,
        summaries=(summary,) if summary else (),
        venue=clean(venue.group("venue")),
        year=int(venue.group("year")),
        keywords=keywords,
    )


def _line_of(units: list[tuple[int, str]], text: str) -> int:
    return next(number for number, candidate in units if candidate is text)


@register(PAPERS, "ShortScience venue page: title, BibTeX authors, venue, keywords, abstract, summary", _sniff_papers)
def read_papers(path: Path) -> Iterator[Record]:
    units = paragraphs(read_lines(path))
    starts = _paper_starts(units)
    if not starts:
        raise InputError(path, "found no 'Title / Authors / Venue - YEAR via …' block", 1)
    for ordinal, (start, end) in enumerate(zip(starts, [*starts[1:], len(units)], strict=True), start=1):
        yield _read_block(path, units[start:end], ordinal)


@register(SUMMARIES, "ShortScience summary list: '[link]' then a summary of an unnamed paper", _sniff_summaries)
def read_summaries(path: Path) -> Iterator[Record]:
    units = paragraphs(read_lines(path))
    ordinal = 0
    for index, (number, text) in enumerate(units):
        if text.strip() != _LINK:
            continue
        body = []
        for follow_number, follow in units[index + 1 :]:
            if follow.strip() == _LINK:
                break
            if not page_furniture.contains(follow.strip()):
                body.append((follow_number, follow.strip()))
        if not body:
            raise InputError(path, "'[link]' is not followed by a summary", number)
        ordinal += 1
        yield Record(
            key=f"{ordinal}",
            provenance=Provenance(str(path), body[0][0], body[-1][0], SUMMARIES),
            summaries=(clean(" ".join(text for _, text in body)),),
        )
    if ordinal == 0:
        raise InputError(path, "found no '[link]' summary", 1)
