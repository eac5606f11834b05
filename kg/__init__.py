"""kg: a knowledge graph of papers, authors, institutions and concepts.

``import kg`` is cheap: the API functions load their dependencies on first use.

>>> import kg
>>> kg.build(["data/corpus"])          # doctest: +SKIP
>>> kg.open_store().sparql("SELECT (COUNT(*) AS ?n) WHERE { ?p a kg:Paper }").rows  # doctest: +SKIP
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any


@cache
def _version() -> str:
    """The installed distribution's version; in a source checkout that was never installed,
    the one ``pyproject.toml`` declares (so there is one place to change it). Looked up on first
    use: importing the package metadata machinery costs a query command tens of milliseconds."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("kg")
    except PackageNotFoundError:
        import tomllib

        pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
        try:
            with pyproject.open("rb") as handle:
                return str(tomllib.load(handle)["project"]["version"])
        except (OSError, KeyError, ValueError):
            return "0+unknown"


__all__ = ["BuildReport", "KnowledgeGraph", "__version__", "add", "build", "open_store", "records", "remove"]


def __getattr__(name: str) -> Any:
    if name == "__version__":
        return _version()
    if name in __all__:
        from kg import api

        return getattr(api, name)
    raise AttributeError(f"module 'kg' has no attribute {name!r}")
