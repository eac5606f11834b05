"""The noun-phrase rule (kg.extract.nounphrases) on crafted and hostile text: plain noun phrases
typed by their head noun, generic phrases and verbs kept out, offsets exact."""

from __future__ import annotations

from functools import partial

import pytest

from kg import extract
from kg.extract.nounphrases import (
    CONFIDENCE,
    head_type,
    is_content,
    is_description,
    is_noun_phrase,
    is_property,
    phrase_label,
    phrase_type,
    singular,
)
from kg.records import Mention

extract_text = partial(extract.extract_text, model=False)  # the rules alone: the tagger is tested elsewhere


def found(text: str) -> dict[str, Mention]:
    mentions = extract_text(text)
    for mention in mentions:
        assert text[mention.start : mention.end] == mention.text  # offsets point at the text, always
    return {m.text: m for m in mentions}


def test_plain_noun_phrases_no_list_names() -> None:
    text = "We use interest point detectors for action classification with a statistical machine translation system."
    mentions = found(text)
    assert mentions["interest point detectors"].type == "Method"
    assert mentions["action classification"].type == "Task"
    assert mentions["statistical machine translation system"].type == "Method"
    for mention in mentions.values():
        assert mention.rule.startswith("phrase:")
        assert mention.discovered
        assert mention.confidence == CONFIDENCE[mention.type]
    assert mentions["interest point detectors"].label == "Interest Point Detector"


@pytest.mark.parametrize(
    "generic",
    [
        "Our model and the proposed method beat a deep learning approach.",
        "A neural network model, probabilistic models and this task.",
        "Results on target tasks and past tasks with large text corpora and image datasets.",
        "The new framework, an efficient algorithm and a novel approach.",
        "We train deep neural networks with a machine learning method.",
    ],
)
def test_generic_phrases_are_rejected(generic: str) -> None:
    assert found(generic) == {}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("This approach improves machine translation.", {"machine translation"}),
        ("We fit statistical models and compare neural architectures.", set()),
        ("It is evaluated particle-filter style trackers.", {"particle-filter style trackers"}),
        ("Using interest point detectors, we detect objects.", {"interest point detectors"}),
        ("The method successfully outperforms interest point detectors.", {"interest point detectors"}),
        ("We use jointly trained interest point detectors.", {"interest point detectors"}),
        ("Unlike interest point detectors, it works.", {"interest point detectors"}),
        ("We design deep network interest point detectors.", {"interest point detectors"}),
        ("A family of strongly adequate grammars.", set()),
    ],
)
def test_verbs_and_adverbs_are_not_swallowed(text: str, expected: set[str]) -> None:
    assert set(found(text)) == expected


def test_hyphenated_compounds_and_acronyms_stay_whole() -> None:
    mentions = found("Precision of hand-tuned MSER-like keypoint detectors and interest-point detectors — again.")
    assert "MSER-like keypoint detectors" in mentions
    assert "interest-point detectors" in mentions
    assert mentions["interest-point detectors"].concept == "concept/interest-point-detector"


def test_a_known_name_inside_a_phrase_keeps_its_concept() -> None:
    mentions = found("Spectral pooling algorithms help semi-supervised anomaly detection on the CIFAR-10 dataset.")
    assert mentions["Spectral pooling algorithms"].label == "Spectral Pooling"  # a generic head is not the name
    policy = found("Policy gradient algorithms help.")["Policy gradient algorithms"]
    assert (policy.concept, policy.discovered) == ("concept/policy-gradient-method", False)  # the scheme's
    assert mentions["semi-supervised anomaly detection"].label == "Anomaly Detection"
    assert mentions["CIFAR-10 dataset"].label == "CIFAR-10"
    for known in ("semi-supervised anomaly detection", "CIFAR-10 dataset"):  # scheme concepts, longer mentions
        assert not mentions[known].discovered
        assert mentions[known].confidence > CONFIDENCE[mentions[known].type]


def test_a_known_name_of_the_same_type_inside_a_phrase_is_the_mention() -> None:
    mentions = found("A SIFT-like keypoint detector on the CIFAR-100 image classification benchmark.")
    assert {m.text for m in mentions.values()} == {"SIFT", "CIFAR-100", "image classification"}


def test_a_known_name_and_a_naming_head_is_the_known_name() -> None:
    mentions = found("A few-shot learning technique and the BERT model.")
    assert {m.text for m in mentions.values()} == {"few-shot learning", "BERT"}


def test_datasets_need_a_name_and_tasks_need_a_task_before_task() -> None:
    assert found("We release the EUROPARL corpus.")["EUROPARL corpus"].label == "EUROPARL"
    assert found("The word sense disambiguation task is hard.")["word sense disambiguation task"].type == "Task"
    assert found("A classification problem and long-term tasks.") == {}


@pytest.mark.parametrize(
    "hostile",
    [
        "",
        "   \n\t ",
        "- - -- detector -",
        "model " * 500,
        "recognition recognition recognition recognition recognition recognition recognition",
        "http://example.org/a-b-c/detection e-mail: x@y.z detector(s) [classification]",
        "ÄÖÜ détection 検出 系统 model — “quoted” segmentation’s",
        "x" * 5000 + " detection",
    ],
)
def test_hostile_text_gives_exact_offsets_and_no_crash(hostile: str) -> None:
    for mention in extract_text(hostile):
        assert hostile[mention.start : mention.end] == mention.text
        assert mention.end > mention.start


def test_long_runs_keep_at_most_four_modifiers() -> None:
    text = "alpha beta gamma delta epsilon zeta eta classification"
    (mention,) = extract_text(text)
    assert mention.text == "delta epsilon zeta eta classification"


def test_min_confidence_drops_phrase_mentions() -> None:
    text = "We use interest point detectors on ImageNet."
    kept = extract.extract_documents([text], model=False, min_confidence=max(CONFIDENCE.values()) + 0.01)[0]
    assert {m.text for m in kept} == {"ImageNet"}


def test_helpers() -> None:
    assert singular("detectors") == "detector"
    assert singular("corpora") == "corpus"
    assert singular("analysis") == "analysis"
    assert singular("strategies") == "strategy"
    assert head_type("auto-encoders") == "Method"
    assert head_type("Disambiguation") == "Task"
    assert head_type("results") is None
    assert not is_content("improves")
    assert not is_content("significantly")
    assert is_content("anomaly")
    assert not is_content("highly")
    assert is_content("butterfly")
    assert is_noun_phrase(["interest", "point", "detectors"])
    assert not is_noun_phrase(["give", "utterance", "classification"])
    assert not is_noun_phrase(["novel", "interest", "point", "detectors"])
    assert is_noun_phrase(["Novel", "Object", "Captioning"])
    assert is_content("particle-filter")
    assert phrase_type(["probabilistic", "model"]) is None
    assert phrase_type(["translation", "model"]) is None  # "model" needs two modifiers
    assert phrase_type(["statistical", "translation", "model"]) == "Method"
    assert phrase_type(["translation", "system"]) == "Method"
    assert phrase_label("policy gradient methods") == "Policy Gradient"
    assert phrase_label("image classification model") == "Image Classification Model"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("classification accuracy", True),
        ("Neural Network Robustness", True),
        ("the accuracy of BERT", True),
        ("high-performance", True),
        ("hardware-cost", True),
        ("cost-sensitive learning", False),
        ("interest point detectors", False),
        ("EfficientNet", False),
    ],
)
def test_phrases_naming_a_property(words: str, expected: bool) -> None:
    assert is_property(words.split()) is expected


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        ("sample efficient exploration algorithms", True),
        ("high-quality image editing", True),
        ("adversarially robust classifiers", True),
        ("Fast R-CNN", False),  # capitals: part of a name
        ("Robust PCA", False),
        ("robust", False),  # a head alone describes nothing
        ("particle filter tracker", False),
    ],
)
def test_phrases_describing_by_a_property(words: str, expected: bool) -> None:
    assert is_description(words.split()) is expected


def test_descriptions_are_trimmed_from_noun_phrases() -> None:
    text = "A high-performance interest point detector and device-specific hardware-cost models."
    assert set(found(text)) == {"interest point detector"}
    assert found("Our sample efficient interest point detectors.")["interest point detectors"].type == "Method"


def test_a_task_head_in_the_plural_names_results_not_a_task() -> None:
    assert found("Ground truth image annotations and long-term predictions.") == {}
    assert found("We study image annotation.")["image annotation"].type == "Task"
    assert phrase_type(["word", "sense", "disambiguation", "tasks"]) == "Task"  # "tasks" is the task itself
    assert phrase_type(["image", "super-resolution"]) == "Task"
