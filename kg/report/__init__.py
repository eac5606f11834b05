"""``kg report``: the field at a glance as one self-contained, offline HTML file.

Sections: corpus overview (papers per year, venue and source), top methods, datasets and tasks
with their counts per year, rising and falling concepts, co-authorship communities (the
build's, labelled by their concepts and members, with modularity), institutions ranked per
topic, and the most central authors and papers. Numbers come from :mod:`kg.query.analyses`
and :mod:`kg.query.network`, the calls ``kg top``, ``kg trends`` and ``kg communities`` make.

The page has no script and loads nothing: styles are inline, plots are inline SVG with a title,
labelled axes and a text alternative (:mod:`kg.report.charts`), and the template
(``viz/report.html``) is rendered by jinja2 with autoescaping, so document text is shown as
text. With ``base_url``, names link to ``{base_url}/node/{id}`` (the pages of ``kg serve``).
A scope with no papers (an empty store, a topic that matches nothing, a year with no papers)
gives a page that says so instead of empty plots.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import quote

from kg.query.analyses import KINDS, MIN_TREND_PAPERS, MIN_YEAR_PAPERS, TREND_KINDS, Analyses, NoPapersError
from kg.query.network import Network
from kg.report import charts

TEMPLATE = "report.html"
TOP = 10
PLURAL = {"method": "methods", "dataset": "datasets", "task": "tasks", "institution": "institutions"}


@dataclass(frozen=True)
class ReportSummary:
    """What ``kg report`` wrote: the file, its size, seconds taken, and the problem the page
    reports instead of analyses (no papers in scope, a topic that matched nothing), if any."""

    path: Path
    bytes: int
    seconds: float
    problem: str | None


def node_link(base_url: str | None, node_id: str) -> str | None:
    """The ``kg serve`` page of a node, or None without a base URL."""
    if not base_url:
        return None
    return f"{base_url.rstrip('/')}/node/{quote(node_id, safe='/')}"


def _sections(analyses: Analyses, meta: dict[str, Any]) -> dict[str, Any]:
    """Every number and chart of the page (the template only lays them out)."""
    overview = analyses.overview()
    years = analyses.years
    data: dict[str, Any] = {"overview": overview}
    data["year_chart"] = (
        charts.bars("Papers per year", "year", "papers", [(str(y), n) for y, n in overview.years.items()])
        if overview.years
        else None
    )
    data["venue_chart"] = charts.hbars(
        "Papers per venue", "papers", "venue", [(v, sum(c.values())) for v, c in overview.venues.items()]
    )
    data["venue_years"] = sorted({y for c in overview.venues.values() for y in c}, key=lambda y: (y is None, y or 0))
    tops = {}
    for kind in (*TREND_KINDS, "institution"):
        ranked = analyses.top(kind, TOP)
        growth = None
        if len(years) > 1 and ranked and kind != "institution":
            growth = charts.lines(
                f"Top {PLURAL[kind]}: papers per year",
                "year",
                "papers",
                years,
                [(r.name, r.per_year) for r in ranked[:6]],
            )
        bar = charts.hbars(f"Top {PLURAL[kind]}", "papers", KINDS[kind].lower(), [(r.name, r.papers) for r in ranked])
        tops[kind] = {"ranked": ranked, "bars": bar if ranked else None, "growth": growth}
    data["tops"] = tops
    data["trends"] = analyses.trends(limit=TOP)
    network = Network(analyses)
    communities = network.communities()
    data["communities"] = communities
    data["community_chart"] = (
        charts.hbars(
            "Largest co-authorship communities",
            "authors",
            "community",
            [(f"#{c.number} {c.label}", c.size) for c in communities.shown],
        )
        if communities.shown
        else None
    )
    data["build_partition"] = meta.get("communities") or {}
    data["institutions_by_topic"] = analyses.institutions_by_topic()
    data["central_authors"] = network.central_authors(TOP)
    data["central_papers"] = network.central_papers(TOP)
    return data


def render(
    analyses: Analyses | None,
    meta: dict[str, Any],
    title: str,
    base_url: str | None = None,
    problem: str | None = None,
) -> str:
    """The page's HTML. ``analyses`` None (or ``problem`` set) renders the page that says why
    there is nothing to show."""
    import jinja2

    from kg.resources import resource_dir

    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(resource_dir("viz")),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    if analyses is not None and problem is None:
        try:
            analyses.require_papers()
        except NoPapersError as err:
            problem = str(err)
    data = _sections(analyses, meta) if analyses is not None and problem is None else {}
    scope = analyses.scope.describe() if analyses is not None else "all papers"
    return environment.get_template(TEMPLATE).render(
        title=title,
        scope=scope,
        problem=problem,
        meta=meta,
        link=lambda node_id: node_link(base_url, node_id),
        plural=PLURAL,
        min_year_papers=MIN_YEAR_PAPERS,
        min_trend_papers=MIN_TREND_PAPERS,
        **data,
    )


def write(output: Path, html: str, started: float, problem: str | None) -> ReportSummary:
    """Write the page atomically (a failed write leaves any previous file as it was)."""
    from kg.errors import UsageError
    from kg.export import atomic_output

    if output.is_dir():
        raise UsageError(f"{output} is a directory; kg report writes one HTML file: give a file name")
    encoded = html.encode("utf-8")
    with atomic_output(output) as handle:
        handle.write(encoded)
    return ReportSummary(output, len(encoded), time.perf_counter() - started, problem)
