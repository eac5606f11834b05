"""Reader throughput and memory: 100,000 synthetic records of each service/citation format.

    .venv/bin/python benchmarks/bench_readers.py [--records 100000] [--out DIR]

Each format's file is made from the real-shaped samples in ``tests/sources/data/`` (the same
field names, nesting and sizes as the services' documented responses), repeated with fresh ids
and titles until it holds N records: arXiv snapshot JSON lines, an arXiv Atom feed, OpenAlex
and Semantic Scholar dataset JSON lines, OpenReview notes as JSON lines, one CSL-JSON array,
RIS, CSV and TSV. Every file is read in a fresh interpreter (``kg.sources.read_file``, records
counted and dropped), which reports records per second; the peak RSS of that process is
measured at 1,000 and at N records, so a streaming reader shows the same peak for both. The
target is at least 5,000 records/s for every format. Files go to ``--out`` (default
``$TMPDIR/kg-readers``), never into the repository.
"""

from __future__ import annotations

import argparse
import copy
import csv
import io
import json
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import ROOT, print_table, run_measured

SAMPLES = ROOT / "tests" / "sources" / "data"
TARGET = 5000.0
CHILD = """
import sys, time
from kg.sources import read_file
started = time.perf_counter()
count = sum(1 for _ in read_file(sys.argv[1], sys.argv[2]))
print(count, time.perf_counter() - started)
"""


def _lines(name: str) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (SAMPLES / name).read_text().splitlines() if line.strip()]


def _cycle(templates: list[Any], count: int) -> Iterator[tuple[int, Any]]:
    for index in range(count):
        yield index, copy.deepcopy(templates[index % len(templates)])


def _arxiv(count: int, out: io.TextIOBase) -> None:
    for i, item in _cycle(_lines("arxiv-snapshot.jsonl"), count):
        item["id"] = f"{10 + i // 99999 % 20:02d}{1 + i % 12:02d}.{i % 99999:05d}"
        item["title"] = f"{item['title']} {i}"
        out.write(json.dumps(item) + "\n")


def _atom(count: int, out: io.TextIOBase) -> None:
    text = (SAMPLES / "arxiv-api.atom").read_text()
    head, rest = text.split("<entry>", 1)
    entries = ["<entry>" + e for e in ("<entry>" + rest).split("<entry>")[1:]]
    entries[-1] = entries[-1].replace("</feed>", "")
    out.write(head)
    for i in range(count):
        entry = entries[i % len(entries)]
        out.write(entry.replace("</title>", f" {i}</title>", 1).replace("/abs/", f"/abs/{i}", 1))
    out.write("</feed>\n")


def _openalex(count: int, out: io.TextIOBase) -> None:
    for i, work in _cycle(_lines("openalex-works.jsonl"), count):
        work["id"], work["title"] = f"https://openalex.org/W{10**9 + i}", f"{work['title']} {i}"
        out.write(json.dumps(work) + "\n")


def _semanticscholar(count: int, out: io.TextIOBase) -> None:
    for i, paper in _cycle(_lines("semanticscholar-papers.jsonl"), count):
        paper["corpusid"], paper["title"] = 10**8 + i, f"{paper['title']} {i}"
        paper["url"] = f"https://www.semanticscholar.org/paper/{i:040x}"
        out.write(json.dumps(paper) + "\n")


def _openreview(count: int, out: io.TextIOBase) -> None:
    notes = json.loads((SAMPLES / "openreview-notes.json").read_text())["notes"]
    for i, note in _cycle(notes, count):
        note["id"] = note["forum"] = f"n{i:09d}"
        note["content"]["title"]["value"] += f" {i}"
        out.write(json.dumps(note) + "\n")


def _csl(count: int, out: io.TextIOBase) -> None:
    items = json.loads((SAMPLES / "zotero.csl.json").read_text())
    out.write("[\n")
    for i, item in _cycle(items, count):
        item["id"], item["title"] = f"item-{i}", f"{item['title']} {i}"
        out.write(("," if i else "") + json.dumps(item, indent="\t") + "\n")
    out.write("]\n")


def _ris(count: int, out: io.TextIOBase) -> None:
    records = [r + "ER  - \n" for r in (SAMPLES / "library.ris").read_text().split("ER  - \n") if r.strip()]
    for i in range(count):
        out.write(records[i % len(records)].replace("\nTI  - ", f"\nID  - r{i}\nTI  - ", 1) + "\n")


def _csv(count: int, out: io.TextIOBase) -> None:
    rows = list(csv.reader(io.StringIO((SAMPLES / "papers.csv").read_text(), newline="")))
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(rows[0])
    for i in range(count):
        row = list(rows[1 + i % (len(rows) - 1)])
        row[0] += f" {i}"
        writer.writerow(row)


def _tsv(count: int, out: io.TextIOBase) -> None:
    header, *rows = [line.split("\t") for line in (SAMPLES / "openreview-list.tsv").read_text().splitlines()]
    out.write("\t".join(header) + "\n")
    for i in range(count):
        row = list(rows[i % len(rows)])
        row[0], row[1] = f"f{i:09d}", f"{row[1]} {i}"
        out.write("\t".join(row) + "\n")


FORMATS: dict[str, tuple[str, Callable[[int, io.TextIOBase], None]]] = {
    "arxiv": ("arxiv.jsonl", _arxiv),
    "arxiv-atom": ("arxiv.atom", _atom),
    "openalex": ("openalex.jsonl", _openalex),
    "semanticscholar": ("s2.jsonl", _semanticscholar),
    "openreview": ("openreview.jsonl", _openreview),
    "csl-json": ("zotero.json", _csl),
    "ris": ("library.ris", _ris),
    "csv": ("papers.csv", _csv),
    "tsv": ("papers.tsv", _tsv),
}


def _file(out: Path, reader: str, count: int) -> Path:
    name, write = FORMATS[reader]
    path = out / f"{count}-{name}"
    if not path.exists():
        with tempfile.NamedTemporaryFile("w", dir=out, delete=False, encoding="utf-8", newline="") as handle:
            write(count, handle)
        Path(handle.name).rename(path)
    return path


def _read(path: Path, reader: str) -> tuple[int, float, float]:
    done = run_measured([sys.executable, "-c", CHILD, str(path), reader])
    if done.returncode != 0:
        raise RuntimeError(f"reading {path} as {reader} failed:\n{done.stderr}")
    count, seconds = done.stdout.split()
    return int(count), float(seconds), done.peak_rss_mb


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=100_000)
    parser.add_argument("--out", type=Path, default=Path(tempfile.gettempdir()) / "kg-readers")
    parser.add_argument("--formats", default=",".join(FORMATS))
    args = parser.parse_args()
    args.out.mkdir(parents=True, exist_ok=True)
    rows = []
    for reader in args.formats.split(","):
        small_count, _, small_peak = _read(_file(args.out, reader, 1000), reader)
        path = _file(args.out, reader, args.records)
        count, seconds, peak = _read(path, reader)
        assert small_count == 1000 and count == args.records, (reader, small_count, count)
        rate = count / seconds
        rows.append(
            {
                "reader": reader,
                "records": count,
                "file MB": round(path.stat().st_size / 1e6, 1),
                "seconds": round(seconds, 2),
                "records/s": round(rate),
                "peak MB @1k": round(small_peak),
                f"peak MB @{count // 1000}k": round(peak),
                "target": "ok" if rate >= TARGET else f"below {TARGET:.0f}/s",
            }
        )
    print_table(rows, f"Readers: {args.records:,} synthetic records per format")


if __name__ == "__main__":
    main()
