"""Records → typed graph: one node per paper, author, institution, venue, topic and summary.

:func:`resolve` is the stage's entry point. It decides identity first, over all records at once
(papers: :mod:`~kg.resolve.papers`, institutions: :mod:`~kg.resolve.institutions`, authors:
:mod:`~kg.resolve.authors`, each honouring the user's :mod:`~kg.resolve.overrides`), then writes
the graph, so the answer never depends on which record came first. Records are written in
(file, line) order, so the first source to state a single-valued fact wins, whatever order the
files were listed in. Derived relations come last: co-authorship, weighted by shared papers.

Limit: pairwise co-authorship is quadratic in an author list, so a *hyper-authored* record (more
than :data:`MAX_PAIRWISE_AUTHORS` authors: a collaboration or consortium paper) keeps every
``authored_by`` edge but adds no ``coauthor_with`` edges among its authors, and its author list
is no evidence for identity (sharing one of 3,000 co-authors says nothing); a warning names
the record. Everything else a record costs is linear in its authors.
"""

from __future__ import annotations

import logging
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import combinations

from kg.graph import Graph
from kg.ids import local_part, node_id, source_record_id
from kg.normalize import digest, slug
from kg.records import Mention, Record
from kg.resolve.authors import AuthorIdentity, AuthorOccurrence, AuthorResolver
from kg.resolve.concepts import add_concepts, resolve_mentions
from kg.resolve.decisions import Resolution
from kg.resolve.identifiers import AUTHOR, INSTITUTION, PAPER, id_properties
from kg.resolve.institutions import InstitutionIdentity, InstitutionResolver
from kg.resolve.lexicon import load_lexicon
from kg.resolve.overrides import NONE, Overrides
from kg.resolve.papers import PaperIdentity, resolve_papers
from kg.resolve.relations import add_relations

_LABEL_WORDS = 12
# Past this many authors a record adds no pairwise co-author edges (see the module docstring):
# 100 authors are 4,950 pairs; 1,000 were 500,000 edges and 3 million triples.
MAX_PAIRWISE_AUTHORS = 100
log = logging.getLogger("kg.resolve")


def hyper_authored(record: Record) -> bool:
    """True when ``record`` lists more than :data:`MAX_PAIRWISE_AUTHORS` authors."""
    return len(record.authors) > MAX_PAIRWISE_AUTHORS


def venue_id(text: str) -> tuple[str, str]:
    entry = load_lexicon("venues.toml", "venue").lookup(text)
    if entry is not None:
        return node_id("Venue", entry.id), entry.name
    return node_id("Venue", slug(text)), text


def topic_id(text: str) -> str:
    return node_id("Topic", slug(text))


def record_order(records: Sequence[Record]) -> list[int]:
    """Indices of ``records`` in (file, line, key) order: the order every stage writes in."""
    return sorted(
        range(len(records)),
        key=lambda i: (records[i].provenance.file, records[i].provenance.line_start, records[i].key),
    )


def _snippet(text: str) -> str:
    words = text.split()
    return " ".join(words[:_LABEL_WORDS]) + ("…" if len(words) > _LABEL_WORDS else "")


def _untitled_label(record: Record) -> str:
    """A display name for a paper no source titles: first author and the start of its text."""
    text = record.tldr or record.abstract or (record.summaries[0] if record.summaries else "")
    if record.authors:
        surname = record.authors[0].name.split()[-1]
        lead = f"{surname} et al." if len(record.authors) > 1 else surname
        return f"{lead}: {_snippet(text)}"
    return f"Untitled paper: {_snippet(text)}"


def _add_parents(graph: Graph, institution: str) -> None:
    lexicon = load_lexicon("institutions.toml", "institution")
    entry = lexicon.entries.get(local_part(institution, "Institution"))
    seen = {institution}
    while entry is not None and entry.part_of and entry.part_of in lexicon.entries:
        parent = lexicon.entries[entry.part_of]
        parent_id = node_id("Institution", parent.id)
        graph.add_node(parent_id, "Institution", name=parent.name, label=parent.name)
        graph.add_edge(node_id("Institution", entry.id), "part_of", parent_id)
        if parent_id in seen:
            break
        seen.add(parent_id)
        entry = parent


@dataclass(frozen=True)
class _Identities:
    """The identity decisions a graph is written from."""

    papers: PaperIdentity
    authors: AuthorIdentity
    institutions: InstitutionIdentity


def _subjects(
    records: Sequence[Record], papers: list[str], mentions: Sequence[Sequence[Mention]] | None
) -> dict[str, set[str]]:
    """Topics and concepts per paper: evidence that two author spellings work on the same things."""
    subjects: dict[str, set[str]] = {}
    for index, record in enumerate(records):
        found = subjects.setdefault(papers[index], set())
        found.update(topic_id(t) for t in (*record.topics, *record.keywords))
        if mentions is not None:
            found.update(m.concept for m in mentions[index])
    return subjects


def _identify(
    records: Sequence[Record], mentions: Sequence[Sequence[Mention]] | None, overrides: Overrides
) -> _Identities:
    paper_identity = resolve_papers(records)
    papers = paper_identity.of_record
    institutions = InstitutionResolver()
    for record in records:
        for ref in record.authors:
            for index, affiliation in enumerate(ref.affiliations):
                institutions.add(affiliation, ref.affiliation_ids[index] if index < len(ref.affiliation_ids) else None)
    for names in overrides.rules("institutions", same=True):
        institutions.force_same(names)
    for names in overrides.rules("institutions", same=False):
        institutions.force_apart(names)
    institution_identity = institutions.resolve()
    subjects = _subjects(records, papers, mentions)
    authors = AuthorResolver()
    for index, record in enumerate(records):
        written = [] if hyper_authored(record) else [ref.as_written or ref.name for ref in record.authors]
        paper_subjects = tuple(sorted(subjects[papers[index]]))
        for position, ref in enumerate(record.authors):
            authors.add(
                AuthorOccurrence(
                    as_written=ref.as_written,
                    display=ref.name,
                    record=source_record_id(record),
                    paper=papers[index],
                    coauthors=tuple(w for i, w in enumerate(written) if i != position),
                    institutions=tuple(i for a in ref.affiliations for i in institution_identity.by_string[a]),
                    subjects=paper_subjects,
                    crowded=hyper_authored(record),
                    ids=ref.ids,
                )
            )
    for names in overrides.rules("authors", same=True):
        authors.force_same(names)
    for names in overrides.rules("authors", same=False):
        authors.force_apart(names)
    return _Identities(paper_identity, authors.resolve(), institution_identity)


def _add_authors(graph: Graph, paper: str, record: Record, origin: str, identities: _Identities) -> list[str]:
    people = []
    for ref in record.authors:
        person = identities.authors.person(ref.as_written or ref.name)
        author = graph.add_node(
            person.id,
            "Author",
            name=person.name,
            label=person.name,
            aliases=person.aliases,
            merged_because=person.merged_because,
            **id_properties(ref.ids, AUTHOR),
        )
        people.append(author)
        graph.add_edge(
            paper, "authored_by", author, sources=(origin,), position=ref.position, as_written=ref.as_written
        )
        for index, affiliation in enumerate(ref.affiliations):
            named = identities.institutions.of(affiliation)
            identifier = ref.affiliation_ids[index] if index < len(ref.affiliation_ids) and len(named) == 1 else ""
            for institution in named:
                graph.add_node(
                    institution.id,
                    "Institution",
                    name=institution.name,
                    label=institution.name,
                    aliases=institution.aliases,
                    **id_properties((identifier,), INSTITUTION),
                )
                _add_parents(graph, institution.id)
                graph.add_edge(author, "affiliated_with", institution.id, sources=(origin,), papers=(paper,))
    return people


def add_record(graph: Graph, record: Record, paper: str, identities: _Identities) -> list[str]:
    """Add one record's facts to the graph, attached to ``paper``; returns its author ids."""
    origin = graph.add_node(
        source_record_id(record),
        "SourceRecord",
        label=str(record.provenance),
        file=record.provenance.file,
        line_start=record.provenance.line_start,
        line_end=record.provenance.line_end,
        reader=record.provenance.reader,
    )
    graph.add_node(
        paper,
        "Paper",
        title=record.title,
        abstract=record.abstract,
        tldr=record.tldr,
        year=record.year,
        keywords=record.keywords,
        external_ids=record.external_ids,
        **id_properties(record.external_ids, PAPER),
    )
    graph.add_edge(paper, "derived_from", origin)
    if record.venue:
        venue, name = venue_id(record.venue)
        graph.add_node(venue, "Venue", name=name, label=name, aliases=(record.venue,))
        graph.add_edge(paper, "published_in", venue, sources=(origin,))
    authors = _add_authors(graph, paper, record, origin, identities)
    for topic in dict.fromkeys((*record.topics, *record.keywords)):
        topic_node = graph.add_node(topic_id(topic), "Topic", label=topic, aliases=(topic,))
        graph.add_edge(paper, "has_topic", topic_node, sources=(origin,))
    for text in record.summaries:
        summary = graph.add_node(
            node_id("Summary", digest(paper, text)),
            "Summary",
            text=text,
            label=f"Summary from {record.provenance}",
        )
        graph.add_edge(summary, "summarises", paper, sources=(origin,))
        graph.add_edge(summary, "derived_from", origin)
    return authors


def _longest_texts(records: Sequence[Record], papers: list[str]) -> list[tuple[str, str, str]]:
    """The longest abstract and tl;dr among each paper's sources (ties: the first in text order):
    a paper two sources describe shows the fuller text, whichever file sorts first."""
    best: dict[tuple[str, str], str] = {}
    for index, record in enumerate(records):
        for field, text in (("abstract", record.abstract), ("tldr", record.tldr)):
            slot = (papers[index], field)
            if text and len(text) > len(best.get(slot, "")):
                best[slot] = text
    return [(paper, field, text) for (paper, field), text in sorted(best.items())]


def _add_coauthorship(graph: Graph, authors_of: dict[str, set[str]]) -> None:
    """Author pairs with the number of papers they share (one edge per pair, lower id first)."""
    shared: Counter[tuple[str, str]] = Counter()
    for authors in authors_of.values():
        shared.update(combinations(sorted(authors), 2))
    for (a, b), papers in sorted(shared.items()):
        graph.add_edge(a, "coauthor_with", b, weight=papers)


def resolve(
    records: Sequence[Record],
    mentions: Sequence[Sequence[Mention]] | None = None,
    overrides: Overrides = NONE,
    graph: Graph | None = None,
) -> tuple[Graph, Resolution]:
    """Resolve records (and their concept mentions) into a graph and the record of decisions.

    The result does not depend on the order of ``records``.
    """
    graph = graph or Graph()
    order = record_order(records)
    ordered = [records[i] for i in order]
    ordered_mentions = [mentions[i] for i in order] if mentions is not None else None
    identities = _identify(ordered, ordered_mentions, overrides)
    authors_of: dict[str, set[str]] = {}
    untitled: dict[str, Record] = {}
    for index, record in enumerate(ordered):
        paper = identities.papers.of_record[index]
        people = add_record(graph, record, paper, identities)
        if hyper_authored(record):
            log.warning(
                "%s: %d authors, more than %d: no co-author edges among them (a hyper-authored record)",
                record.provenance,
                len(record.authors),
                MAX_PAIRWISE_AUTHORS,
            )
        else:
            authors_of.setdefault(paper, set()).update(people)
        if not record.title:
            untitled.setdefault(paper, record)
    for paper, field, text in _longest_texts(ordered, identities.papers.of_record):
        graph.set_prop(paper, field, text)
    for paper, title in identities.papers.titles.items():
        graph.set_prop(paper, "label", title)
        graph.set_prop(paper, "title", title)
    for paper, record in untitled.items():
        if "label" not in graph.node(paper).props:
            graph.set_prop(paper, "label", _untitled_label(record))
    _add_coauthorship(graph, authors_of)
    resolution = Resolution()
    resolution.add(identities.papers.decisions)
    resolution.add(identities.institutions.decisions)
    resolution.add(identities.authors.decisions)
    concept_counts = (0, 0)
    if ordered_mentions is not None:
        resolved = resolve_mentions(ordered_mentions, overrides, resolution)
        concept_counts = add_concepts(graph, ordered, identities.papers.of_record, resolved)
        add_relations(graph, ordered, identities.papers.of_record, resolved)
    counts = graph.counts()["nodes"]
    resolution.before.update(
        author=identities.authors.spellings,
        institution=identities.institutions.spellings,
        paper=len(ordered),
        concept=concept_counts[0],
    )
    resolution.after.update(
        author=counts["Author"],
        institution=len(identities.institutions.institutions),
        paper=counts["Paper"],
        concept=concept_counts[1],
    )
    return graph, resolution


def build_graph(records: Iterable[Record], mentions: Sequence[Sequence[Mention]] | None = None) -> Graph:
    """The graph alone (no overrides, decisions dropped): for tests and quick scripts."""
    return resolve(list(records), mentions)[0]
