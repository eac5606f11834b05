"""``kg fetch arxiv|openalex|semanticscholar QUERY -o FILE``: the one command that uses the network.

Imported whenever ``kg`` starts; the fetchers are imported in the body, so ``kg --help`` does
not load them.
"""

from __future__ import annotations

from pathlib import Path

import click

from kg.output import message, progress_reporter

SERVICE_NAMES = ("arxiv", "openalex", "semanticscholar")


@click.command()
@click.argument("service", type=click.Choice(SERVICE_NAMES))
@click.argument("query")
@click.option(
    "-o", "--output", type=click.Path(dir_okay=False, path_type=Path), required=True, help="The file to write."
)
@click.option("--limit", type=click.IntRange(min=1), default=200, show_default=True, help="Records to fetch at most.")
@click.option("--since", type=click.IntRange(1000, 9999), metavar="YEAR", help="Only works published from YEAR on.")
@click.option(
    "--base-url",
    metavar="URL",
    help="Another address of the service's API (a mirror, a test server); "
    "or KG_FETCH_ARXIV_URL, KG_FETCH_OPENALEX_URL, KG_FETCH_SEMANTICSCHOLAR_URL.",
)
@click.option(
    "--interval",
    type=click.FloatRange(min=0),
    metavar="SECONDS",
    help="Least time between two requests [default: 3 for arXiv, as it asks; 1 for OpenAlex and Semantic Scholar].",
)
@click.option(
    "--retries",
    type=click.IntRange(0, 20),
    default=5,
    show_default=True,
    help="Times a request is repeated after a 429/5xx answer or a dropped connection.",
)
@click.option(
    "--backoff",
    type=click.FloatRange(min=0),
    default=1.0,
    show_default=True,
    metavar="SECONDS",
    help="First wait before a retry; doubled each time, plus jitter, at least the service's Retry-After.",
)
@click.option("--page-size", type=click.IntRange(min=1), help="Records per request [default: the service's largest].")
@click.option("--restart", is_flag=True, help="Discard an unfinished fetch into FILE instead of continuing it.")
@click.pass_context
def fetch(
    ctx: click.Context,
    service: str,
    query: str,
    output: Path,
    limit: int,
    since: int | None,
    base_url: str | None,
    interval: float | None,
    retries: int,
    backoff: float,
    page_size: int | None,
    restart: bool,
) -> None:
    """Search arXiv, OpenAlex or Semantic Scholar for QUERY and write the results to a file kg reads.

    \b
    arXiv: an Atom feed (QUERY may use arXiv's fields: 'ti:bert AND cat:cs.CL');
    OpenAlex: works as JSON lines; Semantic Scholar: papers as JSON lines.
    Pages are saved as they come into FILE.partial; run the same command again after an
    interruption or a failure to continue where it stopped. Contact for the services'
    polite pools from KG_MAILTO; a Semantic Scholar API key from S2_API_KEY (never an option).
    """
    from kg.fetch import SERVICES, Politeness, Query
    from kg.fetch import base_url as resolve_url
    from kg.fetch import fetch as run

    chosen = SERVICES[service]
    fetcher = chosen(Query(query, since, limit, page_size), resolve_url(chosen, base_url))
    politeness = Politeness(interval=interval, retries=retries, backoff=backoff)
    with progress_reporter() as progress:
        written = run(fetcher, output, politeness, restart=restart, progress=progress)
    if not ctx.find_root().obj["quiet"]:
        message(f"wrote {written} record{'s' if written != 1 else ''} to {output}")
