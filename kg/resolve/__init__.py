"""Identity resolution: records from many files become one node per real thing.

``resolve`` is the stage's entry point (``build_graph`` when the decisions are not needed); the
lexicons it uses are data in ``data/lexicons/``.
"""

from kg.resolve.builder import build_graph, resolve

__all__ = ["build_graph", "resolve"]
