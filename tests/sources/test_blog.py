"""The blog reader on the real post: every title, under its section, and nothing else."""

from __future__ import annotations

from pathlib import Path

from kg.sources import detect, read_file
from kg.sources.blog import title_like
from tests.conftest import CORPUS_FILES

EXPECTED = [
    ("Anomaly Detection", "Deep Semi-Supervised Anomaly Detection"),
    ("Anomaly Detection", "Input Complexity and Out-of-distribution Detection with Likelihood-based Generative Models"),
    ("Generative Models", "Understanding the Limitations of Conditional Generative Models"),
    ("Generative Models", "Your classifier is secretly an energy based model and you should treat it like one"),
    ("Gradient Estimation", "Estimating Gradients for Discrete Random Variables by Sampling without Replacement"),
    ("Gradient Estimation", "SUMO: Unbiased Estimation of Log Marginal Probability for Latent Variable Models"),
    ("Pooling and Set Functions", "FSPool: Learning Set Representations with Featurewise Sort Pooling"),
    ("Pooling and Set Functions", "On Universal Equivariant Set Networks"),
    ("Pooling and Set Functions", "StructPool: Structured Graph Pooling via Conditional Random Fields"),
    ("Representation Learning", "Disentanglement by Nonlinear ICA with General Incompressible-flow Networks (GIN)"),
    (
        "Representation Learning",
        "InfoGraph: Unsupervised and Semi-supervised Graph-Level Representation Learning via "
        "Mutual Information Maximization",
    ),
    ("Representation Learning", "Mutual Information Gradient Estimation for Representation Learning"),
    ("Representation Learning", "On Mutual Information Maximization for Representation Learning"),
    ("Seq2Seq models", "Are Transformers universal approximators of sequence-to-sequence functions?"),
    ("Seq2Seq models", "Mogrifier LSTM"),
    ("Seq2Seq models", "Reformer: The Efficient Transformer"),
    ("Understanding Deep Learning", "Four Things Everyone Should Know to Improve Batch Normalization"),
    ("Understanding Deep Learning", "On the Variance of the Adaptive Learning Rate and Beyond"),
    ("Understanding Deep Learning", "The Implicit Bias of Depth: How Incremental Learning Drives Generalization"),
    ("Understanding Deep Learning", "Towards neural networks that provably know when they don’t know"),
    ("Understanding Deep Learning", "Truth or backpropaganda? An empirical investigation of deep learning theory"),
    ("Understanding Deep Learning", "What graph neural networks cannot learn: depth vs width"),
    (
        "Understanding Deep Learning",
        "Why Gradient Clipping Accelerates Training: A Theoretical Justification for Adaptivity",
    ),
]
OTHER = "Other - Normalizing Flows, Robustness, Meta-Learning, Probabilistic Modelling"
EXPECTED += [
    (OTHER, "Invertible Models and Normalizing Flows"),
    (OTHER, "Learning to Balance: Bayesian Meta-Learning for Imbalanced and Out-of-distribution Tasks"),
    (OTHER, "Meta Dropout: Learning to Perturb Latent Features for Generalization"),
    (OTHER, "On Robustness of Neural Ordinary Differential Equations"),
    (OTHER, "Why Not to Use Zero Imputation? Correcting Sparsity Bias in Training Neural Networks"),
]


def _records(corpus: Path):
    return list(read_file(corpus / CORPUS_FILES["blog"]))


def test_detected_as_blog(corpus: Path) -> None:
    assert detect(corpus / CORPUS_FILES["blog"]).name == "blog"


def test_every_title_under_its_section_and_nothing_else(corpus: Path) -> None:
    records = _records(corpus)
    assert [(r.topics[0], r.title) for r in records] == EXPECTED


def test_venue_year_and_summaries(corpus: Path) -> None:
    records = _records(corpus)
    assert {(r.venue, r.year) for r in records} == {("ICLR", 2020)}
    assert all(r.summaries and r.summaries[0] for r in records)
    first = records[0]
    assert first.provenance.line_start == 24
    assert "Anomaly detection in the Semi-supervised setting" in first.summaries[0]
    assert first.provenance.line_end < records[1].provenance.line_start


def test_page_furniture_and_remarks_are_not_titles(corpus: Path) -> None:
    titles = {r.title for r in _records(corpus)}
    for not_a_title in [
        "Table of Contents",
        "comments powered by Disqus",
        "My Profile Photo",
        "Anomaly Detection",
        "Inference network",
        "Why does it work though? Potential explanations",
        "So why doe these approaches work so well?",
        "What to do with this insight? - Experiments",
        "Results: Better test NLL, more stable in entropy maximization",
        "Summary of Talks and Posters from ICLR 2020",
    ]:
        assert not_a_title not in titles


def test_title_shapes() -> None:
    assert title_like("Mogrifier LSTM")
    assert not title_like("Inference network")
    assert not title_like("Goal: Improve decision boundary using the labeled data.")
    assert not title_like("  • Sort inputs (which is ok as it is a set)")
    assert not title_like(r"\[\frac{1}{n} \sum_{i=1}^n\]")


def test_a_page_cut_off_in_a_sentence_does_not_end_in_a_title(corpus: Path, tmp_path: Path) -> None:
    # found by tests/reliability/test_fuzz_readers.py: a cut that leaves a sentence without its
    # full stop at the end of the file made that sentence a 29th "title"
    data = (corpus / CORPUS_FILES["blog"]).read_bytes()
    cut = tmp_path / "cut.txt"
    cut.write_bytes(data[: int(len(data) * 0.98828125)])
    assert cut.read_text(encoding="utf-8").endswith("stabilizing the number of kn")
    full = {r.title for r in read_file(corpus / CORPUS_FILES["blog"])}
    assert {r.title for r in read_file(cut, "blog")} <= full
