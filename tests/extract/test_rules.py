"""Each extraction rule on crafted sentences, including the traps the annotation guide names."""

from __future__ import annotations

from functools import partial

import pytest

from kg import extract
from kg.extract.components import is_case_sensitive, long_form_for, short_form_ok, type_from_head, variants
from kg.records import Mention

# These tests pin the rule components (lexicon, acronyms, patterns): the tagger is left out.
# Its own behaviour, and the pipeline with it, are tested in tests/extract/test_tagger.py.
extract_text = partial(extract.extract_text, model=False)
extract_documents = partial(extract.extract_documents, model=False)
extract_records = partial(extract.extract_records, model=False)


def concepts(text: str) -> dict[str, Mention]:
    return {m.label: m for m in extract_text(text)}


def test_lexicon_alias_acronym_and_plural() -> None:
    found = concepts("We train graph neural networks and GNNs with batch norm on CIFAR10.")
    assert {"Graph Neural Network", "Batch Normalization", "CIFAR-10"} <= set(found)
    assert found["Graph Neural Network"].type == "Method"
    assert found["CIFAR-10"].type == "Dataset"


def test_task_lexicon() -> None:
    found = concepts("A study of anomaly detection and out-of-distribution detection for object detection.")
    assert {"Anomaly Detection", "Out-of-Distribution Detection", "Object Detection"} <= set(found)
    assert {m.type for m in found.values()} == {"Task"}


def test_offsets_point_at_the_text() -> None:
    text = "Results on ImageNet and MNIST."
    for mention in extract_text(text):
        assert text[mention.start : mention.end] == mention.text


@pytest.mark.parametrize(
    "generic",
    [
        "We propose a new method and a novel framework for deep learning.",
        "Deep neural networks and machine learning models are trained with an algorithm on real-world data.",
    ],
)
def test_generic_words_never_come_out(generic: str) -> None:
    assert extract_text(generic) == []


def test_acronyms_are_case_sensitive() -> None:
    assert "Generative Adversarial Network" in concepts("We train a GAN.")
    assert "Generative Adversarial Network" not in concepts("The gan of the village.")


def test_dismissed_method_is_still_a_mention() -> None:
    assert "Dropout" in concepts("Unlike prior work, we do not use dropout at all.")


def test_acronym_definition_overrides_the_lexicon_locally() -> None:
    text = "We learn a Bayesian network (BN) over variables; the BN is sparse."
    found = [m for m in extract_text(text) if m.text == "BN"]
    assert found and all(m.label == "Bayesian Network" for m in found)
    assert "Batch Normalization" not in {m.label for m in extract_text(text)}


def test_acronym_defined_differently_in_two_documents() -> None:
    first, second = extract_documents(
        [
            "We learn a Bayesian network (BN) over the variables.",
            "Every layer uses batch normalization (BN) and BN speeds training.",
        ]
    )
    assert {m.label for m in first if m.text == "BN"} == {"Bayesian Network"}
    assert {m.label for m in second if m.text == "BN"} == {"Batch Normalization"}


def test_discovered_acronym_spreads_across_documents() -> None:
    first, second = extract_documents(
        [
            "We introduce the Neural Arithmetic Logic Unit (NALU) for extrapolation.",
            "NALU generalises to larger numbers.",
        ]
    )
    nalu = {m.label: m for m in first}["Neural Arithmetic Logic Unit"]
    assert nalu.discovered and nalu.type == "Method" and 0 < nalu.confidence < 1
    (spread,) = [m for m in second if m.text == "NALU"]
    assert spread.concept == nalu.concept and spread.rule == "acronym:corpus"


def test_named_method_and_dataset_patterns() -> None:
    found = concepts(
        "We propose HighRes-net, a deep model, and evaluate on the PROBA-V dataset and the XYZBench benchmark."
    )
    assert found["HighRes-net"].type == "Method" and found["HighRes-net"].discovered
    assert found["PROBA-V"].type == "Dataset"


def test_unicode_dashes_and_quotes() -> None:
    found = concepts("“Out‑of‑distribution detection” with a ResNet–50 backbone and BatchNorm’s statistics.")
    assert "Batch Normalization" in found
    assert found["Out-of-Distribution Detection"].text == "Out‑of‑distribution detection"


def test_title_names_the_papers_method() -> None:
    from kg.records import Provenance, Record

    record = Record(
        "1", Provenance("f", 1, 1, "t"), title="FSPool: Learning Set Representations with Featurewise Sort Pooling"
    )
    (mentions,) = extract_records([record])
    assert any(m.text == "FSPool" and m.type == "Method" and m.rule == "pattern:title-name" for m in mentions)
    record = Record("2", Provenance("f", 2, 2, "t"), title="The Lottery Ticket Hypothesis: Finding Sparse Networks")
    (mentions,) = extract_records([record])
    assert not any(m.rule == "pattern:title-name" for m in mentions)


def test_deterministic() -> None:
    text = "We train GNNs (graph neural networks) on Cora and CIFAR-10 with Adam."
    assert extract_text(text) == extract_text(text)


def test_helpers() -> None:
    assert short_form_ok("NALU") and short_form_ok("GNNs") and not short_form_ok("e.g.") and not short_form_ok("x")
    assert is_case_sensitive("GAN") and is_case_sensitive("Adam") and not is_case_sensitive("graph neural network")
    assert not is_case_sensitive("ImageNet")
    assert {"semi-supervised learning", "semi supervised learning", "semi-supervised learnings"} <= variants(
        "semi-supervised learning"
    )
    assert type_from_head("Neural Arithmetic Logic Units") == "Method"
    assert type_from_head("Street View House Numbers dataset") == "Dataset"
    assert type_from_head("Markov Decision Process") is None
    import re

    words = list(re.finditer(r"\w[\w\-]*", "we use the neural arithmetic logic unit"))
    assert long_form_for("NALU", words) == 3


def test_short_form_first_definition() -> None:
    found = concepts("The authors suggest SUMO (Stochastically Unbiased Marginalization Objective), an estimator.")
    sumo = found["Stochastically Unbiased Marginalization Objective"]
    assert sumo.type == "Method" and sumo.discovered and sumo.rule == "acronym:discovered"
    assert {m.text for m in extract_text("We suggest SUMO (Stochastically Unbiased Marginalization Objective).")} == {
        "SUMO",
        "Stochastically Unbiased Marginalization Objective",
    }
    # a parenthetical that does not spell the short form out is no definition
    assert not concepts("We run SUMO (see the appendix for details).")


def test_discovered_long_form_is_typed_by_the_known_concept_it_ends_with() -> None:
    found = concepts("We propose relative predictive coding (RPC) for representation learning.")
    assert found["Relative Predictive Coding"].type == "Method"
    found = concepts("Our spatio-temporal graph scattering transform (ST-GST) extends scattering transforms.")
    assert found["Spatio-Temporal Graph Scattering Transform"].type == "Method"


def test_a_long_form_does_not_cross_a_colon_or_a_line() -> None:
    found = extract_text("It has two components:\n  • Importance weighted bounds (IWAE): more samples.")
    assert {m.text for m in found} >= {"Importance weighted bounds", "IWAE"}
    assert not any(":" in m.text or "\n" in m.text for m in found)


def test_proposed_multi_word_name_and_apposition_type() -> None:
    found = concepts("We propose a new framework that we call Multi-Time Attention Networks.")
    assert found["Multi-Time Attention Network"].type == "Method"
    found = concepts("We introduce INT, a synthetic INequality Theorem proving benchmark designed to test agents.")
    assert found["INT"].type == "Dataset"
    # a capitalised phrase whose head says nothing is not guessed at, nor is its first word
    assert not concepts("Our model introduces Entropy-Maximizing Regimes to keep information.")


def test_single_letter_parts_match_case_sensitively() -> None:
    assert not any(m.label.endswith("Softmax Loss") for m in extract_text("The logits go through a softmax layer."))
    assert is_case_sensitive("A Softmax") and not is_case_sensitive("a softmax layer")


def test_concepts_named_by_a_generic_word_are_never_tagged() -> None:
    assert not concepts("We fit statistical models and compare neural architectures.")


def test_acronym_defined_in_one_field_names_it_in_another() -> None:
    from kg.records import Provenance, Record

    record = Record(
        "1",
        Provenance("f", 1, 3, "t"),
        title="SUMO: Unbiased Estimation of Log Marginal Probability",
        summaries=("The authors suggest SUMO (Stochastically Unbiased Marginalization Objective).",),
    )
    (mentions,) = extract_records([record])
    in_title = [m for m in mentions if m.field == "title" and m.text == "SUMO"]
    assert [m.label for m in in_title] == ["Stochastically Unbiased Marginalization Objective"]
    assert in_title[0].rule == "acronym:corpus"


def test_unknown_names_in_a_list_of_known_datasets() -> None:
    found = concepts("We evaluate on CIFAR-10, SVHN and TinyFooBar-5.")
    assert found["TinyFooBar-5"].type == "Dataset" and found["TinyFooBar-5"].rule == "pattern:dataset-list"
    # a list with no known dataset is not a list of datasets
    assert not concepts("We compare on FooNet, BarNet and BazQA.")


def test_variants_of_known_models() -> None:
    found = concepts("We compare X-BERT, ResNet-200 and GPT-7 with a transformer-based baseline.")
    assert {"X-BERT", "ResNet-200", "GPT-7"} <= set(found)
    assert all(found[name].rule == "pattern:model-variant" for name in ("X-BERT", "ResNet-200", "GPT-7"))
    assert found["Transformer"].text == "transformer"  # prose, not a variant named "transformer-based"
    hw_nas = {m.text: m.rule for m in extract_text("We benchmark HW-NAS algorithms.")}
    assert hw_nas.get("HW-NAS algorithms") != "pattern:model-variant"  # a noun phrase (phrase:method), not a variant
