"""``kg neo4j push`` and ``kg push``: send a built store to another system (:mod:`kg.remote`).

Imported whenever ``kg`` starts: the commands import the API and the clients in their bodies,
so ``kg --help`` does not load them.
"""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.options import neo4j_options, store_option
from kg.output import message, progress_reporter


@click.group(name="neo4j")
def neo4j_group() -> None:
    """Neo4j over Bolt: push the graph (password from NEO4J_PASSWORD, never the command line)."""


@neo4j_group.command()
@neo4j_options
@click.option("--wipe", is_flag=True, help="First delete what kg wrote there before (nodes with kg_store).")
@store_option
@click.pass_context
def push(ctx: click.Context, uri: str, user: str, database: str | None, wipe: bool, store: Path) -> None:
    """Load the store's graph into Neo4j: idempotent batched MERGEs, ids unique per label."""
    from kg import api
    from kg.remote import neo4j

    neo4j.driver_module()  # a missing driver (the kg[neo4j] extra) is named before anything else
    neo4j.password()  # fail before reading the graph when it is missing, or the URI is refused
    neo4j.check_uri(uri)
    graph = api.open_store(store).graph()
    with progress_reporter() as progress:
        report = neo4j.push(graph, uri=uri, user=user, database=database, wipe=wipe, progress=progress)
    if not ctx.find_root().obj["quiet"]:
        removed = f"removed {report.removed}, " if wipe else ""
        message(
            f"pushed to {uri}: {removed}{sum(report.nodes.values())} nodes, "
            f"{sum(report.relationships.values())} relationships in {report.seconds:.2f}s"
        )


@click.command(name="push")
@click.option(
    "--sparql-endpoint",
    metavar="URL",
    help="The target's SPARQL 1.1 Graph Store endpoint (Oxigraph: http://HOST:7878/store, "
    "Fuseki: http://HOST:3030/DATASET/data); basic auth from KG_SPARQL_USER and KG_SPARQL_PASSWORD.",
)
@click.option("--graph", "graph_iri", metavar="IRI", help="Replace this named graph (default: the default graph).")
@click.option(
    "--batch-size",
    type=click.IntRange(min=1),
    default=50_000,
    show_default=True,
    help="Triples per request (SPARQL).",
)
@click.option("--neo4j", "to_neo4j", is_flag=True, help="Push to Neo4j instead, as `kg neo4j push` does.")
@neo4j_options
@click.option("--wipe", is_flag=True, help="With --neo4j: first delete what kg wrote there before.")
@store_option
@click.pass_context
def push_command(
    ctx: click.Context,
    sparql_endpoint: str | None,
    graph_iri: str | None,
    batch_size: int,
    to_neo4j: bool,
    uri: str,
    user: str,
    database: str | None,
    wipe: bool,
    store: Path,
) -> None:
    """Load the store's graph into another store: any SPARQL 1.1 store, or Neo4j with --neo4j.

    SPARQL: the first batch of N-Triples replaces the target graph (HTTP PUT), the others are
    added to it (POST), so pushing twice leaves the same triples. Credentials come only from
    KG_SPARQL_USER / KG_SPARQL_PASSWORD, never from the URL or the command line.
    """
    if (sparql_endpoint is None) == (not to_neo4j):
        raise click.UsageError("give --sparql-endpoint URL or --neo4j (exactly one)")
    if to_neo4j:
        if graph_iri is not None:
            raise click.UsageError("--graph is for --sparql-endpoint (Neo4j has no named graphs)")
        ctx.invoke(push, uri=uri, user=user, database=database, wipe=wipe, store=store)
        return
    if wipe:
        raise click.UsageError("--wipe is for --neo4j (a SPARQL push always replaces the target graph)")
    from kg import api
    from kg.remote import sparql_http

    sparql_http.check_endpoint(sparql_endpoint or "")  # fail before opening the store
    with progress_reporter() as progress:
        report = sparql_http.push(
            api.open_store(store).rdf_store, sparql_endpoint or "", graph_iri, batch_size, progress
        )
    if not ctx.find_root().obj["quiet"]:
        where = f"graph <{report.graph}>" if report.graph else "the default graph"
        message(
            f"pushed {report.triples} triples to {report.endpoint} ({where}) in {report.batches} "
            f"requests, {report.seconds:.2f}s"
        )
