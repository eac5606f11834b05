"""An automatic "who works on X" evaluation with no hand labels, from ICLR 2021's author keywords.

The paper list (``paperlists/iclr2021.json``: authors, affiliations, keywords) and the abstracts
(``iclr2021-abstracts-evanzd/paperlist.tsv``: title, abstract; ids matching) are joined and
written to kg's own JSON-lines input in a temporary directory *without* the keywords, so no
keyword can leak into the store as a topic. Keywords carried by several papers are the topics
(spellings that differ only in case, hyphens or plural are one topic: "graph neural network(s)");
the authors of the papers carrying a topic are its right answers. Topics are split into a tuning
half and a held-out half by a fixed seed: the model is tuned on the first and reported on both.

Measures per topic (names compared by :func:`kg.normalize.key`): R-precision (R = number of
right authors), P@5 and average precision over the first ``3R`` results (MAP is its mean).
"""

from __future__ import annotations

import csv
import json
import random
import sys
from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from _common import CORPORA

PAPERLIST = CORPORA / "paperlists" / "iclr2021.json"
ABSTRACTS = CORPORA / "iclr2021-abstracts-evanzd" / "paperlist.tsv"
SEED = 17
MIN_PAPERS, MAX_PAPERS = 5, 60  # frequent, but not "deep learning" (255 papers, ~900 authors)


@dataclass(frozen=True)
class Topic:
    text: str  # the most frequent spelling
    relevant: frozenset[str]  # name keys of the authors of its papers
    papers: int


def available() -> bool:
    return PAPERLIST.exists() and ABSTRACTS.exists()


def _joined() -> list[dict]:
    """Papers with both a list entry and an abstract: id, title, abstract, authors, keywords."""
    csv.field_size_limit(sys.maxsize)
    with ABSTRACTS.open(encoding="utf-8", newline="") as handle:
        texts = {row["paper_id"]: row for row in csv.DictReader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)}
    papers = []
    for entry in json.loads(PAPERLIST.read_text(encoding="utf-8")):
        text = texts.get(entry["id"])
        if text is None or not entry.get("author"):
            continue
        names = entry["author"].split(";")
        places = (entry.get("aff") or "").split(";")
        authors = [
            {"name": n.strip(), "institutions": [{"name": p.strip()}] if i < len(places) and p.strip() else []}
            for i, n in enumerate(names)
            if n.strip()
            for p in [places[i] if i < len(places) else ""]
        ]
        keywords = [k.strip() for k in (entry.get("keywords") or "").split(";") if k.strip()]
        papers.append(
            {
                "id": entry["id"],
                "title": text["title"],
                "abstract": text["abstract"],
                "authors": authors,
                "keywords": keywords,
            }
        )
    return papers


def write_input(directory: Path) -> Path:
    """The joined papers as kg JSON lines (keywords left out) in ``directory``; returns the file."""
    path = directory / "iclr2021.jsonl"
    with path.open("w", encoding="utf-8") as out:
        for paper in _joined():
            record = {k: paper[k] for k in ("id", "title", "abstract", "authors")}
            out.write(json.dumps(record | {"year": 2021, "venue": "ICLR 2021"}, ensure_ascii=False) + "\n")
    return path


def topics() -> list[Topic]:
    """Keywords of MIN_PAPERS..MAX_PAPERS papers, spellings merged, in a fixed order."""
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
    from kg.normalize import key
    from kg.query.index import tokens

    groups: dict[tuple[str, ...], dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    authors_of: dict[str, set[str]] = {}
    for paper in _joined():
        authors_of[paper["id"]] = {key(a["name"]) for a in paper["authors"]}
        for keyword in paper["keywords"]:
            terms = tuple(tokens(keyword))
            if terms:
                groups[terms][keyword.lower()].add(paper["id"])
    found = []
    for spellings in groups.values():
        papers = set().union(*spellings.values())
        if MIN_PAPERS <= len(papers) <= MAX_PAPERS:
            text = max(spellings, key=lambda s: (len(spellings[s]), s))
            relevant = frozenset().union(*(authors_of[p] for p in papers))
            found.append(Topic(text, relevant, len(papers)))
    return sorted(found, key=lambda t: t.text)


def split(found: Sequence[Topic]) -> tuple[list[Topic], list[Topic]]:
    """(tuning, held-out): a fixed-seed shuffle cut in half."""
    order = list(found)
    random.Random(SEED).shuffle(order)
    half = len(order) // 2
    return sorted(order[:half], key=lambda t: t.text), sorted(order[half:], key=lambda t: t.text)


def measures(ranked: Sequence[str], relevant: frozenset[str]) -> tuple[float, float, float]:
    """(R-precision, P@5, average precision) of ranked name keys."""
    size = len(relevant)
    hits = [name in relevant for name in ranked]
    r_precision = sum(hits[:size]) / size
    p5 = sum(hits[:5]) / 5
    found, total = 0, 0.0
    for rank, hit in enumerate(hits[: 3 * size], start=1):
        if hit:
            found += 1
            total += found / rank
    return r_precision, p5, total / size


def evaluate(rank: Callable[[str, int], list[str]], chosen: Sequence[Topic]) -> list[dict]:
    """Per-topic rows: topic, papers, R, R-prec, P@5, AP (``rank(topic, limit)`` gives name keys)."""
    rows = []
    for topic in chosen:
        ranked = rank(topic.text, 3 * len(topic.relevant))
        r_precision, p5, ap = measures(ranked, topic.relevant)
        rows.append(
            {
                "topic": topic.text,
                "papers": topic.papers,
                "R": len(topic.relevant),
                "R-prec": r_precision,
                "P@5": p5,
                "AP": ap,
            }
        )
    return rows


def means(rows: Sequence[dict]) -> dict[str, float]:
    n = max(len(rows), 1)
    return {m: sum(r[m] for r in rows) / n for m in ("R-prec", "P@5", "AP")}
