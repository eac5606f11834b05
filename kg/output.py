"""One way to print results: tables on a terminal, JSON or CSV for machines; messages to stderr.

Commands hand rows here instead of printing themselves, so every command offers the same
``--format`` choices and data never mixes with progress or warnings on stdout.
"""

from __future__ import annotations

import csv
import json
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import click

from kg.errors import printable


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (list, tuple)):
        return "; ".join(_cell(v) for v in value)
    return str(value)


_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _shown(text: str) -> Any:
    """Table text as it is: never read as rich markup (``[/]``, ``[link=…]``), with control
    characters (ESC, NUL, CR) escaped so document text cannot drive the terminal; lines and tabs
    kept, and other characters too (right-to-left names stay readable)."""
    from rich.text import Text

    return Text(_CONTROL.sub(lambda match: ascii(match.group(0))[1:-1], text))


def print_rows(rows: Sequence[dict[str, Any]], columns: Sequence[str], format: str, title: str | None = None) -> None:
    """Rows to stdout as a table (rich), JSON (a list of objects) or CSV (with a header)."""
    if format == "json":
        click.echo(json.dumps(list(rows), ensure_ascii=False, indent=2))
    elif format == "csv":
        print_row_stream(rows, columns, format)
    else:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=_shown(title) if title is not None else None, show_lines=False)
        for column in columns:
            table.add_column(_shown(column), overflow="fold")
        for row in rows:
            table.add_row(*(_shown(_cell(row.get(c))) for c in columns))
        Console(file=sys.stdout, soft_wrap=False).print(table)


def print_fitted_table(rows: Sequence[dict[str, Any]], columns: Sequence[tuple[str, int | None]], title: str) -> None:
    """One line per row, long cells cut with an ellipsis so the table fits the terminal (80
    columns when it is not one): the lookups' default view. ``columns`` are (name, share of the
    width left, or None for numbers, which are never cut); text is shown as :func:`_shown` shows
    it, so document text cannot drive the terminal."""
    from rich import box
    from rich.console import Console
    from rich.table import Table

    console = Console(file=sys.stdout, soft_wrap=False)
    cells = [["" if row.get(name) is None else str(row.get(name)) for name, _ in columns] for row in rows]
    fixed = {
        i: max([len(name), *(len(line[i]) for line in cells)])
        for i, (name, share) in enumerate(columns)
        if share is None
    }
    shares = {i: share for i, (_, share) in enumerate(columns) if share is not None}
    spare = max(console.width - 4 - sum(fixed.values()) - 2 * len(columns), 6 * len(shares))
    widths = {i: width + 2 for i, width in fixed.items()}  # a column's width holds its padding
    for i, share in shares.items():
        widths[i] = max(4, spare * share // sum(shares.values())) + 2
    table = Table(title=_shown(title), box=box.SIMPLE_HEAD, pad_edge=False, padding=(0, 1))
    for i, (name, share) in enumerate(columns):
        justify = "right" if share is None else "left"
        table.add_column(name, no_wrap=True, overflow="ellipsis", width=widths[i], justify=justify)
    for line in cells:
        table.add_row(*(_shown(c) for c in line))
    console.print(table)


def print_row_stream(
    rows: Iterable[dict[str, Any]], columns: Sequence[str], format: str, title: str | None = None
) -> int:
    """:func:`print_rows` for rows that arrive one by one: JSON and CSV are written as each row
    comes (constant memory, output appears at once); a table needs every row to size its
    columns, so it collects them. Returns the number of rows printed."""
    if format == "table":
        collected = list(rows)
        print_rows(collected, columns, format, title)
        return len(collected)
    out = sys.stdout
    count = 0
    if format == "json":
        out.write("[")
        for row in rows:
            out.write(("," if count else "") + "\n  " + json.dumps(row, ensure_ascii=False))
            count += 1
        out.write("\n]\n" if count else "]\n")
    else:
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(columns)
        for row in rows:
            writer.writerow([_cell(row.get(c)) for c in columns])
            count += 1
    out.flush()
    return count


def message(text: str) -> None:
    """A human message (not data): stderr, control characters escaped (lines kept)."""
    click.echo("\n".join(printable(line) for line in text.split("\n")), err=True)


@contextmanager
def progress_reporter(enabled: bool | None = None) -> Iterator[Callable[[str, int, int], None] | None]:
    """A progress callback drawing a bar on stderr when it is a terminal; None when piped."""
    show = sys.stderr.isatty() if enabled is None else enabled
    if not show:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        transient=True,
        console=_stderr_console(),
    ) as bar:
        task = bar.add_task("starting", total=None)

        def update(description: str, done: int, total: int) -> None:
            bar.update(task, description=description, completed=done, total=total or None)

        yield update


def _stderr_console() -> Any:
    from rich.console import Console

    return Console(file=sys.stderr)
