"""``kg review``: what a person should confirm in a built store.

Identity decisions (merges on weak evidence and near-misses of authors, institutions, papers,
concept spellings: :mod:`kg.resolve.decisions`), and with ``--kind concept`` the weakest
discovered concepts (:mod:`kg.query.discovered`). Thin: the facade does the work.
"""

from __future__ import annotations

from pathlib import Path

import click

from kg.commands.options import FORMATS, store_option
from kg.errors import shown
from kg.output import message, print_fitted_table, print_rows

TABLE_EVIDENCE = 90
CONCEPT_COLUMNS = ["label", "type", "confidence", "papers", "discovered_by", "evidence"]
# The table's columns: numbers, types and rules never cut; label and evidence share the rest
CONCEPT_TABLE = [
    ("label", 3),
    ("type", None),
    ("confidence", None),
    ("papers", None),
    ("discovered_by", None),
    ("evidence", 4),
]


@click.command()
@store_option
@click.option(
    "--kind",
    type=click.Choice(["author", "institution", "paper", "concept"]),
    help="Only this kind; `concept` lists the weakest discovered concepts (with --all or --toml: "
    "the identity decisions about concept spellings).",
)
@click.option("--limit", type=click.IntRange(min=1), default=30, show_default=True)
@click.option("--all", "show_all", is_flag=True, help="Every decision, not only those to confirm.")
@click.option("--format", "format_", type=FORMATS, default="table", show_default=True)
@click.option("--toml", "as_toml_rules", is_flag=True, help="Print the overrides rules reversing each.")
def review(store: Path, kind: str | None, limit: int, show_all: bool, format_: str, as_toml_rules: bool) -> None:
    """List identity decisions to confirm: merges on weak evidence and near-misses, ranked.

    To settle one, add its rule (--toml prints them) to the kg.toml beside your inputs (or
    your --overrides file) and build again. `--kind concept` lists the discovered concepts
    (found by the tagger or a pattern, not in the scheme), weakest first: lowest confidence,
    then fewest papers, with the rule that found each and one sentence using it.
    """
    from kg import api

    handle = api.open_store(store)
    if kind == "concept" and not (show_all or as_toml_rules):
        concepts = handle.discovered_concepts(limit)
        if not concepts:
            message("no discovered concepts in this store (built with --no-model, or nothing outside the scheme found)")
            if format_ == "table":
                return
        rows = [c.as_row() for c in concepts]
        if format_ == "table":  # one line per concept; the whole sentence is in JSON and CSV
            rows = [{**row, "evidence": shown(row["evidence"], TABLE_EVIDENCE)} for row in rows]
            print_fitted_table(rows, CONCEPT_TABLE, "Discovered concepts, weakest first")
            return
        print_rows(rows, [*CONCEPT_COLUMNS, "paper", "id"], format_, "Discovered concepts, weakest first")
        return
    if show_all:
        decisions = [d for d in handle.resolution().decisions if kind is None or d.kind == kind][:limit]
    else:
        decisions = handle.review(kind, limit)
    rows = [d.as_row() for d in decisions]
    if as_toml_rules:
        click.echo("\n".join(row["rule"] for row in rows if row["rule"]))
        return
    columns = ["kind", "decision", "score", "names", "why"] + (["rule"] if format_ != "table" else [])
    print_rows(rows, columns, format_, "Identity review")
