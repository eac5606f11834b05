"""The extraction commands: ``kg extract`` (tag any text, no store) and ``kg train`` (rebuild
the shipped span tagger, or fine-tune it on hand annotations). Each imports spaCy and the
extractor in its body, so ``kg --help`` stays fast."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.commands.options import chosen_model, extraction_options
from kg.extract.annotations import FORMATS
from kg.output import print_rows


@click.command()
@click.argument("source", required=False, default="-", metavar="[FILE|-]")
@click.option("--whole", is_flag=True, help="Treat the input as one document (default: one document per line).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (one object per mention).")
@extraction_options
def extract(
    source: str,
    whole: bool,
    as_json: bool,
    no_model: bool,
    model_dir: Path | None,
    min_confidence: float,
    scheme_files: tuple[Path, ...],
    scheme_mode: str,
) -> None:
    """Tag methods, datasets and tasks in any text (a file or stdin); no store is touched."""
    from kg.extract import extract_documents
    from kg.extract.scheme import SchemeChoice

    model = chosen_model(no_model, model_dir)
    scheme = SchemeChoice.of(scheme_files, scheme_mode)
    text = sys.stdin.read() if source == "-" else Path(source).read_text(encoding="utf-8")
    documents = [text] if whole else text.split("\n")
    found = extract_documents(documents, model=model, min_confidence=min_confidence, scheme=scheme)
    rows = [
        {
            "document": index + 1,
            "type": m.type,
            "concept": m.concept,
            "label": m.label,
            "text": m.text,
            "start": m.start,
            "end": m.end,
            "rule": m.rule,
            "confidence": m.confidence,
        }
        for index, mentions in enumerate(found)
        for m in mentions
    ]
    columns = ["document", "type", "label", "text", "start", "end", "rule", "confidence", "concept"]
    print_rows(rows, columns, "json" if as_json else "table")


@click.command()
@click.option(
    "--corpora",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder of conference lists with abstracts to train on besides the bundled corpus "
    "(default: ../shared/corpora beside a source checkout, when present).",
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Model folder (default: kg's own; required with --annotations).",
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--epochs", type=click.IntRange(min=1), help="Passes over the training text (default 6; fine-tuning 10).")
@click.option("--limit", type=click.IntRange(min=1), help="Train on a seeded sample of this many abstracts.")
@click.option(
    "--width", type=click.IntRange(min=1), help="The tagger's embedding and CNN width (default 96; in the model meta)."
)
@click.option("--depth", type=click.IntRange(min=1), help="The tagger's CNN layers (default 4; in the model meta).")
@click.option(
    "--annotations",
    type=click.Path(path_type=Path),
    multiple=True,
    help="Fine-tune on these hand annotations (repeatable): spaCy DocBin, JSON lines of "
    '{"text", "spans": [{"start", "end", "label"}]}, or SciERC JSON lines.',
)
@click.option("--annotations-format", type=click.Choice(FORMATS), help="Read every annotation file in this format.")
@click.option(
    "--eval",
    "eval_files",
    type=click.Path(path_type=Path),
    multiple=True,
    help="With --annotations: annotated texts (same formats) to print P/R/F1 per type on, before and after.",
)
@click.option(
    "--model",
    "model_dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="With --annotations: the model to fine-tune (default: kg's own).",
)
def train(
    corpora: Path | None,
    out: Path | None,
    seed: int,
    epochs: int | None,
    limit: int | None,
    width: int | None,
    depth: int | None,
    annotations: tuple[Path, ...],
    annotations_format: str | None,
    eval_files: tuple[Path, ...],
    model_dir: Path | None,
) -> None:
    """Rebuild the span tagger from weak supervision (deterministic for a seed); prints progress
    and, in a source checkout, the held-out figures.

    With --annotations FILE it fine-tunes the tagger (kg's own, or --model DIR) on your field's
    hand annotations instead and writes the result to --out DIR; build with `kg build --model DIR`.
    """
    from kg.errors import UsageError

    if annotations:
        from kg.extract.finetune import DEFAULT_EPOCHS, finetune

        if out is None:
            raise UsageError("--annotations needs --out DIR: the shipped model is never overwritten")
        if corpora is not None or limit is not None or width is not None or depth is not None:
            raise UsageError(
                "--corpora, --limit, --width and --depth shape training from scratch; they do not go with --annotations"
            )
        epochs = epochs or DEFAULT_EPOCHS
        finetune(annotations, out, model_dir, seed, epochs, annotations_format, eval_files, click.echo)
        return
    if eval_files or model_dir is not None or annotations_format is not None:
        raise UsageError("--eval, --model and --annotations-format go with --annotations")
    from kg.extract.tagger import default_model_dir
    from kg.extract.texts import default_corpora
    from kg.extract.train import DEFAULT_EPOCHS as WEAK_EPOCHS
    from kg.extract.train import DEPTH, WIDTH, run

    run(
        corpora or default_corpora(),
        out or default_model_dir(),
        seed,
        epochs or WEAK_EPOCHS,
        limit,
        log=click.echo,
        width=width or WIDTH,
        depth=depth or DEPTH,
    )
