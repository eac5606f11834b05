"""A blog post of conference talk summaries: topic sections, paper titles, free-text summaries.

The page has no markup left, only lines. A line is *heading-like* when it stands alone, is
short, has no sentence punctuation at its end, no maths or URL, and starts with a capital.
Among those:

- a **section** heading is directly followed by another title-like line (the first paper of
  the section), and the line right after a section heading is always read as a title;
- a **title** is title-like (capitalised content words, or six words or more), is not directly
  preceded by another title (that would be its subtitle), and is not one of the writer's own
  remarks: a short question pointing back with a pronoun ("Why does it work though?") or a
  "Label: lower-case phrase" line ("Results: better test NLL, …");
- everything after a title up to the next title or section is that paper's summary.

Page furniture before "Table of Contents" (profile, intro) and after the content (comment
widgets) is dropped (``data/lexicons/page_furniture.txt``). A conference name and year in the
post's heading ("… from ICLR 2020") becomes every paper's venue and year.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from kg.errors import InputError
from kg.records import Provenance, Record
from kg.resources import page_furniture
from kg.sources import register
from kg.sources._text import paragraphs, read_lines
from kg.sources.names import clean

NAME = "blog"
_MATHS_OR_URL = re.compile(r"https?://|\$|\\\[|\\\(|\\begin")
_VENUE_YEAR = re.compile(r"\b([A-Z][A-Za-z]{2,9})\s*'?((?:19|20)\d{2})\b")
_LABEL = re.compile(r"^(\w+):\s+(.*)$")
_ANAPHORA = {"it", "this", "these", "that", "those", "they", "them"}
_MINOR = {
    "a",
    "an",
    "the",
    "and",
    "or",
    "but",
    "nor",
    "for",
    "of",
    "in",
    "on",
    "at",
    "to",
    "by",
    "with",
    "from",
    "via",
    "vs",
    "as",
    "into",
    "without",
    "within",
    "is",
    "are",
    "be",
    "do",
    "not",
    "how",
    "when",
    "than",
    "what",
    "why",
    "which",
    "it",
    "its",
    "you",
    "your",
    "one",
}
_END_MARKERS = ("comments powered by disqus",)


def _words(text: str) -> list[str]:
    return re.findall(r"[\w’'\-]+", text)


def capitalised_ratio(text: str) -> float:
    """Share of content words that start with a capital or digit (1.0 for Title Case)."""
    content = [w for w in _words(text) if w.lower() not in _MINOR]
    if not content:
        return 0.0
    return sum(1 for w in content if w[0].isupper() or w[0].isdigit()) / len(content)


def heading_like(line: str) -> bool:
    """A stand-alone short line without sentence-final punctuation, maths or URLs."""
    text = line.strip()
    if not text or line[:1].isspace() or len(text) > 160 or len(text.split()) > 22:
        return False
    if _MATHS_OR_URL.search(text) or text[-1] in ".:,;!" or not (text[0].isupper() or text[0].isdigit()):
        return False
    return not page_furniture.contains(text)


def is_remark(text: str) -> bool:
    """The writer's own remark: "Results: better test NLL, …" or "Why does it work though?"."""
    label = _LABEL.match(text)
    if label and capitalised_ratio(label.group(2)) < 0.5 and len(label.group(1)) < 12:
        return True
    if "?" in text:
        q_words = [w.lower() for w in _words(text.split("?", 1)[0])]
        if len(q_words) <= 8 and _ANAPHORA & set(q_words):
            return True
    return False


def title_like(line: str) -> bool:
    """Heading-like and shaped like a paper title rather than the writer's own remark."""
    if not heading_like(line) or is_remark(line.strip()):
        return False
    text = line.strip()
    words = _words(text)
    if len(words) <= 3 and capitalised_ratio(text) < 1.0:
        return False  # "Inference network": a figure caption, not a title
    return capitalised_ratio(text) >= 0.5 or len(words) >= 6


@dataclass
class _Paper:
    title: str
    line: int
    section: str | None
    body: list[tuple[int, str]] = field(default_factory=list)


def _content(units: list[tuple[int, str]]) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    """Split off the preamble (up to the table of contents) and the trailing page furniture."""
    start = 0
    for index, (_, text) in enumerate(units):
        if page_furniture.contains(text) and "content" in text.lower():
            start = index + 1
            break
    end = len(units)
    for index in range(start, len(units)):
        if units[index][1].strip().lower() in _END_MARKERS:
            end = index
            break
    return units[:start], units[start:end]


def _venue_year(preamble: list[tuple[int, str]]) -> tuple[str | None, int | None]:
    for _, text in preamble:
        if heading_like(text):
            match = _VENUE_YEAR.search(text)
            if match and match.group(1).isupper():
                return match.group(1), int(match.group(2))
    return None, None


def parse(units: list[tuple[int, str]]) -> tuple[list[_Paper], str | None, int | None]:
    """Papers (title, section, summary lines) in page order, and the post's venue and year."""
    preamble, body = _content(units)
    venue, year = _venue_year(preamble)
    papers: list[_Paper] = []
    section: str | None = None
    previous_was_title = previous_was_section = False
    for index, (number, text) in enumerate(body):
        following = body[index + 1][1] if index + 1 < len(body) else ""
        starts_section = heading_like(text) and not is_remark(text) and title_like(following)
        if starts_section and not previous_was_title and not previous_was_section:
            section = clean(text)
            previous_was_title, previous_was_section = False, True
            continue
        previous_was_section = False
        if title_like(text) and not previous_was_title:
            papers.append(_Paper(clean(text), number, section))
            previous_was_title = True
            continue
        previous_was_title = False
        if papers:
            papers[-1].body.append((number, text))
    if papers and not papers[-1].body and capitalised_ratio(papers[-1].title) < 0.5:
        papers.pop()  # a sentence the page was cut off in, not a title: nothing follows it
    return papers, venue, year


def _sniff(sample: str, path: Path) -> float:
    units = paragraphs(sample.split("\n"))
    if len(units) < 10:
        return 0.0
    titles = sum(1 for _, text in units if title_like(text))
    prose = sum(1 for _, text in units if len(text) > 200)
    if titles < 3 or prose < 3:
        return 0.0
    return 0.3  # weak evidence: the most generic of the text formats, so any other wins


@register(NAME, "blog post of talk summaries: topic sections, paper titles, free-text summaries", _sniff)
def read(path: Path) -> Iterator[Record]:
    papers, venue, year = parse(paragraphs(read_lines(path)))
    if not papers:
        raise InputError(path, "found no paper titles in this blog post", 1)
    for ordinal, paper in enumerate(papers, start=1):
        summary = "\n".join(text.strip() for _, text in paper.body)
        last_line = paper.body[-1][0] if paper.body else paper.line
        yield Record(
            key=f"{ordinal}",
            provenance=Provenance(str(path), paper.line, last_line, NAME),
            title=paper.title,
            summaries=(summary,) if summary else (),
            venue=venue,
            year=year,
            topics=(paper.section,) if paper.section else (),
        )
