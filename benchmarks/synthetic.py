"""Synthetic corpora of any size, recombined from real records, as JSON lines `kg build` reads.

    .venv/bin/python benchmarks/synthetic.py N [--seed S] [--out FILE] [--corpora DIR]

Why recombined rather than random: the costs that matter at scale (author and institution
resolution, concept extraction, the lookup index) depend on how often names and concepts
repeat, so the text and the people must look like the real ones. The sources are the default
corpus (``data/corpus/``) and, when present, the real paperlists JSON under
``../shared/corpora/paperlists/`` (read in place through kg's own readers, never copied), plus
the abstracts of ``iclr2021-abstracts-evanzd`` and ``iclr2020-accepted-psk9211`` as extra
sentences. Every synthetic record has:

- an abstract of real sentences drawn from all abstracts (as many as a real abstract has);
- a title of real title words (as many as a real title has), so paper identities stay distinct;
- a real author list, sometimes with one author swapped in from another list, with each author's
  own affiliations. Beyond the real record count the people are "copies" of the real ones (a
  real given name with another real family name), one copy per list, so the number of distinct
  people grows with N and each copy keeps the real per-author paper count and co-author cliques;
- venue and year of one real record, keywords of another, a tl;dr or summary as often as real
  records have one.

Output is deterministic for a given N, seed and set of real files (same bytes), written line by
line to a temporary file and renamed into place, so a cached file is always complete. It is
refused inside the repository: the real texts it recombines may not be redistributed.
"""

from __future__ import annotations

import argparse
import csv
import json
import math
import random
import re
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _common import CORPORA, ROOT

DEFAULT_OUT = Path(tempfile.gettempdir()) / "kg-synthetic"
_SENTENCE = re.compile(r"(?<=[.!?])\s+(?=[A-Z0-9(])")
SWAP_SHARE = 0.3  # how many author lists get one author from another list


@dataclass(frozen=True)
class Person:
    """A real author's display name, split at the last space (copies recombine the two parts)."""

    given: str
    family: str


@dataclass
class Pools:
    """Everything the generator draws from, in a deterministic order."""

    sentences: list[str]
    sentence_counts: list[int]
    title_words: list[str]
    title_lengths: list[int]
    people: list[Person]
    author_lists: list[list[tuple[int, tuple[str, ...]]]]  # (person, affiliations) per slot
    venue_years: list[tuple[str | None, int | None]]
    keywords: list[tuple[str, ...]]
    keyword_share: float
    tldrs: list[str]
    tldr_share: float
    summaries: list[tuple[str, ...]]
    summary_share: float
    real_records: int


def real_sources(corpora: Path) -> list[Path]:
    """The real files kg reads: the default corpus and the paperlists JSON (when present)."""
    from kg.resources import default_corpus

    return [default_corpus(), *sorted((corpora / "paperlists").glob("*.json"))]


def _extra_abstracts(corpora: Path) -> list[str]:
    """Abstract texts of the two abstract-only collections (no kg reader: plain csv/json)."""
    texts: list[str] = []
    tsv = corpora / "iclr2021-abstracts-evanzd" / "paperlist.tsv"
    if tsv.exists():
        with tsv.open(encoding="utf-8", newline="") as handle:
            texts += [
                row.get("abstract") or "" for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
            ]
    for path in sorted((corpora / "iclr2020-accepted-psk9211").glob("*.json")):
        texts += [item.get("Abstract:") or "" for item in json.loads(path.read_text(encoding="utf-8"))]
    return [t for t in texts if t.strip()]


def _sentences(text: str) -> list[str]:
    return [s.strip() for s in _SENTENCE.split(" ".join(text.split())) if len(s.strip()) > 20]


def load_pools(corpora: Path = CORPORA) -> Pools:
    """Read the real records (kg's readers) and cut them into the pools the generator draws from."""
    from kg.api import records as read_records  # not kg.records: that name is also the module kg/records.py

    records = read_records(real_sources(corpora))
    sentences: list[str] = []
    counts: list[int] = []
    for text in [r.abstract for r in records if r.abstract] + _extra_abstracts(corpora):
        parts = _sentences(text)
        if parts:
            sentences += parts
            counts.append(len(parts))
    people: list[Person] = []
    index: dict[str, int] = {}
    author_lists = []
    for record in records:
        slots = []
        for ref in record.authors:
            if ref.name not in index:
                given, _, family = ref.name.rpartition(" ")
                index[ref.name] = len(people)
                people.append(Person(given or family, family))
            slots.append((index[ref.name], tuple(ref.affiliations)))
        if slots:
            author_lists.append(slots)
    titles = [r.title.split() for r in records if r.title]
    with_keywords = [r.keywords + r.topics for r in records if r.keywords or r.topics]
    tldrs = [r.tldr for r in records if r.tldr]
    summaries = [r.summaries for r in records if r.summaries]
    return Pools(
        sentences=sentences,
        sentence_counts=counts,
        title_words=[w for words in titles for w in words],
        title_lengths=[len(words) for words in titles],
        people=people,
        author_lists=author_lists,
        venue_years=[(r.venue, r.year) for r in records],
        keywords=with_keywords,
        keyword_share=len(with_keywords) / len(records),
        tldrs=tldrs,
        tldr_share=len(tldrs) / len(records),
        summaries=summaries,
        summary_share=len(summaries) / len(records),
        real_records=len(records),
    )


class Generator:
    """Synthetic paper objects, one per call, from seeded draws over the pools."""

    def __init__(self, pools: Pools, n: int, seed: int) -> None:
        self.pools = pools
        self.random = random.Random(seed)
        self.copies = max(1, math.ceil(n / pools.real_records))

    def name(self, person: int, copy: int) -> str:
        """Copy 0 is the real person; copy c > 0 keeps the given name and takes another family name."""
        people = self.pools.people
        if copy == 0:
            real = people[person]
            return f"{real.given} {real.family}" if real.given != real.family else real.family
        other = people[(person + copy * 7919) % len(people)]
        return f"{people[person].given} {other.family}"

    def authors(self) -> list[dict[str, Any]]:
        draw = self.random
        lists = self.pools.author_lists
        copy = draw.randrange(self.copies)
        slots = [(person, places, copy) for person, places in draw.choice(lists)]
        if draw.random() < SWAP_SHARE:
            person, places = draw.choice(draw.choice(lists))
            slots[draw.randrange(len(slots))] = (person, places, draw.randrange(self.copies))
        seen: set[str] = set()
        authors = []
        for person, places, person_copy in slots:
            name = self.name(person, person_copy)
            if name in seen:
                continue
            seen.add(name)
            authors.append({"name": name, "institutions": [{"name": p} for p in places]})
        return authors

    def title(self) -> str:
        words = self.random.choices(self.pools.title_words, k=self.random.choice(self.pools.title_lengths))
        text = " ".join(words)
        return text[:1].upper() + text[1:]

    def record(self, number: int) -> dict[str, Any]:
        draw, pools = self.random, self.pools
        venue, year = draw.choice(pools.venue_years)
        obj: dict[str, Any] = {
            "id": f"synthetic-{number:07d}",
            "title": self.title(),
            "authors": self.authors(),
            "abstract": " ".join(draw.choices(pools.sentences, k=draw.choice(pools.sentence_counts))),
            "venue": venue,
            "year": year,
        }
        if pools.keywords and draw.random() < pools.keyword_share:
            obj["keywords"] = list(draw.choice(pools.keywords))
        if pools.tldrs and draw.random() < pools.tldr_share:
            obj["tldr"] = draw.choice(pools.tldrs)
        if pools.summaries and draw.random() < pools.summary_share:
            obj["summary"] = list(draw.choice(pools.summaries))
        return obj


def corpus_path(out: Path, n: int, seed: int) -> Path:
    """Where the corpus of ``n`` records with ``seed`` is cached inside directory ``out``."""
    return out / f"synthetic-{n}-seed{seed}.jsonl"


def write(n: int, path: Path, seed: int = 0, corpora: Path = CORPORA, pools: Pools | None = None) -> Path:
    """Write ``n`` synthetic records to ``path`` (streamed, then renamed into place)."""
    resolved = path.resolve()
    if resolved.is_relative_to(ROOT.resolve()):
        raise SystemExit(f"synthetic.py: refusing to write {path} inside the repository (real texts, no licence)")
    pools = pools or load_pools(corpora)
    generator = Generator(pools, n, seed)
    resolved.parent.mkdir(parents=True, exist_ok=True)
    partial = resolved.with_name(resolved.name + ".partial")
    with partial.open("w", encoding="utf-8") as handle:
        for number in range(1, n + 1):
            handle.write(json.dumps(generator.record(number), ensure_ascii=False) + "\n")
    partial.replace(resolved)
    return resolved


def ensure(n: int, out: Path, seed: int = 0, corpora: Path = CORPORA) -> Path:
    """The cached corpus of ``n`` records in ``out``, generated first when it is not there."""
    path = corpus_path(out, n, seed)
    return path if path.exists() else write(n, path, seed, corpora)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("n", type=int, help="number of records (abstracts)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--out", type=Path, help=f"output file (default: {DEFAULT_OUT}/synthetic-N-seedS.jsonl)")
    parser.add_argument("--corpora", type=Path, default=CORPORA, help="the real corpora (../shared/corpora)")
    args = parser.parse_args()
    started = time.perf_counter()
    pools = load_pools(args.corpora)
    path = write(args.n, args.out or corpus_path(DEFAULT_OUT, args.n, args.seed), args.seed, args.corpora, pools)
    print(
        f"wrote {path}: {args.n} records ({path.stat().st_size / 1e6:.1f} MB) from {pools.real_records} real records, "
        f"{len(pools.sentences)} sentences, {len(pools.people)} people, in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
