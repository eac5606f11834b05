"""How each node type and relation looks: one table shared by the HTML view and the exports.

The view (:mod:`kg.viz`) draws nodes with these colours and shapes and lists the glyphs in its
legend; the GEXF export (:mod:`kg.export`) gives Gephi the same colours, so a graph looks the
same wherever it is opened. Types the table does not know are drawn with ``DEFAULT_STYLE``.
"""

from __future__ import annotations

# colour, vis-network shape, legend glyph
NODE_STYLES: dict[str, tuple[str, str, str]] = {
    "Paper": ("#4e79a7", "square", "■"),
    "Author": ("#f28e2b", "dot", "●"),
    "Institution": ("#e15759", "diamond", "◆"),
    "Venue": ("#76b7b2", "star", "★"),
    "Topic": ("#59a14f", "hexagon", "⬢"),
    "Method": ("#d4a017", "triangle", "▲"),
    "Dataset": ("#b07aa1", "triangleDown", "▼"),
    "Task": ("#ff9da7", "diamond", "◆"),
    "Summary": ("#9c755f", "square", "■"),
    "Mention": ("#bab0ac", "dot", "●"),
    "SourceRecord": ("#79706e", "square", "■"),
}
RELATION_COLOURS: dict[str, str] = {
    "authored_by": "#f28e2b",
    "affiliated_with": "#e15759",
    "published_in": "#76b7b2",
    "has_topic": "#59a14f",
    "uses_method": "#d4a017",
    "uses_dataset": "#b07aa1",
    "addresses_task": "#ff9da7",
    "summarises": "#9c755f",
    "part_of": "#e15759",
    "broader": "#8c8c8c",
    "derived_from": "#bab0ac",
    "used_for": "#4e79a7",
    "evaluated_on": "#8cd17d",
    "variant_of": "#a0cbe8",
    "compared_with": "#f1ce63",
}
DEFAULT_STYLE: tuple[str, str, str] = ("#888888", "dot", "●")
