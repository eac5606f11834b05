"""``kg serve``: the web app over a store: pages, JSON twins, SPARQL 1.1 Protocol and Cypher.

A thin face over :mod:`kg.api` and :mod:`kg.query` (DESIGN.md): pages and endpoints read the
live store generation through the public facade and never write. Modules:

- :mod:`kg.serve.app`: the Starlette app (routes, limits, security headers, errors);
- :mod:`kg.serve.live`: the store's live generation, switched at the next request after a rebuild;
- :mod:`kg.serve.pages`: what each page shows, as plain data (the JSON twin is that data);
- :mod:`kg.serve.sparql`, :mod:`kg.serve.cypher`: the query endpoints;
- :mod:`kg.serve.workers`: query processes with a time limit, a row cap and a concurrency bound;
- :mod:`kg.serve.results`: SPARQL result and graph serialisations;
- :mod:`kg.serve.run`: starting uvicorn.

Starlette, uvicorn and Jinja2 are the optional extra ``kg[serve]``; :func:`require` says so.
"""

from __future__ import annotations

import importlib

from kg.errors import UsageError

EXTRA_PACKAGES = ("starlette", "uvicorn", "jinja2")


def require() -> None:
    """Raise :class:`UsageError` naming the extra when a package ``kg serve`` needs is missing."""
    missing = []
    for name in EXTRA_PACKAGES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise UsageError(f"kg serve needs {', '.join(missing)}: install the extra with pip install 'kg[serve]'")
