"""Where the packaged data lives: ``ontology/``, ``data/`` and ``viz/``.

In a source checkout (and an editable install) they sit next to the ``kg`` package; a built
wheel carries them inside the package as ``kg/_data/<name>``. Lexicons are loaded lazily and
once, so ``import kg`` stays fast.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path

from kg.normalize import key

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(name: str) -> Path:
    """The directory of a packaged resource tree (``ontology``, ``data`` or ``viz``)."""
    for candidate in (_PACKAGE / "_data" / name, _PACKAGE.parent / name):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"kg resource directory {name!r} is missing from this installation")


def default_corpus() -> Path:
    """The embedded default corpus (the five seed documents)."""
    return resource_dir("data") / "corpus"


def lexicon_path(name: str) -> Path:
    """A lexicon file in ``data/lexicons/``."""
    return resource_dir("data") / "lexicons" / name


@cache
def word_list(name: str) -> frozenset[str]:
    """A one-entry-per-line lexicon ('#' comments, blank lines ignored) as matching keys."""
    path = lexicon_path(name)
    if not path.exists():
        return frozenset()
    entries = set()
    for line in path.read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            entries.add(key(entry))
    return frozenset(entries)


@cache
def institution_spellings() -> frozenset[str]:
    """Matching keys of every institution name and alias in ``institutions.toml``: readers use
    them to keep "University of California, Berkeley" whole instead of splitting at its comma."""
    import tomllib

    path = lexicon_path("institutions.toml")
    if not path.exists():
        return frozenset()
    with path.open("rb") as handle:
        entries = tomllib.load(handle).get("institution", [])
    return frozenset(key(s) for entry in entries for s in (entry["name"], *entry.get("aliases", ())))


class _WordListView:
    """A named word list with a ``contains`` test on matching keys."""

    def __init__(self, filename: str) -> None:
        self.filename = filename

    def contains(self, text: str) -> bool:
        return key(text) in word_list(self.filename)


places = _WordListView("places.txt")
page_furniture = _WordListView("page_furniture.txt")
