"""What fine-tuning the tagger on a field's hand annotations buys: SciERC train → SciERC dev.

    python benchmarks/bench_finetune.py [--epochs 10] [--seed 0] [--keep DIR]

Fine-tunes the shipped tagger on ``../shared/datasets/scierc/train.json`` (350 annotated
abstracts from AI/NLP venues) with ``kg.extract.finetune`` (what ``kg train --annotations``
runs), into a temporary folder, then scores extraction of ``dev.json`` (50 abstracts, never
trained or tuned on) exactly as ``benchmarks/bench_extract.py`` scores SciERC: normalised
surface text per abstract, Method→Method, Task→Task, Material→Dataset
(:func:`kg.extract.evaluate.scierc`). Rows: rules alone, rules + shipped tagger, rules +
fine-tuned tagger; then the fine-tuning time (wall clock and CPU).

SciERC's licence is unclear: the fine-tuned model is a measurement, never shipped (``--keep``
keeps it for a look, outside the repository).
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from kg.extract import pipeline  # noqa: E402
from kg.extract.evaluate import scierc, table  # noqa: E402
from kg.extract.finetune import DEFAULT_EPOCHS, finetune  # noqa: E402

SCIERC = ROOT.parent / "shared" / "datasets" / "scierc"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=Path, default=SCIERC / "train.json")
    parser.add_argument("--dev", type=Path, default=SCIERC / "dev.json")
    parser.add_argument("--epochs", type=int, default=DEFAULT_EPOCHS)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--keep", type=Path, default=None, help="save the fine-tuned model here (outside the repo)")
    args = parser.parse_args()
    if not args.train.exists() or not args.dev.exists():
        print(f"SciERC not found at {args.train.parent}: nothing to measure")
        return 0
    with tempfile.TemporaryDirectory() as scratch:
        out = args.keep or Path(scratch) / "tuned"
        wall, cpu = time.perf_counter(), time.process_time()
        finetune([args.train], out, seed=args.seed, epochs=args.epochs, log=lambda line: print(line, flush=True))
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        pipeline.cache_clear()
        models = (("rules only", False), ("rules + shipped tagger", True), ("rules + fine-tuned tagger", out))
        for label, model in models:
            print(f"\n== SciERC dev ({args.dev.name}), {label}\n{table(scierc(args.dev, model))}", flush=True)
    print(f"\nfine-tuning: {args.epochs} epochs, seed {args.seed}: {wall:.0f}s wall clock, {cpu:.0f}s CPU")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
