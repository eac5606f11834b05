"""The extraction commands: ``kg extract`` (tag any text, no store) and ``kg train`` (rebuild
the shipped span tagger). Each imports spaCy and the extractor in its body, so ``kg --help``
stays fast."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kg.commands.options import chosen_model, extraction_options
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
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), help="Model folder (default: kg's own).")
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--epochs", type=click.IntRange(min=1), default=6, show_default=True)
@click.option("--limit", type=click.IntRange(min=1), help="Train on a seeded sample of this many abstracts.")
def train(corpora: Path | None, out: Path | None, seed: int, epochs: int, limit: int | None) -> None:
    """Rebuild the span tagger from weak supervision (deterministic for a seed); prints progress
    and, in a source checkout, the held-out figures."""
    from kg.extract.tagger import default_model_dir
    from kg.extract.texts import default_corpora
    from kg.extract.train import run

    run(corpora or default_corpora(), out or default_model_dir(), seed, epochs, limit, log=click.echo)
