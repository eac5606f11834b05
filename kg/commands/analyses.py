"""``kg top``, ``kg trends``, ``kg communities`` and ``kg report``: thin commands over
:mod:`kg.query.analyses`, :mod:`kg.query.network` and :mod:`kg.report`.

A ``--topic`` that matches nothing, or a scope
with no papers (an empty store too), exits with status 2; ``kg report`` still writes the page,
saying so.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from kg.commands.options import FORMATS, store_option
from kg.errors import QueryError
from kg.output import message, print_rows

KIND_CHOICE = click.Choice(["method", "dataset", "task", "institution", "topic"], case_sensitive=False)


def scope_options(function: Any) -> Any:
    """``--since YEAR`` and ``--topic X`` (the scope every analysis takes)."""
    function = click.option("--topic", metavar="X", help="Only papers about X (concepts and topics matching it).")(
        function
    )
    return click.option("--since", type=int, metavar="YEAR", help="Only papers from YEAR on.")(function)


def _analyses(store: Path, since: int | None, topic: str | None) -> Any:
    from kg import api

    analyses = api.open_store(store).analyses(since, topic)
    analyses.require_papers()
    return analyses


def _per_year(counts: dict[int, int]) -> str:
    return ", ".join(f"{year}: {n}" for year, n in counts.items())


format_option = click.option("--format", "format_", type=FORMATS, default="table", show_default=True)
limit_option = click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True)


@click.command()
@click.argument("kind", type=KIND_CHOICE)
@limit_option
@scope_options
@format_option
@store_option
def top(kind: str, limit: int, since: int | None, topic: str | None, format_: str, store: Path) -> None:
    """The methods, datasets, tasks, institutions or topics on most papers, with papers per year.

    KIND is method, dataset, task, institution or topic. `change` compares the two latest
    years in scope (papers, and share of that year's papers in percentage points)."""
    analyses = _analyses(store, since, topic)
    ranked = analyses.top(kind.lower(), limit)
    if format_ == "json":
        click.echo(json.dumps([r.as_json() for r in ranked], ensure_ascii=False, indent=2))
        return
    rows = [
        {
            "rank": i,
            "name": r.name,
            "id": r.id,
            "papers": r.papers,
            "per_year": _per_year(r.per_year),
            "change": r.change,
            "share_change_pp": r.share_change,
        }
        for i, r in enumerate(ranked, start=1)
    ]
    columns = ["rank", "name", "papers", "per_year", "change", "share_change_pp"]
    print_rows(
        rows,
        columns if format_ == "table" else ["rank", "name", "id", *columns[2:]],
        format_,
        f"Top {kind.lower()}s: {analyses.scope.describe()}",
    )


@click.command()
@click.option("--kind", "kinds", type=KIND_CHOICE, multiple=True, help="Only this kind (repeatable).")
@limit_option
@scope_options
@format_option
@store_option
def trends(kinds: tuple[str, ...], limit: int, since: int | None, topic: str | None, format_: str, store: Path) -> None:
    """Rising and falling methods, datasets and tasks between the two latest years in scope
    with at least 5 papers each.

    Ranked by the change in share of that year's papers (percentage points), among concepts
    on at least 2 papers in one of the two years; the counts are shown beside."""
    from kg.query.analyses import MIN_YEAR_PAPERS, TREND_KINDS

    analyses = _analyses(store, since, topic)
    result = analyses.trends(tuple(k.lower() for k in kinds) or TREND_KINDS, limit)
    if result.latest is None:
        raise QueryError(
            f"trends need two years with at least {MIN_YEAR_PAPERS} papers each; {analyses.scope.describe()} "
            f"has {dict(analyses.papers_per_year)}"
        )
    rows = result.rows()
    columns = list(rows[0]) if rows else ["direction", "kind", "name", "id", "change", "share_change_pp"]
    if format_ == "table":
        columns.remove("id")
    print_rows(rows, columns, format_, f"{result.previous} → {result.latest}: {analyses.scope.describe()}")


@click.command()
@limit_option
@scope_options
@format_option
@store_option
def communities(limit: int, since: int | None, topic: str | None, format_: str, store: Path) -> None:
    """The largest co-authorship communities (Louvain, decided at build time: `community` on
    every author in SPARQL and Cypher), labelled by their most particular concepts."""
    from kg.query.network import Network

    result = Network(_analyses(store, since, topic)).communities(limit)
    if format_ == "json":
        payload = {
            "communities": result.total,
            "modularity": result.modularity,
            "shown": [c.as_json() for c in result.shown],
        }
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    print_rows(
        result.rows(),
        ["community", "size", "papers", "label", "members"],
        format_,
        f"{result.total} communities, modularity {result.modularity}",
    )


@click.command()
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    default=Path("report.html"),
    show_default=True,
    help="HTML file.",
)
@scope_options
@click.option("--base-url", metavar="URL", help="Link names to `kg serve` pages: URL/node/<id>.")
@click.option("--title", help="Page title (default: 'kg report', with the topic).")
@store_option
@click.pass_context
def report(
    ctx: click.Context,
    output: Path,
    since: int | None,
    topic: str | None,
    base_url: str | None,
    title: str | None,
    store: Path,
) -> None:
    """Write the field at a glance as one offline HTML file: overview, top concepts and their
    growth, rising and falling, communities, institutions per topic, central authors and papers."""
    from kg import api

    summary = api.open_store(store).report(output, topic=topic, since=since, base_url=base_url, title=title)
    if not ctx.find_root().obj["quiet"]:
        message(f"wrote {output}: {summary.bytes / 1e6:.2f} MB in {summary.seconds:.2f}s")
    if summary.problem:
        raise QueryError(f"{summary.problem} (the report says so)")
