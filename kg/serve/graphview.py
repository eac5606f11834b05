"""The neighbourhood view of a node: the page ``kg viz --around ID`` writes, served as it is.

:func:`kg.viz.render` builds the page from the store's graph (read once per generation by
:class:`kg.serve.live.Snapshot`), with vis-network and kg's view script inlined and a
Content-Security-Policy allowing only those two scripts, by hash. The server sends that same
policy as a header, so the page runs exactly as the offline file does and requests nothing.
"""

from __future__ import annotations

import html as markup
import re
from dataclasses import dataclass

from kg.query.focus import Focus, select
from kg.serve.live import Snapshot
from kg.serve.nodes import NodeNotFound
from kg.viz import render, view_types

MAX_NODES = 400
MAX_DEPTH = 3
_POLICY = re.compile(r'<meta http-equiv="Content-Security-Policy" content="([^"]*)">')


@dataclass(frozen=True)
class View:
    html: str
    policy: str
    nodes: int
    note: str | None


def neighbourhood(snap: Snapshot, node_id: str, depth: int = 1, max_nodes: int = MAX_NODES) -> View:
    """The view of ``node_id`` and the nodes within ``depth`` hops (at most ``max_nodes``)."""
    graph = snap.graph()
    if node_id not in graph:
        raise NodeNotFound(f"no node has the id {node_id!r}")
    focus = Focus(around=(node_id,), depth=max(0, min(depth, MAX_DEPTH)), max_nodes=max(1, min(max_nodes, MAX_NODES)))
    selection = select(graph, focus, view_types(graph))
    label = graph.node(node_id).props.get("label") or node_id
    html = render(graph, selection, f"kg: around {label}")
    found = _POLICY.search(html)
    if found is None:  # the template lost its policy: refuse to serve the page without one
        raise RuntimeError("the graph view template has no Content-Security-Policy")
    return View(html, markup.unescape(found.group(1)), len(selection.graph), selection.note)
