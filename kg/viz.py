"""The interactive HTML view: one self-contained page drawing a (sub)graph with vis-network.

The page's data is vis-network's (node and edge objects, options), rendered with kg's own
Jinja template in ``viz/`` (pyvis's stock template links Bootstrap and tom-select from CDNs and
pastes titles in as HTML, so kg does not use pyvis). Everything is inlined: vis-network's script
and style (vendored in ``viz/vendor/``, the files pyvis 0.3.2 shipped, licence header kept),
``viz/view.css``, ``viz/view.js`` and the graph as JSON, so the file opens with the network off.
A Content-Security-Policy allows only those inline scripts (by hash) and no requests at all.

Safety: document text never reaches the page as markup. The graph travels as JSON inside a
``<script type="application/json">`` block with ``<``, ``>`` and ``&`` escaped, and the page
builds tooltips, the details panel and the legend with ``textContent``, so a title like
``<img src=x onerror=…>`` shows as those characters.

Layout: small graphs start from a networkx spring layout; every graph is stabilised by
vis-network's physics before it is shown, and physics is then switched off, so the view holds
still. Node size follows the number of papers a node is linked to (for papers, their links).
Limits: beyond a few thousand nodes the page gets slow; :mod:`kg.query.focus` caps the view
(1,500 nodes by default) and says what it left out.

>>> report = write_html(graph, Path("graph.html"))    # doctest: +SKIP
"""

from __future__ import annotations

import base64
import hashlib
import json
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.atomic import atomic_output, writable
from kg.errors import UsageError
from kg.graph import Graph
from kg.query.focus import PROVENANCE_TYPES, Focus, Selection, select
from kg.resources import resource_dir
from kg.styles import DEFAULT_STYLE, NODE_STYLES, RELATION_COLOURS

DEFAULT_MAX_NODES = 1500
POLISH_LIMIT = 300  # up to this many nodes, browser physics polishes the precomputed layout
COLOR_BY = ("type", "community")
COMMUNITY_PALETTE = (
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948",
    "#b07aa1", "#ff9da7", "#9c755f", "#17becf", "#bcbd22", "#8c564b",
)  # fmt: skip
OTHER_COMMUNITY = "#8d8d8d"
NOT_AN_AUTHOR = "#d3d3d3"
_VIS_NAME = "vis-network-9.1.2"  # viz/vendor/: vis-network 9.1.2 (Apache-2.0 or MIT), as pyvis 0.3.2 shipped it

# Concept–concept relations on a concept's panel: (relation, its targets, its sources).
_STATED = (
    ("used_for", "used for", "uses"),
    ("evaluated_on", "evaluated on", "evaluates"),
    ("variant_of", "variant of", "variants"),
    ("compared_with", "compared with", "compared with"),
)
_LIST_LIMIT = 12
_TEXT_LIMIT = 600


@dataclass
class ViewReport:
    """What :func:`write_html` wrote."""

    path: Path
    nodes: int
    edges: int
    bytes: int
    seconds: float
    selection: Selection


def view_types(graph: Graph) -> list[str]:
    """The node types a view shows by default: all but the provenance ones (tooltips show those)."""
    return [t for t in graph.ontology.node_types if t not in PROVENANCE_TYPES]


def _label(graph: Graph, node_id: str) -> str:
    props = graph.nx.nodes[node_id]["props"]
    return str(props.get("label") or props.get("name") or props.get("title") or node_id)


LABEL_CHARS = 40
PAPER_LABEL_CHARS = 28  # paper titles are long: cut shorter so neighbours' labels do not overlap


def drawn_edges(sub: Graph) -> list[tuple[str, str, str]]:
    """The edges the page draws, as (source, target, relation) in a fixed order.

    Co-author edges are drawn only when no paper is shown: beside the papers they only repeat
    the author–paper structure (two authors of a paper are already two hops apart through it)
    and, being many, hide it."""
    papers_shown = any(True for _ in sub.nodes("Paper"))
    edges = sorted(sub.nx.edges(keys=True), key=lambda e: (e[0], e[2], e[1]))
    return [e for e in edges if not (papers_shown and e[2] == "coauthor_with")]


def _short(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _listed(values: list[str]) -> list[str]:
    if len(values) <= _LIST_LIMIT:
        return values
    return [*values[:_LIST_LIMIT], f"… and {len(values) - _LIST_LIMIT} more"]


def _paper_count(graph: Graph, node_id: str) -> int:
    g = graph.nx
    return len({n for n in (*g.successors(node_id), *g.predecessors(node_id)) if g.nodes[n]["type"] == "Paper"})


def _evidence(graph: Graph, ids: Any) -> list[str]:
    return sorted({_label(graph, i) if i in graph else str(i) for i in ids})


def node_details(graph: Graph, node_id: str) -> dict[str, Any]:
    """A node's tooltip as plain data: type, heading and (name, text or list of texts) rows."""
    node = graph.node(node_id)
    props = node.props
    rows: list[list[Any]] = []

    def add(name: str, value: Any) -> None:
        if value in (None, "", [], ()):
            return
        if isinstance(value, (list, tuple)):
            rows.append([name, _listed([str(v) for v in value])])
        else:
            rows.append([name, _short(str(value), _TEXT_LIMIT)])

    def linked(relation: str, outgoing: bool = True) -> list[str]:
        edges = graph.out_edges(node_id, relation) if outgoing else graph.in_edges(node_id, relation)
        return [_label(graph, e.target if outgoing else e.source) for e in edges]

    if node.type == "Paper":
        authors = sorted(graph.out_edges(node_id, "authored_by"), key=lambda e: (e.props.get("position", 0), e.target))
        add("year", props.get("year"))
        add("venue", ", ".join(linked("published_in")))
        add("authors", [_label(graph, e.target) for e in authors])
        institutions = {
            _label(graph, a.target)
            for e in authors
            for a in graph.out_edges(e.target, "affiliated_with")
            if node_id in a.props.get("papers", ())
        }
        add("institutions", sorted(institutions))
        add("topics", linked("has_topic"))
        add("methods", linked("uses_method"))
        add("datasets", linked("uses_dataset"))
        add("tasks", linked("addresses_task"))
        add("tl;dr", props.get("tldr"))
        add("abstract", props.get("abstract"))
        add("summaries", len(list(graph.in_edges(node_id, "summarises"))) or None)
    elif node.type == "Author":
        add("papers", sorted(_label(graph, e.source) for e in graph.in_edges(node_id, "authored_by")))
        add("institutions", linked("affiliated_with"))
        add("also written", props.get("aliases"))
    elif node.type == "Institution":
        add("aliases", props.get("aliases"))
        add("part of", linked("part_of"))
        add("people", len(list(graph.in_edges(node_id, "affiliated_with"))) or None)
        add("papers", _paper_count(graph, node_id) or None)
    elif node.type == "Summary":
        add("of", linked("summarises"))
        add("text", props.get("text"))
    elif node.type in ("Method", "Dataset", "Task", "Topic", "Venue"):
        add("definition", props.get("definition"))
        add("aliases", props.get("aliases"))
        add("broader", linked("broader"))
        add("narrower", linked("broader", outgoing=False))
        for relation, forward, backward in _STATED:  # what sentences of the corpus say of it
            if forward == backward:  # symmetric: one row, whichever end the edge starts from
                add(forward, sorted(linked(relation) + linked(relation, outgoing=False)))
            else:
                add(forward, linked(relation))
                add(backward, linked(relation, outgoing=False))
        add("papers", _paper_count(graph, node_id) or None)
    else:
        for key_, value in sorted(props.items()):
            if key_ != "label":
                add(key_, value)
    add("evidence", _evidence(graph, [e.target for e in graph.out_edges(node_id, "derived_from")]))
    add("id", node_id)
    heading = str(props.get("title") or props.get("name") or props.get("label") or node_id)
    return {"type": graph.ontology.node_types[node.type].label, "heading": heading, "rows": rows}


def _edge_details(graph: Graph, source: str, relation: str, target: str, data: dict[str, Any]) -> dict[str, Any]:
    rows: list[list[Any]] = [["from", _label(graph, source)], ["to", _label(graph, target)]]
    for key_, value in sorted(data["props"].items()):
        if key_ == "papers":
            value = [_label(graph, p) if p in graph else p for p in value]
        shown = _listed([str(v) for v in value]) if isinstance(value, (tuple, list)) else str(value)
        rows.append([key_.replace("_", " "), shown])
    if data["sources"]:
        rows.append(["evidence", _listed(_evidence(graph, data["sources"]))])
    return {"type": "relation", "heading": graph.ontology.relations[relation].label, "rows": rows}


def _positions(sub: Graph, iterations: int = 60) -> dict[str, tuple[float, float]]:
    """A force-directed layout (Fruchterman-Reingold with gravity), computed with numpy.

    Nodes with one neighbour (most authors) are left out of the simulation and placed on a small
    ring around that neighbour afterwards, which keeps the O(n²) repulsion step to the core.
    (networkx's ``spring_layout`` needs scipy past 500 nodes and, even with it, took 6.9 s for
    1,500 nodes here against 0.4 s for this.)
    """
    import numpy as np

    g = sub.nx.to_undirected(as_view=True)
    ids = sorted(g.nodes)
    if not ids:
        return {}
    neighbours = {n: sorted(set(g.neighbors(n)) - {n}) for n in ids}
    leaves = {n: neighbours[n][0] for n in ids if len(neighbours[n]) == 1 and len(neighbours[neighbours[n][0]]) > 1}
    core = [n for n in ids if n not in leaves]
    index = {n: i for i, n in enumerate(core)}
    count = len(core)
    pairs = np.array([(index[a], index[b]) for a in core for b in neighbours[a] if b in index and index[a] < index[b]])
    rng = np.random.default_rng(7)
    pos = rng.random((count, 2), dtype=np.float32) - 0.5
    k = np.float32(1.0 / max(count, 1) ** 0.5)
    temperature = 0.1
    for _ in range(iterations if count > 1 else 0):
        # repulsion k²/d along (p_i - p_j), summed over j, as matrix products (no n×n×2 array)
        squares = (pos**2).sum(axis=1)
        distance2 = np.maximum(squares[:, None] + squares[None, :] - 2 * (pos @ pos.T), 1e-6)
        weights = (k * k) / distance2
        np.fill_diagonal(weights, 0)
        displacement = pos * weights.sum(axis=1)[:, None] - weights @ pos
        if len(pairs):
            d = pos[pairs[:, 0]] - pos[pairs[:, 1]]
            pull = d * (np.sqrt((d**2).sum(axis=1)) / k)[:, None]
            np.add.at(displacement, pairs[:, 0], -pull)
            np.add.at(displacement, pairs[:, 1], pull)
        displacement -= pos * (0.05 * count**0.5)  # gravity keeps components together
        length = np.maximum(np.sqrt((displacement**2).sum(axis=1)), 1e-9)
        pos += displacement * (np.minimum(length, temperature) / length)[:, None]
        temperature *= 0.96
    scale = 90.0 * max(count, 4) ** 0.5
    placed = {n: (float(pos[i, 0]) * scale, float(pos[i, 1]) * scale) for n, i in index.items()}
    rings: dict[str, list[str]] = {}
    for leaf, hub in sorted(leaves.items()):
        rings.setdefault(hub, []).append(leaf)
    for hub, members in rings.items():
        x, y = placed[hub]
        radius = 40.0 + 6.0 * len(members) ** 0.5
        for i, leaf in enumerate(members):
            angle = 2 * np.pi * i / len(members)
            placed[leaf] = (x + radius * float(np.cos(angle)), y + radius * float(np.sin(angle)))
    return placed


def community_colours(sub: Graph) -> dict[int, str]:
    """Colours of the communities (``community`` on authors, set at build time) with most
    authors in the view, largest first; the others are drawn in :data:`OTHER_COMMUNITY`."""
    sizes = Counter(n.props["community"] for n in sub.nodes("Author") if "community" in n.props)
    ranked = sorted(sizes, key=lambda c: (-sizes[c], c))[: len(COMMUNITY_PALETTE)]
    return {community: COMMUNITY_PALETTE[i] for i, community in enumerate(ranked)}


def _colour(node: Any, colours: dict[int, str] | None) -> str:
    if colours is None:
        return NODE_STYLES.get(node.type, DEFAULT_STYLE)[0]
    if node.type != "Author":
        return NOT_AN_AUTHOR
    return colours.get(node.props.get("community", -1), OTHER_COMMUNITY)


def network(
    graph: Graph, selection: Selection, color_by: str = "type"
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any]]:
    """The selection as vis-network's data: node objects, edge objects and the network options
    (tooltips travel separately, as data). Each node and edge object carries what vis-network
    draws (``id``, ``label``, ``shape``, ``color``, ``value``, ``x``/``y``; ``from``, ``to``,
    ``arrows``) and what the page's script reads (``kind``, ``relation``). Nodes are coloured
    by type, or with ``color_by="community"`` authors by co-authorship community."""
    if color_by not in COLOR_BY:
        raise UsageError(f"cannot colour by {color_by!r}; choose from {', '.join(COLOR_BY)}")
    sub = selection.graph
    positions = _positions(sub)
    seeds = set(selection.seeds)
    colours = community_colours(sub) if color_by == "community" else None
    nodes: list[dict[str, Any]] = []
    for node in sub.nodes():
        _, shape, _ = NODE_STYLES.get(node.type, DEFAULT_STYLE)
        colour = _colour(node, colours)
        count = len(list(graph.nx.successors(node.id))) if node.type == "Paper" else _paper_count(graph, node.id)
        drawn: dict[str, Any] = {"color": colour, "value": max(count, 1), "kind": node.type}
        if node.id in positions:
            drawn["x"], drawn["y"] = positions[node.id]
        if node.id in seeds:
            drawn["borderWidth"] = 4
        label = _short(_label(sub, node.id), PAPER_LABEL_CHARS if node.type == "Paper" else LABEL_CHARS)
        nodes.append({**drawn, "id": node.id, "label": label or node.id, "shape": shape})
    edges = [
        {
            "id": f"{source}|{relation}|{target}",
            "color": RELATION_COLOURS.get(relation, "#999999"),
            "relation": relation,
            "from": source,
            "to": target,
            "arrows": "to",
        }
        for source, target, relation in drawn_edges(sub)
    ]
    return nodes, edges, _options(len(sub))


def _options(count: int) -> dict[str, Any]:
    polish = count <= POLISH_LIMIT
    return {
        "autoResize": True,
        "layout": {"randomSeed": 7, "improvedLayout": False},
        "nodes": {
            "borderWidth": 1,
            "font": {"size": 14, "face": "system-ui, sans-serif"},
            "scaling": {"min": 8, "max": 36, "label": {"enabled": True, "min": 11, "max": 26, "drawThreshold": 7}},
        },
        "edges": {
            "arrows": {"to": {"enabled": True, "scaleFactor": 0.4}},
            "smooth": False,
            "width": 1,
            "selectionWidth": 2,
            "hoverWidth": 1.5,
        },
        "physics": {
            "enabled": polish,
            "solver": "forceAtlas2Based",
            "forceAtlas2Based": {"gravitationalConstant": -40, "springLength": 80, "avoidOverlap": 0.2},
            "stabilization": {"enabled": polish, "iterations": 150, "updateInterval": 25, "fit": True},
        },
        "interaction": {
            "hover": True,
            "tooltipDelay": 120,
            "hideEdgesOnDrag": count > 500,
            "navigationButtons": False,
            "keyboard": False,
        },
    }


def _script_json(value: Any) -> str:
    """JSON safe inside an HTML ``<script>`` element (no ``</script>``, no ``<!--``, no U+2028)."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    for char in "&<>\u2028\u2029":
        text = text.replace(char, f"\\u{ord(char):04x}")
    return text


def _vis_assets() -> tuple[str, str]:
    """vis-network's script and style, vendored in ``viz/vendor/`` (nothing is fetched)."""
    vendor = resource_dir("viz") / "vendor"
    script, style = vendor / f"{_VIS_NAME}.min.js", vendor / f"{_VIS_NAME}.css"
    if not (script.is_file() and style.is_file()):
        raise UsageError(f"this kg installation lacks viz/vendor/{_VIS_NAME}.min.js; reinstall kg")
    return script.read_text(encoding="utf-8"), style.read_text(encoding="utf-8")


def _inline(text: str, tag: str) -> str:
    return text.replace(f"</{tag}", f"<\\/{tag}")


def _sha256(text: str) -> str:
    return "sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode("ascii")


def render(graph: Graph, selection: Selection, title: str = "kg graph", color_by: str = "type") -> str:
    """The page's HTML for ``selection`` (a subgraph of ``graph``, which tooltips draw on)."""
    import jinja2  # loaded when a page is rendered, not with every `kg` command that imports the API

    nodes, edges, options = network(graph, selection, color_by)
    sub = selection.graph
    details = {node["id"]: node_details(graph, node["id"]) for node in nodes}
    for edge in edges:
        source, relation, target = edge["from"], edge["relation"], edge["to"]
        edge["info"] = _edge_details(graph, source, relation, target, sub.nx.edges[source, target, relation])
    for node in nodes:
        node["info"] = details[node["id"]]
    present_types = sorted({n["kind"] for n in nodes}, key=list(NODE_STYLES).index)
    present_relations = sorted({e["relation"] for e in edges})
    payload = {
        "nodes": nodes,
        "edges": edges,
        "options": options,
        "seeds": selection.seeds,
        "note": selection.note,
        "legend": {
            "types": [
                {
                    "type": t,
                    "label": graph.ontology.node_types[t].label,
                    "colour": NODE_STYLES[t][0] if color_by == "type" else NOT_AN_AUTHOR,
                    "glyph": NODE_STYLES[t][2],
                    "count": sum(1 for n in nodes if n["kind"] == t),
                }
                for t in present_types
            ],
            "relations": [
                {"relation": r, "label": graph.ontology.relations[r].label, "colour": RELATION_COLOURS.get(r, "#999")}
                for r in present_relations
            ],
            "communities": _community_legend(sub, color_by),
        },
    }
    vis_js, vis_css = _vis_assets()
    assets = resource_dir("viz")
    scripts = [_inline(vis_js, "script"), _inline((assets / "view.js").read_text(encoding="utf-8"), "script")]
    style = _inline(vis_css + "\n" + (assets / "view.css").read_text(encoding="utf-8"), "style")
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(assets)), autoescape=True, keep_trailing_newline=True
    )
    template = environment.get_template("view.html")
    return template.render(
        title=title,
        style=jinja2.utils.markupsafe.Markup(style),
        data=jinja2.utils.markupsafe.Markup(_script_json(payload)),
        scripts=[jinja2.utils.markupsafe.Markup(s) for s in scripts],
        script_hashes=" ".join(f"'{_sha256(s)}'" for s in scripts),
        node_count=len(nodes),
        edge_count=len(edges),
        note=selection.note or "",
    )


def _community_legend(sub: Graph, color_by: str) -> list[dict[str, Any]]:
    """Legend rows of the communities drawn in their own colour, then the rest (``community`` mode)."""
    if color_by != "community":
        return []
    colours = community_colours(sub)
    sizes = Counter(n.props.get("community") for n in sub.nodes("Author"))
    rows = [{"label": f"community {c}", "colour": colour, "count": sizes[c]} for c, colour in colours.items()]
    rest = sum(n for c, n in sizes.items() if c not in colours)
    if rest:
        rows.append({"label": "other communities", "colour": OTHER_COMMUNITY, "count": rest})
    return rows


def write_html(
    graph: Graph, output: Path, focus: Focus | None = None, title: str | None = None, color_by: str = "type"
) -> ViewReport:
    """Select the focus (default cap 1,500 nodes) and write the page to ``output`` atomically;
    ``color_by="community"`` colours authors by their co-authorship community."""
    started = time.perf_counter()
    if focus is None:
        focus = Focus(max_nodes=DEFAULT_MAX_NODES)
    if output.is_dir():
        raise UsageError(f"{output} is a directory; kg viz writes one HTML file: give a file name")
    selection = select(graph, focus, view_types(graph))
    if title is None:
        named = ", ".join(_label(graph, s) for s in selection.seeds[:3])
        title = f"kg: {named}" if named else "kg graph"
    html = render(graph, selection, title, color_by).encode("utf-8")
    with writable(output), atomic_output(output) as handle:
        handle.write(html)
    sub = selection.graph
    return ViewReport(output, len(sub), len(drawn_edges(sub)), len(html), time.perf_counter() - started, selection)
