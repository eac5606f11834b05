"""Train the span tagger from weak supervision: ``python -m kg.extract.train`` (or ``kg train``).

    python -m kg.extract.train [--corpora ../shared/corpora] [--out kg/extract/model] [--seed 0]
                               [--width 96] [--depth 4]

Steps, all deterministic for one seed: read the training abstracts (:mod:`kg.extract.texts`),
mine quality phrases over them (:mod:`kg.extract.phrases`), label every token weakly
(:mod:`kg.extract.weak`: typed rule matches, unknown phrases, outside), train a spaCy ``ner``
on a small CNN (hash embeddings + maxout window encoder) for a few epochs on the CPU, keep
the epoch with the best F1 on a weakly labelled validation split, save it and print the
figures on the held-out split (rule pipeline alone, and with the tagger).
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path

from kg.errors import UsageError
from kg.extract.texts import Abstract

MODEL_NAME = "kg-tagger"
MODEL_VERSION = "2"
WIDTH = 96
DEPTH = 4
EMBED_ROWS = (5000, 1000, 2500, 2500)
DEFAULT_EPOCHS = 6
VALIDATION = 200


def tagger_config(width: int = WIDTH, depth: int = DEPTH) -> dict:
    """The ``ner`` component's model: hash embeddings of NORM/PREFIX/SUFFIX/SHAPE (``width``
    wide) and a maxout window CNN (``depth`` layers), inside the component (no shared tok2vec: one
    self-contained pipe). A narrower or shallower tagger costs less CPU per record (width 64,
    depth 2 halved it) but found fewer methods, so the shipped one keeps the defaults."""
    return {
        "model": {
            "@architectures": "spacy.TransitionBasedParser.v2",
            "state_type": "ner",
            "extra_state_tokens": False,
            "hidden_width": 64,
            "maxout_pieces": 2,
            "use_upper": True,
            "tok2vec": {
                "@architectures": "spacy.Tok2Vec.v2",
                "embed": {
                    "@architectures": "spacy.MultiHashEmbed.v2",
                    "width": width,
                    "attrs": ["NORM", "PREFIX", "SUFFIX", "SHAPE"],
                    "rows": list(EMBED_ROWS),
                    "include_static_vectors": False,
                },
                "encode": {
                    "@architectures": "spacy.MaxoutWindowEncoder.v2",
                    "width": width,
                    "depth": depth,
                    "window_size": 1,
                    "maxout_pieces": 3,
                },
            },
        }
    }


def weak_examples(texts: Sequence[str], log: Callable[[str], None]) -> tuple[list, dict[str, int]]:
    """spaCy Examples with weak labels for ``texts``, and how many spans each weak rule gave."""
    import spacy
    from spacy.training import Example

    from kg.extract import for_matching, rule_pipeline
    from kg.extract.phrases import mine_phrases
    from kg.extract.weak import weak_tags

    rules = rule_pipeline()
    blank = spacy.blank("en")
    prepared = [for_matching(t) for t in texts]
    tokenised = [[t.text for t in doc] for doc in blank.tokenizer.pipe(prepared)]
    phrases = mine_phrases(tokenised)
    log(f"mined {len(phrases)} quality phrases from {len(texts)} abstracts")
    examples = []
    by_rule: dict[str, int] = {}
    for doc in rules.pipe(prepared, batch_size=64):
        tags, spans = weak_tags(doc, phrases)
        for span in spans:
            rule = span.rule.split(":")[0] if not span.rule.startswith("weak") else span.rule
            by_rule[rule] = by_rule.get(rule, 0) + 1
        words = [t.text for t in doc]
        spaces = [bool(t.whitespace_) for t in doc]
        from spacy.tokens import Doc

        examples.append(Example.from_dict(Doc(blank.vocab, words=words, spaces=spaces), {"entities": tags}))
    return examples, by_rule


def train(
    abstracts: Sequence[Abstract],
    out: Path | None,
    seed: int = 0,
    epochs: int = DEFAULT_EPOCHS,
    log: Callable[[str], None] = print,
    width: int = WIDTH,
    depth: int = DEPTH,
) -> dict:
    """Train on ``abstracts`` and save the best epoch's model to ``out``; returns its meta (the
    model's ``width`` and ``depth`` included, so a model says what it is)."""
    if width < 1 or depth < 1:
        raise UsageError(f"the tagger needs a width and a depth of at least 1 (got {width} and {depth})")
    import spacy
    from spacy.util import fix_random_seed, minibatch

    from kg.extract.weak import LABELS

    fix_random_seed(seed)
    started = time.perf_counter()
    ordered = list(abstracts)
    random.Random(seed).shuffle(ordered)
    examples, by_rule = weak_examples([a.text for a in ordered], log)
    counted = ", ".join(f"{k} {v}" for k, v in sorted(by_rule.items()))
    log(f"weak labels: {counted} ({time.perf_counter() - started:.0f}s)")
    held = min(VALIDATION, len(examples) // 5)
    valid, train_set = examples[:held], examples[held:]
    nlp = spacy.blank("en")
    ner = nlp.add_pipe("ner", config=tagger_config(width, depth))
    for label in LABELS:
        ner.add_label(label)
    optimizer = nlp.initialize(lambda: train_set[:300])
    best: tuple[float, bytes | None, dict] = (-1.0, None, {})
    for epoch in range(1, epochs + 1):
        random.Random(seed + epoch).shuffle(train_set)
        losses: dict[str, float] = {}
        for batch in minibatch(train_set, size=16):
            nlp.update(batch, drop=0.2, sgd=optimizer, losses=losses)
        scores = nlp.evaluate(valid) if valid else {"ents_f": 0.0, "ents_per_type": {}}
        f1 = scores.get("ents_f") or 0.0
        log(
            f"epoch {epoch}/{epochs}: loss {losses.get('ner', 0.0):.0f}, weak-validation P/R/F1 "
            f"{scores.get('ents_p') or 0:.3f}/{scores.get('ents_r') or 0:.3f}/{f1:.3f} "
            f"({time.perf_counter() - started:.0f}s)"
        )
        if f1 > best[0]:
            with nlp.select_pipes(enable=["ner"]):
                best = (f1, nlp.to_bytes(), scores)
    if best[1] is not None:
        nlp.from_bytes(best[1])
    per_type = best[2].get("ents_per_type") or {}
    meta = {
        "name": MODEL_NAME,
        "version": MODEL_VERSION,
        "seed": seed,
        "epochs": epochs,
        "width": width,
        "depth": depth,
        "texts": len(train_set),
        "validation_texts": len(valid),
        "weak_rules": by_rule,
        # A tagged span's confidence: the tagger's precision for its type on the weakly labelled
        # validation split (spans inside unknown regions are not counted against it).
        "confidence": {label: round(min(0.85, max(0.3, per_type.get(label, {}).get("p", 0.5))), 3) for label in LABELS},
        "validation": {label: per_type.get(label, {}) for label in LABELS},
    }
    nlp.meta["name"] = MODEL_NAME.replace("-", "_")
    nlp.meta["version"] = MODEL_VERSION + ".0.0"
    nlp.meta["kg"] = meta
    if out is not None:
        out.mkdir(parents=True, exist_ok=True)
        nlp.to_disk(out)
        log(f"saved to {out} ({sum(p.stat().st_size for p in out.rglob('*') if p.is_file()) / 1e6:.1f} MB)")
    return meta


def heldout_figures(model: Path, log: Callable[[str], None]) -> None:
    """Print P/R/F1 per type on the held-out split (benchmarks/data/extraction_heldout.jsonl,
    present in a source checkout), with the rules alone and with the tagger at ``model``."""
    from kg.extract import pipeline
    from kg.extract.evaluate import corpus_units, table
    from kg.extract.texts import heldout_file

    units = heldout_file()
    if units is None:
        log("held-out figures: no benchmarks/data/extraction_heldout.jsonl here (not a source checkout)")
        return
    pipeline.cache_clear()
    for label, which in (("rules only", False), ("rules + tagger", model)):
        log(f"held-out split ({units.name}), {label}:\n{table(corpus_units(units, which))}")


def run(
    corpora: Path | None,
    out: Path,
    seed: int = 0,
    epochs: int = DEFAULT_EPOCHS,
    limit: int | None = None,
    log: Callable[[str], None] = print,
    width: int = WIDTH,
    depth: int = DEPTH,
) -> dict:
    """The whole recipe: texts, weak labels, training, saving to ``out``, held-out figures."""
    from kg.extract.texts import training_abstracts

    abstracts = training_abstracts(corpora, limit, seed)
    also = f" and {corpora}" if corpora is not None and corpora.exists() else ""
    log(f"{len(abstracts)} training abstracts (bundled corpus{also})")
    meta = train(abstracts, out, seed, epochs, log, width, depth)
    heldout_figures(out, log)
    return meta


def main(argv: Sequence[str] | None = None) -> int:
    from kg.extract.tagger import default_model_dir
    from kg.extract.texts import default_corpora

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpora", type=Path, default=default_corpora())
    parser.add_argument("--out", type=Path, default=None, help="model folder (default: kg's own)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--epochs", type=int, default=None, help=f"default {DEFAULT_EPOCHS} (fine-tuning: 10)")
    parser.add_argument("--limit", type=int, default=None, help="train on a seeded sample of this many abstracts")
    parser.add_argument("--width", type=int, default=WIDTH, help="the tagger's embedding and CNN width")
    parser.add_argument("--depth", type=int, default=DEPTH, help="the tagger's CNN layers")
    # Fine-tuning on hand annotations instead (kg.extract.finetune; --out required).
    parser.add_argument("--annotations", type=Path, action="append", default=[])
    parser.add_argument("--annotations-format", default=None)
    parser.add_argument("--eval", type=Path, action="append", default=[])
    parser.add_argument("--model", type=Path, default=None, help="the model to fine-tune (default: kg's own)")
    args = parser.parse_args(argv)
    log = lambda line: print(line, flush=True)  # noqa: E731
    if args.annotations:
        from kg.extract.finetune import DEFAULT_EPOCHS as TUNE_EPOCHS
        from kg.extract.finetune import finetune

        if args.out is None:
            parser.error("--annotations needs --out DIR (the shipped model is never overwritten)")
        epochs = args.epochs or TUNE_EPOCHS
        finetune(args.annotations, args.out, args.model, args.seed, epochs, args.annotations_format, args.eval, log)
        return 0
    out = args.out or default_model_dir()
    run(
        args.corpora,
        out,
        args.seed,
        args.epochs or DEFAULT_EPOCHS,
        args.limit,
        log=log,
        width=args.width,
        depth=args.depth,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
