"""Relation extraction quality on SciERC, and its cost in a build.

    python benchmarks/bench_relations.py [--split dev|train] [--errors] [--build]

Quality: every abstract of ``../shared/datasets/scierc/<split>.json`` (default ``dev``, held
out: the patterns are tuned on ``train`` only) is joined back into text (tokens separated by
spaces) and its relations of four types, USED-FOR, EVALUATE-FOR, HYPONYM-OF and COMPARE, are
compared with what :func:`kg.extract.relations.find_relations` finds, as sets of (type,
normalised head, normalised tail) per abstract (COMPARE unordered: it is symmetric). Two runs:

- *gold mentions*: the annotated entities (Material as Dataset; Metric, OtherScientificTerm and
  Generic as types kg never produces), so the relation step is measured alone;
- *end to end*: kg's own mentions (:func:`kg.extract.extract_documents` over the abstracts).

Each run is scored twice: *exact* on the arguments as the patterns read them (a relation's
``head_span``/``tail_span``, the mentions completed to their noun phrases), and *relaxed* on head
words (the last word of each normalised argument), which forgives a boundary that kg draws
differently from the annotators ("BERT" for "BERT model"). Then (c), the *ceiling*: the share of
gold relations whose two arguments are both on spans kg's own mentions find, or both at least
partly covered by one; no pattern can find a relation whose argument no mention touches, so the
second share bounds end-to-end recall. Then (d), the share of gold relations whose two
arguments are of types kg extracts at all (Method, Task, Material), which bounds any extractor
that follows ../shared/ANNOTATION.md.

kg's ``evaluated_on`` (method → dataset) is SciERC's EVALUATE-FOR read backwards (dataset →
method); ``variant_of`` is HYPONYM-OF. ``--errors`` lists misses and false hits (never use it on
dev while tuning). ``--build`` times ``kg build`` of the default corpus with and without the
relation step (medians of three fresh processes each, wall and CPU) and the step alone.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from benchmarks._common import run_measured  # noqa: E402
from kg.extract import extract_documents  # noqa: E402
from kg.extract.relations import find_relations  # noqa: E402
from kg.normalize import key  # noqa: E402

SCIERC = ROOT.parent / "shared" / "datasets" / "scierc"
LABELS = ("USED-FOR", "EVALUATE-FOR", "HYPONYM-OF", "COMPARE")
GOLD_TYPES = {"Method": "Method", "Task": "Task", "Material": "Dataset", "Metric": "Metric"}
SCOPE = {"Method", "Task", "Material"}  # SciERC entity types kg's ontology has (Material as Dataset)
_BRACKETS = {"-lrb-": "(", "-rrb-": ")", "-lsb-": "[", "-rsb-": "]", "-LRB-": "(", "-RRB-": ")"}
_LEADING = {"the", "a", "an", "our", "this", "these", "its", "their", "such"}


class Span:
    """A gold entity as a mention: character span and type."""

    def __init__(self, start: int, end: int, type_: str) -> None:
        self.start, self.end, self.type = start, end, type_


def normalised(text: str) -> str:
    """Matching form of a head or tail: folded, leading determiners dropped, last word singular."""
    words = key(text).split()
    while words and words[0] in _LEADING:
        words = words[1:]
    if words and len(words[-1]) > 3 and words[-1].endswith("s") and not words[-1].endswith(("ss", "us", "is")):
        words[-1] = words[-1][:-1]
    return " ".join(words)


def _document(line: str) -> tuple[str, list[Span], set[tuple[str, str, str]], list[tuple[Span, Span]]]:
    """(text, gold entities, gold relations, their argument spans) of one SciERC abstract."""
    doc = json.loads(line)
    tokens = [_BRACKETS.get(t, t) for sentence in doc["sentences"] for t in sentence]
    starts, position = [], 0
    for token in tokens:
        starts.append(position)
        position += len(token) + 1
    text = " ".join(tokens)

    def span_text(first: int, last: int) -> str:
        return text[starts[first] : starts[last] + len(tokens[last])]

    entities = [
        Span(starts[s], starts[e] + len(tokens[e]), GOLD_TYPES.get(label, "Other" if label != "Generic" else label))
        for sentence in doc["ner"]
        for s, e, label in sentence
    ]
    labels = {(s, e): label for sentence in doc["ner"] for s, e, label in sentence}
    relations, arguments = set(), []
    for sentence in doc["relations"]:
        for s1, e1, s2, e2, label in sentence:
            if label in LABELS:
                relations.add(_fact(label, span_text(s1, e1), span_text(s2, e2)))
                ends = (starts[e1] + len(tokens[e1]), starts[e2] + len(tokens[e2]))
                head = Span(starts[s1], ends[0], labels.get((s1, e1), "Other"))
                tail = Span(starts[s2], ends[1], labels.get((s2, e2), "Other"))
                arguments.append((head, tail))
    return text, entities, relations, arguments


def _fact(label: str, head: str, tail: str) -> tuple[str, str, str]:
    pair = (normalised(head), normalised(tail))
    return (label, *sorted(pair)) if label == "COMPARE" else (label, *pair)


def predicted(text: str, mentions: list) -> set[tuple[str, str, str]]:
    """SciERC-style facts of kg's relations in ``text``."""
    facts = set()
    for relation in find_relations(text, mentions):
        head, tail = text[slice(*relation.head_span)], text[slice(*relation.tail_span)]
        if relation.relation == "used_for":
            facts.add(_fact("USED-FOR", head, tail))
        elif relation.relation == "evaluated_on":
            facts.add(_fact("EVALUATE-FOR", tail, head))
        elif relation.relation == "variant_of":
            facts.add(_fact("HYPONYM-OF", head, tail))
        else:
            facts.add(_fact("COMPARE", head, tail))
    return facts


def score(gold: list[set], found: list[set], errors: bool) -> dict[str, dict[str, float]]:
    counts = {label: Counter() for label in (*LABELS, "all")}
    for index, (expected, got) in enumerate(zip(gold, found, strict=True)):
        for fact in got | expected:
            outcome = "tp" if fact in got and fact in expected else ("fp" if fact in got else "fn")
            counts[fact[0]][outcome] += 1
            counts["all"][outcome] += 1
            if errors and outcome != "tp":
                print(f"  {outcome} #{index} {fact}", file=sys.stderr)
    table = {}
    for label, c in counts.items():
        precision = c["tp"] / (c["tp"] + c["fp"]) if c["tp"] + c["fp"] else 0.0
        recall = c["tp"] / (c["tp"] + c["fn"]) if c["tp"] + c["fn"] else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        table[label] = {"p": precision, "r": recall, "f1": f1, "tp": c["tp"], "fp": c["fp"], "fn": c["fn"]}
    return table


def _print(title: str, table: dict[str, dict[str, float]]) -> None:
    print(f"\n{title}\n{'type':<14}{'P':>7}{'R':>7}{'F1':>7}{'tp':>6}{'fp':>6}{'fn':>6}")
    for label, row in table.items():
        print(f"{label:<14}{row['p']:7.3f}{row['r']:7.3f}{row['f1']:7.3f}{row['tp']:6d}{row['fp']:6d}{row['fn']:6d}")


# A build in a fresh interpreter that prints its own CPU seconds; WITHOUT turns the relation step
# into a no-op, so the two differ by that step alone.
_BUILD = (
    "import os, resource, kg{without}; kg.build(store=os.environ['KG_STORE']); "
    "usage = resource.getrusage(resource.RUSAGE_SELF); print(usage.ru_utime + usage.ru_stime)"
)
_WITHOUT = "; import kg.resolve.builder as builder; builder.add_relations = lambda *args: None"


def _build(without: bool) -> tuple[float, float]:
    """(wall, CPU) seconds of one ``kg build`` of the default corpus in a fresh process."""
    with tempfile.TemporaryDirectory() as scratch:
        env = {**os.environ, "KG_STORE": str(Path(scratch) / "store")}
        code = _BUILD.format(without=_WITHOUT if without else "")
        measured = run_measured([sys.executable, "-c", code], env=env)
        if measured.returncode != 0:
            raise SystemExit(measured.stderr)
        return measured.wall, float(measured.stdout.split()[-1])


def build_cost(repeats: int = 3) -> dict[str, float]:
    """Median wall and CPU time of ``kg build`` on the default corpus with and without the
    relation step (fresh processes, interleaved so a busy machine slows both alike), and the
    median time of the step alone (:func:`kg.resolve.relations.add_relations`, in this process):
    on a shared machine the builds vary by more than the step costs, so the step is the firm
    figure and the builds show it is lost in their noise."""
    from kg.extract import extract_records
    from kg.resolve import resolve
    from kg.resolve.builder import record_order
    from kg.resolve.concepts import resolve_mentions
    from kg.resolve.papers import resolve_papers
    from kg.resolve.relations import add_relations
    from kg.resources import default_corpus
    from kg.sources import iter_input_files, read_file

    runs: dict[bool, list[tuple[float, float]]] = {False: [], True: []}
    for _ in range(repeats):
        for without in (False, True):
            runs[without].append(_build(without))
    records = [r for path in iter_input_files([default_corpus()]) for r in read_file(path)]
    mentions = extract_records(records)
    graph, _ = resolve(records, mentions)
    order = record_order(records)
    ordered = [records[i] for i in order]
    papers = resolve_papers(ordered).of_record
    resolved = resolve_mentions([mentions[i] for i in order])
    steps = []
    for _ in range(2 * repeats - 1):
        started = time.perf_counter()
        add_relations(graph, ordered, papers, resolved)
        steps.append(time.perf_counter() - started)
    return {
        "wall": statistics.median(w for w, _ in runs[False]),
        "wall_without": statistics.median(w for w, _ in runs[True]),
        "cpu": statistics.median(c for _, c in runs[False]),
        "cpu_without": statistics.median(c for _, c in runs[True]),
        "spread": max(w for w, _ in runs[False] + runs[True]) - min(w for w, _ in runs[False] + runs[True]),
        "relations": statistics.median(steps),
    }


def relaxed(facts: set[tuple[str, str, str]]) -> set[tuple[str, str, str]]:
    """The facts matched on head words: the last word of each normalised argument, so "BERT
    model" meets "model" and "question answering system" meets "system" (COMPARE unordered)."""
    found = set()
    for label, head, tail in facts:
        words = (head.split()[-1] if head else "", tail.split()[-1] if tail else "")
        found.add((label, *sorted(words)) if label == "COMPARE" else (label, *words))
    return found


def _overlaps(span: Span, mentions: list) -> bool:
    return any(m.start < span.end and span.start < m.end for m in mentions)


def ceiling(documents: list, found: list[list]) -> dict[str, int]:
    """How many gold relations kg's own mentions could reach at all: both arguments on an
    annotated span, or both at least partly covered by one of kg's mentions. A relation whose
    argument no mention touches cannot be found end to end, whatever the patterns do."""
    counts = {"relations": 0, "exact": 0, "partly": 0}
    for (_, _, _, arguments), mentions in zip(documents, found, strict=True):
        spans = {(m.start, m.end) for m in mentions}
        for head, tail in arguments:
            counts["relations"] += 1
            counts["exact"] += (head.start, head.end) in spans and (tail.start, tail.end) in spans
            counts["partly"] += _overlaps(head, mentions) and _overlaps(tail, mentions)
    return counts


def in_scope(documents: list) -> Counter:
    """Gold relations by whether kg's ontology can hold both arguments at all. SciERC also
    annotates Generic ("this approach", "the system"), OtherScientificTerm and Metric entities,
    which ../shared/ANNOTATION.md leaves out of the graph; a relation with such an argument is
    out of reach of any extractor that follows it, however good."""
    counts: Counter = Counter()
    for _, _, _, arguments in documents:
        for head, tail in arguments:
            counts["relations"] += 1
            counts["in scope"] += head.type in SCOPE and tail.type in SCOPE
            for span in (head, tail):
                if span.type not in SCOPE:
                    counts[f"argument {span.type}"] += 1
    return counts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--split", choices=("dev", "train"), default="dev")
    parser.add_argument("--errors", action="store_true", help="list misses and false hits on stderr")
    parser.add_argument("--build", action="store_true", help="also time kg build with and without relations")
    args = parser.parse_args()
    lines = (SCIERC / f"{args.split}.json").read_text(encoding="utf-8").splitlines()
    documents = [_document(line) for line in lines if line.strip()]
    gold = [document[2] for document in documents]
    with_gold = [predicted(text, entities) for text, entities, _, _ in documents]
    texts = [document[0] for document in documents]
    found = extract_documents(texts)
    own = [predicted(text, mentions) for text, mentions in zip(texts, found, strict=True)]
    exact = sum(
        any((m.start, m.end) == (e.start, e.end) for e in document[1])
        for document, mentions in zip(documents, found, strict=True)
        for m in mentions
    )
    print(f"SciERC {args.split}: {len(documents)} abstracts, {sum(map(len, gold))} gold relations of {LABELS}")
    print(
        f"entities: {sum(len(d[1]) for d in documents)} annotated; kg finds {sum(map(len, found))} mentions, "
        f"{exact} of them on an annotated span"
    )
    _print("(a) gold mentions (relation step alone), exact", score(gold, with_gold, args.errors))
    _print(
        "    gold mentions, relaxed (head words)", score(list(map(relaxed, gold)), list(map(relaxed, with_gold)), False)
    )
    _print("(b) end to end (kg's own mentions), exact", score(gold, own, args.errors))
    _print("    end to end, relaxed (head words)", score(list(map(relaxed, gold)), list(map(relaxed, own)), False))
    reach = ceiling(documents, found)
    print(f"\n(c) ceiling of end to end: of {reach['relations']} gold relations (argument pairs)")
    for kind, words in (("exact", "on annotated spans kg also finds"), ("partly", "each touched by a kg mention")):
        print(f"  both arguments {words:<34}{reach[kind]:6d}  {reach[kind] / reach['relations']:6.1%}")
    scope = in_scope(documents)
    print(
        f"\n(d) in kg's scope: {scope['in scope']} of {scope['relations']} gold relations "
        f"({scope['in scope'] / scope['relations']:.1%}) join two Method/Task/Material arguments; the rest have"
    )
    others = sorted((k for k in scope if k.startswith("argument ")), key=lambda k: -scope[k])
    print("  " + ", ".join(f"{scope[k]} {k.removeprefix('argument ')}" for k in others) + " arguments")
    if args.build:
        cost = build_cost()
        print("\nkg build, default corpus (medians of 3, fresh processes)")
        print(f"  {'':<28}{'with':>9}{'without':>9}{'growth':>9}")
        for kind in ("wall", "cpu"):
            grown = cost[kind] / cost[f"{kind}_without"] - 1
            print(f"  {kind + ' seconds':<28}{cost[kind]:9.2f}{cost[f'{kind}_without']:9.2f}{grown:+9.1%}")
        print(f"  spread of the six wall times  {cost['spread']:7.2f} s")
        print(f"  relation step alone           {cost['relations']:7.3f} s (median of 5), ", end="")
        print(f"{cost['relations'] / cost['wall_without']:+.1%} of a build without it")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
