"""Relation patterns on sentences: each relation and direction, lists, sentence limits, and
hostile input (hundreds of mentions, overlapping mentions, mentions across a sentence end)."""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from itertools import pairwise
from pathlib import Path
from typing import ClassVar

import pytest

from kg.extract import extract_text
from kg.extract.relations import (
    NEAREST,
    Completion,
    Pattern,
    Reading,
    find_relations,
    load_completion,
    load_patterns,
    readings,
    sentences,
)

NO_COMPLETION = Completion(head=re.compile("(?!)"), modifier=re.compile("(?!)"))


@dataclass(frozen=True)
class Span:
    """A hand-placed mention: the relation step only needs the span and the type."""

    start: int
    end: int
    type: str


def spans(text: str, **typed: str) -> list[Span]:
    """A mention at the first occurrence of each name (``name=type``; ``_`` stands for a space)."""
    found = []
    for name, kind in typed.items():
        surface = name.replace("_", " ")
        start = text.index(surface)
        found.append(Span(start, start + len(surface), kind))
    return found


def facts(text: str, mentions=None) -> set[tuple[str, str, str]]:
    found = find_relations(text, extract_text(text) if mentions is None else mentions)
    return {(r.relation, text[r.head.start : r.head.end], text[r.tail.start : r.tail.end]) for r in found}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("We evaluate ResNet on ImageNet.", ("evaluated_on", "ResNet", "ImageNet")),
        ("BERT achieves state-of-the-art results on SQuAD.", ("evaluated_on", "BERT", "SQuAD")),
        ("We use graph neural networks for link prediction.", ("used_for", "graph neural networks", "link prediction")),
        ("We apply dropout to Transformer models.", ("used_for", "dropout", "Transformer models")),
        (
            "Our approach is based on variational autoencoders for anomaly detection.",
            ("used_for", "variational autoencoders", "anomaly detection"),
        ),
        ("Our method outperforms LSTM.", None),
        ("The Transformer outperforms LSTM on translation.", ("compared_with", "Transformer", "LSTM")),
        ("We compare Adam with SGD.", ("compared_with", "Adam", "SGD")),
        ("Transformers such as BERT are large.", ("variant_of", "BERT", "Transformers")),
    ],
)
def test_each_relation_on_real_mentions(text: str, expected: tuple[str, str, str] | None) -> None:
    found = facts(text)
    if expected is None:
        assert not {f for f in found if f[0] == "compared_with"}
    else:
        assert expected in found, found


def test_a_variant_of_names_the_broader_concept() -> None:
    text = "BERT-large, a variant of BERT, is evaluated."
    broader = Span(text.rindex("BERT"), text.rindex("BERT") + 4, "Method")
    assert facts(text, [*spans(text, **{"BERT-large": "Method"}), broader]) == {("variant_of", "BERT-large", "BERT")}


def test_a_list_after_such_as_gives_every_item() -> None:
    text = "Datasets such as MNIST, CIFAR-10 and SVHN are small."
    mentions = spans(text, Datasets="Dataset", MNIST="Dataset", **{"CIFAR-10": "Dataset"}, SVHN="Dataset")
    assert facts(text, mentions) == {
        ("variant_of", "MNIST", "Datasets"),
        ("variant_of", "CIFAR-10", "Datasets"),
        ("variant_of", "SVHN", "Datasets"),
    }


def test_an_example_closed_by_a_comma_and_does_not_take_the_next_item() -> None:
    text = "Contrastive learning, e.g., SimCLR, and GANs can benefit each other."
    mentions = spans(text, Contrastive_learning="Method", SimCLR="Method", GANs="Method")
    assert facts(text, mentions) == {("variant_of", "SimCLR", "Contrastive learning")}


def test_items_of_one_list_are_not_kinds_of_each_other() -> None:
    text = "Experiments on CIFAR, SVHN, STL-10 and ImageNet validate it."
    found = facts(text)
    assert not {f for f in found if f[0] == "variant_of"}, found


def test_no_relation_crosses_a_sentence_end() -> None:
    text = "We train ResNet. ImageNet is large. Dropout for regularization, e.g. in BERT."
    mentions = spans(text, ResNet="Method", ImageNet="Dataset", Dropout="Method", regularization="Task")
    found = find_relations(text, mentions)
    assert [(text[r.head.start : r.head.end], text[r.tail.start : r.tail.end]) for r in found] == [
        ("Dropout", "regularization")
    ]
    assert sentences(text) == [(0, 16), (17, 35), (36, len(text))]


def test_a_mention_across_a_sentence_end_takes_part_in_nothing() -> None:
    text = "We use Adam. Then SGD for C."
    across = Span(7, 21, "Method")  # "Adam. Then SGD"
    assert find_relations(text, [across, *spans(text, C="Task")]) == []


def test_overlapping_mentions_are_never_paired() -> None:
    text = "We use BERT-large for question answering."
    mentions = [
        *spans(text, **{"BERT-large": "Method"}),
        Span(7, 11, "Method"),
        *spans(text, question_answering="Task"),
    ]
    found = facts(text, mentions)
    assert ("used_for", "BERT-large", "question answering") in found
    assert not {f for f in found if {f[1], f[2]} == {"BERT", "BERT-large"}}


class CountingPattern(Pattern):
    """A pattern that counts the mention pairs it is tried on."""

    tried: ClassVar[list[int]] = [0]

    def allows(self, first: str, second: str) -> bool:
        CountingPattern.tried[0] += 1
        return super().allows(first, second)


@pytest.mark.parametrize("joint", [" for ", ", ", " "])
def test_hundreds_of_mentions_in_one_sentence_cost_linear_work(joint: str) -> None:
    text = "We use " + joint.join(f"M{i}" for i in range(600)) + "."
    mentions = [Span(m.start(), m.end(), "Method") for m in re.finditer(r"M\d+", text)]
    patterns = [CountingPattern(**{f.name: getattr(p, f.name) for f in fields(p)}) for p in load_patterns()]
    CountingPattern.tried[0] = 0
    found = find_relations(text, mentions, patterns)
    assert CountingPattern.tried[0] <= 3 * len(mentions) * NEAREST * len(patterns)
    if joint == " for ":  # "M0 for M1 for M2 …": each with the next, nothing further apart
        assert [(r.head.start, r.tail.start) for r in found] == [(a.start, b.start) for a, b in pairwise(mentions)]
    else:
        assert found == []


def test_mentions_need_not_be_sorted_or_unique() -> None:
    text = "We evaluate ResNet on ImageNet."
    mentions = extract_text(text)
    assert facts(text, list(reversed(mentions)) + mentions) == facts(text, mentions)


def test_a_bad_patterns_file_names_the_pattern(tmp_path: Path) -> None:
    bad = tmp_path / "relations.toml"
    bad.write_text('[[pattern]]\nid = "broken"\nrelation = "used_for"\nbetween = "(for"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="pattern broken"):
        load_patterns(bad)
    bad.write_text('[[pattern]]\nid = "odd"\nrelation = "likes"\nbetween = "for"\n', encoding="utf-8")
    with pytest.raises(ValueError, match="pattern odd: relation must be one of"):
        load_patterns(bad)


def test_a_generalization_is_the_broader_concept() -> None:
    text = "We show that the DSW is a generalization of Max-SW."
    assert facts(text, spans(text, DSW="Method", **{"Max-SW": "Method"})) == {("variant_of", "Max-SW", "DSW")}


def read(text: str, mentions, completion: Completion | None = None) -> set[tuple[str, str, str]]:
    """Facts with the arguments as the patterns read them (completed phrases)."""
    found = find_relations(text, mentions, completion=completion)
    return {(r.relation, text[slice(*r.head_span)], text[slice(*r.tail_span)]) for r in found}


def test_a_mention_is_completed_to_the_noun_phrase_it_heads() -> None:
    text = "We use the BERT model for question answering."
    mentions = spans(text, BERT="Method", question_answering="Task")
    assert read(text, mentions) == {("used_for", "BERT model", "question answering")}
    assert read(text, mentions, NO_COMPLETION) == set()  # " model for " is no pattern's text
    (relation,) = find_relations(text, mentions)
    assert (relation.head, relation.tail) == (mentions[0], mentions[1])  # the graph links the mentions


def test_the_second_mention_takes_its_modifiers_but_is_reported_as_found() -> None:
    text = "We apply dropout to robust speech recognition."
    mentions = spans(text, dropout="Method", speech_recognition="Task")
    assert read(text, mentions) == {("used_for", "dropout", "speech recognition")}
    assert read(text, mentions, NO_COMPLETION) == set()


def test_readings_come_exact_first_and_are_at_most_four() -> None:
    text = "the BERT model based approach for robust speech recognition"
    first, second = spans(text, BERT="Method", speech_recognition="Task")
    found = readings(text, first, second, load_completion(), len(text))
    assert found[0] == Reading(first.end, second.start)
    assert len(found) == len(set(found)) == 4
    assert text[found[-1].first_end : found[-1].second_start] == " for "


def test_completion_stops_at_the_next_mention_and_at_the_sentence_end() -> None:
    text = "We train ResNet models. Models for detection are large."
    mentions = spans(text, ResNet="Method", detection="Task")
    assert find_relations(text, mentions) == []
    completion = load_completion()
    assert completion.extend(text, mentions[0].end, text.index("Models") - 2) == text.index(".")
    text = "We use ResNet network architectures for detection."
    inner = Span(text.index("network"), text.index("network") + len("network architectures"), "Method")
    mentions = [*spans(text, ResNet="Method", detection="Task"), inner]
    found = read(text, mentions)
    assert ("used_for", "network architectures", "detection") in found
    assert not {f for f in found if f[1].startswith("ResNet network")}


@pytest.mark.parametrize("joint", [" model for ", " models for robust ", " network, "])
def test_completion_keeps_the_work_linear_in_the_mentions(joint: str) -> None:
    text = "We use " + joint.join(f"M{i}" for i in range(500)) + "."
    mentions = [Span(m.start(), m.end(), "Method") for m in re.finditer(r"M\d+", text)]
    patterns = [CountingPattern(**{f.name: getattr(p, f.name) for f in fields(p)}) for p in load_patterns()]
    CountingPattern.tried[0] = 0
    found = find_relations(text, mentions, patterns)
    assert CountingPattern.tried[0] <= 4 * len(mentions) * NEAREST * len(patterns)
    if "for" in joint:
        assert [(r.head.start, r.tail.start) for r in found] == [(a.start, b.start) for a, b in pairwise(mentions)]
    else:
        assert found == []


@pytest.mark.parametrize(
    ("text", "typed", "expected"),
    [
        (
            "We present GCSL, a simple RL method that learns goals.",
            {"GCSL": "Method", "RL_method": "Method"},
            ("variant_of", "GCSL", "RL method"),
        ),
        (
            "CNNs trained on ImageNet are biased.",
            {"CNNs": "Method", "ImageNet": "Dataset"},
            ("used_for", "ImageNet", "CNNs"),
        ),
        (
            "We frame text generation as an offline RL problem.",
            {"text_generation": "Task", "offline_RL": "Method"},
            ("used_for", "offline RL problem", "text generation"),
        ),
        (
            "We use ASR output rather than human transcripts.",
            {"ASR_output": "Other", "human_transcripts": "Other"},
            ("compared_with", "ASR output", "human transcripts"),
        ),
    ],
)
def test_patterns_added_on_scierc_train(text: str, typed: dict[str, str], expected: tuple[str, str, str]) -> None:
    assert expected in read(text, spans(text, **typed))


def test_an_apposition_is_not_a_list() -> None:
    text = "We use CIFAR, SVHN and STL-10."
    assert not find_relations(text, spans(text, CIFAR="Dataset", SVHN="Dataset", **{"STL-10": "Dataset"}))


def test_a_bad_completion_table_names_it(tmp_path: Path) -> None:
    bad = tmp_path / "relations.toml"
    bad.write_text('[completion]\nhead = "(model"\n', encoding="utf-8")
    with pytest.raises(ValueError, match=r"\[completion\]"):
        load_completion(bad)
    bad.write_text("", encoding="utf-8")
    empty = load_completion(bad)
    assert empty.extend("X model", 1, 7) == 1 and empty.skip("for robust X", 11, 0) == 11
