"""Exports: the graph written to files other tools read. One function per format, registered.

- ``jsonl``: one JSON object per paper (the stable contract in README.md), streamed.
- ``turtle``, ``nt``: the graph's triples (exactly those in the RDF store), prefixed Turtle or
  canonical N-Triples, serialised by Oxigraph as a stream.
- ``jsonld``: the same triples as JSON-LD with an ``@context`` derived from the ontology
  (prefixes for every namespace kg uses), so keys read as ``kg:tldr``, ``dcterms:title``.
- ``graphml``, ``gexf``: the typed graph for Gephi, Cytoscape and networkx: every node has
  ``label`` and ``type``, every edge ``relation``; properties are GraphML/GEXF scalars (lists
  joined with ``"; "``); GEXF nodes carry the view's colour per type.
- ``csv``: a directory with ``nodes.csv`` (id, type, label, properties) and ``edges.csv``
  (source, relation, target, properties, sources).
- ``neo4j-csv``: a directory of the header-annotated CSV files ``neo4j-admin database import
  full`` reads, and an ``import.sh`` running it (:func:`kg.remote.neo4j.write_import_files`).
  Exporters like this one write a directory: registered with :func:`register_directory`, they
  take ``-o DIR`` and no stream.

The RDF formats also export a whole store without building the graph in Python
(:func:`export_store`): Oxigraph streams its triples, subject by subject, so memory stays flat
however large the store (a 100k-abstract store's graph takes over 8 GB to read back).

Writes go to a temporary file (or directory) next to the output and are renamed into place at
the end, so a failed export never leaves half a file behind. Every format writes whatever graph
it is given, so a subgraph chosen with :func:`kg.query.focus.select` exports the same way.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from itertools import groupby
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

from kg.atomic import atomic_output, current_umask, writable
from kg.errors import UsageError
from kg.graph import Graph
from kg.ontology import PREFIXES, Ontology
from kg.remote.neo4j import write_import_files
from kg.store import rdf
from kg.styles import DEFAULT_STYLE, NODE_STYLES

_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
Exporter = Callable[[Graph, IO[bytes]], None]
_EXPORTERS: dict[str, tuple[str, Exporter]] = {}


def register(name: str, description: str) -> Callable[[Exporter], Exporter]:
    """Register an exporter under ``name`` (built-ins use this too)."""

    def decorator(function: Exporter) -> Exporter:
        _EXPORTERS[name] = (description, function)
        return function

    return decorator


DirectoryExporter = Callable[[Graph, Path], None]
_DIRECTORY_EXPORTERS: dict[str, tuple[str, DirectoryExporter, tuple[str, ...]]] = {}


def register_directory(
    name: str, description: str, owns: tuple[str, ...]
) -> Callable[[DirectoryExporter], DirectoryExporter]:
    """Register an exporter that writes a directory; ``owns`` globs the files it writes (an
    existing output directory is replaced only when it holds nothing else)."""

    def decorator(function: DirectoryExporter) -> DirectoryExporter:
        _DIRECTORY_EXPORTERS[name] = (description, function, owns)
        return function

    return decorator


def exporters() -> dict[str, str]:
    """Registered export formats and their one-line descriptions."""
    return {
        **{name: description for name, (description, _) in _EXPORTERS.items()},
        **{name: description for name, (description, _, _) in _DIRECTORY_EXPORTERS.items()},
    }


@contextmanager
def _atomic_directory(path: Path, owns: tuple[str, ...]) -> Iterator[Path]:
    """A temporary sibling directory, swapped in for ``path`` when the block completes; created
    with the umask's permissions, as ``mkdir`` would (``mkdtemp`` alone makes it 0700)."""
    if path.exists() and not path.is_dir():
        raise UsageError(f"{path} is a file; this format writes a directory: give a directory name")
    if path.exists():
        entries = list(path.iterdir())
        foreign = sorted(p.name for p in entries if not p.is_file() or not any(p.match(glob) for glob in owns))
        if foreign:
            raise UsageError(f"{path} exists and holds other files ({', '.join(foreign[:3])}); give a new directory")
    with writable(path):
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary = Path(tempfile.mkdtemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent))
        os.chmod(temporary, 0o777 & ~current_umask())
    try:
        yield temporary
        if path.exists():
            previous = temporary.with_suffix(".old")
            os.rename(path, previous)
            os.rename(temporary, path)
            shutil.rmtree(previous, ignore_errors=True)
        else:
            os.rename(temporary, path)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise


Output = str | os.PathLike[str] | IO[bytes]


def _destination(output: Output) -> Path | IO[bytes]:
    """A path given as ``str`` or any path-like is a path (Python callers pass plain strings);
    anything else is an open binary stream."""
    return Path(output) if isinstance(output, str | os.PathLike) else output


def export(graph: Graph, format: str, output: Output) -> None:
    """Write ``graph`` as ``format`` to a path (atomically) or an open binary stream."""
    output = _destination(output)
    if format in _DIRECTORY_EXPORTERS:
        _, writer, owns = _DIRECTORY_EXPORTERS[format]
        if not isinstance(output, Path) or str(output) == "-":
            raise UsageError(f"{format} writes a directory of files: give -o DIR, not a stream")
        with _atomic_directory(output, owns) as directory:
            writer(graph, directory)
        return
    try:
        _, function = _EXPORTERS[format]
    except KeyError:
        raise ValueError(f"unknown export format {format!r}; known: {', '.join(sorted(_EXPORTERS))}") from None
    _write_file(output, format, lambda handle: function(graph, handle))


def _write_file(output: Path | IO[bytes], format: str, write: Callable[[IO[bytes]], None]) -> None:
    """Run ``write`` on an open stream, or on a temporary file renamed to the path when done."""
    if not isinstance(output, Path):
        write(output)
        return
    if output.is_dir():
        raise UsageError(f"{output} is a directory; {format} writes one file: give a file name")
    with writable(output), atomic_output(output) as handle:
        write(handle)


JSONLD_BATCH = 50_000  # triples per JSON-LD serialisation when streaming from a store


def _dump_jsonld(store: ox.Store, onto: Ontology, handle: IO[bytes]) -> None:
    _write_jsonld(onto, _subject_batches(store, JSONLD_BATCH), handle)


def _dump_turtle(store: ox.Store, onto: Ontology, handle: IO[bytes]) -> None:
    store.dump(handle, ox.RdfFormat.TURTLE, from_graph=ox.DefaultGraph(), prefixes=PREFIXES)


def _dump_ntriples(store: ox.Store, onto: Ontology, handle: IO[bytes]) -> None:
    store.dump(handle, ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph())


_STORE_EXPORTERS: dict[str, Callable[[ox.Store, Ontology, IO[bytes]], None]] = {
    "nt": _dump_ntriples,
    "turtle": _dump_turtle,
    "jsonld": _dump_jsonld,
}
STORE_FORMATS = tuple(_STORE_EXPORTERS)


def export_store(store: ox.Store, onto: Ontology, format: str, output: Output) -> None:
    """Write every triple of an RDF store as one of ``STORE_FORMATS``, streamed from the store.

    The same triples as exporting the store's graph (the store holds exactly ``rdf.triples``),
    in the store's order, grouped by subject, rather than the graph's: a whole-store export
    never builds the graph in Python, whose read-back is what a large store cannot afford."""
    try:
        dump = _STORE_EXPORTERS[format]
    except KeyError:
        raise ValueError(f"{format!r} is not exported from the store; these are: {', '.join(STORE_FORMATS)}") from None
    _write_file(_destination(output), format, lambda handle: dump(store, onto, handle))


def _subject_batches(store: ox.Store, size: int) -> Iterator[list[ox.Triple]]:
    """The store's triples in batches of about ``size``, never splitting one subject's triples
    (a default-graph scan reads them together: Oxigraph's index is graph, subject, …)."""
    batch: list[ox.Triple] = []
    quads = store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    for _, group in groupby(quads, key=lambda quad: quad.subject):
        batch.extend(quad.triple for quad in group)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _concepts(graph: Graph, paper: str, relation: str) -> list[dict[str, Any]]:
    found = []
    for edge in graph.out_edges(paper, relation):
        node = graph.node(edge.target)
        found.append({"id": node.id, "name": node.props.get("label"), "aliases": list(node.props.get("aliases", ()))})
    return found


def paper_object(graph: Graph, paper_id: str) -> dict[str, Any]:
    """The JSON-lines object of one paper (see the contract in README.md)."""
    paper = graph.node(paper_id)
    props = paper.props
    venue = next((graph.node(e.target).props.get("name") for e in graph.out_edges(paper_id, "published_in")), None)
    sources = [graph.node(e.target).props for e in graph.out_edges(paper_id, "derived_from")]
    authors = []
    for edge in sorted(graph.out_edges(paper_id, "authored_by"), key=lambda e: (e.props.get("position", 0), e.target)):
        author = graph.node(edge.target)
        institutions = []
        for affiliation in graph.out_edges(author.id, "affiliated_with"):
            if paper_id in affiliation.props.get("papers", ()):
                institution = graph.node(affiliation.target)
                institutions.append(
                    {
                        "id": institution.id,
                        "name": institution.props.get("name"),
                        "aliases": list(institution.props.get("aliases", ())),
                    }
                )
        written = edge.props.get("as_written", ())
        authors.append(
            {
                "id": author.id,
                "name": author.props.get("name"),
                "as_written": written[0] if written else author.props.get("name"),
                "institutions": institutions,
            }
        )
    summaries = sorted(
        (graph.node(e.source).props.get("text", "") for e in graph.in_edges(paper_id, "summarises")),
    )
    return {
        "id": paper_id,
        "title": props.get("title"),
        "label": props.get("label") or props.get("title") or paper_id,
        "year": props.get("year"),
        "venue": venue,
        "abstract": props.get("abstract"),
        "tldr": props.get("tldr"),
        "summary": summaries,
        "topics": sorted(graph.node(e.target).props.get("label", "") for e in graph.out_edges(paper_id, "has_topic")),
        "sources": sorted(
            ({"file": s.get("file"), "line": s.get("line_start")} for s in sources),
            key=lambda s: (s["file"] or "", s["line"] or 0),
        ),
        "authors": authors,
        "methods": _concepts(graph, paper_id, "uses_method"),
        "datasets": _concepts(graph, paper_id, "uses_dataset"),
        "tasks": _concepts(graph, paper_id, "addresses_task"),
    }


@register("jsonl", "one JSON object per paper (stable contract; reads back with the jsonl reader)")
def write_jsonl(graph: Graph, handle: IO[bytes]) -> None:
    for paper in graph.nodes("Paper"):
        handle.write(json.dumps(paper_object(graph, paper.id), ensure_ascii=False).encode("utf-8"))
        handle.write(b"\n")


def _serialize(graph: Graph, handle: IO[bytes], format: ox.RdfFormat, prefixes: dict[str, str] | None) -> None:
    ox.serialize(rdf.triples(graph), handle, format=format, prefixes=prefixes)


@register("turtle", "RDF Turtle with kg's prefixes (the RDF store's triples)")
def write_turtle(graph: Graph, handle: IO[bytes]) -> None:
    _serialize(graph, handle, ox.RdfFormat.TURTLE, PREFIXES)


@register("nt", "RDF N-Triples, canonical form, one triple per line")
def write_ntriples(graph: Graph, handle: IO[bytes]) -> None:
    _serialize(graph, handle, ox.RdfFormat.N_TRIPLES, None)


def jsonld_context(onto: Ontology) -> dict[str, Any]:
    """An ``@context``: every prefix kg uses, plus the ontology's keys as terms."""
    context: dict[str, Any] = dict(PREFIXES)
    for key, prop in onto.properties.items():
        term: dict[str, Any] = {"@id": prop.iri}
        if prop.datatype.endswith("#integer"):
            term["@type"] = prop.datatype
        context[key] = term
    for key, relation in onto.relations.items():
        context[key] = {"@id": relation.iri, "@type": "@id"}
    for key, node_type in onto.node_types.items():
        context[key] = node_type.iri
    return context


@register("jsonld", "JSON-LD with an @context derived from the ontology")
def write_jsonld(graph: Graph, handle: IO[bytes]) -> None:
    _write_jsonld(graph.ontology, [list(rdf.triples(graph))], handle)


def _write_jsonld(onto: Ontology, batches: Iterable[list[ox.Triple]], handle: IO[bytes]) -> None:
    """One JSON-LD document, written as each batch of triples is serialised: the text equals
    ``json.dump`` of the whole document, but only one batch's nodes are in memory at a time.
    A subject's triples must all be in one batch (else it appears as two node objects)."""
    context = jsonld_context(onto)
    terms = {(v if isinstance(v, str) else v["@id"]): k for k, v in context.items() if k not in PREFIXES}
    writer = _TextWriter(handle)
    writer.write('{"@context": ' + json.dumps(context, ensure_ascii=False) + ', "@graph": [')
    separator = ""
    for batch in batches:
        document = json.loads(ox.serialize(batch, format=ox.RdfFormat.JSON_LD))
        for node in document.get("@graph", [document]) if isinstance(document, dict) else document:
            writer.write(separator + json.dumps(_compact_node(node, terms), ensure_ascii=False))
            separator = ", "
    writer.write("]}\n")


def _compact_node(node: dict[str, Any], terms: dict[str, str]) -> dict[str, Any]:
    """Rename full-IRI keys and types to their context terms (values stay explicit and valid)."""
    result: dict[str, Any] = {}
    for key, value in node.items():
        if key == _RDF_TYPE:
            result["@type"] = [terms.get(item["@id"], item["@id"]) for item in value]
        elif key == "@type":
            types = value if isinstance(value, list) else [value]
            result[key] = [terms.get(t, t) for t in types]
        else:
            result[terms.get(key, key)] = value
    return result


class _TextWriter:
    """Lets ``json.dump`` write UTF-8 into a binary handle without buffering the whole text."""

    def __init__(self, handle: IO[bytes]) -> None:
        self.handle = handle

    def write(self, text: str) -> int:
        return self.handle.write(text.encode("utf-8"))


@register_directory("neo4j-csv", "directory of neo4j-admin import CSV files and import.sh", owns=("*.csv", "import.sh"))
def write_neo4j_csv(graph: Graph, directory: Path) -> None:
    write_import_files(graph, directory)


# ---------------------------------------------------------------- graph-tool formats
#
# GraphML, GEXF and CSV carry the typed graph itself (not its triples): one node per node with
# ``label``, ``type`` and its properties; one edge per edge with ``relation``, its properties and
# ``sources``. Multi-valued properties are joined with MULTI_SEPARATOR, so every attribute is a
# scalar of one type (the ontology's datatype) and Gephi and Cytoscape can read it.

MULTI_SEPARATOR = "; "


def _scalar(graph: Graph, key: str, value: Any) -> Any:
    if isinstance(value, (tuple, list, set, frozenset)):
        return MULTI_SEPARATOR.join(str(v) for v in value)
    prop = graph.ontology.properties.get(key)
    if prop is not None and prop.datatype.endswith(("#integer", "#double", "#boolean")):
        return value
    return str(value)


def flat_graph(graph: Graph) -> Any:
    """A networkx ``MultiDiGraph`` with only scalar attributes: the form GraphML and GEXF need."""
    import networkx as nx

    flat = nx.MultiDiGraph()
    for node in graph.nodes():
        attrs = {k: _scalar(graph, k, v) for k, v in sorted(node.props.items())}
        attrs["label"] = str(node.props.get("label") or node.props.get("name") or node.props.get("title") or node.id)
        attrs["type"] = node.type
        flat.add_node(node.id, **attrs)
    for edge in graph.edges():
        attrs = {k: _scalar(graph, k, v) for k, v in sorted(edge.props.items())}
        attrs["relation"] = edge.relation
        attrs["label"] = edge.relation
        if edge.sources:
            attrs["sources"] = MULTI_SEPARATOR.join(edge.sources)
        flat.add_edge(edge.source, edge.target, key=edge.relation, **attrs)
    return flat


@register("graphml", "GraphML (networkx): label, type and properties on nodes, relation on edges")
def write_graphml(graph: Graph, handle: IO[bytes]) -> None:
    import networkx as nx

    nx.write_graphml_xml(flat_graph(graph), handle, encoding="utf-8", prettyprint=False, named_key_ids=True)


@register("gexf", "GEXF 1.2 for Gephi: label, type and properties on nodes, colours per type")
def write_gexf(graph: Graph, handle: IO[bytes]) -> None:
    import networkx as nx

    flat = flat_graph(graph)
    for _, attrs in flat.nodes(data=True):
        colour = NODE_STYLES.get(attrs["type"], DEFAULT_STYLE)[0]
        r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
        attrs["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}}
    for index, (_, _, attrs) in enumerate(flat.edges(data=True)):
        attrs["id"] = str(index)
    nx.write_gexf(flat, handle, encoding="utf-8", prettyprint=False, version="1.2draft")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """A text cell a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``, tab or CR
    first) with a ``'`` in front, as OWASP's CSV-injection advice says; other values as they are."""
    return "'" + value if isinstance(value, str) and value.startswith(_FORMULA_START) else value


def _csv_rows(rows: list[dict[str, Any]], head: list[str], path: Path) -> None:
    import csv

    columns = head + sorted({k for row in rows for k in row} - set(head))
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, columns, lineterminator="\n")
        writer.writeheader()
        writer.writerows({key: spreadsheet_safe(value) for key, value in row.items()} for row in rows)


@register_directory(
    "csv",
    "directory with nodes.csv and edges.csv (multi-values joined by '; '; a text starting with =+-@ gets a ' first)",
    owns=("*.csv",),
)
def write_csv(graph: Graph, directory: Path) -> None:
    flat = flat_graph(graph)
    nodes = [{"id": node_id, **attrs} for node_id, attrs in flat.nodes(data=True)]
    edges = [{"source": s, "target": t, **attrs} for s, t, attrs in flat.edges(data=True)]
    for edge in edges:
        edge.pop("label", None)
    _csv_rows(nodes, ["id", "type", "label"], directory / "nodes.csv")
    _csv_rows(edges, ["source", "relation", "target"], directory / "edges.csv")
