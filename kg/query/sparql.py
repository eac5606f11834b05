"""Read-only SPARQL over the store, with bound parameters instead of spliced strings.

Queries run on a read-only Oxigraph handle through its query (never its update) interface, and
SPARQL UPDATE forms are refused before parsing with a message saying so. ``SERVICE`` (federated
query) is refused too: Oxigraph would send an HTTP request to any address a query names, and
``kg sparql`` only reads this store. Values a user supplies go in as ``substitutions`` (SEP-0007
bindings of ``?name``), never into the query text. The usual prefixes (``kg:``, ``schema:``,
``foaf:``, ``dcterms:``, ``skos:``, ``prov:``, ``rdf:``, ``rdfs:``, ``xsd:``, ``kgid:``) are
predeclared.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError, shown
from kg.ontology import CONCEPT_BASE, NAMESPACE, RESOURCE_BASE

PREFIXES = {
    "kg": NAMESPACE,
    "kgid": RESOURCE_BASE,
    "kgc": CONCEPT_BASE,
    "schema": "https://schema.org/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "owl": "http://www.w3.org/2002/07/owl#",
}
_UPDATE_KEYWORDS = {"INSERT", "DELETE", "LOAD", "CLEAR", "CREATE", "DROP", "COPY", "MOVE", "ADD", "WITH"}
# Comments, IRIs and strings as the SPARQL 1.1 grammar tokenises them (COMMENT, IRIREF with its
# \u escapes, STRING_LITERAL_LONG1/2, STRING_LITERAL1/2), so the checks below never take what the
# engine reads as code for a comment or a string: a comment ends at CR or LF, an IRI excludes
# spaces and <>"{}|^`\, long strings are matched before short ones.
_NOISE = re.compile(
    r"#[^\r\n]*"
    r"|<(?:[^<>\"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>"
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'(?:[^'\\\r\n]|\\.)*'"
    r'|"(?:[^"\\\r\n]|\\.)*"',
    re.DOTALL,
)
# SERVICE as a keyword, not inside a name, variable or prefixed name (``1SERVICE`` is the keyword).
_SERVICE = re.compile(r"(?<![^\W\d])(?<![:?$])SERVICE(?![\w:])", re.IGNORECASE)
_PROLOGUE = re.compile(r"^\s*(?:(?:PREFIX\s+[\w.-]*:|BASE)\s*<>\s*)*", re.IGNORECASE)


def _blank(match: re.Match[str]) -> str:
    """Comments vanish; IRIs and strings keep a placeholder so the prologue stays parseable."""
    token = match.group(0)
    return " " if token.startswith("#") else ("<>" if token.startswith("<") else '""')


@dataclass
class SparqlResult:
    """What a query returned: rows for SELECT, a boolean for ASK, triples for CONSTRUCT/DESCRIBE."""

    kind: str
    variables: list[str] = field(default_factory=list)
    rows: list[dict[str, Any]] = field(default_factory=list)
    boolean: bool | None = None
    triples: list[tuple[str, str, str]] = field(default_factory=list)


def is_update(query: str) -> bool:
    """True for SPARQL UPDATE requests (INSERT, DELETE, LOAD, CLEAR, DROP, …)."""
    text = _PROLOGUE.sub("", _NOISE.sub(_blank, query))
    first = re.match(r"\s*([A-Za-z]+)", text)
    return bool(first and first.group(1).upper() in _UPDATE_KEYWORDS)


def is_federated(query: str) -> bool:
    """True when the query has a ``SERVICE`` clause (outside comments, IRIs and strings)."""
    return _SERVICE.search(_NOISE.sub(_blank, query)) is not None


def _term_value(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        datatype = term.datatype.value
        if datatype.endswith("#integer"):
            return int(term.value)
        if datatype.endswith(("#double", "#decimal", "#float")):
            return float(term.value)
        if datatype.endswith("#boolean"):
            return term.value == "true"
        return term.value
    return term.value


def _term_text(term: Any) -> str:
    if isinstance(term, ox.NamedNode):
        return f"<{term.value}>"
    return str(term)


def parameter(value: str) -> ox.NamedNode | ox.Literal:
    """A user value as an RDF term: '<iri>' → IRI, an integer → xsd:integer, else a string."""
    if value.startswith("<") and value.endswith(">") and " " not in value:
        try:
            return ox.NamedNode(value[1:-1])
        except ValueError as err:
            raise QueryError(
                f"--param value {shown(value)} is not an IRI ({err}); without the angle brackets it is a string"
            ) from err
    if re.fullmatch(r"-?\d+", value):
        return ox.Literal(value, datatype=ox.NamedNode(PREFIXES["xsd"] + "integer"))
    return ox.Literal(value)


def run(store: ox.Store, query: str, params: dict[str, str] | None = None) -> SparqlResult:
    """Run a read-only query; ``params`` bind ``?name`` variables to values."""
    if is_update(query):
        raise QueryError("SPARQL UPDATE is refused: `kg sparql` is read-only (rebuild the store to change it)")
    if is_federated(query):
        raise QueryError("SERVICE is refused: `kg sparql` reads only this store and sends no requests")
    substitutions = {ox.Variable(name): parameter(value) for name, value in (params or {}).items()}
    try:
        result = store.query(query, prefixes=PREFIXES, substitutions=substitutions or None)
        # Solutions are computed while they are read: errors can come from here too.
        if isinstance(result, ox.QuerySolutions):
            variables = [v.value for v in result.variables]
            rows = [{name: _term_value(solution[name]) for name in variables} for solution in result]
            return SparqlResult("select", variables, rows)
        if isinstance(result, ox.QueryBoolean):
            return SparqlResult("ask", boolean=bool(result))
        triples = [(_term_text(t.subject), _term_text(t.predicate), _term_text(t.object)) for t in result]
        return SparqlResult("graph", triples=triples)
    except SyntaxError as err:
        raise QueryError(f"SPARQL syntax error: {err}") from err
    except RuntimeError as err:
        if substitutions and "projection" in str(err):
            raise QueryError(f"every --param must name a variable the query selects: {err}") from err
        raise QueryError(f"SPARQL query failed: {err}") from err
    except OSError as err:
        raise QueryError(f"SPARQL query failed: {err}") from err
