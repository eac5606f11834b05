"""RDF compared as sets of triples with pyoxigraph's parsers: the whole default store is
111,000 triples, which rdflib needs seconds per copy to parse and oxigraph a fraction of one.
kg's exports are written by kg's own code (JSON-LD stitched in batches, N-Triples streamed), so
reading them with an independent parser still checks them."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox

PARSERS = {"nt": ox.RdfFormat.N_TRIPLES, "turtle": ox.RdfFormat.TURTLE, "jsonld": ox.RdfFormat.JSON_LD}


def file_triples(path: Path, fmt: str) -> set[ox.Triple]:
    """The triples of an RDF file in ``fmt`` (a kg export format name)."""
    with path.open("rb") as stream:
        return {quad.triple for quad in ox.parse(stream, format=PARSERS[fmt])}


def store_triples(store: ox.Store) -> set[ox.Triple]:
    """The triples of an Oxigraph store's default graph (where kg writes)."""
    return {quad.triple for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph())}
