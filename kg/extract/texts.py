"""Abstracts to train the span tagger on, and the held-out split nobody trains or tunes on.

Training text is read where it lies, never copied into the repository: the bundled corpus
(``data/corpus``, through the project's own readers) and, when present, the conference lists
in ``../shared/corpora`` (paperlists JSON with abstracts, the ICLR 2021 TSV, the ICLR 2020 JSON).
Abstracts are de-duplicated by their title's matching key, so a paper listed in two sources is
one text, and every text whose title is in the held-out split or the development set is left
out: the figures on those two sets measure text the tagger never saw.
"""

from __future__ import annotations

import csv
import json
import random
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

from kg.normalize import key
from kg.resources import default_corpus

HOLDOUT_SEED = 16
HOLDOUT_SIZE = 30
PAPERLISTS = ("iclr2017", "iclr2018", "colm2024", "colm2025")


@dataclass(frozen=True)
class Abstract:
    """One abstract and where it came from (``source``: file name, ``title``: for de-duplication)."""

    source: str
    title: str
    text: str
    context: tuple[str, ...] = ()  # the record's other text fields (title, tl;dr)

    @property
    def keys(self) -> set[str]:
        """What identifies the paper across sources: its title and the start of its abstract
        (the ICLR 2021 list has no titles; the TSV of the same conference has)."""
        return {k for k in (key(self.title), key(self.text)[:120]) if k}


def bundled_abstracts(corpus: Path | None = None) -> list[Abstract]:
    """Every record of the bundled corpus that has an abstract, in file order."""
    from kg.sources import iter_input_files, read_file

    found = []
    for path in iter_input_files([corpus or default_corpus()]):
        for record in read_file(path):
            if record.abstract:
                others = tuple(t for f, t in record.text_fields().items() if f != "abstract")
                found.append(Abstract(path.name, record.title or "", record.abstract, others))
    return found


def holdout_split(abstracts: list[Abstract] | None = None) -> list[Abstract]:
    """The fixed held-out split: HOLDOUT_SIZE bundled-corpus abstracts drawn with HOLDOUT_SEED
    from those of the ICLR 2021 list, none of them a development-set unit. Kept out of
    training and of every tuning decision (benchmarks/data/extraction_heldout.jsonl annotates
    them)."""
    pool = [a for a in abstracts or bundled_abstracts() if a.source == "iclr2021_authors_tldr_abstracts.txt"]
    dev = development_texts()
    pool = [a for a in pool if not _in_development(a, dev)]
    return sorted(random.Random(HOLDOUT_SEED).sample(pool, min(HOLDOUT_SIZE, len(pool))), key=lambda a: a.text)


def _source_tree() -> Path:
    return Path(__file__).resolve().parents[2]


def default_corpora() -> Path:
    """``../shared/corpora`` beside a source checkout (absent elsewhere: then only the bundled
    corpus is read)."""
    return _source_tree().parent / "shared" / "corpora"


def heldout_file() -> Path | None:
    """The held-out split's annotations, in a source checkout."""
    path = _source_tree() / "benchmarks" / "data" / "extraction_heldout.jsonl"
    return path if path.exists() else None


def development_texts() -> list[str]:
    """The text units of the development set (benchmarks/data/extraction_dev.jsonl), when the
    source tree is at hand (an installed wheel has no benchmarks: nothing to exclude)."""
    path = _source_tree() / "benchmarks" / "data" / "extraction_dev.jsonl"
    if not path.exists():
        return []
    return [json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


ANNOTATED_SETS = ("extraction_dev.jsonl", "extraction_dev2.jsonl", "extraction_heldout2.jsonl")


def annotated_texts() -> list[str]:
    """The text units of every hand-annotated set but the first held-out split (which
    :func:`holdout_split` draws): the development sets and the second held-out split. Training
    leaves their records out, so no figure measures text the tagger was trained on. The first
    held-out split's draw keeps using :func:`development_texts` alone, so it never changes."""
    folder = _source_tree() / "benchmarks" / "data"
    units = []
    for name in ANNOTATED_SETS:
        path = folder / name
        if path.exists():
            units += [
                json.loads(line)["text"] for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
            ]
    return units


def _in_development(abstract: Abstract, units: list[str]) -> bool:
    """Whether any text field of the abstract's record is (or holds) a development-set unit."""
    return any(unit in text for text in (abstract.text, *abstract.context) for unit in units)


def _shared_abstracts(corpora: Path) -> Iterator[Abstract]:
    for name in PAPERLISTS:
        path = corpora / "paperlists" / f"{name}.json"
        if path.exists():
            for item in json.loads(path.read_text(encoding="utf-8")):
                yield Abstract(path.name, item.get("title") or "", item.get("abstract") or "")
    tsv = corpora / "iclr2021-abstracts-evanzd" / "paperlist.tsv"
    if tsv.exists():
        csv.field_size_limit(1 << 24)
        with tsv.open(encoding="utf-8", newline="") as handle:
            for row in csv.DictReader(handle, delimiter="\t"):
                yield Abstract(tsv.name, row.get("title") or "", row.get("abstract") or "")
    for path in sorted((corpora / "iclr2020-accepted-psk9211").glob("*.json")):
        for item in json.loads(path.read_text(encoding="utf-8")):
            yield Abstract(path.name, item.get("title") or "", item.get("Abstract:") or "")


def training_abstracts(corpora: Path | None, limit: int | None = None, seed: int = 0) -> list[Abstract]:
    """De-duplicated abstracts to train on: the bundled corpus and ``corpora`` (if it exists),
    without the held-out splits and the development sets; ``limit`` keeps a seeded sample."""
    bundled = bundled_abstracts()
    excluded = {k for a in holdout_split(bundled) for k in a.keys}
    annotated = annotated_texts()
    excluded |= {k for a in bundled if _in_development(a, annotated) for k in a.keys}
    sources: Iterable[Abstract] = bundled
    if corpora is not None and corpora.exists():
        sources = [*bundled, *_shared_abstracts(corpora)]
    seen: set[str] = set()
    kept = []
    for abstract in sources:
        keys = abstract.keys
        if len(abstract.text.split()) < 20 or keys & seen or keys & excluded:
            continue
        seen |= keys
        kept.append(abstract)
    if limit is not None and limit < len(kept):
        kept = random.Random(seed).sample(kept, limit)
    return kept
