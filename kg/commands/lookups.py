"""The lookup commands: ``kg who-works-on``, ``institutions-on``, ``profile``, ``related``.

They read only the store's lookup index (:mod:`kg.query.index`), not :mod:`kg.api`, so they
start about as fast as ``kg --help`` and never load spaCy. Like every command module, this one
is imported whenever ``kg`` starts, so each command imports what it runs (numpy, the index) in
its body: ``kg --help`` stays fast.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from kg.commands.options import FORMATS, store_option
from kg.errors import shown
from kg.output import message, print_rows

# ---------------------------------------------------------------------- lookups (kg.query)
# These read only the store's lookup index (kg.query.index), not kg.api, so they start
# about as fast as `kg --help` and never load spaCy.


def _lookup_options(function: Any) -> Any:
    function = click.option(
        "--format",
        "format_",
        type=FORMATS,
        default="table",
        show_default=True,
        help="json: the documented contract; csv: one row per paper.",
    )(function)
    function = click.option("--json", "as_json", is_flag=True, help="Print JSON (the same as --format json).")(function)
    function = click.option("--since", type=int, metavar="YEAR", help="Only papers from YEAR on.")(function)
    return click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True)(function)


def _resolution_note(resolution: Any) -> None:
    direct = resolution.direct
    if direct:
        narrower = len(resolution.concepts) - len(direct)
        names = ", ".join(f"{c.label} ({c.type}, {c.kind})" for c in direct)
        more = f" and {narrower} narrower concept{'s' if narrower != 1 else ''}" if narrower else ""
        message(f"matched {names}{more}; and paper text")
    else:
        hint = ""
        if resolution.suggestions:
            hint = "; did you mean " + ", ".join(f"“{s.label}”" for s in resolution.suggestions) + "?"
        message(f"no concept or topic named “{shown(resolution.text)}”: matched paper text only{hint}")


def _csv_rows(name: str, score: float, places: tuple[str, ...], papers: Any) -> list[dict[str, Any]]:
    """One row per paper, every column filled (for --format csv)."""
    return [
        {
            "name": name,
            "score": score,
            "institutions": "; ".join(places),
            "paper": paper.label,
            "year": paper.year or "",
            "evidence": paper.evidence,
        }
        for paper in papers
    ]


def _lookup_output(result: Any, format_: str, rows: Any, title: str) -> None:
    """A lookup's answer as JSON (its contract), CSV (a row per paper) or a table (three papers each)."""
    if format_ == "json":
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    if format_ == "csv":
        print_rows(rows(_csv_rows), ["name", "score", "institutions", "paper", "year", "evidence"], "csv")
        return
    _resolution_note(result.resolution)
    print_rows(rows(_paper_rows), ["name", "score", "institutions", "paper", "evidence"], "table", title)


def _paper_rows(name: str, score: float, places: tuple[str, ...], papers: Any) -> list[dict[str, Any]]:
    rows = []
    for number, paper in enumerate(papers[:3]):
        rows.append(
            {
                "name": name if number == 0 else "",
                "score": score if number == 0 else "",
                "institutions": "; ".join(places[:3]) if number == 0 else "",
                "paper": f"{paper.label} ({paper.year})" if paper.year else paper.label,
                "evidence": paper.evidence,
            }
        )
    return rows


@click.command(name="who-works-on")
@click.argument("topic")
@_lookup_options
@click.option("--institution", metavar="NAME", help="Only authors affiliated with NAME (or a part of it).")
@store_option
def who_works_on(
    topic: str, limit: int, since: int | None, as_json: bool, format_: str, institution: str | None, store: Path
) -> None:
    """Authors who work on TOPIC (free text: "GNNs", "lottery tickets"), best first, with evidence."""
    from kg.query.index import open_index
    from kg.query.lookup import who_works_on as lookup

    result = lookup(open_index(store), topic, limit=limit, institution=institution, since=since)
    _lookup_output(
        result,
        "json" if as_json else format_,
        lambda shape: [
            r for a in result.results for r in shape(a.author.name, a.score, a.author.institutions, a.papers)
        ],
        f"Who works on {topic}",
    )


@click.command(name="institutions-on")
@click.argument("topic")
@_lookup_options
@store_option
def institutions_on(topic: str, limit: int, since: int | None, as_json: bool, format_: str, store: Path) -> None:
    """Institutions whose authors work on TOPIC, best first, with their papers and evidence."""
    from kg.query.index import open_index
    from kg.query.lookup import institutions_on as lookup

    result = lookup(open_index(store), topic, limit=limit, since=since)
    _lookup_output(
        result,
        "json" if as_json else format_,
        lambda shape: [r for i in result.results for r in shape(i.institution.name, i.score, i.authors, i.papers)],
        f"Institutions on {topic}",
    )


@click.command()
@click.argument("name")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_option
def profile(name: str, as_json: bool, store: Path) -> None:
    """An author's or institution's concepts, topics, papers, co-authors and institutions (fuzzy NAME)."""
    from kg.query.index import open_index
    from kg.query.profile import profile as lookup

    result = lookup(open_index(store), name)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    message(f"{result.name} ({result.kind}, {result.id})")
    if result.aliases:
        message("also written: " + "; ".join(result.aliases))
    people = "Co-authors" if result.kind == "Author" else "Authors"
    for title, items in (
        ("Concepts", result.concepts),
        ("Topics", result.topics),
        (people, result.coauthors),
        ("Institutions", result.institutions),
    ):
        if items:
            rows = [{"name": i.label, "type": i.type, "weight": i.weight, "papers": i.papers} for i in items]
            print_rows(rows, ["name", "type", "weight", "papers"], "table", title)
    rows = [{"paper": p.label, "year": p.year, "id": p.id} for p in result.papers]
    print_rows(rows, ["paper", "year", "id"], "table", "Papers")


@click.command()
@click.argument("topic")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@store_option
def related(topic: str, limit: int, as_json: bool, store: Path) -> None:
    """What TOPIC is used for, evaluated on, a variant of and compared with, as sentences of the
    corpus state it (one table per relation), then concepts that co-occur with it on papers."""
    from kg.query.index import open_index
    from kg.query.related import related as lookup

    result = lookup(open_index(store), topic, limit=limit)
    if as_json:
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    _resolution_note(result.resolution)
    for group, items in result.groups().items():
        stated = [{"concept": c.label, "type": c.type, "papers": c.papers, "sentences": c.sentences} for c in items]
        print_rows(stated, ["concept", "type", "papers", "sentences"], "table", f"{topic}: {group}")
    rows = [{"concept": c.label, "type": c.type, "relation": c.relation, "papers": c.papers} for c in result.concepts]
    print_rows(rows, ["concept", "type", "relation", "papers"], "table", f"Related to {topic} ({result.papers} papers)")
