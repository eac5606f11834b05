"""The store for notebooks: the graph as networkx, and tables as pandas DataFrames.

``to_networkx`` flattens the typed graph into the attribute dicts networkx users expect (a node's
``type`` and properties side by side). ``frame`` reads one table from the store's Cypher
database: ``papers``, ``authors``, ``authorships`` or ``mentions`` (one row per piece of
evidence for a paper–concept edge: field, offsets, matched text, rule, confidence). pandas is
the optional ``kg[analysis]`` extra; without it ``frame`` says which extra to install.
"""

from __future__ import annotations

from typing import Any

from kg.errors import UsageError
from kg.graph import Graph
from kg.query.tables import CYPHER_TYPE

FRAMES = ("papers", "authors", "authorships", "mentions")
_QUERIES = {
    "papers": (
        "MATCH (p:Paper) OPTIONAL MATCH (p)-[:PUBLISHED_IN]->(v:Venue) "
        "RETURN p.id AS id, p.label AS label, p.title AS title, p.year AS year, v.name AS venue, "
        "p.tldr AS tldr, p.abstract AS abstract, p.external_ids AS external_ids ORDER BY id"
    ),
    "authors": (
        "MATCH (a:Author) OPTIONAL MATCH (p:Paper)-[:AUTHORED_BY]->(a) "
        "RETURN a.id AS id, a.name AS name, a.aliases AS aliases, a.community AS community, "
        "count(p) AS papers ORDER BY id"
    ),
    "authorships": (
        "MATCH (p:Paper)-[e:AUTHORED_BY]->(a:Author) "
        "RETURN p.id AS paper, a.id AS author, e.position AS position, e.as_written AS as_written "
        "ORDER BY paper, position, author"
    ),
}
_MENTION_COLUMNS = [
    "paper",
    "concept",
    "concept_type",
    "concept_label",
    "mention",
    "field",
    "start",
    "end",
    "matched",
    "rule",
    "confidence",
]


def to_networkx(graph: Graph) -> Any:
    """``graph`` as a networkx ``MultiDiGraph`` with flat attributes (tuples become lists)."""
    import networkx as nx

    g = nx.MultiDiGraph()
    for node in graph.nodes():
        g.add_node(node.id, type=node.type, **{k: _plain(v) for k, v in node.props.items()})
    for edge in graph.edges():
        attributes = {k: _plain(v) for k, v in edge.props.items()}
        g.add_edge(
            edge.source,
            edge.target,
            key=edge.relation,
            relation=edge.relation,
            sources=list(edge.sources),
            **attributes,
        )
    return g


def _plain(value: Any) -> Any:
    return list(value) if isinstance(value, tuple) else value


def _pandas() -> Any:
    try:
        import pandas
    except ImportError as err:
        raise UsageError("DataFrames need pandas: install the analysis extra, pip install 'kg[analysis]'") from err
    return pandas


def rows(handle: Any, name: str) -> tuple[list[str], list[dict[str, Any]]]:
    """The columns and rows of one table (plain dicts; what :func:`frame` wraps)."""
    if name not in FRAMES:
        raise UsageError(f"no table {name!r}; choose from {', '.join(FRAMES)}")
    if name != "mentions":
        result = handle.cypher(_QUERIES[name])
        return result.columns, result.rows
    evidence = {
        row["id"]: row
        for row in handle.cypher(
            "MATCH (m:Mention) RETURN m.id AS id, m.field AS field, m.start AS start, m.`end` AS `end`, "
            "m.matched AS matched, m.rule AS rule, m.confidence AS confidence"
        ).rows
    }
    found = []
    for kind, relation in CYPHER_TYPE.items():
        query = (
            f"MATCH (p:Paper)-[e:{relation}]->(c:{kind}) "
            "RETURN p.id AS paper, c.id AS concept, c.label AS label, e.sources AS sources"
        )
        for row in handle.cypher(query).rows:
            for mention in row["sources"] or [None]:
                facts = evidence.get(mention, {})
                found.append(
                    {
                        "paper": row["paper"],
                        "concept": row["concept"],
                        "concept_type": kind,
                        "concept_label": row["label"],
                        "mention": mention if mention in evidence else None,
                        **{c: facts.get(c) for c in _MENTION_COLUMNS[5:]},
                    }
                )
    found.sort(key=lambda r: (r["paper"], r["concept"], r["mention"] or ""))
    return _MENTION_COLUMNS, found


def frame(handle: Any, name: str) -> Any:
    """One table as a pandas DataFrame (``kg[analysis]``)."""
    pandas = _pandas()
    columns, found = rows(handle, name)
    return pandas.DataFrame.from_records(found, columns=columns)
