"""Identity resolution: records from many files become one node per real thing.

``build_graph`` is the stage's entry point; the lexicons it uses are data in ``data/lexicons/``.
"""

from kg.resolve.builder import build_graph

__all__ = ["build_graph"]
