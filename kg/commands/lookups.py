"""The lookup commands: ``kg who-works-on``, ``institutions-on``, ``profile``, ``related``.

They read only the store's lookup index (:mod:`kg.query.index`), not :mod:`kg.api`, so they
start about as fast as ``kg --help`` and never load spaCy. Like every command module, this one
is imported whenever ``kg`` starts, so each command imports what it runs (numpy, the index) in
its body: ``kg --help`` stays fast.

Every lookup prints ``--format table`` (one line per person, institution or concept, readable
at 80 columns; ``--evidence`` adds each one's best papers and the sentence that shows X),
``json`` (the documented contract: the results' ``as_json()``) or ``csv`` (one row per result,
with its best paper and evidence). How X was read (concepts matched, alternatives, corrections,
expansion) goes to stderr, so it never mixes with the data.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from kg.commands.options import FORMATS, store_option
from kg.output import message, print_fitted_table, print_rows


def _lookup_options(function: Any) -> Any:
    """--limit, --since, --format and --json (short for --format json): every ranking lookup's."""
    function = click.option(
        "--json", "as_json", is_flag=True, help="Print JSON (the documented contract); same as --format json."
    )(function)
    function = click.option("--format", "format_", type=FORMATS, default="table", show_default=True)(function)
    function = click.option("--since", type=int, metavar="YEAR", help="Only papers from YEAR on.")(function)
    return click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True)(function)


def _evidence_option(function: Any) -> Any:
    return click.option(
        "--evidence", is_flag=True, help="Show each result's best papers and the sentence that shows the topic."
    )(function)


def _venue_option(function: Any) -> Any:
    return click.option("--venue", metavar="NAME", help='Only papers from venue NAME ("ICLR": every ICLR year).')(
        function
    )


def _chosen(format_: str, as_json: bool) -> str:
    return "json" if as_json else format_


def _ranked_rows(result: Any, kind: str) -> list[dict[str, Any]]:
    """One row per author or institution: rank, name, score, papers, who (their institutions
    or its authors), the best paper and its evidence sentence."""
    rows = []
    for rank, item in enumerate(result.results, start=1):
        if kind == "author":
            ident, name, others = item.author.id, item.author.name, item.author.institutions
        else:
            ident, name, others = item.institution.id, item.institution.name, item.authors
        top = item.papers[0] if item.papers else None
        rows.append(
            {
                "#": rank,
                "id": ident,
                "name": name,
                "score": item.score,
                "papers": item.paper_count,
                "institutions" if kind == "author" else "authors": "; ".join(others),
                "best paper": (f"{top.label} ({top.year})" if top.year else top.label) if top else "",
                "evidence": top.evidence if top else "",
            }
        )
    return rows


def _evidence_rows(result: Any, kind: str) -> list[dict[str, Any]]:
    """--evidence: each result's three best papers, one line each, with their sentence."""
    rows = []
    for rank, item in enumerate(result.results, start=1):
        name = item.author.name if kind == "author" else item.institution.name
        for number, paper in enumerate(item.papers[:3]):
            rows.append(
                {
                    "#": rank if number == 0 else "",
                    "name": name if number == 0 else "",
                    "paper": f"{paper.label} ({paper.year or '?'})",
                    "evidence": paper.evidence,
                }
            )
    return rows


def _print_ranking(result: Any, kind: str, format_: str, evidence: bool, title: str) -> None:
    message(result.resolution.describe())
    if format_ == "json":
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    rows = _ranked_rows(result, kind)
    others = "institutions" if kind == "author" else "authors"
    if format_ == "csv":
        print_rows(rows, ["#", "id", "name", "score", "papers", others, "best paper", "evidence"], "csv")
    elif evidence:
        print_rows(_evidence_rows(result, kind), ["#", "name", "paper", "evidence"], "table", title)
    else:
        rows = [row | {"score": f"{row['score']:.2f}"} for row in rows]
        print_fitted_table(
            rows, [("#", None), ("name", 3), ("score", None), ("papers", None), (others, 2), ("best paper", 4)], title
        )


@click.command(name="who-works-on")
@click.argument("topic")
@_lookup_options
@click.option("--institution", metavar="NAME", help="Only authors affiliated with NAME (or a part of it).")
@_venue_option
@_evidence_option
@store_option
def who_works_on(
    topic: str,
    limit: int,
    since: int | None,
    format_: str,
    as_json: bool,
    institution: str | None,
    venue: str | None,
    evidence: bool,
    store: Path,
) -> None:
    """Authors who work on TOPIC (free text: "GNNs", "lottery tickets", "NTK / infinite-width
    networks"), best first. The score is explained in kg/query/lookup.py."""
    from kg.query.index import open_index
    from kg.query.lookup import who_works_on as lookup

    result = lookup(open_index(store), topic, limit=limit, institution=institution, since=since, venue=venue)
    _print_ranking(result, "author", _chosen(format_, as_json), evidence, f"Who works on {topic}")


@click.command(name="institutions-on")
@click.argument("topic")
@_lookup_options
@_venue_option
@_evidence_option
@store_option
def institutions_on(
    topic: str,
    limit: int,
    since: int | None,
    format_: str,
    as_json: bool,
    venue: str | None,
    evidence: bool,
    store: Path,
) -> None:
    """Institutions whose authors work on TOPIC, best first, with their authors and papers."""
    from kg.query.index import open_index
    from kg.query.lookup import institutions_on as lookup

    result = lookup(open_index(store), topic, limit=limit, since=since, venue=venue)
    _print_ranking(result, "institution", _chosen(format_, as_json), evidence, f"Institutions on {topic}")


@click.command()
@click.argument("name")
@click.option("--format", "format_", type=FORMATS, default="table", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON; same as --format json.")
@store_option
def profile(name: str, format_: str, as_json: bool, store: Path) -> None:
    """An author's or institution's concepts, topics, papers, co-authors and institutions (fuzzy NAME)."""
    from kg.query.index import open_index
    from kg.query.profile import profile as lookup

    result = lookup(open_index(store), name)
    format_ = _chosen(format_, as_json)
    if format_ == "json":
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    people = "co-author" if result.kind == "Author" else "author"
    sections = (
        ("concept", result.concepts),
        ("topic", result.topics),
        (people, result.coauthors),
        ("institution", result.institutions),
    )
    if format_ == "csv":
        rows = [
            {"section": section, "name": i.label, "type": i.type, "weight": i.weight, "papers": i.papers}
            for section, items in sections
            for i in items
        ]
        rows += [
            {"section": "paper", "name": p.label, "type": "Paper", "year": p.year, "id": p.id} for p in result.papers
        ]
        print_rows(rows, ["section", "name", "type", "weight", "papers", "year", "id"], "csv")
        return
    message(f"{result.name} ({result.kind}, {result.id})")
    if result.aliases:
        message("also written: " + "; ".join(result.aliases))
    for title, items in sections:
        if items:
            rows = [{"name": i.label, "type": i.type, "weight": i.weight, "papers": i.papers} for i in items]
            print_rows(rows, ["name", "type", "weight", "papers"], "table", title.capitalize() + "s")
    rows = [{"paper": p.label, "year": p.year, "id": p.id} for p in result.papers]
    print_rows(rows, ["paper", "year", "id"], "table", "Papers")


@click.command()
@click.argument("topic")
@click.option("--limit", type=click.IntRange(min=1), default=10, show_default=True)
@click.option("--format", "format_", type=FORMATS, default="table", show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print JSON; same as --format json.")
@store_option
def related(topic: str, limit: int, format_: str, as_json: bool, store: Path) -> None:
    """What TOPIC is used for, evaluated on, a variant of and compared with, as sentences of the
    corpus state it (one table per relation), then the concepts on the papers on TOPIC, with
    paper counts."""
    from kg.query.index import open_index
    from kg.query.related import related as lookup

    result = lookup(open_index(store), topic, limit=limit)
    format_ = _chosen(format_, as_json)
    message(result.resolution.describe())
    if format_ == "json":
        click.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
        return
    if format_ == "csv":  # one table: the stated relations first, then what co-occurs
        stated = [
            {"concept": c.label, "type": c.type, "relation": group, "papers": c.papers, "sentences": c.sentences}
            for group, items in result.groups().items()
            for c in items
        ]
        cooccurring = [
            {"concept": c.label, "type": c.type, "relation": c.relation, "papers": c.papers, "sentences": ""}
            for c in result.concepts
        ]
        print_rows([*stated, *cooccurring], ["concept", "type", "relation", "papers", "sentences"], "csv")
        return
    for group, items in result.groups().items():
        stated = [{"concept": c.label, "type": c.type, "papers": c.papers, "sentences": c.sentences} for c in items]
        print_rows(stated, ["concept", "type", "papers", "sentences"], format_, f"{topic}: {group}")
    rows = [{"concept": c.label, "type": c.type, "relation": c.relation, "papers": c.papers} for c in result.concepts]
    print_rows(rows, ["concept", "type", "relation", "papers"], format_, f"Related to {topic} ({result.papers} papers)")
