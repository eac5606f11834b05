"""``kg serve``: the store in a browser, and SPARQL and Cypher endpoints over HTTP (:mod:`kg.serve`).

Thin: checks the serve extra is installed, reads the options, hands over to :mod:`kg.serve.run`.
"""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.options import store_option
from kg.serve.cache import MAX_MEGABYTES


@click.command()
@store_option
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind (others get a warning).")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True)
@click.option(
    "--timeout", type=float, default=10.0, show_default=True, help="Seconds a SPARQL or Cypher query may run."
)
@click.option("--max-rows", type=int, default=10_000, show_default=True, help="Rows a query answer may hold.")
@click.option(
    "--workers", type=int, default=2, show_default=True, help="Queries that may run at once, per server process."
)
@click.option(
    "--processes",
    type=click.IntRange(1, 64),
    help="Server processes sharing the port (pages rendered in parallel, each with its --workers)  "
    "[default: one per core, at most 8]",
)
@click.option(
    "--cache-mb",
    type=click.FloatRange(0, MAX_MEGABYTES),
    help="Megabytes of pages and query answers kept per generation (0: none)  [default: $KG_SERVE_CACHE_MB, else 64]",
)
def serve(
    store: Path,
    host: str,
    port: int,
    timeout: float,
    max_rows: int,
    workers: int,
    processes: int | None,
    cache_mb: float | None,
) -> None:
    """Browse the store and answer SPARQL (/sparql) and Cypher (/cypher) clients over HTTP, read-only."""
    from kg.serve import require

    require()
    from kg.serve.run import default_processes
    from kg.serve.run import serve as run
    from kg.serve.web import Settings

    chosen = {} if cache_mb is None else {"cache_bytes": int(cache_mb * 1024 * 1024)}  # else the environment's
    settings = Settings(store, timeout=timeout, max_rows=max_rows, workers=workers, **chosen)
    run(settings, host, port, processes or default_processes())
