"""Noun phrases typed by their head noun: methods, tasks and datasets no list names.

"statistical machine translation system", "interest point detectors", "word sense
disambiguation": plain noun phrases, written in lower case, that no scheme lists and that a
tagger trained only on scheme-like names misses. Without a parser (the pipeline is a blank
English one) a phrase is found from its words alone:

1. tokens are grouped into *words*, a hyphenated compound ("particle-filter", "out-of-domain")
   being one word;
2. a *run* is a maximal sequence of content words: letters (digits allowed after the first),
   not a stop word, not a verb form (``[verbs]`` of ``data/extract/noun_phrases.toml``), not an
   adverb by its ending;
3. inside a run, the rightmost word that is a typed head noun (``[heads]``) ends a phrase,
   unless words after it carry on the noun ("classification accuracy": then it is a modifier);
4. descriptive words ("novel", "proposed", "state-of-the-art"), a leading "-ing" word and a
   leading "-ed" word after a subject or auxiliary ("we evaluated …") are trimmed from the front,
   and so is everything up to a word naming a property ("high-performance", "sample efficient":
   a description of the head, :func:`is_description`);
5. what is left must keep at least one modifier that is not generic ("deep learning approach",
   "neural network model" are not names); a *loose* head ("model", "analysis") needs a noun
   among its modifiers ("translation model", not "probabilistic model"); a dataset head needs a
   name among them ("EUROPARL corpus", not "large text corpora").

Each phrase becomes a discovered concept (canonical form) with rule ``phrase:<type>`` and the
confidence measured for that type on the development sets (``CONFIDENCE``). A lexicon or
acronym match of the same length wins (:class:`kg.extract.components.SpanFilter`), a longer
phrase around a known name is the more specific mention.
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from itertools import pairwise

from spacy.lang.en.stop_words import STOP_WORDS
from spacy.language import Language
from spacy.tokens import Doc

from kg.extract.components import SpanCandidate, _data, canonical_label, is_generic, propose
from kg.ids import concept_id
from kg.normalize import slug

RULE = "phrase"
# Precision of each type's phrases on the development sets, the mean of the bundled dev units'
# and SciERC train's (``python benchmarks/bench_extract.py --calibrate``, after the rules of
# branch ``general``): Method 0.375 (40 predictions) and 0.704 (365), Task 0.684 (19) and
# 0.577 (215); Dataset 1.0 (8) and 0.667 (12), too few to trust, so set at 0.6. What
# --min-confidence compares against.
CONFIDENCE = {"Method": 0.54, "Task": 0.63, "Dataset": 0.6}
MAX_MODIFIERS = 4
_WORD = re.compile(r"^(?:[A-Za-z][A-Za-z0-9]*|[1-4][Dd])(?:-[A-Za-z0-9]+)*$")  # "3D" as in "3D pose estimation"
_DIMENSION = re.compile(r"^[1-4][Dd]$")
_ADVERB = re.compile(r"ly$")  # "highly", "jointly", "robustly": adverbs, but for the nouns below
_NOT_ADVERB = {
    "family", "anomaly", "assembly", "supply", "italy", "poly", "query", "memory", "theory", "history",
    "butterfly", "monopoly", "homily", "reply",
}  # fmt: skip
_SUBJECT = {"we", "it", "they", "which", "that", "is", "are", "was", "were", "be", "been", "being", "has", "have"}
_TASK_WORDS = {"task", "problem"}
_NOMINAL_ENDINGS = (
    "tion", "sion", "ment", "ness", "ity", "ance", "ence", "ing", "er", "or", "ist", "ism", "al", "ic", "ive",
    "ous", "ar", "ary", "s", "y", "ics", "ure", "age", "ship", "hood",
)  # fmt: skip
_MODEL_WORDS = {"model"}
_PRONOUN = {"we", "they", "i", "it", "he", "she", "you"}  # what follows one is its verb
_SUBJECT |= {"had", "also", "then", "i", "he", "she", "this", "paper", "work", "not", "to"}


@dataclass(frozen=True)
class Lists:
    """The word lists of ``data/extract/noun_phrases.toml``, folded."""

    heads: dict[str, str]
    unnamed: frozenset[str]
    loose: frozenset[str]
    adjective_endings: tuple[str, ...]
    descriptive: frozenset[str]
    generic: frozenset[str]
    properties: frozenset[str]
    verbs: frozenset[str]


def _forms(verb: str) -> set[str]:
    """A verb's inflected forms: "propose" → proposes, proposed, proposing."""
    stem = verb[:-1] if verb.endswith("e") else verb
    forms = {verb, verb + "s", verb + "es", verb + "d", verb + "ed", stem + "ing", stem + "ed"}
    if verb.endswith("y"):
        forms |= {verb[:-1] + "ies", verb[:-1] + "ied"}
    return forms


@cache
def lists() -> Lists:
    with _data("noun_phrases.toml").open("rb") as handle:
        table = tomllib.load(handle)
    heads = {word.lower(): kind for kind, words in table["heads"].items() for word in words}
    return Lists(
        heads=heads,
        unnamed=frozenset(w.lower() for w in table["loose"]["unnamed"]),
        loose=frozenset(w.lower() for w in table["loose"]["heads"]),
        adjective_endings=tuple(table["loose"]["adjective_endings"]),
        descriptive=frozenset(w.lower() for w in table["modifiers"]["descriptive"]),
        generic=frozenset(w.lower() for w in table["modifiers"]["generic"]),
        properties=frozenset(w.lower() for w in table["modifiers"]["properties"]),
        verbs=frozenset(form for verb in table["verbs"]["base"] for form in _forms(verb.lower())),
    )


def singular(word: str) -> str:
    """The folded singular of a head word: "detectors" → detector, "corpora" → corpus."""
    word = word.lower()
    if word == "corpora":
        return "corpus"
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "sses")):
        return word[:-2]
    if word.endswith("s") and not word.endswith(("ss", "us", "is")) and len(word) > 3:
        return word[:-1]
    return word


def head_type(word: str) -> str | None:
    """Method, Task or Dataset when ``word`` (or the last part of a compound) is a typed head."""
    table = lists().heads
    folded = singular(word)
    return table.get(folded) or table.get(folded.rsplit("-", 1)[-1])


def _words(doc: Doc) -> list[tuple[int, int, str]]:
    """(start token, end token, text) of each word: tokens joined by a hyphen without spaces
    ("particle", "-", "filter") are one word."""
    words: list[tuple[int, int, str]] = []
    for token in doc:
        joined = words and not doc[token.i - 1].whitespace_ and "-" in (token.text, doc[token.i - 1].text)
        if joined:
            start, _, text = words[-1]
            words[-1] = (start, token.i + 1, text + token.text)
        else:
            words.append((token.i, token.i + 1, token.text))
    return words


def is_content(word: str) -> bool:
    """A word a noun phrase may hold: a word or compound, no stop word, no verb, no adverb."""
    folded = word.lower()
    if not _WORD.match(word) or folded in STOP_WORDS or folded in lists().verbs:
        return False
    return not is_adverb(word)


def is_adverb(word: str) -> bool:
    """An adverb by its ending ("highly", "randomly"), not a noun like "anomaly" or a compound."""
    folded = word.lower()
    return bool(_ADVERB.search(folded)) and len(folded) > 5 and folded not in _NOT_ADVERB and "-" not in folded


def _is_noun(word: str) -> bool:
    """Not an adjective by its ending (a guess without a tagger: "translation", "point" and
    "particle-filter" are nouns, "probabilistic" and "dynamical" are not)."""
    folded = word.lower().rsplit("-", 1)[-1]
    table = lists()
    if folded in table.generic or folded in table.descriptive:
        return False
    return not folded.endswith(table.adjective_endings) or head_type(folded) is not None


def _names_property(word: str) -> bool:
    """A word naming a property or its adjective ("robustness", "accurate"), alone or as the last
    part of a compound ("high-performance", "hardware-cost"; not "cost-sensitive")."""
    last = word.lower().rsplit("-", 1)[-1]
    table = lists().properties
    return last in table or singular(last) in table


def is_property(words: list[str]) -> bool:
    """A phrase naming an attribute of something, not a method, dataset or task: headed by a
    property ("classification accuracy", "Neural Network Robustness") or a property "of"
    something ("the accuracy of BERT"). The head decides: "adversarial robustness" as a task is
    the lexicon's to name, never a guess's."""
    if not words:
        return False
    if _names_property(words[-1]):
        return True
    return any(_names_property(w) and following.lower() == "of" for w, following in pairwise(words))


def is_description(words: list[str]) -> bool:
    """A phrase that describes its head by an attribute rather than naming it: a lower-case
    property word among the modifiers ("sample efficient exploration algorithms", "high-quality
    image editing", "adversarially robust classifiers"). Written with capitals the word is part
    of a name ("Fast R-CNN", "Robust PCA")."""
    return any(w == w.lower() and _names_property(w) for w in words[:-1])


def _after_description(run: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The words of a run after its last describing modifier ("high-performance speech recognition
    system" → "speech recognition system"; see :func:`is_description`)."""
    for index in range(len(run) - 2, -1, -1):
        if is_description([run[index][2], run[-1][2]]):
            return run[index + 1 :]
    return run


def _is_name(word: str) -> bool:
    """A coined name or acronym ("EUROPARL", "WMT14", "MultiNLI"), not a capitalised word."""
    if _DIMENSION.match(word):
        return False  # "2D toy dataset": a dimension describes, it does not name
    return any(c.isupper() for c in word[1:]) or any(c.isdigit() for c in word)


def _trim(run: list[tuple[int, int, str]], before: str) -> list[tuple[int, int, str]]:
    """Drop descriptive words, a leading "-ing" word, the word after a pronoun and a leading
    "-ed" word after a subject from the front of a phrase (``before``: the word before the
    run, folded), and then a generic head they modified ("neural network language models":
    language models, not "network language models")."""
    table = lists()
    trimmed = False
    while len(run) > 1:
        first = run[0][2].lower()
        descriptive = first in table.descriptive or first.isdigit()
        participle = first.endswith("ing") and head_type(first) is None and first != "learning"
        verb = before in _PRONOUN or (first.endswith("ed") and before in _SUBJECT)  # "we fit …", "is used …"
        verb = verb or (before == "to" and len(run) > 2 and not _nominal(first))  # "to integrate deep networks"
        tail = trimmed and first in table.generic and head_type(first) == "Method"  # "[neural] network …"
        if not (descriptive or participle or verb or tail):
            break
        run = run[1:]
        before = ""
        trimmed = True
    return run


def _nominal(word: str) -> bool:
    """A word that reads as a noun or adjective by its ending ("translation", "graphical",
    "compressive"), or a compound; after "to", any other first word of a longer run is taken
    for the verb of an infinitive ("to integrate deep neural networks")."""
    return "-" in word or word.endswith(_NOMINAL_ENDINGS) or head_type(word) is not None


def is_noun_phrase(words: list[str]) -> bool:
    """Words the noun-phrase rule would take whole: content words only (no verb, stop word,
    preposition or adverb: not "combining several language models", "Unlike conventional
    methods"), nothing it trims from the front of a lower-case phrase ("populating object
    category detection"; "Simple Recurrent Network", capitalised, is a name)."""
    if not words or not all(is_content(w) for w in words):
        return False
    run = [(index, index + 1, word) for index, word in enumerate(words)]
    return not words[0].islower() or len(_trim(run, "")) == len(run)


def phrase_type(words: list[str]) -> str | None:
    """The type of a phrase (head last, modifiers before it), or None when it is not a name."""
    table = lists()
    kind = head_type(words[-1])
    modifiers = words[:-1]
    if kind is None or not modifiers:
        return None
    folded = [w.lower() for w in modifiers]
    if " ".join(folded) in table.generic or all(w in table.generic or w in table.descriptive for w in folded):
        return None
    if is_generic(" ".join(words)) or is_generic(" ".join(modifiers)):
        return None
    head = singular(words[-1])
    if (head in table.loose or kind != "Dataset") and not any(_is_noun(w) for w in modifiers):
        return None
    if kind == "Dataset" and not any(_is_name(w) for w in modifiers):
        return None
    if head in _MODEL_WORDS and len(modifiers) < 2:
        return None  # "translation model" is how ML prose describes; "statistical translation model" names
    if head in _TASK_WORDS and (len(modifiers) < 2 or head_type(modifiers[-1]) != "Task"):
        return None  # "word sense disambiguation task", not "target tasks" or "classification problem"
    if kind == "Task" and head not in _TASK_WORDS and head != words[-1].lower():
        return None  # a task is an activity: "image annotations", "long-term predictions" are its results
    return kind


def phrase_label(text: str) -> str:
    """The concept a phrase names: its canonical form without a generic head ("policy gradient
    algorithm" → Policy Gradient, so "policy gradient method" is the same concept) unless the
    words left end in a task ("image classification model" stays whole)."""
    words = text.split()
    head = singular(words[-1])
    if len(words) > 1 and head in lists().unnamed and (head in _TASK_WORDS or head_type(words[-2]) is None):
        return canonical_label(" ".join(words[:-1]))
    return canonical_label(text)


@dataclass(frozen=True)
class Phrase:
    """A typed noun phrase: tokens [start, end), its head word from token ``head``."""

    start: int
    head: int
    end: int
    type: str


def runs(doc: Doc) -> list[tuple[list[tuple[int, int, str]], str]]:
    """Each maximal run of content words (start token, end token, text per word) with the word
    before it, folded ("" at the start)."""
    words = _words(doc)
    found: list[tuple[list[tuple[int, int, str]], str]] = []
    run: list[tuple[int, int, str]] = []
    previous = ""
    for index, word in enumerate([*words, None]):
        if word is not None and is_content(word[2]):
            if not run:
                previous = words[index - 1][2].lower() if index else ""
            run.append(word)
            continue
        if run:
            found.append((run, previous))
        run = []
    return found


def noun_phrases(doc: Doc) -> list[Phrase]:
    """Each typed noun phrase in ``doc``, in order."""
    return [phrase for run, previous in runs(doc) for phrase in _phrase_in_run(run, previous)]


def extended(doc: Doc, known: list[SpanCandidate]) -> list[SpanCandidate]:
    """Known names in ordinary words widened to the noun phrase they end ("visual
    summarization", "spoken multiparty dialogue", "protein representation learning"): the
    content words right before a known method or task, less what the rule trims (descriptive
    words, a leading verb form), make the mention a narrower kind of the same concept. The
    concept stays the known one; the mention's text is the whole phrase, as a reader would
    mark it. Adjectives are allowed here ("visual"), unlike in a new phrase: the known name,
    not the modifier, says what the words are. A name that modifies a noun after it is left
    alone ("dialogue systems")."""
    words = _words(doc)
    index_at = {word[0]: index for index, word in enumerate(words)}
    ends = {word[1] for word in words}
    widened = []
    for candidate in known:
        text = doc[candidate.start : candidate.end].text
        at = index_at.get(candidate.start)
        if candidate.type == "Dataset" or not text.islower() or at is None or candidate.end not in ends:
            continue
        if candidate.end < len(doc) and doc[candidate.end - 1].whitespace_ and is_content(doc[candidate.end].text):
            continue  # "dialogue systems": the name modifies what follows
        first = at
        while first > 0 and at - first < MAX_MODIFIERS and is_content(words[first - 1][2]):
            first -= 1
        if first == at:
            continue
        previous = words[first - 1][2].lower() if first else ""
        name = (candidate.start, candidate.end, text)
        kept = _trim(_after_description([*words[first:at], name]), previous)
        modifiers = [w for w in kept if w[0] < candidate.start]
        if not modifiers or any(not w[2].islower() for w in modifiers):
            continue
        widened.append(
            SpanCandidate(
                modifiers[0][0],
                candidate.end,
                candidate.concept,
                candidate.type,
                candidate.label,
                f"{RULE}:{candidate.type.lower()}",
                candidate.confidence,
                candidate.discovered,
            )
        )
    return widened


def _phrase_in_run(run: list[tuple[int, int, str]], before: str) -> list[Phrase]:
    """The phrase a run of content words holds: the run itself when its last word is a head
    (at most MAX_MODIFIERS modifiers kept), trimmed at the front."""
    if head_type(run[-1][2]) is None:
        return []
    start = max(0, len(run) - 1 - MAX_MODIFIERS)
    described = _after_description(run[start:])
    phrase = _trim(described, before if start == 0 and len(described) == len(run) else "")
    kind = phrase_type([w[2] for w in phrase])
    return [Phrase(phrase[0][0], phrase[-1][0], phrase[-1][1], kind)] if kind else []


class NounPhraseFinder:
    """Proposes every typed noun phrase as a discovered concept (rule ``phrase:<type>``).

    A phrase that holds a known name (lexicon, acronym, pattern) of its own type is not a new
    concept ("CIFAR-100 image classification benchmark", "deep semi-supervised anomaly
    detection": the known name is the mention), nor is a known name of another type and a head
    ("few-shot learning technique", "BERT model"). Two exceptions are longer mentions of the
    known concept itself: a known name followed by a head that is not part of names ("policy
    gradient algorithm", "image classification task"), and modifiers before a known name that
    ends the phrase ("semi-supervised anomaly detection": the mention covers the whole noun
    phrase, the concept stays the scheme's)."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name
        lists()

    def __call__(self, doc: Doc) -> Doc:
        known = [c for c in doc._.kg_candidates or () if not c.rule.startswith(RULE)]
        for candidate in extended(doc, [c for c in known if c.rule.startswith(("lexicon", "acronym"))]):
            propose(doc, candidate)
        for phrase in noun_phrases(doc):
            inside = [c for c in known if phrase.start <= c.start and c.end <= phrase.end]
            rule = f"{RULE}:{phrase.type.lower()}"
            named = next((c for c in inside if (c.start, c.end) == (phrase.start, phrase.head)), None)
            unnamed = singular(doc[phrase.head : phrase.end].text) in lists().unnamed
            ending = [c for c in inside if c.end == phrase.end and c.type == phrase.type and c.start > phrase.start]
            if ending:  # "deep semi-supervised anomaly detection": a kind of the known concept
                named, unnamed = min(ending, key=lambda c: c.start), True
            if named is not None and named.type == phrase.type and unnamed:
                candidate = SpanCandidate(
                    phrase.start, phrase.end, named.concept, named.type, named.label, rule, named.confidence,
                    named.discovered,
                )  # fmt: skip
            elif named is not None or any(c.type == phrase.type and not _modifies(doc, c, phrase) for c in inside):
                continue
            else:
                label = phrase_label(doc[phrase.start : phrase.end].text)
                candidate = SpanCandidate(
                    phrase.start, phrase.end, concept_id(slug(label)), phrase.type, label, rule,
                    CONFIDENCE[phrase.type], True,
                )  # fmt: skip
            propose(doc, candidate)
        return doc


def _modifies(doc: Doc, known: SpanCandidate, phrase: Phrase) -> bool:
    """A known name in ordinary lower-case words that only modifies the phrase's head ("dialogue"
    in "dialogue state tracking", "clustering" in "spectral clustering quality estimation"): the
    phrase names a narrower thing of its own, unlike a coined name inside it ("CIFAR-100 image
    classification benchmark", where the name is the mention), or one joined to the next word by
    a hyphen ("transformer-based ASR network": a method the phrase is built on)."""
    text = doc[known.start : known.end].text
    return known.end < phrase.head and text == text.lower() and bool(doc[known.end - 1].whitespace_)


@Language.factory("kg_noun_phrases")
def make_noun_phrases(nlp: Language, name: str) -> NounPhraseFinder:
    return NounPhraseFinder(nlp, name)
