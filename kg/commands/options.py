"""Options several ``kg`` commands share: the store, query text and parameters, Neo4j's address,
how concepts are extracted.

The store's default is decided by :func:`kg.store.layout.default_store_dir` (``$KG_STORE``,
else ``.kg``), not here.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import click

from kg.errors import InputError, UsageError
from kg.store import layout

FORMATS = click.Choice(["table", "json", "csv"])


def store_option(function: Any) -> Any:
    return click.option(
        "--store",
        type=click.Path(file_okay=False, path_type=Path),
        envvar=layout.STORE_VARIABLE,
        default=layout.default_store_dir,  # the one place the default is decided
        show_envvar=True,
        help=f"Store directory (default: {layout.DEFAULT_STORE}).",
    )(function)


def parse_params(values: tuple[str, ...]) -> dict[str, str]:
    params = {}
    for value in values:
        name, sep, text = value.partition("=")
        if not sep or not name.isidentifier():
            raise click.BadParameter(f"expected name=value, got {value!r}", param_hint="--param")
        params[name] = text
    return params


def query_text(query: str | None, file: Path | None) -> str:
    if (query is None) == (file is None):
        raise click.UsageError("give a QUERY or -f FILE (exactly one)")
    if file is not None:
        try:
            return sys.stdin.read() if str(file) == "-" else file.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as err:
            raise InputError(file, f"cannot read the query ({err})") from err
    return query or ""


def query_options(param_help: str) -> Any:
    """QUERY or -f FILE, --param NAME=VALUE (bound, never spliced) and --format: what every
    query command takes."""

    def decorate(function: Any) -> Any:
        for option in reversed(
            (
                click.argument("query", required=False),
                click.option(
                    "-f",
                    "--file",
                    type=click.Path(dir_okay=False, path_type=Path),
                    help="Read the query from FILE ('-': stdin).",
                ),
                click.option("--param", "params", multiple=True, metavar="NAME=VALUE", help=param_help),
                click.option("--format", "format_", type=FORMATS, default="table", show_default=True),
            )
        ):
            function = option(function)
        return function

    return decorate


def neo4j_options(function: Any) -> Any:
    """--uri, --user, --database (the password only ever comes from NEO4J_PASSWORD)."""
    function = click.option(
        "--database", envvar="NEO4J_DATABASE", show_envvar=True, help="Database name (default: the server's)."
    )(function)
    function = click.option("--user", envvar="NEO4J_USER", default="neo4j", show_default=True, show_envvar=True)(
        function
    )
    return click.option(
        "--uri", envvar="NEO4J_URI", default="bolt://localhost:7687", show_default=True, show_envvar=True
    )(function)


def extraction_options(function: Any) -> Any:
    """``--no-model``, ``--model DIR``, ``--min-confidence``, ``--scheme FILE`` and
    ``--scheme-mode``: how concepts are extracted."""
    function = click.option(
        "--scheme-mode",
        type=click.Choice(["add", "replace"]),
        default="add",
        show_default=True,
        help="Add the --scheme files to kg's concept scheme, or use them in its place.",
    )(function)
    function = click.option(
        "--scheme",
        "scheme_files",
        multiple=True,
        type=click.Path(dir_okay=True, path_type=Path),
        metavar="FILE",
        help="Your own concepts: CSV (type,label,aliases,broader) or SKOS Turtle; repeatable.",
    )(function)
    function = click.option(
        "--min-confidence",
        type=click.FloatRange(0.0, 1.0),
        default=0.0,
        show_default=True,
        help="Drop mentions the extractor is less sure of than this.",
    )(function)
    function = click.option(
        "--model",
        "model_dir",
        type=click.Path(path_type=Path),
        help="A span tagger trained with `kg train --out DIR` (default: the one shipped with kg).",
    )(function)
    return click.option("--no-model", is_flag=True, help="Extract with the concept scheme and rules alone.")(function)


def chosen_model(no_model: bool, model_dir: Path | None) -> Path | bool:
    """The ``model`` argument of kg.extract for the options given."""
    if no_model and model_dir is not None:
        raise UsageError("--no-model and --model exclude each other")
    return False if no_model else (model_dir or True)
