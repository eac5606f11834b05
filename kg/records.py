"""Boundary types shared by every stage: what a reader yields and what extraction adds.

They are frozen dataclasses so a record can be hashed, cached and passed between processes
without anyone mutating it behind a later stage's back. Readers fill in only what their format
states; everything unknown stays ``None`` or empty, never guessed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# The concept types a Mention can have and the paper → concept relation of each; with Topic,
# the things a paper is about. Plain names (no rdflib import) so every stage can share them;
# tests/test_ontology.py checks them against ontology/kg.ttl.
CONCEPT_TYPES = ("Method", "Dataset", "Task")
CONCEPT_RELATIONS = {"Method": "uses_method", "Dataset": "uses_dataset", "Task": "addresses_task"}
SUBJECT_TYPES = (*CONCEPT_TYPES, "Topic")
# Concept → concept relations stated in sentences (kg.extract.relations finds them).
CONCEPT_LINKS = ("used_for", "evaluated_on", "variant_of", "compared_with")


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where a record came from: the file (as given to the reader), its line span, the reader.

    Lines are 1-based and inclusive, so ``file:line_start`` is what an editor jumps to.
    """

    file: str
    line_start: int
    line_end: int
    reader: str

    def __str__(self) -> str:
        if self.line_start == self.line_end:
            return f"{self.file}:{self.line_start}"
        return f"{self.file}:{self.line_start}-{self.line_end}"


@dataclass(frozen=True, slots=True)
class AuthorRef:
    """An author as one source lists them.

    ``as_written`` keeps the source's spelling ("Brendel, Wieland"); ``name`` is the reader's
    display order ("Wieland Brendel"). Identity is decided later, by ``kg.resolve``.
    ``affiliations`` are the affiliation parts the source gives for this author on this paper.
    ``ids`` are the person's identifiers in other systems, prefixed (``orcid:…``,
    ``openalex:A…``, ``s2:…``, ``openreview:~…``; see ``kg.sources._ids``);
    ``affiliation_ids`` give each affiliation's identifier (``ror:…``) in the same order, ``""``
    where the source has none (empty when the source gives no institution ids at all).
    """

    name: str
    as_written: str
    position: int
    affiliations: tuple[str, ...] = ()
    ids: tuple[str, ...] = ()
    affiliation_ids: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Record:
    """One paper (or one summary of an unknown paper) as one source describes it.

    ``key`` is unique within a source file and stable across runs (an external id where the
    format has one, else the record's ordinal), so ids derived from it are deterministic.
    ``summaries`` are third-party texts about the paper (blog or ShortScience write-ups), kept
    apart from the authors' own ``abstract`` and ``tldr``.
    """

    key: str
    provenance: Provenance
    title: str | None = None
    authors: tuple[AuthorRef, ...] = ()
    abstract: str | None = None
    tldr: str | None = None
    summaries: tuple[str, ...] = ()
    venue: str | None = None
    year: int | None = None
    topics: tuple[str, ...] = ()
    keywords: tuple[str, ...] = ()
    external_ids: tuple[str, ...] = ()
    paper_affiliations: tuple[str, ...] = field(default=())

    def text_fields(self) -> dict[str, str]:
        """The record's free-text fields by name, for extraction and full-text matching."""
        fields: dict[str, str] = {}
        if self.title:
            fields["title"] = self.title
        if self.tldr:
            fields["tldr"] = self.tldr
        if self.abstract:
            fields["abstract"] = self.abstract
        for index, summary in enumerate(self.summaries):
            fields[f"summary[{index}]"] = summary
        return fields


@dataclass(frozen=True, slots=True)
class Mention:
    """One concept mentioned in one field of one record, with the evidence to show for it.

    ``start``/``end`` are character offsets into the record's field text (``Record.text_fields``),
    ``text`` the matched surface form, ``concept`` the canonical concept id (``concept/<slug>``),
    ``rule`` the component and pattern that matched, ``confidence`` in [0, 1]. ``discovered`` is
    true for concepts found by a pattern rather than the concept scheme.
    """

    field: str
    start: int
    end: int
    text: str
    concept: str
    type: str
    label: str
    rule: str
    confidence: float
    discovered: bool = False
    aliases: tuple[str, ...] = ()
