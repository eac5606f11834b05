"""Shared fixtures: the real default corpus, a store built from it once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

import kg
from kg.resources import default_corpus

ROOT = Path(__file__).resolve().parent.parent
SHARED_CORPORA = ROOT.parent / "shared" / "corpora"

CORPUS_FILES = {
    "blog": "iclr2020_talk_summaries_blog.txt",
    "iclr2021": "iclr2021_authors_tldr_abstracts.txt",
    "shortscience_papers": "shortscience_iclr_papers.txt",
    "shortscience_summaries": "shortscience_summaries.txt",
    "workshop": "workshop_posters_affiliations.txt",
}


@pytest.fixture(scope="session")
def corpus() -> Path:
    return default_corpus()


@pytest.fixture(scope="session")
def built_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store built from the default corpus; tests must only read it."""
    store = tmp_path_factory.mktemp("store") / ".kg"
    kg.build(None, store=store)
    return store


@pytest.fixture(scope="session")
def handle(built_store: Path) -> kg.KnowledgeGraph:
    return kg.open_store(built_store)


@pytest.fixture(scope="session")
def graph(handle: kg.KnowledgeGraph) -> kg.Graph:
    """The default corpus's typed graph, read back from the store once; tests must only read it."""
    return handle.graph()


def shared_corpus(*parts: str) -> Path:
    """A file of the real corpora next to the project; tests using it skip when it is absent."""
    path = SHARED_CORPORA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"real corpus not available here: {path} (see benchmarks/README.md)")
    return path
