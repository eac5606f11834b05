"""``kg fetch``: search arXiv, OpenAlex or Semantic Scholar and save the results as a file kg reads.

The only part of ``kg`` that uses the network, and only when the user runs ``kg fetch``:
building, querying and serving never do. One module per service (:mod:`.arxiv`,
:mod:`.openalex`, :mod:`.semanticscholar`) says how to ask for a page and how to check it;
:mod:`.client` is the polite HTTP client they share, :mod:`.resume` the resumable output file
and :mod:`.run` the paging loop.
"""

from __future__ import annotations

from kg.fetch.arxiv import Arxiv
from kg.fetch.openalex import OpenAlex
from kg.fetch.run import Politeness, base_url, fetch
from kg.fetch.semanticscholar import SemanticScholar
from kg.fetch.service import Query, Service

SERVICES: dict[str, type[Service]] = {s.name: s for s in (Arxiv, OpenAlex, SemanticScholar)}

__all__ = ["SERVICES", "Arxiv", "OpenAlex", "Politeness", "Query", "SemanticScholar", "Service", "base_url", "fetch"]
