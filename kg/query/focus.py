"""Focus: the part of the graph a view or an export shows (``--around``, ``--topic``, ``--types``, ``--max-nodes``).

- ``around``: nodes named by free text (an author, institution, paper, venue or concept) and
  everything within ``depth`` hops of them, edges followed in both directions.
- ``topic``: the who-works-on neighbourhood of a topic: the concepts and topics matching the
  text (and the concepts narrower than them), the papers about them and those papers' authors.
- ``types``: only nodes of these types (``author,paper,method``; plurals, any case, and
  ``concept`` for methods, datasets, tasks and topics). Without it, views leave out the
  provenance nodes (mentions and source records), which their tooltips show instead.
- ``max_nodes``: a cap. The focus nodes are kept first, then the nodes nearest to them, then
  the best connected; :attr:`Selection.note` says what was left out and how to see it.

Hops never pass through provenance nodes unless ``types`` asks for them, so a neighbourhood
is papers, people and concepts rather than every record that mentions them.

Names are matched by :mod:`kg.query.match` (exact label, alias, acronym, inflection, fuzzy, in
that order); when nothing is close enough the error lists the nearest candidates.

>>> selection = select(graph, Focus(around=("Yoshua Bengio",), depth=1))    # doctest: +SKIP
>>> selection.graph.node(selection.seeds[0]).props["name"]                  # doctest: +SKIP
'Yoshua Bengio'
"""

from __future__ import annotations

from collections import Counter, deque
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from kg.errors import UsageError
from kg.graph import Graph
from kg.normalize import key
from kg.query.match import equally_good, match_nodes, suggest
from kg.records import CONCEPT_RELATIONS, SUBJECT_TYPES

PROVENANCE_TYPES = frozenset({"Mention", "SourceRecord"})
_CONCEPT_RELATIONS = ("has_topic", *CONCEPT_RELATIONS.values())


@dataclass(frozen=True)
class Focus:
    """What to show; the default (no fields set) is the whole graph."""

    around: tuple[str, ...] = ()
    depth: int = 1
    topic: str | None = None
    types: tuple[str, ...] | None = None
    max_nodes: int | None = None

    @property
    def narrowed(self) -> bool:
        return bool(self.around or self.topic or self.types)


@dataclass
class Selection:
    """The chosen subgraph, the nodes the focus named, and a note on what the cap left out."""

    graph: Graph
    seeds: list[str] = field(default_factory=list)
    total: int = 0
    left_out: dict[str, int] = field(default_factory=dict)
    note: str | None = None


def parse_types(graph: Graph, text: str | Iterable[str]) -> tuple[str, ...]:
    """``"author,papers,Method"`` → ontology type keys; ``concept`` means the four concept types."""
    names = text.split(",") if isinstance(text, str) else list(text)
    by_name: dict[str, tuple[str, ...]] = {"concept": SUBJECT_TYPES, "concepts": SUBJECT_TYPES}
    for type_key, node_type in graph.ontology.node_types.items():
        for spelling in (type_key, node_type.label, node_type.id_prefix if node_type.id_prefix != "concept" else ""):
            if spelling:
                folded = key(spelling).replace(" ", "")
                by_name.setdefault(folded, (type_key,))
                by_name.setdefault(folded + "s", (type_key,))
    chosen: list[str] = []
    for name in names:
        folded = key(name).replace(" ", "")
        if not folded:
            continue
        if folded not in by_name:
            known = ", ".join(sorted(k.lower() for k in graph.ontology.node_types))
            raise UsageError(f"unknown node type {name.strip()!r} in --types; known: {known}, concept")
        chosen.extend(t for t in by_name[folded] if t not in chosen)
    if not chosen:
        raise UsageError("--types is empty; give types like author,paper,method")
    return tuple(chosen)


_AROUND_TYPES = (*SUBJECT_TYPES, "Author", "Institution", "Venue", "Paper")


def match(graph: Graph, text: str, types: Sequence[str] | None = None, what: str = "--around") -> list[str]:
    """Node ids named by ``text`` (a node id, or free text matched by :mod:`kg.query.match`).

    Every node of the best matching stage that scores as well as the best one is returned, so
    "Mogrifier LSTM" gives both the paper and the method of that name.

    Raises:
        UsageError: nothing matches; the message lists the closest names.
    """
    types = tuple(types or _AROUND_TYPES)
    if text.strip() in graph and graph.node(text.strip()).type in types:
        return [text.strip()]
    found = match_nodes(graph, text, types, limit=10)
    if not found:
        near = ", ".join(f"{m.label} ({m.type.lower()})" for m in suggest(graph, text, types, limit=5))
        hint = f"; closest: {near}" if near else ""
        raise UsageError(f"{what}: nothing in the graph is called {text!r}{hint}")
    return sorted({m.id for m in equally_good(found)})


def _neighbours(graph: Graph, node_id: str) -> Iterable[str]:
    g = graph.nx
    yield from g.successors(node_id)
    yield from g.predecessors(node_id)


def _around(graph: Graph, seeds: Iterable[str], depth: int, passable: frozenset[str] | set[str]) -> dict[str, int]:
    """Breadth-first distances from the seeds, passing only through nodes of ``passable`` types."""
    distance = {seed: 0 for seed in seeds}
    queue = deque(distance)
    while queue:
        current = queue.popleft()
        if distance[current] >= depth:
            continue
        for other in _neighbours(graph, current):
            if other not in distance and graph.nx.nodes[other]["type"] in passable:
                distance[other] = distance[current] + 1
                queue.append(other)
    return distance


def topic_neighbourhood(graph: Graph, text: str) -> tuple[list[str], dict[str, int]]:
    """The concepts and topics matching ``text`` (and narrower ones), their papers, their authors.

    Returns the matched concept ids and every node of the neighbourhood with its distance
    (0 for concepts, 1 for papers, 2 for authors).
    """
    concepts = match(graph, text, SUBJECT_TYPES, what="--topic")
    distance = dict.fromkeys(concepts, 0)
    queue = deque(concepts)
    while queue:  # narrower concepts: X -broader-> matched
        current = queue.popleft()
        for edge in graph.in_edges(current, "broader"):
            if edge.source not in distance:
                distance[edge.source] = 0
                queue.append(edge.source)
    for concept in [c for c, d in distance.items() if d == 0]:
        for edge in graph.in_edges(concept):
            if edge.relation in _CONCEPT_RELATIONS:
                distance.setdefault(edge.source, 1)
    for paper in [p for p, d in distance.items() if d == 1]:
        for edge in graph.out_edges(paper, "authored_by"):
            distance.setdefault(edge.target, 2)
    return concepts, distance


def select(graph: Graph, focus: Focus, default_types: Sequence[str] | None = None) -> Selection:
    """The subgraph ``focus`` asks for.

    Args:
        graph: the whole graph.
        focus: the options; no options means every node (of ``default_types``, when given).
        default_types: the types shown when ``focus.types`` is not given (views pass every type
            but the provenance ones; exports pass None, meaning all).

    Raises:
        UsageError: a name or type matches nothing, or a bad depth or cap.
    """
    if focus.depth < 0:
        raise UsageError("--depth must be 0 or more")
    if focus.max_nodes is not None and focus.max_nodes < 0:
        raise UsageError("--max-nodes must be 0 (no cap) or more")
    types = set(parse_types(graph, focus.types) if focus.types else default_types or graph.ontology.node_types)
    passable = types | (set(graph.ontology.node_types) - PROVENANCE_TYPES)
    seeds: list[str] = []
    distance: dict[str, int] = {}
    if focus.around:
        for name in focus.around:
            found = match(graph, name)
            seeds.extend(s for s in found if s not in seeds)
        for node_id, hops in _around(graph, seeds, focus.depth, passable).items():
            distance[node_id] = min(hops, distance.get(node_id, hops))
    if focus.topic:
        concepts, near = topic_neighbourhood(graph, focus.topic)
        seeds.extend(c for c in concepts if c not in seeds)
        for node_id, hops in near.items():
            distance[node_id] = min(hops, distance.get(node_id, hops))
    if not (focus.around or focus.topic):
        chosen = [n for n in graph.nx.nodes if graph.nx.nodes[n]["type"] in types]
    else:
        chosen = [n for n in distance if graph.nx.nodes[n]["type"] in types]
    total = len(chosen)
    kept = chosen
    left_out: dict[str, int] = {}
    note = None
    if focus.max_nodes and total > focus.max_nodes:
        degree = graph.nx.subgraph(chosen).degree  # connections within what would be shown
        order = sorted(chosen, key=lambda n: (distance.get(n, 0), -degree[n], n))
        kept = order[: focus.max_nodes]
        dropped = Counter(graph.nx.nodes[n]["type"] for n in order[focus.max_nodes :])
        left_out = dict(sorted(dropped.items(), key=lambda item: (-item[1], item[0])))
        what = ", ".join(f"{count} {node_type}" for node_type, count in left_out.items())
        note = (
            f"showing {focus.max_nodes} of {total} nodes (the {'nearest and ' if distance else ''}best connected); "
            f"left out: {what}. See them with --max-nodes {total} (0 for no cap), "
            "or narrow the view with --around NAME, --topic X or --types"
        )
    return Selection(graph.subgraph(kept), seeds, total, left_out, note)
