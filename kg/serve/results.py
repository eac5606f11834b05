"""SPARQL answers as bytes in the formats the SPARQL 1.1 Protocol names, chosen by ``Accept``.

SELECT results are written here rather than by Oxigraph's own serialiser because the endpoint
caps the rows it returns (:mod:`kg.serve.workers`) and Oxigraph serialises only a whole result:
the four formats are small and fully specified (SPARQL 1.1 Query Results JSON, XML, CSV and
TSV), and the tests read every one back with Oxigraph's parser. ASK answers and graphs
(CONSTRUCT, DESCRIBE) use Oxigraph's serialisers.

Content negotiation follows RFC 9110: media ranges with ``q`` weights, the most specific range
deciding a type's weight, ties broken by the order the server offers them in (JSON first).
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import pyoxigraph as ox

SELECT_TYPES = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/csv": ox.QueryResultsFormat.CSV,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/xml": ox.QueryResultsFormat.XML,
}
GRAPH_TYPES = {
    "text/turtle": ox.RdfFormat.TURTLE,
    "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML,
    "text/plain": ox.RdfFormat.N_TRIPLES,
}
_XSD = "http://www.w3.org/2001/XMLSchema#"
_RDF_LANG_STRING = "http://www.w3.org/1999/02/22-rdf-syntax-ns#langString"


class NotAcceptable(Exception):
    """No offered media type is acceptable; ``offered`` lists them (HTTP 406)."""

    def __init__(self, offered: Sequence[str]) -> None:
        self.offered = list(offered)
        super().__init__("none of the accepted media types can be given; this answer comes as " + ", ".join(offered))


def _ranges(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        pieces = [p.strip() for p in part.split(";")]
        if not pieces[0]:
            continue
        weight = 1.0
        for parameter in pieces[1:]:
            name, _, value = parameter.partition("=")
            if name.strip().lower() == "q":
                try:
                    weight = float(value)
                except ValueError:
                    weight = 0.0
        ranges.append((pieces[0].lower(), weight))
    return ranges


def _weight(media_type: str, ranges: list[tuple[str, float]]) -> float:
    main = media_type.split("/")[0]
    best: tuple[int, float] = (-1, 0.0)
    for pattern, weight in ranges:
        specificity = 2 if pattern == media_type else 1 if pattern == f"{main}/*" else 0 if pattern == "*/*" else -1
        if specificity > best[0]:
            best = (specificity, weight)
    return best[1] if best[0] >= 0 else 0.0


def negotiate(accept: str | None, offered: Sequence[str]) -> str:
    """The offered media type ``accept`` weighs highest (the first offered when it is empty)."""
    if not accept or not accept.strip():
        return offered[0]
    ranges = _ranges(accept)
    weights = [(_weight(t, ranges), -i, t) for i, t in enumerate(offered)]
    weight, _, chosen = max(weights)
    if weight <= 0:
        raise NotAcceptable(offered)
    return chosen


def select_type(accept: str | None) -> str:
    return negotiate(accept, list(SELECT_TYPES))


def graph_type(accept: str | None) -> str:
    return negotiate(accept, list(GRAPH_TYPES))


def _json_term(term: Any) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    if isinstance(term, ox.Literal):
        found = {"type": "literal", "value": term.value}
        if term.language:
            found["xml:lang"] = term.language
        elif term.datatype.value != _XSD + "string":
            found["datatype"] = term.datatype.value
        return found
    return {"type": "triple", "value": str(term)}


def _xml_term(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<uri>{escape(term.value)}</uri>"
    if isinstance(term, ox.BlankNode):
        return f"<bnode>{escape(term.value)}</bnode>"
    if isinstance(term, ox.Literal):
        if term.language:
            return f"<literal xml:lang={quoteattr(term.language)}>{escape(term.value)}</literal>"
        if term.datatype.value not in (_XSD + "string", _RDF_LANG_STRING):
            return f"<literal datatype={quoteattr(term.datatype.value)}>{escape(term.value)}</literal>"
        return f"<literal>{escape(term.value)}</literal>"
    return f"<literal>{escape(str(term))}</literal>"


def _csv_value(term: Any) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.BlankNode):
        return "_:" + term.value
    return term.value if isinstance(term, (ox.NamedNode, ox.Literal)) else str(term)


def _tsv_value(term: Any) -> str:
    """The term in Turtle/N-Triples syntax (as SPARQL TSV asks), with tabs and line breaks escaped."""
    if term is None:
        return ""
    return str(term).replace("\t", "\\t").replace("\n", "\\n").replace("\r", "\\r")


def solutions(variables: Sequence[str], rows: Iterable[Sequence[Any]], media_type: str) -> bytes:
    """SELECT rows (``ox`` terms or None, in ``variables`` order) in ``media_type``."""
    kind = SELECT_TYPES[media_type]
    if kind == ox.QueryResultsFormat.JSON:
        bindings = [{v: _json_term(t) for v, t in zip(variables, row, strict=True) if t is not None} for row in rows]
        document = {"head": {"vars": list(variables)}, "results": {"bindings": bindings}}
        return json.dumps(document, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    if kind == ox.QueryResultsFormat.XML:
        out = ['<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>']
        out.extend(f"<variable name={quoteattr(v)}/>" for v in variables)
        out.append("</head><results>")
        for row in rows:
            out.append("<result>")
            out.extend(
                f"<binding name={quoteattr(v)}>{_xml_term(t)}</binding>"
                for v, t in zip(variables, row, strict=True)
                if t is not None
            )
            out.append("</result>")
        out.append("</results></sparql>\n")
        return "".join(out).encode("utf-8")
    if kind == ox.QueryResultsFormat.CSV:
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        writer.writerow(variables)
        writer.writerows([_csv_value(t) for t in row] for row in rows)
        return buffer.getvalue().encode("utf-8")
    lines = ["\t".join(f"?{v}" for v in variables)]
    lines.extend("\t".join(_tsv_value(t) for t in row) for row in rows)
    return ("\n".join(lines) + "\n").encode("utf-8")


def boolean(answer: ox.QueryBoolean, media_type: str) -> bytes:
    """An ASK answer in ``media_type`` (Oxigraph's serialiser)."""
    return answer.serialize(format=SELECT_TYPES[media_type])


def graph(triples: Iterable[ox.Triple], media_type: str, prefixes: dict[str, str] | None = None) -> bytes:
    """CONSTRUCT or DESCRIBE triples in ``media_type`` (Oxigraph's serialiser)."""
    kind = GRAPH_TYPES[media_type]
    named = prefixes if kind in (ox.RdfFormat.TURTLE, ox.RdfFormat.RDF_XML) else None
    return ox.serialize(triples, format=kind, prefixes=named)
