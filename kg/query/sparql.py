r"""Read-only SPARQL over the store, with bound parameters instead of spliced strings.

Queries run on a read-only Oxigraph handle through its query (never its update) interface, and
SPARQL UPDATE forms are refused before parsing with a message saying so. ``SERVICE`` (federated
query) is refused too: Oxigraph would send an HTTP request to any address a query names, and
``kg sparql`` only reads this store. Oxigraph cannot be told not to federate, and a check that
tokenises the query can be fooled where its tokeniser and the engine's disagree (a ``\#`` inside
a prefixed name read as a comment, ``SERVICE:x`` read as a prefixed name, ``\u`` escapes, which
the engine decodes before parsing). So the refusal does not tokenise: any query whose text,
with its ``\u``/``\U`` escapes decoded, Unicode-normalised (NFKC) and case-folded, contains
``service`` anywhere, even in a string, IRI or comment, is refused. That refuses a few harmless
queries (a string that mentions "service": bind it with ``--param`` instead) and no federated
one. Values a user supplies go in as ``substitutions`` (SEP-0007
bindings of ``?name``), never into the query text. Limits (:mod:`kg.query.limits`) stop a query
at a deadline or a row count with a message saying which. The usual prefixes (``kg:``, ``schema:``,
``foaf:``, ``dcterms:``, ``skos:``, ``prov:``, ``rdf:``, ``rdfs:``, ``xsd:``, ``kgid:``) are
predeclared.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyoxigraph as ox

from kg.errors import QueryError, shown
from kg.ontology import PREFIXES
from kg.query.limits import Bounded, QueryLimits, open_stream

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
_CODEPOINT = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_PREFIX_DECLARATION = re.compile(r"PREFIX\s+([A-Za-z][\w.-]*)?:", re.IGNORECASE)
# A prefixed name's prefix (PN_PREFIX ':'), outside IRIs, strings and comments.
_PREFIX_USE = re.compile(r"(?<![\w.:?$<-])([A-Za-z][\w.-]*)?:(?=[\w\\%:])")
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


def _decoded(query: str) -> str:
    """The query with its ``\\u``/``\\U`` escapes decoded, as the engine decodes them before parsing."""

    def character(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        return chr(code) if code <= 0x10FFFF else match.group(0)

    return _CODEPOINT.sub(character, query)


def is_federated(query: str) -> bool:
    """True when ``service`` occurs anywhere in the query as the engine would read it.

    Deliberately not a parse (see the module docstring): every federated query is caught,
    whatever comment, escape or prefixed-name trick surrounds its ``SERVICE``."""
    return "service" in unicodedata.normalize("NFKC", _decoded(query)).casefold()


def unknown_prefixes(query: str) -> list[str]:
    """Prefixes the query uses that neither it nor :data:`PREFIXES` declares, in order of use."""
    text = _NOISE.sub(_blank, query)
    declared = {match.group(1) or "" for match in _PREFIX_DECLARATION.finditer(text)} | set(PREFIXES)
    found: dict[str, None] = {}
    for match in _PREFIX_USE.finditer(_PREFIX_DECLARATION.sub(" ", text)):
        prefix = match.group(1) or ""
        if prefix not in declared and not re.fullmatch(r"(?i)https?|urn|mailto|file", prefix):
            found[prefix] = None
    return list(found)


_DECODERS: dict[str, Callable[[str], Any] | None] = {}
_MAX_DECODERS = 256  # datatypes remembered (they come from the data, so the memo is bounded)


def _is_true(text: str) -> bool:
    return text == "true"


def _decoder(datatype: str) -> Callable[[str], Any] | None:
    """How a literal of ``datatype`` becomes a Python value (None: its text as it is), worked
    out once per datatype: rows are decoded on every page, and the suffix tests were a third
    of that."""
    if datatype in _DECODERS:
        return _DECODERS[datatype]
    found: Callable[[str], Any] | None = None
    if datatype.endswith("#integer"):
        found = int
    elif datatype.endswith(("#double", "#decimal", "#float")):
        found = float
    elif datatype.endswith("#boolean"):
        found = _is_true
    if len(_DECODERS) < _MAX_DECODERS:
        _DECODERS[datatype] = found
    return found


def _term_value(term: Any) -> Any:
    if term is None:
        return None
    if isinstance(term, ox.Literal):
        decode = _decoder(term.datatype.value)
        return term.value if decode is None else decode(term.value)
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


@dataclass
class SparqlStream:
    """A query's answer as it is computed: ``rows`` (SELECT) or ``triples`` (CONSTRUCT/DESCRIBE)
    are iterators, read once; ``truncated`` is set when the row limit cut them short."""

    kind: str
    variables: list[str]
    boolean: bool | None
    _items: Iterator[Any]
    _bounded: Bounded[Any] | None

    @property
    def rows(self) -> Iterator[dict[str, Any]]:
        return self._items if self.kind == "select" else iter(())

    @property
    def triples(self) -> Iterator[tuple[str, str, str]]:
        return self._items if self.kind == "graph" else iter(())

    @property
    def truncated(self) -> bool:
        return self._bounded is not None and self._bounded.truncated


def stream(
    store: ox.Store, query: str, params: dict[str, str] | None = None, limits: QueryLimits | None = None
) -> SparqlStream:
    """Run a read-only query and return its answer as a stream, stopped by ``limits``.

    Raises QueryError for refused or malformed queries, LimitReached at the deadline and
    Interrupted on Ctrl-C (both while the stream is read, too)."""
    if is_update(query):
        raise QueryError("SPARQL UPDATE is refused: `kg sparql` is read-only (rebuild the store to change it)")
    if is_federated(query):
        raise QueryError(
            "SERVICE is refused: `kg sparql` reads only this store and sends no requests (the word 'service' "
            "anywhere in a query, even in a string or IRI, is refused; bind such text with --param)"
        )
    substitutions = {ox.Variable(name): parameter(value) for name, value in (params or {}).items()}

    def answer() -> Iterator[Any]:
        try:
            result = store.query(query, prefixes=PREFIXES, substitutions=substitutions or None)
            # Solutions are computed while they are read: errors can come from there too.
            if isinstance(result, ox.QuerySolutions):
                variables = [v.value for v in result.variables]
                yield ("select", variables)
                for solution in result:  # a solution iterates its values in the order of ``variables``
                    yield dict(zip(variables, map(_term_value, solution), strict=True))
            elif isinstance(result, ox.QueryBoolean):
                yield ("ask", bool(result))
            else:
                yield ("graph", None)
                for t in result:
                    yield (_term_text(t.subject), _term_text(t.predicate), _term_text(t.object))
        except SyntaxError as err:
            raise QueryError(_syntax_message(query, err)) from err
        except RuntimeError as err:
            if substitutions and "projection" in str(err):
                raise QueryError(f"every --param must name a variable the query selects: {err}") from err
            raise QueryError(f"SPARQL query failed: {err}") from err
        except OSError as err:
            raise QueryError(f"SPARQL query failed: {err}") from err

    (kind, detail), items, bounded = open_stream(answer, limits or QueryLimits(), "SPARQL query")
    if kind == "ask":
        return SparqlStream(kind, [], bool(detail), iter(()), bounded)
    return SparqlStream(kind, list(detail or []), None, items, bounded)


def run(
    store: ox.Store, query: str, params: dict[str, str] | None = None, limits: QueryLimits | None = None
) -> SparqlResult:
    """Run a read-only query; ``params`` bind ``?name`` variables to values. The whole answer is
    collected: use :func:`stream` (or ``limits``) for queries that may return many rows."""
    answer = stream(store, query, params, limits)
    if answer.kind == "select":
        return SparqlResult("select", answer.variables, list(answer.rows))
    if answer.kind == "ask":
        return SparqlResult("ask", boolean=answer.boolean)
    return SparqlResult("graph", triples=list(answer.triples))


def _syntax_message(query: str, err: SyntaxError) -> str:
    """The parser's message, or, when the query uses a prefix nobody declared (the parser then
    reports some unrelated expected token), which prefix and which ones are predeclared."""
    unknown = unknown_prefixes(query)
    if unknown:
        names = ", ".join(f"`{p}:`" for p in unknown)
        known = ", ".join(f"{p}:" for p in PREFIXES)
        return f"unknown prefix {names} (predeclared: {known}; declare others with PREFIX {unknown[0]}: <…>)"
    # the parser lists every character class it expected: the start says where
    return f"SPARQL syntax error: {shown(' '.join(str(err).split()), 160)}"
