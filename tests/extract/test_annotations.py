"""Hand annotations: reading the three formats, refusing bad ones, and a tiny fine-tune that
``kg extract --model DIR`` then uses (``kg train --annotations``)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import spacy
from click.testing import CliRunner
from spacy.tokens import DocBin

from kg.cli import main
from kg.errors import InputError, UsageError
from kg.extract.annotations import detect, read_annotations
from kg.extract.finetune import check_out
from kg.extract.tagger import default_model_dir, load_tagger

SENTENCES = [
    ("We propose hierarchical attention networks for document classification.",
     [("hierarchical attention networks", "Method"), ("document classification", "Task")]),
    ("Interest point detectors are evaluated on the HPatches benchmark.",
     [("Interest point detectors", "Method"), ("HPatches", "Dataset")]),
    ("Action classification with two-stream networks on UCF101.",
     [("Action classification", "Task"), ("two-stream networks", "Method"), ("UCF101", "Dataset")]),
    ("Speaker diarization is solved with spectral clustering on the AMI corpus.",
     [("Speaker diarization", "Task"), ("spectral clustering", "Method"), ("AMI corpus", "Dataset")]),
    ("Nothing here names a method.", []),
]  # fmt: skip


def spans_of(text: str, named: list[tuple[str, str]]) -> list[dict]:
    return [{"start": text.index(n), "end": text.index(n) + len(n), "label": label} for n, label in named]


def write_jsonl(path: Path, rows: list[dict | str]) -> Path:
    path.write_text("".join((r if isinstance(r, str) else json.dumps(r)) + "\n" for r in rows), encoding="utf-8")
    return path


@pytest.fixture
def annotated(tmp_path: Path) -> Path:
    return write_jsonl(tmp_path / "field.jsonl", [{"text": t, "spans": spans_of(t, n)} for t, n in SENTENCES])


SCIERC_DOC = {
    "doc_key": "X01-1001",
    "sentences": [
        ["We", "use", "a", "CRF", "tagger", "for", "named", "entity", "recognition", "."],
        ["It", "is", "tested", "on", "the", "CoNLL", "corpus", "with", "F1", "."],
    ],
    "ner": [
        [[3, 4, "Method"], [3, 3, "Method"], [6, 8, "Task"]],
        [[15, 16, "Material"], [18, 18, "Metric"], [10, 10, "Generic"]],
    ],
    "relations": [[], []],
}


def test_jsonl_is_detected_and_read_with_offsets(annotated: Path) -> None:
    assert detect(annotated) == "jsonl"
    found = read_annotations(annotated)
    first = found.texts[0]
    assert [(first.text[s:e], label) for s, e, label in first.spans] == SENTENCES[0][1]
    assert found.spans == {"Method": 4, "Task": 3, "Dataset": 3} and found.texts[-1].spans == ()


def test_scierc_sample_is_detected_mapped_and_flattened(tmp_path: Path) -> None:
    path = write_jsonl(tmp_path / "sample.json", [SCIERC_DOC])
    assert detect(path) == "scierc"
    found = read_annotations(path)
    (doc,) = found.texts
    assert doc.text.startswith("We use a CRF tagger for named entity recognition . It is tested")
    named = [(doc.text[s:e], label) for s, e, label in doc.spans]
    # Material → Dataset; Metric and Generic dropped; the nested "CRF" gives way to "CRF tagger"
    assert named == [("CRF tagger", "Method"), ("named entity recognition", "Task"), ("CoNLL corpus", "Dataset")]
    assert found.dropped == {"Metric entities": 1, "Generic entities": 1, "nested entities": 1}


def test_docbin_is_detected_and_read(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    doc = nlp("We train BERT on SQuAD.")
    doc.ents = [doc.char_span(9, 13, label="Method"), doc.char_span(17, 22, label="Dataset")]
    path = tmp_path / "train.spacy"
    DocBin(docs=[doc]).to_disk(path)
    assert detect(path) == "docbin"
    (text,) = read_annotations(path).texts
    assert [(text.text[s:e], label) for s, e, label in text.spans] == [("BERT", "Method"), ("SQuAD", "Dataset")]


def test_forced_format_wins_over_detection(annotated: Path) -> None:
    with pytest.raises(InputError, match=r"field\.jsonl:1: 'sentences' must be"):
        read_annotations(annotated, "scierc")


TEXT = "We use BERT for parsing."
BAD_JSONL = [
    ({"text": TEXT, "spans": [{"start": 7, "end": 99, "label": "Method"}]}, "outside the text"),
    ({"text": TEXT, "spans": [{"start": -1, "end": 4, "label": "Method"}]}, "outside the text"),
    ({"text": TEXT, "spans": [{"start": 7, "end": 11, "label": "Method"}, {"start": 9, "end": 15, "label": "Task"}]},
     "overlapping spans 'BERT' \\(Method 7-11\\) and 'RT for' \\(Task 9-15\\)"),
    ({"text": TEXT, "spans": [{"start": 7, "end": 11, "label": "Material"}]}, "unknown label 'Material'"),
    ({"text": TEXT, "spans": [{"start": "7", "end": 11, "label": "Method"}]}, "integer 'start' and 'end'"),
    ({"text": TEXT, "spans": {"start": 7}}, "'spans' must be a list"),
    ({"text": 3}, "'text' must be a string"),
    ('{"text": "We use BERT", "spans": [', "not a JSON line"),
    ("[1, 2]", "must be an object"),
]  # fmt: skip


@pytest.mark.parametrize(("bad", "reason"), BAD_JSONL)
def test_bad_jsonl_names_file_and_line_exit_2_nothing_written(tmp_path: Path, bad: dict | str, reason: str) -> None:
    good = {"text": TEXT, "spans": [{"start": 7, "end": 11, "label": "Method"}]}
    path = write_jsonl(tmp_path / "notes.jsonl", [good, "", bad])
    with pytest.raises(InputError, match=rf"notes\.jsonl:3: .*{reason}"):
        read_annotations(path, "jsonl")
    out = tmp_path / "tuned"
    result = CliRunner().invoke(main, ["train", "--annotations", str(path), "--out", str(out), "--epochs", "1"])
    assert result.exit_code == 2, result.output
    assert result.output.startswith(f"kg: error: {path}:3: ") and result.output.count("\n") == 1
    assert not out.exists() and not list(tmp_path.glob(".tuned*"))


BAD_SCIERC = [
    ({**SCIERC_DOC, "ner": [[[3, 40, "Method"]], []]}, "entity 1 \\(tokens 3-40\\) is outside the text"),
    ({**SCIERC_DOC, "ner": [[[3, 5, "Method"], [4, 6, "Task"]], []]}, "overlapping spans 'CRF tagger for'"),
    ({**SCIERC_DOC, "ner": [[]]}, "'ner' must hold one list per sentence \\(2\\)"),
    ({**SCIERC_DOC, "ner": [[[3, "x", "Method"]], []]}, "entity 1: must be \\[start, end, label\\]"),
    ({**SCIERC_DOC, "sentences": "We use a CRF"}, "'sentences' must be a list"),
]  # fmt: skip


@pytest.mark.parametrize(("bad", "reason"), BAD_SCIERC)
def test_bad_scierc_names_file_and_line(tmp_path: Path, bad: dict, reason: str) -> None:
    path = write_jsonl(tmp_path / "scierc.json", [SCIERC_DOC, bad])
    with pytest.raises(InputError, match=rf"scierc\.json:2: {reason}"):
        read_annotations(path, "scierc")


def test_bad_docbin_and_unknown_files(tmp_path: Path) -> None:
    nlp = spacy.blank("en")
    doc = nlp("We train BERT.")
    doc.ents = [doc.char_span(9, 13, label="ORG")]
    path = tmp_path / "train.spacy"
    DocBin(docs=[nlp("Nothing."), doc]).to_disk(path)
    with pytest.raises(InputError, match=r"train\.spacy: document 2: span 1: unknown label 'ORG'"):
        read_annotations(path)
    damaged = tmp_path / "damaged.spacy"
    damaged.write_bytes(path.read_bytes()[:20])
    with pytest.raises(InputError, match=r"damaged\.spacy: not a readable spaCy DocBin"):
        read_annotations(damaged, "docbin")
    other = write_jsonl(tmp_path / "papers.jsonl", [{"title": "A paper"}])
    with pytest.raises(InputError, match=r"papers\.jsonl:1: a JSON line with neither 'text'"):
        detect(other)
    with pytest.raises(InputError, match=r"missing\.jsonl: no such file"):
        read_annotations(tmp_path / "missing.jsonl")
    with pytest.raises(InputError, match=r"empty\.jsonl: cannot tell"):
        read_annotations(write_jsonl(tmp_path / "empty.jsonl", []))


def test_out_is_required_and_never_the_shipped_model_or_a_foreign_folder(tmp_path: Path, annotated: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["train", "--annotations", str(annotated)])
    assert result.exit_code == 2 and "--annotations needs --out DIR" in result.output
    with pytest.raises(UsageError, match="shipped model"):
        check_out(default_model_dir())
    foreign = tmp_path / "notes"
    foreign.mkdir()
    (foreign / "mine.txt").write_text("keep me", encoding="utf-8")
    result = runner.invoke(main, ["train", "--annotations", str(annotated), "--out", str(foreign)])
    assert result.exit_code == 2 and "not a model folder" in result.output
    assert [p.name for p in foreign.iterdir()] == ["mine.txt"]
    result = runner.invoke(main, ["train", "--eval", str(annotated)])
    assert result.exit_code == 2 and "go with --annotations" in result.output


def test_smoke_finetune_gives_a_model_kg_extract_uses(tmp_path: Path, annotated: Path) -> None:
    out = tmp_path / "tuned"
    args = ["train", "--annotations", str(annotated), "--out", str(out), "--epochs", "1", "--seed", "3"]
    result = CliRunner().invoke(main, [*args, "--eval", str(annotated)])
    assert result.exit_code == 0, result.output
    assert "field.jsonl (jsonl): 5 texts, Method 4, Dataset 3, Task 3" in result.output
    assert "epoch 1/1: loss" in result.output and f"kg build --model {out}" in result.output
    assert "eval, kg extract (rules + fine-tuned tagger)" in result.output
    facts = json.loads((out / "meta.json").read_text(encoding="utf-8"))["kg"]
    assert facts["name"] == "kg-tagger-tuned" and facts["finetuned"]["base"] == "kg-tagger@2"
    assert facts["finetuned"]["annotations"][0]["file"] == "field.jsonl" and facts["finetuned"]["seed"] == 3
    rule = f"model:kg-tagger-tuned@{facts['version']}"
    assert load_tagger(out).meta["kg"]["version"] == facts["version"]
    text = "We apply HANet to speaker diarization on HPatches."  # names the rules do not know
    extracted = CliRunner().invoke(main, ["extract", "--model", str(out), "--json"], input=text)
    assert extracted.exit_code == 0, extracted.output
    rows = json.loads(extracted.output)
    assert {"text": "HPatches", "rule": rule} in [{"text": r["text"], "rule": r["rule"]} for r in rows]
    # the same files and seed give the same model; fine-tuning again replaces it whole
    again = tmp_path / "again"
    assert CliRunner().invoke(main, ["train", "--annotations", str(annotated), "--out", str(again), "--epochs", "1",
                                     "--seed", "3"]).exit_code == 0  # fmt: skip
    assert (again / "ner" / "model").read_bytes() == (out / "ner" / "model").read_bytes()
    assert CliRunner().invoke(main, [*args[:-1], "4"]).exit_code == 0
    assert json.loads((out / "meta.json").read_text(encoding="utf-8"))["kg"]["finetuned"]["seed"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again", "field.jsonl", "tuned"]
