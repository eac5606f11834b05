"""``kg.extract.train``'s tagger size options: a smaller tagger trains, loads and says its size."""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.errors import UsageError
from kg.extract import extract_text
from kg.extract.tagger import load_tagger
from kg.extract.texts import Abstract, training_abstracts
from kg.extract.train import DEPTH, WIDTH, tagger_config, train


def test_width_and_depth_shape_the_tagger_and_are_in_its_meta(tmp_path: Path) -> None:
    texts = [Abstract("t", str(i), a.text) for i, a in enumerate(training_abstracts(None)[:8])]
    out = tmp_path / "small"
    meta = train(texts, out, seed=3, epochs=1, log=lambda line: None, width=32, depth=1)
    assert (meta["width"], meta["depth"]) == (32, 1)
    tagger = load_tagger(out)
    assert (tagger.meta["kg"]["width"], tagger.meta["kg"]["depth"]) == (32, 1)
    encode = tagger.config["components"]["ner"]["model"]["tok2vec"]["encode"]
    assert (encode["width"], encode["depth"]) == (32, 1)
    found = extract_text("We fine-tune BERT on the SQuAD dataset.", model=out)
    assert any(m.label == "BERT" for m in found)


def test_default_size_is_the_shipped_one() -> None:
    encode = tagger_config()["model"]["tok2vec"]["encode"]
    assert (encode["width"], encode["depth"]) == (WIDTH, DEPTH) == (96, 4)


def test_a_tagger_without_layers_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UsageError, match="at least 1"):
        train([], tmp_path / "none", width=32, depth=0)
