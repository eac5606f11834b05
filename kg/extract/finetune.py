"""Fine-tune the span tagger on hand annotations: ``kg train --annotations FILE --out DIR``.

Adapts the shipped tagger (or ``--model DIR``) to a field: the annotated texts
(:mod:`kg.extract.annotations`) are taught as complete annotations for a fixed number of
epochs, in a seeded order, from the base model's weights (spaCy ``resume_training``), so the same
files, base and seed give the same model. The result goes to a new folder, never over the shipped
model, written beside it and swapped in whole: a failed run leaves ``--out`` as it was. Its
``meta.json`` names the base, the annotation files (with their SHA-256) and the recipe; its rule
is ``model:<base>-tuned@<base version>-<digest>``, so mentions say which fine-tune found them.

``--eval FILE`` (same formats) prints precision, recall and F1 per type at the end, before and
after: the tagger alone on exact spans, and ``kg extract`` (rules + tagger) on the normalised
surface text per text, the scoring ``benchmarks/bench_extract.py`` uses for SciERC. The eval set
is not used to pick an epoch or anything else.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from pathlib import Path

from kg.errors import KgError, UsageError
from kg.extract.annotations import LABELS, Annotated, Annotations, examples, read_all

DEFAULT_EPOCHS = 10
BATCH = 8
DROPOUT = 0.2


def check_out(out: Path) -> None:
    """Refuse an ``--out`` that would overwrite the shipped model or a folder that is not a model."""
    from kg.extract.tagger import default_model_dir

    if out.resolve() == default_model_dir().resolve():
        raise UsageError(f"--out {out} is kg's shipped model; fine-tune into another folder")
    if out.exists() and (not out.is_dir() or (any(out.iterdir()) and not (out / "meta.json").is_file())):
        raise UsageError(f"--out {out} exists and is not a model folder; choose a new or empty folder")


def _digest(files: Sequence[Annotations], seed: int, epochs: int, base: str) -> tuple[str, list[dict]]:
    digest = hashlib.sha256(f"{base}|{seed}|{epochs}".encode())
    described = []
    for found in files:
        content = hashlib.sha256(found.path.read_bytes()).hexdigest()
        digest.update(content.encode())
        described.append(
            {"file": found.path.name, "format": found.format, "sha256": content, "texts": len(found.texts),
             "spans": dict(found.spans)}
        )  # fmt: skip
    return digest.hexdigest()[:8], described


def finetune(
    annotation_files: Sequence[Path],
    out: Path,
    base: Path | None = None,
    seed: int = 0,
    epochs: int = DEFAULT_EPOCHS,
    format: str | None = None,
    eval_files: Sequence[Path] = (),
    log: Callable[[str], None] = print,
) -> dict:
    """Fine-tune the tagger at ``base`` (default: the shipped one) on ``annotation_files`` and
    save it to ``out``; returns its kg meta. Every file is read and checked first, so bad input
    (:class:`kg.errors.InputError`) leaves ``out`` untouched."""
    from spacy.util import fix_random_seed, minibatch

    from kg.extract import pipeline, rules_fingerprint
    from kg.extract.tagger import default_model_dir, load_tagger

    check_out(out)
    files = read_all(annotation_files, format)
    evaluated = [t for found in read_all(eval_files, format) for t in found.texts]
    for found in files:
        log(f"annotations {found.summary()}")
    started = time.perf_counter()
    base_dir = Path(base or default_model_dir())
    nlp = load_tagger.__wrapped__(base_dir)  # a fresh copy: the cached one serves extraction
    facts = dict(nlp.meta["kg"])
    fix_random_seed(seed)
    train_set = [ex for found in files for ex in examples(nlp, found.texts, found.path)]
    optimizer = nlp.resume_training()
    for epoch in range(1, epochs + 1):
        random.Random(seed + epoch).shuffle(train_set)
        losses: dict[str, float] = {}
        for batch in minibatch(train_set, size=BATCH):
            nlp.update(batch, drop=DROPOUT, sgd=optimizer, losses=losses)
        log(f"epoch {epoch}/{epochs}: loss {losses.get('ner', 0.0):.1f} ({time.perf_counter() - started:.0f}s)")
    based_on = f"{facts['name']}@{facts['version']}"
    digest, described = _digest(files, seed, epochs, based_on)
    name = str(facts["name"]).removesuffix("-tuned") + "-tuned"
    finetuned = {"base": based_on, "annotations": described, "seed": seed, "epochs": epochs,
                 "texts": len(train_set), "batch": BATCH, "dropout": DROPOUT}  # fmt: skip
    # The confidence a tagged mention carries stays the base model's (an eval set only reports).
    facts = {"name": name, "version": f"{facts['version']}-{digest}", "confidence": facts["confidence"],
             "finetuned": finetuned, "base_meta": facts}  # fmt: skip
    nlp.meta["kg"] = facts
    nlp.meta["name"] = name.replace("-", "_")
    _save(nlp, out)
    size = sum(p.stat().st_size for p in out.rglob("*") if p.is_file()) / 1e6
    log(f"saved to {out} ({size:.1f} MB, {time.perf_counter() - started:.0f}s); use it with `kg build --model {out}`")
    for cached in (load_tagger, pipeline, rules_fingerprint):  # a model loaded from `out` before is stale
        cached.cache_clear()
    if evaluated:
        for title, counts in evaluation(evaluated, base_dir, out, nlp):
            log(title)
            log(counts)
    return facts


def _save(nlp, out: Path) -> None:
    """Write the model beside ``out`` and swap it in whole; an older model there is replaced
    only once the new one is complete, and put back if the swap fails."""
    staging = out.parent / f".{out.name}.tmp-{os.getpid()}"
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
        nlp.to_disk(staging)
        if out.exists():
            out.rename(old)
        try:
            staging.rename(out)
        except OSError:
            if old.exists():
                old.rename(out)
            raise
    except OSError as error:
        raise KgError(f"cannot write the model to {out} ({error.strerror or error}); choose another --out") from error
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    shutil.rmtree(old, ignore_errors=True)


def score_texts(texts: Sequence[Annotated], model) -> dict:
    """``kg extract`` with ``model`` over ``texts`` scored on normalised surface text per text
    (:func:`kg.extract.evaluate.score_sets`): what ``bench_extract.py`` does for SciERC."""
    from kg.extract import extract_documents
    from kg.extract.evaluate import new_counts, score_sets

    counts = new_counts()
    found = extract_documents([t.text for t in texts], model=model)
    for number, (annotated, mentions) in enumerate(zip(texts, found, strict=True), 1):
        gold: dict[str, set[str]] = defaultdict(set)
        for start, end, label in annotated.spans:
            gold[label].add(annotated.text[start:end])
        predicted: dict[str, set[str]] = defaultdict(set)
        for mention in mentions:
            predicted[mention.type].add(mention.text)
        score_sets(counts, gold, predicted, f"text {number}")
    return counts


def _exact(nlp, texts: Sequence[Annotated]) -> str:
    """The tagger alone on exact spans (spaCy's scorer), one row per type."""
    scores = nlp.evaluate(examples(nlp, texts, Path("--eval")))
    per_type = scores.get("ents_per_type") or {}
    lines = [f"{'type':8} {'precision':>9} {'recall':>7} {'f1':>6}"]
    for label in LABELS:
        got = per_type.get(label, {})
        lines.append(f"{label:8} {got.get('p', 0.0):9.3f} {got.get('r', 0.0):7.3f} {got.get('f', 0.0):6.3f}")
    return "\n".join(lines)


def evaluation(texts: Sequence[Annotated], base: Path, out: Path, tuned) -> list[tuple[str, str]]:
    """Before/after tables on the eval texts: tagger alone (exact spans), then ``kg extract``."""
    from kg.extract.evaluate import table
    from kg.extract.tagger import load_tagger

    before = load_tagger.__wrapped__(base)
    rows = [
        (f"eval, tagger alone, exact spans: base {base}", _exact(before, texts)),
        (f"eval, tagger alone, exact spans: fine-tuned {out}", _exact(tuned, texts)),
        (f"eval, kg extract (rules + base tagger), surface forms per text, {len(texts)} texts",
         table(score_texts(texts, base))),
        ("eval, kg extract (rules + fine-tuned tagger)", table(score_texts(texts, out))),
    ]  # fmt: skip
    return rows
