"""What a node's page shows, as plain data: the JSON twin is exactly this, the HTML page renders it.

Every node id has a page (``/paper/…``, ``/author/…``, ``/concept/…``, ``/venue/…``, even
``/source/…``): its literal properties and its links in and out come from the RDF store with the
node's IRI bound as a parameter (:meth:`kg.api.KnowledgeGraph.sparql`), so an unknown id is a
clean "not found" and no text from the URL reaches a query string. Papers, authors,
institutions and concepts add what the lookup index already holds (byline order, affiliations
per paper, concept evidence offsets, profiles, related concepts; :mod:`kg.query`).

Evidence: a paper–concept edge keeps the field and character offsets of the text it was found
in; the page shows that sentence with the match marked (``before``/``match``/``after``), falling
back to the first occurrence of the matched words when the offsets belong to another record's
copy of the field.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from kg.errors import KgError
from kg.query.evidence import sentences
from kg.query.index import field_kind
from kg.serve.live import Snapshot

CONCEPT_KINDS = ("Method", "Dataset", "Task", "Topic")
LINK_LIMIT = 2000
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_HIDDEN_IN = ("http://www.w3.org/1999/02/22-rdf-syntax-ns#subject", "http://www.w3.org/1999/02/22-rdf-syntax-ns#object")
_OUT = f"""SELECT ?s ?p ?o ?label ?type WHERE {{
  ?s ?p ?o .
  OPTIONAL {{ ?o rdfs:label ?label }}
  OPTIONAL {{ ?o a ?type FILTER(?type != skos:Concept) }}
}} LIMIT {LINK_LIMIT}"""
_IN = f"""SELECT ?o ?p ?s ?label ?type WHERE {{
  ?s ?p ?o .
  FILTER(?p NOT IN (rdf:subject, rdf:object))
  OPTIONAL {{ ?s rdfs:label ?label }}
  OPTIONAL {{ ?s a ?type FILTER(?type != skos:Concept) }}
}} LIMIT {LINK_LIMIT}"""
_SUMMARIES = """SELECT ?p ?summary ?text ?source ?file ?line WHERE {
  ?summary kg:summarises ?p ; schema:text ?text .
  OPTIONAL {
    ?summary prov:wasDerivedFrom ?source . ?source kg:sourceFile ?file .
    OPTIONAL { ?source kg:lineStart ?line }
  }
} ORDER BY ?file ?line ?summary"""
_SOURCES = """SELECT ?s ?source ?file ?line ?reader WHERE {
  ?s prov:wasDerivedFrom ?source . ?source kg:sourceFile ?file .
  OPTIONAL { ?source kg:lineStart ?line } OPTIONAL { ?source kg:reader ?reader }
} ORDER BY ?file ?line"""


# Node types whose pages use no link into the node (a paper's and an author's come from the
# lookup index and the profile): their links in are not read (a third of an author page's time).
_NO_LINKS_IN = ("Paper", "Author")


class NodeNotFound(KgError):
    """No node has this id (HTTP 404)."""


@dataclass
class Link:
    relation: str
    id: str
    type: str
    label: str


@dataclass
class Facts:
    """A node as the RDF store holds it: type, literal properties, links out and in."""

    id: str
    type: str
    props: dict[str, list[Any]] = field(default_factory=dict)
    out: list[Link] = field(default_factory=list)
    into: list[Link] = field(default_factory=list)

    def first(self, key: str) -> Any:
        values = self.props.get(key)
        return values[0] if values else None

    def links(self, relation: str, incoming: bool = False) -> list[dict[str, str]]:
        chosen = self.into if incoming else self.out
        return [ref(link.id, link.type, link.label) for link in chosen if link.relation == relation]


def ref(node_id: str, node_type: str, label: str, **extra: Any) -> dict[str, Any]:
    """A link to another node's page, as pages and their JSON twins show it."""
    return {"id": node_id, "type": node_type, "label": label, "url": "/" + node_id, **extra}


def facts(snap: Snapshot, node_id: str) -> Facts:
    """The node ``node_id`` from the RDF store; :class:`NodeNotFound` when there is none. Links
    into a paper or an author are left out (``into`` is empty): their pages show none."""
    onto = snap.ontology
    try:
        iri = onto.node_iri(node_id)
        out_rows = snap.handle.sparql(_OUT, {"s": f"<{iri}>"}).rows
    except (KgError, ValueError) as err:  # an id no IRI can hold is no node's id
        raise NodeNotFound(f"no node has the id {node_id!r}") from err
    types, relations, properties = snap.iri_keys
    node_type = next((types[r["o"]] for r in out_rows if r["p"] == _RDF_TYPE and r["o"] in types), None)
    if node_type is None:
        raise NodeNotFound(f"no node has the id {node_id!r}")
    found = Facts(node_id, node_type)
    seen: set[tuple[str, str]] = set()
    for row in out_rows:
        predicate, value = row["p"], row["o"]
        if predicate in properties and row["type"] is None and (predicate, str(value)) not in seen:
            seen.add((predicate, str(value)))
            found.props.setdefault(properties[predicate], []).append(value)
        elif predicate in relations and row["type"] in types:
            found.out.append(_link(onto, relations[predicate], value, types[row["type"]], row["label"]))
    if node_type in _NO_LINKS_IN:
        return found
    for row in snap.handle.sparql(_IN, {"o": f"<{iri}>"}).rows:
        if row["p"] in relations and row["type"] in types and row["p"] not in _HIDDEN_IN:
            found.into.append(_link(onto, relations[row["p"]], row["s"], types[row["type"]], row["label"]))
    return found


def _link(onto: Any, relation: str, iri: str, node_type: str, label: str | None) -> Link:
    node_id = onto.node_id(iri) or iri
    return Link(relation, node_id, node_type, str(label or node_id))


def node_page(snap: Snapshot, node_id: str) -> dict[str, Any]:
    """The page data of any node, by its type."""
    found = facts(snap, node_id)
    builder = {"Paper": _paper, "Author": _person, "Institution": _person}.get(found.type)
    if builder is None and found.type in CONCEPT_KINDS:
        builder = _concept
    data = {
        "id": found.id,
        "type": found.type,
        "type_label": snap.ontology.node_types[found.type].label,
        "label": str(found.first("label") or found.first("name") or found.first("title") or found.id),
        "graph_url": f"/graph/{found.id}",
        "properties": _shown_props(found),
        "sources": _sources(snap, found),
    }
    data.update(builder(snap, found) if builder else _generic(found))
    return data


def _shown_props(found: Facts) -> dict[str, Any]:
    """Literal properties other pages do not already lay out, one value or a list."""
    skip = {"label", "title", "name", "abstract", "tldr", "aliases", "merged_because", "definition", "text"}
    return {k: v[0] if len(v) == 1 else v for k, v in sorted(found.props.items()) if k not in skip}


def _sources(snap: Snapshot, found: Facts) -> list[dict[str, Any]]:
    iri = f"<{snap.ontology.node_iri(found.id)}>"
    rows = snap.handle.sparql(_SOURCES, {"s": iri}).rows
    return [
        ref(
            snap.ontology.node_id(r["source"]) or r["source"],
            "SourceRecord",
            _place(r["file"], r["line"]),
            file=r["file"],
            line=r["line"],
            reader=r["reader"],
        )
        for r in rows
    ]


def _place(file: str, line: int | None) -> str:
    return f"{file}:{line}" if line is not None else str(file)


def _generic(found: Facts) -> dict[str, Any]:
    """Any other node (venue, summary, mention, source record): its links in and out."""

    def grouped(links: list[Link]) -> dict[str, list[dict[str, str]]]:
        out: dict[str, list[dict[str, str]]] = {}
        for link in links:
            out.setdefault(link.relation.replace("_", " "), []).append(ref(link.id, link.type, link.label))
        return out

    return {
        "text": found.first("text"),
        "aliases": [str(a) for a in found.props.get("aliases", [])],
        "links_out": grouped(found.out),
        "links_in": grouped(found.into),
        "truncated": len(found.into) >= LINK_LIMIT or len(found.out) >= LINK_LIMIT,
    }


# ---------------------------------------------------------------------- papers


def evidence(text: str | None, start: int | None, end: int | None, matched: str | None) -> dict[str, str] | None:
    """The sentence of ``text`` holding the match, split around it (None when it is not there)."""
    if not text:
        return None
    if start is None or end is None or text[start:end] != (matched or text[start:end]) or end > len(text):
        position = text.lower().find((matched or "").lower()) if matched else -1
        if position < 0:
            return None
        start, end = position, position + len(matched or "")
    for offset, sentence in sentences(text):
        if offset <= start < offset + len(sentence) + 1:
            stop = min(end, offset + len(sentence))
            return {
                "before": sentence[: start - offset],
                "match": sentence[start - offset : stop - offset],
                "after": sentence[stop - offset :],
            }
    return {"before": "", "match": text[start:end], "after": ""}


def _paper(snap: Snapshot, found: Facts) -> dict[str, Any]:
    index = snap.index
    position = index.paper_index.get(found.id)
    texts = index.field_texts(position) if position is not None else {}
    authors: list[dict[str, Any]] = []
    concepts: list[dict[str, Any]] = []
    if position is not None:
        places: dict[int, list[str]] = {}
        for author, institution in index.rows(
            "SELECT author, institution FROM affiliations WHERE paper = ? ORDER BY rowid", (position,)
        ):
            places.setdefault(author, []).append(institution)
        people = index.author_rows(index.authors_of.get(position, []))
        for author in index.authors_of.get(position, []):
            aid, name = people[author]
            where = [ref(i, "Institution", index.institutions.get(i, i)) for i in places.get(author, [])]
            authors.append(ref(aid, "Author", name, institutions=where))
        concepts = _paper_concepts(snap, position, texts)
    summaries = [
        {
            "id": snap.ontology.node_id(r["summary"]),
            "text": r["text"],
            "source": _place(r["file"], r["line"]) if r["file"] else None,
        }
        for r in snap.handle.sparql(_SUMMARIES, {"p": f"<{snap.ontology.node_iri(found.id)}>"}).rows
    ]
    return {
        "title": found.first("title"),
        "year": found.first("year"),
        "venue": found.links("published_in"),
        "abstract": found.first("abstract"),
        "tldr": found.first("tldr"),
        "keywords": [str(k) for k in found.props.get("keywords", [])],
        "external_ids": [str(k) for k in found.props.get("external_ids", [])],
        "authors": authors,
        "topics": found.links("has_topic"),
        "concepts": concepts,
        "summaries": summaries,
        "fields": sorted(texts),
    }


def _paper_concepts(snap: Snapshot, position: int, texts: dict[str, str]) -> list[dict[str, Any]]:
    index = snap.index
    rows = index.rows(
        'SELECT concept, field, start, "end", matched FROM concept_edges WHERE paper = ? ORDER BY rowid', (position,)
    )
    shown: dict[str, dict[str, Any]] = {}
    for concept, where, start, end, matched in rows:
        ctype, label, _, _ = index.concepts.get(concept, ("Concept", concept, (), False))
        if ctype == "Topic":
            continue  # topics are listed apart: a source gave them, there is no sentence to show
        entry = shown.setdefault(concept, ref(concept, ctype, label, evidence=None, field=None))
        if entry["evidence"] is None and where:
            found = evidence(texts.get(where), start, end, matched)
            if found is not None:
                entry["evidence"], entry["field"] = found, field_kind(where)
    order = {"Method": 0, "Dataset": 1, "Task": 2}
    return sorted(shown.values(), key=lambda c: (order.get(c["type"], 3), c["label"].lower()))


# ---------------------------------------------------------------------- people and places


def _person(snap: Snapshot, found: Facts) -> dict[str, Any]:
    """An author's or institution's page: their profile (:func:`kg.query.profile.profile`)."""
    profile = snap.handle.profile(found.id)

    def weighted(items: Any) -> list[dict[str, Any]]:
        return [ref(i.id, i.type, i.label, papers=i.papers, weight=i.weight) for i in items]

    by_year: dict[str, list[dict[str, Any]]] = {}
    for paper in profile.papers:
        by_year.setdefault(str(paper.year or "year unknown"), []).append(ref(paper.id, "Paper", paper.label))
    data: dict[str, Any] = {
        "name": profile.name,
        "aliases": list(profile.aliases),
        "papers_by_year": by_year,
        "paper_count": len(profile.papers),
        "concepts": weighted(profile.concepts),
        "topics": weighted(profile.topics),
    }
    if found.type == "Author":
        data["coauthors"] = weighted(profile.coauthors)
        data["institutions"] = weighted(profile.institutions)
        data["merged_because"] = [str(r) for r in found.props.get("merged_because", [])]
    else:
        data["people"] = weighted(profile.coauthors)
        data["part_of"] = found.links("part_of")
        data["parts"] = found.links("part_of", incoming=True)
    return data


# ---------------------------------------------------------------------- concepts


def _concept(snap: Snapshot, found: Facts) -> dict[str, Any]:
    index = snap.index
    papers: list[int] = []
    for on, _ in index.concept_papers([found.id]).values():
        papers = sorted(set(on.tolist()))
    rows = index.paper_rows(papers)
    listed = sorted(
        (ref(rows[p][0], "Paper", rows[p][1], year=rows[p][2]) for p in papers),
        key=lambda r: (-(r["year"] or 0), r["label"]),
    )
    counts: Counter[int] = Counter(a for p in papers for a in dict.fromkeys(index.authors_of.get(p, [])))
    names = index.author_rows(a for a, _ in counts.most_common(15))
    authors = [ref(names[a][0], "Author", names[a][1], papers=n) for a, n in counts.most_common(15)]
    label = str(found.first("label") or found.id)
    try:
        related = [
            ref(c.id, c.type, c.label, relation=c.relation, papers=c.papers)
            for c in snap.handle.related(label).concepts
        ]
    except KgError:
        related = []
    return {
        "definition": found.first("definition"),
        "aliases": sorted(str(a) for a in found.props.get("aliases", [])),
        "broader": found.links("broader"),
        "narrower": found.links("broader", incoming=True),
        "papers": listed,
        "top_authors": authors,
        "related": related,
        "who_works_on_url": "/who-works-on?" + urlencode({"topic": label}),
    }
