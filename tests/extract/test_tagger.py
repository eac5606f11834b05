"""The trained span tagger: weak labels, a tiny training run, the shipped model in the
pipeline, discovered concepts in a built store, and bad model folders."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.errors import ModelError
from kg.extract import extract_records, extract_text, for_matching, pipeline, rule_pipeline
from kg.extract.phrases import mine_phrases
from kg.extract.tagger import MODEL_COMPONENT, default_model_dir, is_unsupported, load_tagger
from kg.extract.texts import Abstract, holdout_split, training_abstracts
from kg.extract.weak import MISSING, weak_tags
from kg.resolve.concept_variants import scheme_parent
from kg.sources import read_file


def test_weak_labels_type_rule_matches_and_leave_mined_phrases_unknown() -> None:
    text = "We train a Transformer on ImageNet. The task of symbolic regression needs curvature aware sampling."
    doc = rule_pipeline()(for_matching(text))
    words = [t.text for t in doc]
    phrases = frozenset({("curvature", "aware", "sampling")})
    tags, spans = weak_tags(doc, phrases)
    assert tags[words.index("Transformer")] == "U-Method"
    assert tags[words.index("ImageNet")] == "U-Dataset"
    assert {s.label for s in spans if s.start == words.index("symbolic")} == {"Task"}
    assert [tags[words.index(w)] for w in ("curvature", "aware", "sampling")] == [MISSING] * 3
    assert tags[words.index("needs")] == "O"


def test_phrase_mining_keeps_frequent_cohesive_phrases() -> None:
    docs = [["we", "apply", "the", "graph", "attention", "networks", "here"]] * 3 + [["graph", "theory"], ["attention"]]
    phrases = mine_phrases(docs)
    assert ("graph", "attention", "networks") in phrases
    assert ("the", "graph") not in phrases and ("networks", "here") not in phrases  # stop words end runs


def test_heldout_split_is_fixed_and_kept_out_of_training() -> None:
    split = holdout_split()
    assert len(split) == 30 and split == holdout_split()
    keys = {k for a in split for k in a.keys}
    assert not any(a.keys & keys for a in training_abstracts(None))


def test_tiny_training_run_gives_a_loadable_model(tmp_path: Path) -> None:
    from kg.extract.train import train

    texts = [a for a in training_abstracts(None) if a.source.startswith("iclr2021")][:40]
    out = tmp_path / "model"
    meta = train(texts, out, seed=1, epochs=1, log=lambda line: None)
    assert set(meta["confidence"]) == {"Method", "Dataset", "Task"}
    tagger = load_tagger(out)
    assert tagger.meta["kg"]["seed"] == 1
    found = extract_text("We fine-tune BERT on the SQuAD dataset.", model=out)
    assert any(m.label == "BERT" and m.rule.startswith("lexicon") for m in found)


def test_training_is_deterministic_for_a_seed(tmp_path: Path) -> None:
    from kg.extract.train import train

    texts = [Abstract("t", str(i), a.text) for i, a in enumerate(training_abstracts(None)[:12])]
    train(texts, tmp_path / "a", seed=3, epochs=1, log=lambda line: None)
    train(texts, tmp_path / "b", seed=3, epochs=1, log=lambda line: None)
    assert (tmp_path / "a" / "ner" / "model").read_bytes() == (tmp_path / "b" / "ner" / "model").read_bytes()


def test_shipped_model_proposes_names_the_scheme_lacks_and_lexicon_wins() -> None:
    assert MODEL_COMPONENT in pipeline().pipe_names
    assert MODEL_COMPONENT not in pipeline(False).pipe_names
    text = (
        "We propose hierarchical attention networks for document classification and compare them with "
        "DiffWave and BERT-large on several benchmarks."
    )
    found = extract_text(text)
    tagged = [m for m in found if m.rule.startswith("model:")]
    assert tagged, "the tagger proposes spans no rule found"
    for mention in tagged:
        meta = load_tagger().meta["kg"]
        assert mention.rule == f"model:{meta['name']}@{meta['version']}"
        assert 0 < mention.confidence <= 1 and mention.discovered
        assert text[mention.start : mention.end] == mention.text
    bert = next(m for m in found if "BERT" in m.text)
    assert bert.rule.startswith("lexicon") and bert.concept == "concept/bert"
    assert not any(m.rule.startswith("model:") for m in extract_text(text, model=False))


def test_min_confidence_drops_weaker_mentions(corpus: Path) -> None:
    records = list(read_file(corpus / "iclr2021_authors_tldr_abstracts.txt"))[:40]
    every = [m for found in extract_records(records) for m in found]
    floor = 0.9
    kept = [m for found in extract_records(records, min_confidence=floor) for m in found]
    assert kept and len(kept) < len(every)
    assert all(m.confidence >= floor for m in kept)


def test_variants_are_linked_to_their_scheme_concept() -> None:
    assert scheme_parent("BERT-large", "Method") == "concept/bert"
    assert scheme_parent("ResNet-152", "Method") == "concept/resnet"
    assert scheme_parent("Few-Shot Image Synthesis", "Task") is not None
    assert scheme_parent("DiffWave", "Method") is None
    assert scheme_parent("BERT-large", "Dataset") is None  # only within one type


def test_discovered_concepts_in_a_built_store(handle: kg.KnowledgeGraph) -> None:
    stats = handle.stats()
    assert stats["concepts"]["discovered"] > 0 and stats["concepts"]["scheme"] > 0
    rows = handle.sparql(
        "SELECT ?c ?by ?conf WHERE { ?c kg:discovered true ; kg:discoveredBy ?by ; kg:confidence ?conf }"
    ).rows
    assert len(rows) == stats["concepts"]["discovered"]
    assert any(str(r["by"]).startswith("model:") for r in rows)
    assert all(0 < float(r["conf"]) <= 1 for r in rows)
    linked = handle.sparql("SELECT ?c ?p WHERE { ?c kg:discovered true ; skos:broader ?p }").rows
    assert linked, "some discovered concepts are variants of scheme concepts"
    labels = handle.sparql("SELECT ?l WHERE { ?c kg:discovered true ; skos:prefLabel ?l }").rows
    assert not {str(r["l"]).lower() for r in labels} & {"our method", "the model", "this task", "method", "model"}


def _damaged(tmp_path: Path) -> Path:
    folder = tmp_path / "damaged"
    shutil.copytree(default_model_dir(), folder)
    (folder / "ner" / "model").write_bytes(b"\x00not a model")
    return folder


def test_bad_model_folders_raise_model_error(tmp_path: Path) -> None:
    with pytest.raises(ModelError, match=r"meta\.json missing"):
        load_tagger(tmp_path / "nowhere")
    (tmp_path / "meta").mkdir()
    (tmp_path / "meta" / "meta.json").write_text(json.dumps({"lang": "en"}))
    with pytest.raises(ModelError, match="not a kg tagger"):
        load_tagger(tmp_path / "meta")
    with pytest.raises(ModelError, match="cannot be loaded"):
        load_tagger(_damaged(tmp_path))


def test_build_with_a_bad_model_leaves_the_store_untouched(tmp_path: Path, corpus: Path) -> None:
    store = tmp_path / "store"
    runner = CliRunner()
    small = corpus / "shortscience_summaries.txt"
    assert runner.invoke(main, ["-q", "build", str(small), "--store", str(store), "--no-model"]).exit_code == 0
    before = sorted(p.name for p in store.rglob("*"))
    result = runner.invoke(main, ["build", str(small), "--store", str(store), "--model", str(_damaged(tmp_path))])
    assert result.exit_code == 2
    assert result.output.count("\n") == 1 and "cannot be loaded" in result.output
    assert sorted(p.name for p in store.rglob("*")) == before
    both = runner.invoke(main, ["build", str(small), "--store", str(store), "--no-model", "--model", str(store)])
    assert both.exit_code == 2


def test_add_extracts_new_inputs_the_way_the_store_was_built(tmp_path: Path, corpus: Path) -> None:
    store = tmp_path / "store"
    runner = CliRunner()
    first = ["-q", "build", str(corpus / "shortscience_summaries.txt"), "--store", str(store), "--no-model"]
    assert runner.invoke(main, first).exit_code == 0
    added = runner.invoke(main, ["-q", "add", str(corpus / "shortscience_iclr_papers.txt"), "--store", str(store)])
    assert added.exit_code == 0, added.output
    handle = kg.open_store(store)
    assert handle.meta["extraction"] == {"model": "none", "min_confidence": 0.0}
    rules = {str(r["r"]) for r in handle.sparql("SELECT DISTINCT ?r WHERE { ?m kg:rule ?r }").rows}
    assert rules and not any(r.startswith("model:") for r in rules)


@pytest.mark.parametrize(
    ("span", "unsupported"),
    [
        ("Neural Network Robustness", True),  # a property, not a method
        ("high-quality image editing", True),  # described by a property
        ("adversarially robust classifiers", True),
        ("accuracy of ResNet", True),
        ("randomly initialized networks", True),  # an adverb: prose, not a name
        ("combining several language models", True),  # a verb and a stop word: not a noun phrase
        ("populating object category detection", True),
        ("Unlike conventional methods", True),
        ("Deep Belief Network", False),  # capitalised: a descriptive word is part of the name
        ("DiffWave", False),
        ("S1x4ghC9tQ", True),  # an OpenReview id, not a name
        ("Wav2Vec2", False),
        ("Fast R-CNN", False),
        ("hierarchical attention networks", True),  # lower case: the noun-phrase rule's to find
    ],
)
def test_tagger_spans_that_name_nothing_are_dropped(span: str, unsupported: bool) -> None:
    assert is_unsupported(span.split()) is unsupported
