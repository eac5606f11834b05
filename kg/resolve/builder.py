"""Records → typed graph: one node per paper, author, institution, venue, topic and summary.

Identity here is deliberately conservative and deterministic: papers are the same when their
external ids or folded titles agree; authors when their folded names agree; institutions and
venues when the lexicons in ``data/lexicons/`` give them the same entry. Records are processed
in (file, line) order, so the first source to state a single-valued fact wins, whatever order
the files were listed in.
"""

from __future__ import annotations

from collections.abc import Iterable

from kg.graph import Graph
from kg.normalize import digest, key, slug
from kg.records import AuthorRef, Record
from kg.resolve.lexicon import load_lexicon

_LABEL_WORDS = 12


def source_id(record: Record) -> str:
    return "source/" + digest(record.provenance.file, record.key)


def author_id(name: str) -> str:
    return "author/" + slug(name)


def institution_id(text: str) -> tuple[str, str]:
    """Id and canonical name of an affiliation string (lexicon entry, else as written)."""
    entry = load_lexicon("institutions.toml", "institution").lookup(text)
    if entry is not None:
        return "institution/" + entry.id, entry.name
    return "institution/" + slug(text), text


def venue_id(text: str) -> tuple[str, str]:
    entry = load_lexicon("venues.toml", "venue").lookup(text)
    if entry is not None:
        return "venue/" + entry.id, entry.name
    return "venue/" + slug(text), text


def topic_id(text: str) -> str:
    return "topic/" + slug(text)


class _PaperIndex:
    """Finds the paper node a record describes: by external id, then by folded title."""

    def __init__(self) -> None:
        self.by_external: dict[str, str] = {}
        self.by_title: dict[str, str] = {}

    def paper_id(self, record: Record) -> str:
        title_key = key(record.title) if record.title else ""
        for external in record.external_ids:
            if external in self.by_external:
                return self.by_external[external]
        if title_key and title_key in self.by_title:
            found = self.by_title[title_key]
        elif title_key:
            found = "paper/" + slug(record.title or "", 60) + "-" + digest(title_key, length=6)
        else:
            content = record.abstract or record.tldr or " ".join(record.summaries)
            found = "paper/untitled-" + digest(key(content), length=12)
        for external in record.external_ids:
            self.by_external.setdefault(external, found)
        if title_key:
            self.by_title.setdefault(title_key, found)
        return found


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


def _add_author(graph: Graph, paper: str, ref: AuthorRef, provenance: str) -> None:
    author = graph.add_node(author_id(ref.name), "Author", name=ref.name, label=ref.name, aliases=(ref.as_written,))
    graph.add_edge(
        paper, "authored_by", author, sources=(provenance,), position=ref.position, as_written=ref.as_written
    )
    for affiliation in ref.affiliations:
        institution, name = institution_id(affiliation)
        graph.add_node(institution, "Institution", name=name, label=name, aliases=(affiliation,))
        _add_parents(graph, institution)
        graph.add_edge(author, "affiliated_with", institution, sources=(provenance,), papers=(paper,))


def _add_parents(graph: Graph, institution: str) -> None:
    lexicon = load_lexicon("institutions.toml", "institution")
    entry = lexicon.entries.get(institution.removeprefix("institution/"))
    seen = {institution}
    while entry is not None and entry.part_of and entry.part_of in lexicon.entries:
        parent = lexicon.entries[entry.part_of]
        parent_id = "institution/" + parent.id
        graph.add_node(parent_id, "Institution", name=parent.name, label=parent.name)
        graph.add_edge("institution/" + entry.id, "part_of", parent_id)
        if parent_id in seen:
            break
        seen.add(parent_id)
        entry = parent


def add_record(graph: Graph, index: _PaperIndex, record: Record) -> str:
    """Add one record's facts to the graph; returns the paper id it was attached to."""
    origin = graph.add_node(
        source_id(record),
        "SourceRecord",
        label=str(record.provenance),
        file=record.provenance.file,
        line_start=record.provenance.line_start,
        line_end=record.provenance.line_end,
        reader=record.provenance.reader,
    )
    paper = index.paper_id(record)
    graph.add_node(
        paper,
        "Paper",
        title=record.title,
        abstract=record.abstract,
        tldr=record.tldr,
        year=record.year,
        keywords=record.keywords,
        external_ids=record.external_ids,
    )
    if record.title:
        graph.add_node(paper, "Paper", label=record.title)
    graph.add_edge(paper, "derived_from", origin)
    if record.venue:
        venue, name = venue_id(record.venue)
        graph.add_node(venue, "Venue", name=name, label=name, aliases=(record.venue,))
        graph.add_edge(paper, "published_in", venue, sources=(origin,))
    for ref in record.authors:
        _add_author(graph, paper, ref, origin)
    for topic in dict.fromkeys((*record.topics, *record.keywords)):
        topic_node = graph.add_node(topic_id(topic), "Topic", label=topic, aliases=(topic,))
        graph.add_edge(paper, "has_topic", topic_node, sources=(origin,))
    for text in record.summaries:
        summary = graph.add_node(
            "summary/" + digest(paper, text),
            "Summary",
            text=text,
            label=f"Summary from {record.provenance}",
        )
        graph.add_edge(summary, "summarises", paper, sources=(origin,))
        graph.add_edge(summary, "derived_from", origin)
    return paper


def build_graph(records: Iterable[Record], graph: Graph | None = None) -> Graph:
    """Resolve records into a graph. The result does not depend on the order of ``records``."""
    graph = graph or Graph()
    index = _PaperIndex()
    ordered = sorted(records, key=lambda r: (r.provenance.file, r.provenance.line_start, r.key))
    untitled: dict[str, Record] = {}
    for record in ordered:
        paper = add_record(graph, index, record)
        if not record.title:
            untitled.setdefault(paper, record)
    for paper, record in untitled.items():
        if "label" not in graph.node(paper).props:
            graph.set_prop(paper, "label", _untitled_label(record))
    return graph
