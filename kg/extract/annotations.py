"""Hand annotations of methods, datasets and tasks, read for ``kg train --annotations FILE``.

Three formats, told apart by content (``--annotations-format`` forces one):

- ``docbin``: a spaCy ``DocBin`` (``.spacy``), as written by ``spacy convert`` or Prodigy; each
  document's entities (``doc.ents``) are its spans.
- ``jsonl``: JSON lines ``{"text": ..., "spans": [{"start": s, "end": e, "label": L}]}`` with
  character offsets (``end`` exclusive) and ``L`` one of Method, Dataset, Task (any case);
  a line without ``spans`` is a text with none.
- ``scierc``: SciERC/DyGIE JSON lines (``doc_key``, ``sentences`` as lists of tokens, ``ner`` per
  sentence as ``[start, end, label]`` with inclusive token indices over the whole document). The
  text is the tokens joined by single spaces (what SciERC scoring extracts from). Method → Method,
  Task → Task, Material → Dataset; other labels (OtherScientificTerm, Metric, Generic) are not
  kg types and are dropped. SciERC nests some entities ("[[CRF] tagger]"): a flat tagger keeps the
  outer span and drops the nested one; spans that cross without nesting are an error.

Every text is annotated completely: words outside its spans are taught as "not a concept".
Bad input raises :class:`kg.errors.InputError` naming the file and line (for a DocBin, the
document): a span outside the text, overlapping spans, an unknown label, a malformed line.
"""

from __future__ import annotations

import json
import zlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import pairwise
from pathlib import Path
from typing import Any

from kg.errors import InputError, shown

LABELS = ("Method", "Dataset", "Task")
FORMATS = ("docbin", "jsonl", "scierc")
SCIERC_LABELS = {"Method": "Method", "Task": "Task", "Material": "Dataset"}
_BY_CASE = {label.lower(): label for label in LABELS}

Span = tuple[int, int, str]


@dataclass(frozen=True)
class Annotated:
    """One annotated text: ``spans`` are (start, end, label) character offsets, sorted and
    disjoint; ``line`` is where it is in its file (the document's number for a DocBin)."""

    text: str
    spans: tuple[Span, ...]
    line: int


@dataclass
class Annotations:
    """What one file holds: its texts, its format, and what was left out of it and why."""

    path: Path
    format: str
    texts: list[Annotated] = field(default_factory=list)
    dropped: Counter[str] = field(default_factory=Counter)

    @property
    def spans(self) -> Counter[str]:
        return Counter(label for text in self.texts for _, _, label in text.spans)

    def summary(self) -> str:
        """One line for ``kg train``'s progress: "train.json (scierc): 350 texts, Method 1,200, …"."""
        counted = ", ".join(f"{label} {self.spans.get(label, 0):,}" for label in LABELS)
        left = ", ".join(f"{n:,} {why}" for why, n in sorted(self.dropped.items()))
        return f"{self.path.name} ({self.format}): {len(self.texts):,} texts, {counted}" + (
            f"; left out {left}" if left else ""
        )


def detect(path: Path) -> str:
    """The format of ``path`` by its content: a zlib stream that spaCy wrote is a DocBin; a
    first JSON line with ``sentences`` and ``ner`` is SciERC, one with ``text`` is ``jsonl``."""
    data = _read(path)
    if _is_docbin(data):
        return "docbin"
    for number, line in enumerate(_text(path, data).splitlines(), 1):
        if not line.strip():
            continue
        try:
            first = json.loads(line)
        except ValueError:
            break
        if isinstance(first, dict) and "sentences" in first and "ner" in first:
            return "scierc"
        if isinstance(first, dict) and "text" in first:
            return "jsonl"
        raise InputError(path, "a JSON line with neither 'text' (jsonl) nor 'sentences' and 'ner' (scierc)", number)
    raise InputError(
        path, f"cannot tell which annotation format this file is in; pass --annotations-format ({', '.join(FORMATS)})"
    )


def read_annotations(path: Path, format: str | None = None) -> Annotations:
    """Every annotated text of ``path`` in ``format`` (default: :func:`detect`)."""
    path = Path(path)
    chosen = format or detect(path)
    if chosen not in FORMATS:
        raise InputError(path, f"unknown annotation format {chosen!r} (known: {', '.join(FORMATS)})")
    found = Annotations(path, chosen)
    if chosen == "docbin":
        _read_docbin(path, found)
    else:
        parse = _jsonl_line if chosen == "jsonl" else _scierc_line
        for number, line in enumerate(_text(path, _read(path)).splitlines(), 1):
            if not line.strip():
                continue
            try:
                raw = json.loads(line)
            except ValueError as error:
                raise InputError(path, f"not a JSON line ({error})", number) from None
            if not isinstance(raw, dict):
                raise InputError(path, f"a JSON line must be an object, not {type(raw).__name__}", number)
            try:
                found.texts.append(parse(raw, number, found.dropped))
            except _Bad as bad:
                raise InputError(path, str(bad), number) from None
    if not found.texts:
        raise InputError(path, "holds no annotated text")
    return found


class _Bad(ValueError):
    """A reason a line is refused; :func:`read_annotations` adds the file and line."""


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "is a directory, not an annotation file") from None
    except OSError as error:
        raise InputError(path, f"cannot be read ({error.strerror or error})") from None


def _text(path: Path, data: bytes) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise InputError(path, "not UTF-8 text, nor a spaCy DocBin", line) from None


def _is_docbin(data: bytes) -> bool:
    """A DocBin is msgpack compressed with zlib: a zlib header (0x78 ..., a multiple of 31)."""
    if len(data) < 2 or data[0] != 0x78 or (data[0] * 256 + data[1]) % 31:
        return False
    try:
        zlib.decompressobj().decompress(data[:4096])
    except zlib.error:
        return False
    return True


def _label(value: Any, index: int) -> str:
    if not isinstance(value, str) or value.lower() not in _BY_CASE:
        raise _Bad(f"span {index}: unknown label {shown(str(value), 40)!r} (labels: {', '.join(LABELS)})")
    return _BY_CASE[value.lower()]


def _offset(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _disjoint(spans: list[Span], text: str) -> tuple[Span, ...]:
    """``spans`` sorted; two that share a character are an error naming both."""
    ordered = sorted(set(spans))
    for (s1, e1, l1), (s2, e2, l2) in pairwise(ordered):
        if s2 < e1:
            raise _Bad(
                f"overlapping spans {shown(text[s1:e1], 40)!r} ({l1} {s1}-{e1}) and "
                f"{shown(text[s2:e2], 40)!r} ({l2} {s2}-{e2})"
            )
    return tuple(ordered)


def _jsonl_line(raw: dict, number: int, dropped: Counter[str]) -> Annotated:
    text = raw.get("text")
    if not isinstance(text, str):
        raise _Bad("'text' must be a string")
    given = raw.get("spans", [])
    if not isinstance(given, list):
        raise _Bad("'spans' must be a list of {start, end, label} objects")
    spans: list[Span] = []
    for index, span in enumerate(given, 1):
        if not isinstance(span, dict) or not _offset(span.get("start")) or not _offset(span.get("end")):
            raise _Bad(f"span {index}: needs integer 'start' and 'end' and a 'label'")
        start, end = span["start"], span["end"]
        if not 0 <= start < end <= len(text):
            raise _Bad(f"span {index} ({start}-{end}) is outside the text ({len(text)} characters) or empty")
        spans.append((start, end, _label(span.get("label"), index)))
    return Annotated(text, _disjoint(spans, text), number)


def _scierc_line(raw: dict, number: int, dropped: Counter[str]) -> Annotated:
    sentences, ner = raw.get("sentences"), raw.get("ner")
    if not isinstance(sentences, list) or not all(
        isinstance(s, list) and all(isinstance(t, str) and t for t in s) for s in sentences
    ):
        raise _Bad("'sentences' must be a list of sentences, each a list of tokens")
    if not isinstance(ner, list) or len(ner) != len(sentences) or not all(isinstance(s, list) for s in ner):
        raise _Bad(f"'ner' must hold one list per sentence ({len(sentences)})")
    tokens = [token for sentence in sentences for token in sentence]
    starts, position = [], 0
    for token in tokens:
        starts.append(position)
        position += len(token) + 1
    text = " ".join(tokens)
    spans: list[Span] = []
    for index, item in enumerate((item for sentence in ner for item in sentence), 1):
        if not (isinstance(item, list) and len(item) == 3 and _offset(item[0]) and _offset(item[1])):
            raise _Bad(f"entity {index}: must be [start, end, label] with token indices")
        first, last, label = item
        if not 0 <= first <= last < len(tokens):
            raise _Bad(f"entity {index} (tokens {first}-{last}) is outside the text ({len(tokens)} tokens)")
        if label not in SCIERC_LABELS:
            dropped[f"{label} entities" if isinstance(label, str) else "unlabelled entities"] += 1
            continue
        spans.append((starts[first], starts[last] + len(tokens[last]), SCIERC_LABELS[label]))
    return Annotated(text, _disjoint(_outermost(spans, dropped), text), number)


def _outermost(spans: list[Span], dropped: Counter[str]) -> list[Span]:
    """SciERC's nested entities as a flat tagger can learn them: the outer span of each nest."""
    kept: list[Span] = []
    for span in sorted(set(spans), key=lambda s: (s[0], -s[1], s[2])):
        if any(s <= span[0] and span[1] <= e for s, e, _ in kept):
            dropped["nested entities"] += 1
            continue
        kept.append(span)
    return kept


def _read_docbin(path: Path, found: Annotations) -> None:
    import spacy
    from spacy.tokens import DocBin

    try:
        docs = list(DocBin().from_bytes(_read(path)).get_docs(spacy.blank("en").vocab))
    except Exception as error:  # msgpack, zlib and spaCy raise many types for a damaged file
        raise InputError(path, f"not a readable spaCy DocBin ({type(error).__name__})") from None
    for number, doc in enumerate(docs, 1):
        try:
            spans = [(e.start_char, e.end_char, _label(e.label_, i)) for i, e in enumerate(doc.ents, 1)]
            found.texts.append(Annotated(doc.text, _disjoint(spans, doc.text), number))
        except _Bad as bad:
            raise InputError(path, f"document {number}: {bad}") from None


def read_all(paths: Sequence[Path], format: str | None = None) -> list[Annotations]:
    """:func:`read_annotations` of every file, all read (and checked) before anything is trained."""
    return [read_annotations(path, format) for path in paths]


def examples(nlp: Any, texts: Sequence[Annotated], path: Path) -> list:
    """spaCy ``Example``s for ``texts``, tokenised as extraction tokenises them (the text after
    :func:`kg.extract.for_matching`, same offsets). A span that starts or ends inside a token
    grows to the whole token; two that then share a token are an error naming the line."""
    from spacy.training import Example

    from kg.extract import for_matching

    made = []
    for annotated in texts:
        predicted = nlp.make_doc(for_matching(annotated.text))
        reference = predicted.copy()
        ents = [reference.char_span(s, e, label=label, alignment_mode="expand") for s, e, label in annotated.spans]
        try:
            reference.ents = [ent for ent in ents if ent is not None]
        except ValueError:
            raise InputError(
                path, "two spans fall in the same word once the text is split into words", annotated.line
            ) from None
        made.append(Example(predicted, reference))
    return made
