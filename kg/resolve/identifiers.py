"""Identifiers as graph properties: ``doi:10.1/x`` in a record becomes ``doi = "10.1/x"`` on
the paper node, so SPARQL (``kg:doi``) and Cypher (``p.doi``) can ask for it by scheme.

Readers write every identifier with its scheme prefix (``kg.sources._ids``); which schemes a
node type carries, and the property each becomes, is this table (the properties are declared
in ``ontology/kg.ttl``). Identifiers of schemes a type does not carry stay only in a paper's
``external_ids``.
"""

from __future__ import annotations

from collections.abc import Iterable

PAPER = {
    "doi": "doi",
    "arxiv": "arxiv_id",
    "openreview": "openreview_id",
    "openalex": "openalex_id",
    "s2": "semantic_scholar_id",
}
AUTHOR = {"orcid": "orcid", "openalex": "openalex_id", "s2": "semantic_scholar_id", "openreview": "openreview_id"}
INSTITUTION = {"ror": "ror", "openalex": "openalex_id"}


def id_properties(identifiers: Iterable[str], schemes: dict[str, str]) -> dict[str, tuple[str, ...]]:
    """``{"doi": ("10.1/x",), …}`` from prefixed identifiers, for the schemes given."""
    found: dict[str, list[str]] = {}
    for identifier in identifiers:
        scheme, _, value = identifier.partition(":")
        if value and scheme in schemes:
            found.setdefault(schemes[scheme], []).append(value)
    return {name: tuple(dict.fromkeys(values)) for name, values in found.items()}
