"""The trained span tagger: where it ships, how it loads, and the component that turns its
entities into candidates.

The model (``kg/extract/model``, built by ``kg train``) is a spaCy pipeline holding one
``ner`` component on a small CNN; its ``meta.json`` carries kg's own facts under ``kg``: name,
version, and the confidence given to each type. In the extraction pipeline the ``ner`` runs
after the rule components and ``kg_model`` hands its entities to the span filter as
candidates with rule ``model:<name>@<version>``; rule matches win where they overlap
(:class:`kg.extract.components.SpanFilter`). A missing or damaged model raises
:class:`kg.errors.ModelError`: one line, exit status 2.
"""

from __future__ import annotations

import json
import re
from functools import cache
from itertools import pairwise
from pathlib import Path

from spacy.language import Language
from spacy.tokens import Doc

from kg.errors import ModelError
from kg.extract.components import SpanCandidate, canonical_label, is_generic, propose
from kg.extract.nounphrases import head_type, is_adverb, is_description, is_noun_phrase, is_property, phrase_type
from kg.ids import concept_id
from kg.normalize import slug

MODEL_COMPONENT = "kg_tagger"
MAX_SWITCHES = 6  # case or digit switches in a one-word name; more is an id (see _is_identifier)
# Words that make a tagged span generic rather than a name: "our method", "the model", "this task".
_WORDLIKE = re.compile(r"^(?:[A-Za-z][A-Za-z0-9]*(?:[-'][A-Za-z0-9]+)*|-|\d+[A-Za-z]*)$")
_DEICTIC = {"our", "the", "this", "these", "those", "that", "its", "their", "a", "an", "such", "each", "any", "we"}


def default_model_dir() -> Path:
    """The shipped model (package data: ``kg/extract/model``)."""
    return Path(__file__).resolve().parent / "model"


@cache
def load_tagger(path: Path | None = None) -> Language:
    """The tagger pipeline at ``path`` (default: the shipped model), loaded once per process."""
    import spacy

    folder = Path(path or default_model_dir())
    meta_path = folder / "meta.json"
    if not folder.is_dir() or not meta_path.is_file():
        raise ModelError(folder, "no model here (meta.json missing)")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        facts = meta["kg"]
        facts["name"], facts["version"], facts["confidence"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise ModelError(folder, f"meta.json is not a kg tagger's ({type(error).__name__}: {error})") from None
    try:
        nlp = spacy.load(folder)
    except Exception as error:  # spaCy and thinc raise many types for a damaged file
        raise ModelError(folder, f"cannot be loaded ({type(error).__name__}: {str(error)[:200]})") from None
    if "ner" not in nlp.pipe_names:
        raise ModelError(folder, "has no 'ner' component")
    return nlp


def model_rule(nlp: Language) -> str:
    """``model:<name>@<version>``: the rule every mention the tagger found carries."""
    facts = nlp.meta["kg"]
    return f"model:{facts['name']}@{facts['version']}"


def is_generic_span(words: list[str]) -> bool:
    """A span that names nothing in particular: it starts with a determiner or pronoun ("our
    method", "the model", "this task"), or is the generic word it would be without one."""
    return not words or words[0].lower() in _DEICTIC or is_generic(" ".join(words))


def is_unsupported(words: list[str]) -> bool:
    """A span the tagger alone should not be trusted with: a lone acronym (the tagger learnt
    that short capitals are often methods, but "GPUs", "API", "NLP" are not; an acronym the text
    defines is the acronym rule's), a lone lower-case word ("estimating"), or text that is not
    words (URLs, e-mail addresses, maths). One-word names it keeps are coined: "DiffWave"; a
    capitalised word is not ("Blind-Spot"). Words in lower case are left to the noun-phrase rule
    (:mod:`kg.extract.nounphrases`), which finds "hierarchical attention networks" itself: the
    tagger's own lower-case spans measured 0-40 % precise on the development sets (dev, dev2,
    SciERC train), below every rule's. Several words ending in a typed head noun must pass
    the noun-phrase rule's test (:func:`kg.extract.nounphrases.phrase_type`: not "one-layer
    model"), and other words must be written as a name (capitals past the first letter): the
    tagger alone guesses badly on lower-case prose ("adversarial supervision"). A span naming or
    describing by a property is an attribute, not a method (:func:`kg.extract.nounphrases.is_property`,
    :func:`~kg.extract.nounphrases.is_description`: "Neural Network Robustness", "high-quality
    image editing"), and so is one holding a lower-case adverb ("mildly overparameterized neural
    network"). ``words`` are the span's whitespace-separated words ("Blind-Spot" is one)."""
    if is_property(words) or is_description(words):
        return True
    if any(w.islower() and is_adverb(w) for w in words):
        return True  # "randomly initialized networks", "largely successful method": prose, not a name
    if len(words) == 1:
        word = words[0].removesuffix("s")
        if not any(c.islower() for c in word) or not any(c.isupper() for c in word):
            return True
        if not _coined(word):
            return True  # "Blind-Spot", "Uncertainty-guided": capitalised words, not a coined name
        if _is_identifier(word):
            return True  # "S1x4ghC9tQ": a paper or file id, not a name
    elif not any(c.isupper() for c in " ".join(words)):
        return True  # lower-case prose is the noun-phrase rule's: the tagger's guesses there measured worse
    elif head_type(words[-1]) is not None:
        if phrase_type(words) is None or not is_noun_phrase(words):
            return True  # "one-layer model", "give utterance classification": what the noun-phrase rule rejects
    elif not any(c.isupper() for c in " ".join(words)[1:]):
        return True  # lower-case prose ("adversarial supervision", "small batch size") names nothing
    return any(not _WORDLIKE.match(w) for w in words)


def _is_identifier(word: str) -> bool:
    """A machine-made id rather than a name: lower case, capitals and digits alternate again and
    again ("S1x4ghC9tQ", an OpenReview id). Names switch a few times at most: "Wav2Vec2" five,
    "PhysioNet2012" four."""
    kinds = ["d" if c.isdigit() else "u" if c.isupper() else "l" for c in word if c.isalnum()]
    return sum(a != b for a, b in pairwise(kinds)) > MAX_SWITCHES


def _coined(word: str) -> bool:
    """A coined one-word name: a capital inside a part ("BiPointNet", "Meta-GMVAE") or a digit."""
    return any(c.isdigit() for c in word) or any(c.isupper() for part in word.split("-") for c in part[1:])


class ModelProposer:
    """Turns the tagger's entities (``doc.ents``) into candidates for the span filter: a
    discovered concept per span, named by its canonical form ("hierarchical attention
    networks" → "Hierarchical Attention Network"), with the type's confidence."""

    def __init__(self, nlp: Language, name: str, rule: str, confidence: dict[str, float]) -> None:
        self.name = name
        self.rule = rule
        self.confidence = confidence

    def __call__(self, doc: Doc) -> Doc:
        for ent in doc.ents:
            words = ent.text.split()
            if ent.label_ not in self.confidence or is_generic_span(words) or is_unsupported(words):
                continue
            label = canonical_label(ent.text)
            candidate = SpanCandidate(
                ent.start, ent.end, concept_id(slug(label)), ent.label_, label, self.rule,
                round(self.confidence[ent.label_], 3), discovered=True,
            )  # fmt: skip
            propose(doc, candidate)
        doc.ents = ()
        return doc


@Language.factory("kg_model", default_config={"rule": "model:unknown", "confidence": {}})
def make_model_proposer(nlp: Language, name: str, rule: str, confidence: dict[str, float]) -> ModelProposer:
    return ModelProposer(nlp, name, rule, confidence)


def add_tagger(nlp: Language, path: Path | None = None) -> None:
    """Add the tagger (its ``ner``, then ``kg_model``) to a rule pipeline, before the span filter."""
    tagger = load_tagger(path)
    facts = tagger.meta["kg"]
    nlp.add_pipe("ner", name=MODEL_COMPONENT, source=tagger, before="kg_spans")
    nlp.add_pipe(
        "kg_model",
        before="kg_spans",
        config={"rule": model_rule(tagger), "confidence": {k: float(v) for k, v in facts["confidence"].items()}},
    )
