"""The ``kg`` command line: thin click commands over :mod:`kg.api`.

Every command that reads or writes a store takes ``--store DIR`` (default ``.kg``, or the
``KG_STORE`` environment variable). Errors the library raises on purpose become one line on
stderr and exit status 2 (bad input or usage) or 1 (anything else); tracebacks mean a bug.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
from pathlib import Path
from typing import Any

import click

import kg
from kg.commands.options import (
    FORMATS,
    chosen_model,
    extraction_options,
    neo4j_options,
    parse_params,
    query_options,
    query_text,
    store_option,
)
from kg.errors import KgError, StoreError, one_line
from kg.output import message, print_row_stream, print_rows, progress_reporter
from kg.query.limits import DEFAULT_ROW_LIMIT, DEFAULT_TIMEOUT, QueryLimits
from kg.store import layout


def overrides_option(default: str) -> Any:
    """``--overrides FILE``: identity rules (kg.resolve.overrides), else ``default``."""

    def decorate(function: Any) -> Any:
        return click.option(
            "--overrides",
            type=click.Path(dir_okay=False, path_type=Path),
            envvar="KG_OVERRIDES",
            show_envvar=True,
            help=f"Identity overrides (TOML [identity] rules); default: {default}.",
        )(function)

    return decorate


def _columns_callback(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """``--columns title=Paper Name,…``: CSV/TSV headers (JSON records: keys) to read as fields, for this command."""
    if value:
        from kg.sources.table import column_names, parse_columns

        ctx.with_resource(column_names(parse_columns(value)))


def reading_options(function: Any) -> Any:
    """``--store``, ``--format``, ``--strict`` and ``--columns``: the options of every command that reads inputs."""
    function = click.option(
        "--columns",
        metavar="FIELD=HEADER,…",
        expose_value=False,
        callback=_columns_callback,
        help="CSV, TSV, JSON records: read these headers (keys) as these fields (title, abstract, authors, year, …).",
    )(function)
    function = click.option("--strict", is_flag=True, help="Refuse records a reader would skip, instead of warning.")(
        function
    )
    function = click.option(
        "--format", "format_", metavar="NAME", help="Read every input as this format (see `kg formats`)."
    )(function)
    return store_option(function)


# Commands kept in kg.commands are imported when they are run (or listed by --help), not on
# every start: `kg who-works-on` should not pay for importing the extractor or the analyses.
LAZY_COMMANDS = {
    "communities": "kg.commands.analyses:communities",
    "extract": "kg.commands.extraction:extract",
    "fetch": "kg.commands.fetch:fetch",
    "institutions-on": "kg.commands.lookups:institutions_on",
    "neo4j": "kg.commands.remote:neo4j_group",
    "profile": "kg.commands.lookups:profile",
    "push": "kg.commands.remote:push_command",
    "related": "kg.commands.lookups:related",
    "report": "kg.commands.analyses:report",
    "review": "kg.commands.review:review",
    "serve": "kg.commands.serve:serve",
    "top": "kg.commands.analyses:top",
    "train": "kg.commands.extraction:train",
    "trends": "kg.commands.analyses:trends",
    "who-works-on": "kg.commands.lookups:who_works_on",
}


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """``kg --version``; the version is looked up only when asked for (see :func:`kg._version`)."""
    if value and not ctx.resilient_parsing:
        click.echo(f"kg, version {kg.__version__}")
        ctx.exit()


class KgGroup(click.Group):
    """Loads the commands of :data:`LAZY_COMMANDS` on first use, and turns kg's own errors into a
    one-line message and the error's exit status."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *LAZY_COMMANDS})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in LAZY_COMMANDS and cmd_name not in self.commands:
            module_name, attribute = LAZY_COMMANDS[cmd_name].split(":")
            command = getattr(importlib.import_module(module_name), attribute)
            if command.name != cmd_name:
                raise RuntimeError(f"{LAZY_COMMANDS[cmd_name]} is the command {command.name!r}, not {cmd_name!r}")
            self.add_command(command)
        return super().get_command(ctx, cmd_name)

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except KgError as err:
            click.echo(f"kg: error: {one_line(str(err))}", err=True)
            sys.exit(err.exit_code)
        except KeyboardInterrupt:
            click.echo("kg: error: interrupted (Ctrl-C); stores are written atomically, nothing half-written", err=True)
            sys.exit(130)


@click.group(cls=KgGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--version",
    is_flag=True,
    expose_value=False,
    is_eager=True,
    callback=_print_version,
    help="Show the version and exit.",
)
@click.option("-q", "--quiet", is_flag=True, help="Only errors on stderr (no warnings or summaries).")
@click.pass_context
def main(ctx: click.Context, quiet: bool) -> None:
    """kg: a knowledge graph of papers, authors, institutions and concepts.

    \b
    Exit status:
      0    success (a result cut short by --limit says so on stderr)
      1    the request was sound but could not be carried out: I/O or permission
           failure, store locked by another writer, remote server, --timeout reached
      2    what was given cannot be used as given: options, input files, queries,
           a --store that is missing, not a kg store, damaged or of another version
      130  interrupted (Ctrl-C)
    """
    logging.basicConfig(level=logging.ERROR if quiet else logging.WARNING, format="kg: %(message)s", stream=sys.stderr)
    logging.getLogger("neo4j").setLevel(logging.CRITICAL)  # the driver logs what kg reports as one error line
    ctx.obj = {"quiet": quiet}


def allow_empty_option(function: Any) -> Any:
    return click.option(
        "--allow-empty", is_flag=True, help="Accept inputs that give no records (otherwise an error, exit 2)."
    )(function)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@reading_options
@overrides_option("the kg.toml beside the inputs")
@allow_empty_option
@extraction_options
@click.pass_context
def build(
    ctx: click.Context,
    paths: tuple[Path, ...],
    store: Path,
    format_: str | None,
    strict: bool,
    overrides: Path | None,
    allow_empty: bool,
    no_model: bool,
    model_dir: Path | None,
    min_confidence: float,
    scheme_files: tuple[Path, ...],
    scheme_mode: str,
) -> None:
    """Read PATHS (default: the bundled corpus) and write a new store.

    The store directory must be new, empty, or one kg wrote (it carries a .kg-store marker);
    the previous generation is kept, so `kg rollback` can return to it."""
    from kg import api

    with progress_reporter() as progress:
        report = api.build(
            list(paths) or None,
            store=store,
            format=format_,
            strict=strict,
            progress=progress,
            overrides=overrides,
            allow_empty=allow_empty,
            model=chosen_model(no_model, model_dir),
            min_confidence=min_confidence,
            scheme=scheme_files,
            scheme_mode=scheme_mode,
        )
    if not ctx.obj["quiet"]:
        nodes = ", ".join(f"{n} {t}" for t, n in report.counts["nodes"].items() if n)
        authors = report.resolution.get("author", {})
        message(
            f"built {store}: {report.records} records from {len(report.inputs)} files → {nodes}; "
            f"{report.triples} triples in {report.seconds['total']:.2f}s"
        )
        if authors.get("weak") or authors.get("near_misses"):
            message(
                f"identity: {authors.get('weak', 0)} author merges on weak evidence and "
                f"{authors.get('near_misses', 0)} near-misses to confirm: run `kg review`"
            )


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@reading_options
@overrides_option("those the store was built with")
@allow_empty_option
@click.pass_context
def add(
    ctx: click.Context,
    paths: tuple[Path, ...],
    store: Path,
    format_: str | None,
    strict: bool,
    overrides: Path | None,
    allow_empty: bool,
) -> None:
    """Add PATHS to a built store (only they are read and extracted; the result equals a full
    build of all inputs). A file already in the store with the same content changes nothing."""
    from kg import api

    with progress_reporter() as progress:
        report, added = api.add(
            list(paths),
            store=store,
            format=format_,
            strict=strict,
            progress=progress,
            overrides=overrides,
            allow_empty=allow_empty,
        )
    if not ctx.obj["quiet"]:
        if not added:
            message(f"{store}: nothing to add (every file is already in the store with the same content)")
        else:
            message(
                f"added {', '.join(added)} to {store}: {report.records} records from {len(report.inputs)} files; "
                f"{report.triples} triples in {report.seconds['total']:.2f}s"
            )


@main.command()
@click.argument("files", nargs=-1, required=True)
@store_option
@overrides_option("those the store was built with")
@click.pass_context
def remove(ctx: click.Context, files: tuple[str, ...], store: Path, overrides: Path | None) -> None:
    """Take input FILES (as `kg stats` lists them) and everything they contributed out of a store."""
    from kg import api

    with progress_reporter() as progress:
        report = api.remove(list(files), store=store, progress=progress, overrides=overrides)
    if not ctx.obj["quiet"]:
        message(
            f"removed {', '.join(files)} from {store}: {report.records} records from {len(report.inputs)} files "
            f"left; {report.triples} triples"
        )


@main.command()
@store_option
@click.option("--format", "format_", type=FORMATS, default="table", show_default=True)
def generations(store: Path, format_: str) -> None:
    """List the store's generations (the current one, the previous one kept for rollback)."""

    rows = [info.as_row() for info in layout.generations(store)]
    if not rows:
        raise StoreError(store, "has no complete generation; run `kg build`")
    print_rows(rows, ["generation", "state", "created", "inputs", "records", "nodes"], format_, "Generations")


@main.command()
@store_option
@click.pass_context
def rollback(ctx: click.Context, store: Path) -> None:
    """Make the previous generation current again (run it twice to undo it)."""

    left, now = layout.rollback(store)
    if not ctx.obj["quiet"]:
        message(f"{store}: rolled back from {left} to {now} (`kg rollback` again returns to {left})")


@main.command()
@store_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables.")
def stats(store: Path, as_json: bool) -> None:
    """Count nodes per type, edges per relation, triples and records per source."""
    from kg import api

    result = api.open_store(store).stats()
    if as_json:
        click.echo(json.dumps(result, indent=2, sort_keys=True))
        return
    print_rows([{"type": k, "count": v} for k, v in result["nodes"].items()], ["type", "count"], "table", "Nodes")
    print_rows(
        [{"relation": k, "count": v} for k, v in result["edges"].items()], ["relation", "count"], "table", "Edges"
    )
    print_rows(
        [{"file": k, "records": v} for k, v in result["sources"].items()], ["file", "records"], "table", "Sources"
    )
    concepts = result["concepts"]
    rows = [{"origin": k, "count": v} for k, v in concepts.items()]
    print_rows(rows, ["origin", "count"], "table", "Concepts (from the scheme, discovered in the text)")
    resolution = [{"kind": kind, **counts} for kind, counts in result["resolution"].items()]
    columns = ["kind", "before", "after", "merged", "weak", "near_misses"]
    title = (
        "Identity: spellings before resolution, the nodes they became after (the Nodes table's "
        "Institution count also holds parent institutions from the lexicon, such as Google above Google Research)"
    )
    print_rows(resolution, columns, "table", title)
    click.echo(f"triples: {result['triples']}")


def limit_options(function: Any) -> Any:
    """``--timeout`` and ``--limit``: what stops a typed query (0: no limit)."""
    function = click.option(
        "--limit",
        "row_limit",
        type=click.IntRange(min=0),
        default=DEFAULT_ROW_LIMIT,
        show_default=True,
        help="Print at most N rows (0: no limit); JSON and CSV stream in constant memory.",
    )(function)
    return click.option(
        "--timeout",
        type=click.FloatRange(min=0),
        default=DEFAULT_TIMEOUT,
        show_default=True,
        help="Stop the query after SECONDS (0: no limit); exit status 1.",
    )(function)


def _say_if_truncated(truncated: bool, count: int) -> None:
    if truncated:
        message(f"kg: stopped at --limit {count} rows (the query has more; raise --limit, 0 for all)")


@main.command()
@query_options("Bind ?NAME to VALUE (repeatable; '<iri>' for an IRI).")
@limit_options
@store_option
def sparql(
    query: str | None,
    file: Path | None,
    params: tuple[str, ...],
    format_: str,
    timeout: float,
    row_limit: int,
    store: Path,
) -> None:
    """Run a read-only SPARQL query (prefixes kg:, schema:, foaf:, dcterms:, skos:, prov: … predeclared).

    Stopped after --timeout seconds (exit 1) and cut at --limit rows (said on stderr)."""
    from kg import api

    limits = QueryLimits.from_options(timeout, row_limit)
    answer = api.open_store(store).sparql_stream(query_text(query, file), parse_params(params), limits)
    if answer.kind == "ask":
        click.echo(json.dumps(answer.boolean) if format_ != "table" else str(answer.boolean).lower())
        return
    if answer.kind == "select":
        count = print_row_stream(answer.rows, answer.variables, format_)
    else:
        rows = ({"subject": s, "predicate": p, "object": o} for s, p, o in answer.triples)
        count = print_row_stream(rows, ["subject", "predicate", "object"], format_)
    _say_if_truncated(answer.truncated, count)


def focus_options(default_max_nodes: int | None) -> Any:
    """--around, --depth, --topic, --types, --max-nodes (shared by `export` and `viz`)."""

    def decorate(function: Any) -> Any:
        function = click.option(
            "--max-nodes",
            type=click.IntRange(min=0),
            default=default_max_nodes,
            show_default=default_max_nodes is not None,
            help="At most N nodes (0: no cap); the nearest and best connected are kept.",
        )(function)
        function = click.option(
            "--types", metavar="T1,T2", help="Only these node types: author,paper,institution,venue,method,…,concept."
        )(function)
        function = click.option(
            "--topic", metavar="X", help="Who works on X: its concepts and topics, their papers, their authors."
        )(function)
        function = click.option(
            "--depth", type=click.IntRange(min=0), default=1, show_default=True, help="Hops from the --around nodes."
        )(function)
        return click.option(
            "--around",
            multiple=True,
            metavar="NAME",
            help="An author, institution, paper or concept (fuzzy-matched) and its neighbourhood; repeatable.",
        )(function)

    return decorate


def _focus(around: tuple[str, ...], depth: int, topic: str | None, types: str | None, max_nodes: int | None) -> Any:
    """The :class:`kg.query.focus.Focus` of the options, or None when they leave the default
    (``--max-nodes 0`` is a choice: no cap, where `kg viz` would cap at 1,500)."""
    from kg.query.focus import Focus

    if not around and topic is None and types is None and max_nodes is None:
        return None
    return Focus(
        around=around,
        depth=depth,
        topic=topic,
        types=tuple(types.split(",")) if types is not None else None,
        max_nodes=max_nodes or None,
    )


@main.command()
@click.option("--format", "format_", required=True, metavar="NAME", help="Export format (see `kg formats`).")
@click.option(
    "-o",
    "--output",
    required=True,
    type=click.Path(path_type=Path),
    help="Output file ('-': stdout); a directory for csv and neo4j-csv.",
)
@focus_options(default_max_nodes=None)
@store_option
@click.pass_context
def export(ctx: click.Context, format_: str, output: Path, store: Path, **focus_args: Any) -> None:
    """Write the graph (or the part the focus options pick) as FORMAT.

    Formats: jsonl, turtle, nt, jsonld, graphml, gexf, csv and neo4j-csv (the last two write a
    directory); see `kg formats`.
    """
    from kg import api
    from kg.export import exporters

    if format_ not in exporters():
        raise click.BadParameter(f"{format_!r}; choose from {', '.join(exporters())}", param_hint="--format")
    target = sys.stdout.buffer if str(output) == "-" else output
    note = api.open_store(store).export(format_, target, _focus(**focus_args))
    if not ctx.find_root().obj["quiet"]:
        if note:
            message(note)
        message(f"wrote {'stdout' if target is not output else output} ({format_})")


@main.command()
@click.option("-o", "--output", required=True, type=click.Path(dir_okay=False, path_type=Path), help="HTML file.")
@click.option("--title", help="Page title (default: the focus, or 'kg graph').")
@click.option(
    "--color-by",
    type=click.Choice(["type", "community"]),
    default="type",
    show_default=True,
    help="Node colours: by type, or authors by co-authorship community (as `kg communities`).",
)
@focus_options(default_max_nodes=1500)
@store_option
@click.pass_context
def viz(ctx: click.Context, output: Path, title: str | None, color_by: str, store: Path, **focus_args: Any) -> None:
    """Write an interactive HTML view of the graph: one self-contained file that works offline.

    Colours and shapes per node type (legend on the right), size by number of papers, a search
    box, tooltips with details and evidence. Mentions and source records are left out unless
    --types asks for them; at most --max-nodes nodes are drawn (a message says what was left out).
    """
    from kg import api

    report = api.open_store(store).viz(output, _focus(**focus_args), title, color_by)
    if not ctx.find_root().obj["quiet"]:
        if report.selection.note:
            message(report.selection.note)
        message(
            f"wrote {output}: {report.nodes} nodes, {report.edges} edges, {report.bytes / 1e6:.1f} MB "
            f"in {report.seconds:.2f}s"
        )


@main.command()
def formats() -> None:
    """List the input formats (readers) and export formats kg knows."""
    from kg.export import exporters
    from kg.sources import readers

    print_rows(
        [{"reader": r.name, "description": r.description} for r in readers().values()],
        ["reader", "description"],
        "table",
        "Input formats",
    )
    print_rows(
        [{"export": n, "description": d} for n, d in exporters().items()],
        ["export", "description"],
        "table",
        "Export formats",
    )


@main.command()
@query_options("Bind $NAME to VALUE (repeatable; integers become integers).")
@click.option("--write", is_flag=True, help="Allow writes (embedded: changes this store's Cypher database only).")
@click.option("--neo4j", "on_neo4j", is_flag=True, help="Run on Neo4j (password from NEO4J_PASSWORD).")
@neo4j_options
@limit_options
@store_option
def cypher(
    query: str | None,
    file: Path | None,
    params: tuple[str, ...],
    format_: str,
    write: bool,
    on_neo4j: bool,
    uri: str,
    user: str,
    database: str | None,
    timeout: float,
    row_limit: int,
    store: Path,
) -> None:
    """Run a Cypher query (read-only unless --write) on the embedded database or, with --neo4j, on Neo4j.

    Labels, relationship types and property names are the ontology's (see docs/queries/).
    Stopped after --timeout seconds (exit 1) and cut at --limit rows (said on stderr).
    """
    from kg.query.cypher import parameters

    text, values = query_text(query, file), parameters(parse_params(params))
    limits = QueryLimits.from_options(timeout, row_limit)
    if on_neo4j:
        from kg.query.cypher import run_on_neo4j

        result = run_on_neo4j(text, values, uri=uri, user=user, database=database, write=write, limits=limits)
        print_rows(result.rows, result.columns, format_)
        _say_if_truncated(result.truncated, len(result.rows))
        return
    from kg import api

    handle = api.open_store(store)
    if write:
        result = handle.cypher(text, values, write=True, limits=limits)
        print_rows(result.rows, result.columns, format_)
        _say_if_truncated(result.truncated, len(result.rows))
        return
    answer = handle.cypher_stream(text, values, limits)
    count = print_row_stream(answer.rows, answer.columns, format_)
    _say_if_truncated(answer.truncated, count)


if __name__ == "__main__":
    main()
