"""kg: a knowledge graph of papers, authors, institutions and concepts.

``import kg`` is cheap: the API functions load their dependencies on first use.

>>> import kg
>>> kg.build(["data/corpus"])          # doctest: +SKIP
>>> kg.open_store().sparql("SELECT (COUNT(*) AS ?n) WHERE { ?p a kg:Paper }").rows  # doctest: +SKIP
"""

from __future__ import annotations

from typing import Any

__version__ = "0.1.0"
__all__ = ["BuildReport", "KnowledgeGraph", "__version__", "build", "open_store", "records"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from kg import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
