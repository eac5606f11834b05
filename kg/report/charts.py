"""Small SVG charts for the report, written by hand: bars, horizontal bars and lines over years.

Each chart is one inline ``<svg role="img">`` with a ``<title>`` (its heading), a ``<desc>``
(a sentence with the numbers it shows: the text alternative), labelled axes and tick values, so
it reads without the picture and needs no script, font or library at view time. Every piece of
text goes through :func:`markupsafe.escape`; names from documents never become markup.

Why not matplotlib: its SVG carries each glyph as a path (tens of kB a chart), and it takes
about a second to import; these charts are a few kB each and take milliseconds.
"""

from __future__ import annotations

from collections.abc import Sequence

from markupsafe import Markup, escape

PALETTE = ("#4269d0", "#efb118", "#ff725c", "#6cc5b0", "#3ca951", "#ff8ab7", "#a463f2", "#97bbf5")
WIDTH, HEIGHT = 640, 300
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 36, 52


def _ticks(maximum: float, count: int = 5) -> list[int]:
    """Round tick values from 0 to at least ``maximum`` (integers: counts of papers)."""
    if maximum <= 0:
        return [0, 1]
    raw = maximum / count
    magnitude = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = next(s * magnitude for s in (1, 2, 5, 10) if s * magnitude >= raw)
    top = int(-(-maximum // step) * step)
    return list(range(0, top + 1, int(step)))


def _clip(text: str, limit: int = 38) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _frame(title: str, desc: str, body: list[str], height: int = HEIGHT, width: int = WIDTH) -> Markup:
    head = (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" class="chart" aria-label="{escape(title)}">'
        f"<title>{escape(title)}</title><desc>{escape(desc)}</desc>"
        f'<text x="{width / 2}" y="20" class="chart-title" text-anchor="middle">{escape(title)}</text>'
    )
    return Markup(head + "".join(body) + "</svg>")


def _axes(x_label: str, y_label: str, width: int, height: int) -> list[str]:
    bottom = height - BOTTOM
    return [
        f'<line x1="{LEFT}" y1="{bottom}" x2="{width - RIGHT}" y2="{bottom}" class="axis"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{bottom}" class="axis"/>',
        f'<text x="{(LEFT + width - RIGHT) / 2}" y="{height - 8}" text-anchor="middle" class="axis-label">'
        f"{escape(x_label)}</text>",
        f'<text x="14" y="{(TOP + bottom) / 2}" text-anchor="middle" class="axis-label" '
        f'transform="rotate(-90 14 {(TOP + bottom) / 2})">{escape(y_label)}</text>',
    ]


def _y_ticks(ticks: list[int], scale: float, width: int, height: int) -> list[str]:
    bottom = height - BOTTOM
    parts = []
    for value in ticks:
        y = bottom - value * scale
        parts.append(f'<line x1="{LEFT}" y1="{y:.1f}" x2="{width - RIGHT}" y2="{y:.1f}" class="grid"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" class="tick">{value}</text>')
    return parts


def bars(title: str, x_label: str, y_label: str, values: Sequence[tuple[str, int]]) -> Markup:
    """Vertical bars, one per category (years, venues), with the count above each bar."""
    desc = f"{title}: " + "; ".join(f"{name}: {value}" for name, value in values) + "."
    ticks = _ticks(max((v for _, v in values), default=0))
    plot_height = HEIGHT - TOP - BOTTOM
    scale = plot_height / ticks[-1]
    body = _y_ticks(ticks, scale, WIDTH, HEIGHT) + _axes(x_label, y_label, WIDTH, HEIGHT)
    slot = (WIDTH - LEFT - RIGHT) / max(len(values), 1)
    for i, (name, value) in enumerate(values):
        x, h = LEFT + i * slot + slot * 0.15, value * scale
        y = HEIGHT - BOTTOM - h
        body.append(
            f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" height="{h:.1f}" fill="{PALETTE[0]}">'
            f"<title>{escape(name)}: {value}</title></rect>"
        )
        body.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{y - 4:.1f}" text-anchor="middle" class="value">{value}</text>'
        )
        body.append(
            f'<text x="{x + slot * 0.35:.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" class="tick">'
            f"{escape(_clip(name, 14))}</text>"
        )
    return _frame(title, desc, body)


def hbars(title: str, x_label: str, y_label: str, values: Sequence[tuple[str, int]]) -> Markup:
    """Horizontal bars, one per named item (best first, top to bottom), for long names."""
    desc = f"{title}: " + "; ".join(f"{name}: {value}" for name, value in values) + "."
    row, left = 22, 250
    height = TOP + BOTTOM + row * max(len(values), 1)
    ticks = _ticks(max((v for _, v in values), default=0))
    scale = (WIDTH - left - RIGHT - 24) / ticks[-1]
    bottom = height - BOTTOM
    body = []
    for value in ticks:
        x = left + value * scale
        body.append(f'<line x1="{x:.1f}" y1="{TOP}" x2="{x:.1f}" y2="{bottom}" class="grid"/>')
        body.append(f'<text x="{x:.1f}" y="{bottom + 16}" text-anchor="middle" class="tick">{value}</text>')
    body += [
        f'<line x1="{left}" y1="{bottom}" x2="{WIDTH - RIGHT}" y2="{bottom}" class="axis"/>',
        f'<line x1="{left}" y1="{TOP}" x2="{left}" y2="{bottom}" class="axis"/>',
        f'<text x="{(left + WIDTH) / 2}" y="{height - 8}" text-anchor="middle" class="axis-label">'
        f"{escape(x_label)}</text>",
        f'<text x="12" y="{TOP - 8}" class="axis-label">{escape(y_label)}</text>',
    ]
    for i, (name, value) in enumerate(values):
        y = TOP + i * row + 3
        body.append(
            f'<rect x="{left}" y="{y}" width="{value * scale:.1f}" height="{row - 6}" fill="{PALETTE[0]}">'
            f"<title>{escape(name)}: {value}</title></rect>"
        )
        body.append(
            f'<text x="{left - 6}" y="{y + row / 2 + 1}" text-anchor="end" class="tick">{escape(_clip(name))}</text>'
        )
        body.append(f'<text x="{left + value * scale + 4:.1f}" y="{y + row / 2 + 1}" class="value">{value}</text>')
    return _frame(title, desc, body, height)


def lines(
    title: str, x_label: str, y_label: str, years: Sequence[int], series: Sequence[tuple[str, dict[int, int]]]
) -> Markup:
    """One line per named series over ``years`` (missing years count 0), with a legend."""
    desc = (
        f"{title}: "
        + "; ".join(
            f"{name}: " + ", ".join(f"{year} {counts.get(year, 0)}" for year in years) for name, counts in series
        )
        + "."
    )
    legend_rows = len(series)
    height = HEIGHT + 18 * legend_rows
    bottom = HEIGHT - BOTTOM
    ticks = _ticks(max((n for _, counts in series for n in counts.values()), default=0))
    scale = (bottom - TOP) / ticks[-1]
    body = _y_ticks(ticks, scale, WIDTH, HEIGHT) + _axes(x_label, y_label, WIDTH, HEIGHT)
    span = WIDTH - LEFT - RIGHT - 40
    step = span / max(len(years) - 1, 1)

    def x_of(i: int) -> float:
        return LEFT + 20 + i * step

    for i, year in enumerate(years):
        body.append(f'<text x="{x_of(i):.1f}" y="{bottom + 16}" text-anchor="middle" class="tick">{year}</text>')
    for n, (name, counts) in enumerate(series):
        colour = PALETTE[n % len(PALETTE)]
        points = " ".join(f"{x_of(i):.1f},{bottom - counts.get(year, 0) * scale:.1f}" for i, year in enumerate(years))
        body.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for i, year in enumerate(years):
            y = bottom - counts.get(year, 0) * scale
            body.append(
                f'<circle cx="{x_of(i):.1f}" cy="{y:.1f}" r="3.5" fill="{colour}">'
                f"<title>{escape(name)}, {year}: {counts.get(year, 0)}</title></circle>"
            )
        legend_y = HEIGHT + 18 * n
        body.append(f'<rect x="{LEFT}" y="{legend_y - 9}" width="12" height="12" fill="{colour}"/>')
        body.append(f'<text x="{LEFT + 18}" y="{legend_y + 1}" class="tick">{escape(_clip(name, 70))}</text>')
    return _frame(title, desc, body, height)
