"""The package's shape (../DESIGN.md's rules of the road), checked on the source itself:

- the import graph of ``kg/`` has no circles, counting imports inside functions too (so a
  function-level import cannot hide one);
- data flows forward: a stage never imports, even indirectly, a stage after it;
- no module is over 600 lines.

The graph is read with :mod:`ast` from the files, so nothing is imported to draw it.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx
import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "kg"
MAX_LINES = 600
# stage → the packages it must never reach (DESIGN.md: sources → extract → resolve → store/publish)
LATER_STAGES = {
    "kg.sources": ("kg.extract", "kg.resolve", "kg.store", "kg.remote", "kg.query", "kg.pipeline", "kg.api"),
    "kg.extract": ("kg.resolve", "kg.store", "kg.remote", "kg.query", "kg.pipeline", "kg.api"),
    "kg.resolve": ("kg.store", "kg.remote", "kg.query", "kg.pipeline", "kg.api"),
    "kg.store": ("kg.pipeline", "kg.api", "kg.cli"),
    "kg.query": ("kg.pipeline", "kg.api", "kg.cli"),
}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_only(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def _imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement, at any depth, except those under ``if TYPE_CHECKING:``."""
    stack = [tree]
    while stack:
        node = stack.pop()
        for child in ast.iter_child_nodes(node):
            if _type_checking_only(child):
                continue
            if isinstance(child, (ast.Import, ast.ImportFrom)):
                yield child
            stack.append(child)


def _targets(importer: str, statement: ast.Import | ast.ImportFrom) -> Iterator[str]:
    """The kg modules a statement loads (``from kg.store import layout`` → ``kg.store.layout``)."""
    if isinstance(statement, ast.Import):
        names = [alias.name for alias in statement.names]
    else:
        base = statement.module or ""
        if statement.level:
            package = importer.split(".")
            if MODULES[importer].name != "__init__.py":
                package = package[:-1]
            package = package[: len(package) - statement.level + 1]
            base = ".".join([*package, base] if base else package)
        names = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in MODULES else base for alias in statement.names]
    for name in names:
        while name and name not in MODULES:
            name = name.rpartition(".")[0]
        if name.startswith("kg"):
            yield name


def import_graph() -> nx.DiGraph:
    """kg's modules and who imports whom. Importing one's own parent package is left out: Python
    has initialised it before the importer runs, so it cannot close a circle."""
    graph = nx.DiGraph()
    graph.add_nodes_from(MODULES)
    for name, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        for statement in _imports(tree):
            for target in _targets(name, statement):
                if target != name and not name.startswith(target + "."):
                    graph.add_edge(name, target)
    return graph


def test_the_import_graph_has_no_circles() -> None:
    graph = import_graph()
    assert graph.number_of_edges() > 100  # the parser found the imports
    cycles = list(nx.simple_cycles(graph))
    assert cycles == [], "import circles: " + "; ".join(" → ".join([*c, c[0]]) for c in cycles[:5])


@pytest.mark.parametrize("stage", sorted(LATER_STAGES))
def test_no_stage_reaches_a_later_one(stage: str) -> None:
    graph = import_graph()
    reached: dict[str, str] = {}
    for module in (m for m in graph if m == stage or m.startswith(stage + ".")):
        for target in nx.descendants(graph, module):
            if target.startswith(LATER_STAGES[stage]):
                reached.setdefault(target, module)
    found = ", ".join(f"{importer} → {target}" for target, importer in sorted(reached.items()))
    assert reached == {}, f"{stage} reaches later stages: {found}"


def test_no_module_is_over_600_lines() -> None:
    sizes = {name: len(path.read_text(encoding="utf-8").splitlines()) for name, path in MODULES.items()}
    assert {n: s for n, s in sizes.items() if s > MAX_LINES} == {}


def test_the_checker_sees_circles(tmp_path: Path) -> None:
    """The graph code itself: a circle through a function-level import is found."""
    statement = ast.parse("def f():\n    from kg.store import layout\n")
    assert list(_targets("kg.api", next(_imports(statement)))) == ["kg.store.layout"]
    relative = ast.parse("from . import layout\n")
    assert list(_targets("kg.store.rdf", next(_imports(relative)))) == ["kg.store.layout"]
