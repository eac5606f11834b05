"""spaCy components of the extraction pipeline, registered as factories (rules live in data/).

- ``kg_lexicon`` (:mod:`kg.extract.lexicon`): phrase matching against the concept scheme. Aliases written in lower case
  or as ordinary words match case-insensitively; acronyms and other short or mixed-case
  aliases ("GNN", "BN", "ResNet") match case-sensitively, so "gan" in prose is not a GAN.
  Plural and hyphen/space variants are generated from every alias.
- ``kg_acronyms``: Schwartz–Hearst acronym definitions ("Neural Arithmetic Logic Unit (NALU)").
  A definition overrides the lexicon inside its document (an abstract that defines "BN" as a
  Bayesian network means that), and a long form the scheme lacks becomes a discovered concept
  typed by its head noun.
- ``kg_patterns``: named things the scheme cannot know: the paper's own method ("we propose
  X", a title "X: …"), "the X dataset", "X benchmark".
- ``kg_noun_phrases`` (:mod:`kg.extract.nounphrases`): plain noun phrases typed by their head
  noun ("statistical machine translation system", "word sense disambiguation").
- ``kg_spans``: keeps the longest non-overlapping proposals and drops generic words.

Components add :class:`SpanCandidate` proposals to ``doc._.kg_candidates``; the final mentions are
in ``doc._.kg_found`` and, for displaCy and other spaCy tools, ``doc.spans["kg_concepts"]``
(concept id as ``kb_id_``, type as ``label_``).
"""

from __future__ import annotations

import re
import tomllib
from dataclasses import dataclass
from functools import cache
from typing import Any

from spacy.language import Language
from spacy.tokens import Doc, Span

from kg.extract.scheme import BUNDLED, Concept, SchemeChoice, load_scheme, roots
from kg.ids import concept_id
from kg.normalize import key, slug
from kg.resources import resource_dir

SPAN_KEY = "kg_concepts"
for _name in ("kg_acronyms", "kg_candidates", "kg_found"):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=None)


@dataclass(frozen=True)
class SpanCandidate:
    """A proposed mention: token span, concept, and how it was found.

    Kept in ``doc._.kg_candidates`` rather than in Span extensions: spaCy keys span extension
    values by offsets, so two proposals for the same words would overwrite each other.
    """

    start: int
    end: int
    concept: str
    type: str
    label: str
    rule: str
    confidence: float
    discovered: bool = False

    @property
    def priority(self) -> int:
        """A document's own acronym definition beats the lexicon, which beats a guessed pattern."""
        return _PRIORITY.get(self.rule.split(":", 1)[0], 0)


_PRIORITY = {"acronym": 3, "lexicon": 2, "pattern": 1}


def propose(doc: Doc, candidate: SpanCandidate) -> None:
    """Add a candidate to the document's proposals (for the span filter to choose from)."""
    if doc._.kg_candidates is None:
        doc._.kg_candidates = []
    doc._.kg_candidates.append(candidate)


def _data(name: str) -> Any:
    return resource_dir("data") / "extract" / name


@cache
def generic_terms() -> frozenset[str]:
    words = set()
    for line in _data("generic_terms.txt").read_text(encoding="utf-8").splitlines():
        entry = line.split("#", 1)[0].strip()
        if entry:
            words.add(key(entry))
    return frozenset(words)


@cache
def head_noun_types() -> dict[str, str]:
    with _data("head_nouns.toml").open("rb") as handle:
        table = tomllib.load(handle)
    return {key(noun): concept_type for concept_type, nouns in table.items() for noun in nouns}


def is_generic(text: str) -> bool:
    folded = key(text)
    return folded in generic_terms() or folded.rstrip("s") in generic_terms()


def type_from_head(long_form: str) -> str | None:
    """Method, Dataset or Task from the last word(s) of a name, or None when unsure."""
    words = key(long_form).split()
    if not words:
        return None
    table = head_noun_types()
    for candidate in (" ".join(words[-2:]), words[-1], words[-1].rstrip("s")):
        if candidate in table:
            return table[candidate]
    return None


def is_category(concept: Concept) -> bool:
    """Grouping nodes of the scheme ("Normalization Method", "Model Compression Method") organise
    the hierarchy; text that matches them names the category, not a method, so they are skipped.
    A user's own concept is what they want found ("Bradford Method"), whatever its name."""
    grouping = key(concept.label).endswith((" method", " methods")) and concept.file is None
    return grouping or concept.id in roots()


def is_taggable(concept: Concept) -> bool:
    """A concept text may be tagged with: not a category, and not one whose own name is a generic
    word ("Probabilistic Model"): its aliases ("statistical models") would be generic too."""
    return bool(concept.label) and not is_category(concept) and not is_generic(concept.label)


def is_case_sensitive(alias: str) -> bool:
    """Acronyms and short names must match exactly as written ("GAN" but not "gan", "Adam" but
    not "adam"); phrases and longer coined names ("ResNet", "ImageNet") match in any case."""
    if any(len(part) == 1 and part.isupper() for part in re.split(r"[\s\-]+", alias.strip())):
        return True  # "A-Softmax" and its variant "A Softmax" must not match the words "a softmax"
    if " " in alias.strip():
        return False
    letters = [c for c in alias if c.isalpha()]
    return len(alias) <= 4 or (bool(letters) and all(c.isupper() for c in letters))


def variants(alias: str) -> set[str]:
    """The alias, its plural, and hyphen/space variants ("semi-supervised" ↔ "semi supervised")."""
    forms = {alias}
    if "-" in alias:
        forms.add(alias.replace("-", " "))
    for form in list(forms):
        last = form.split()[-1] if form.split() else form
        if last[-1:].isalpha() and not last.endswith("s"):
            forms.add(form + ("es" if last.endswith(("x", "ch", "sh")) else "s"))
    return forms


@dataclass(frozen=True)
class _Target:
    concept: str
    type: str
    label: str


_PAREN = re.compile(r"\(\s*([^()\s][^()]{0,14}?)\s*\)")
_WORD = re.compile(r"[\w][\w'’\-]*")
_CLAUSE_BREAK = re.compile(r"[\n:;•]|\.\s")
_SHORT_FIRST = re.compile(r"(?<![\w-])([A-Z][\w-]{1,9})\s\(\s*([A-Za-z][^()]{4,120}?)\s*\)")


def short_form_ok(candidate: str) -> bool:
    """Schwartz–Hearst: 2-10 characters, at most two words, starts alphanumeric, has a capital."""
    return (
        2 <= len(candidate) <= 10
        and len(candidate.split()) <= 2
        and candidate[0].isalnum()
        and any(c.isupper() for c in candidate)
        and any(c.isalpha() for c in candidate)
    )


def long_form_for(short: str, words: list[re.Match[str]]) -> int | None:
    """Index into ``words`` where the long form starts, matching the short form's characters
    right to left (the first character must start a word), or None."""
    chars = [c.lower() for c in short if c.isalnum()]
    if not chars:
        return None
    text = " ".join(w.group(0).lower() for w in words)
    word_starts = []
    position = 0
    for word in words:
        word_starts.append(position)
        position += len(word.group(0)) + 1
    s_index, l_index = len(chars) - 1, len(text) - 1
    while s_index >= 0:
        char = chars[s_index]
        while l_index >= 0 and (
            text[l_index] != char or (s_index == 0 and l_index > 0 and text[l_index - 1].isalnum())
        ):
            l_index -= 1
        if l_index < 0:
            return None
        s_index -= 1
        l_index -= 1
    start_char = l_index + 1
    for index, begin in enumerate(word_starts):
        if begin <= start_char < begin + len(words[index].group(0)) + 1:
            return index
    return None


class AcronymFinder:
    """Finds "long form (SHORT)" definitions; labels both forms and other uses of SHORT."""

    def __init__(self, nlp: Language, name: str, scheme: SchemeChoice = BUNDLED) -> None:
        self.name = name
        self.lexicon: dict[str, _Target] = {}
        for concept in load_scheme(scheme).values():
            if not is_taggable(concept):
                continue
            target = _Target(concept.id, concept.type, concept.label)
            for alias in (concept.label, *concept.aliases):
                for form in variants(alias):
                    self.lexicon.setdefault(key(form), target)
        self.longest_alias = max((len(k.split()) for k in self.lexicon), default=1)

    def known_suffix(self, long_form: str) -> _Target | None:
        """The scheme concept a discovered long form ends with ("Relative Predictive Coding" →
        Predictive Coding): it types the new concept better than a head noun can."""
        words = key(long_form).split()
        for size in range(min(len(words) - 1, self.longest_alias), 0, -1):
            tail = " ".join(words[-size:])
            target = self.lexicon.get(tail) or self.lexicon.get(tail.rstrip("s"))
            if target is not None and not is_generic(tail):
                return target
        return None

    def definitions(self, text: str) -> list[tuple[str, str, int, int, int]]:
        """(short, long, long_start_char, short_start_char, short_end_char) per definition."""
        found = []
        for match in _PAREN.finditer(text):
            short = match.group(1).strip()
            if not short_form_ok(short):
                continue
            before = text[max(0, match.start() - 200) : match.start()]
            before = _CLAUSE_BREAK.split(before)[-1]  # a long form never crosses a line or a colon
            offset = match.start() - len(before)
            words = list(_WORD.finditer(before))
            limit = min(len(short) + 5, len(short) * 2)
            window = words[-limit:]
            start_index = long_form_for(short, window)
            if start_index is None:
                continue
            first = window[start_index]
            long_start = offset + first.start()
            long_form = text[long_start : match.start()].strip().rstrip(",;:")
            if len(long_form) <= len(short) or key(long_form) == key(short):
                continue
            found.append((short, long_form, long_start, match.start(1), match.start(1) + len(short)))
        for match in _SHORT_FIRST.finditer(text):
            # "SUMO (Stochastically Unbiased Marginalization Objective)": the whole parenthetical
            # must be the long form, its first word carrying the short form's first letter.
            short, long_form = match.group(1), match.group(2).strip()
            if not short_form_ok(short) or not 2 <= len(long_form.split()) <= 10:
                continue
            words = list(_WORD.finditer(long_form))
            if not words or long_form_for(short, words) != 0 or key(long_form) == key(short):
                continue
            found.append((short, long_form, match.start(2), match.start(1), match.end(1)))
        return found

    def __call__(self, doc: Doc) -> Doc:
        definitions = []
        for short, long_form, long_start, _short_start, _short_end in self.definitions(doc.text):
            target = self.lexicon.get(key(long_form)) or self.lexicon.get(key(long_form).rstrip("s"))
            rule, confidence, discovered = "acronym:definition", 0.95, False
            if target is None:
                known = self.known_suffix(long_form)
                concept_type = known.type if known is not None else type_from_head(long_form)
                if concept_type is None or is_generic(long_form):
                    continue
                label = canonical_label(long_form)
                target = _Target(concept_id(slug(label)), concept_type, label)
                rule, confidence, discovered = "acronym:discovered", 0.75, True
            definitions.append((short, long_form, target, discovered))
            long_span = doc.char_span(long_start, long_start + len(long_form), alignment_mode="expand")
            for span in (long_span, *_occurrences(doc, short)):
                if span is not None:
                    propose(
                        doc,
                        SpanCandidate(
                            span.start,
                            span.end,
                            target.concept,
                            target.type,
                            target.label,
                            rule,
                            confidence,
                            discovered,
                        ),
                    )
        doc._.kg_acronyms = definitions
        return doc


def _occurrences(doc: Doc, short: str) -> list[Span]:
    spans = []
    for match in re.finditer(rf"(?<![\w-]){re.escape(short)}s?(?![\w-])", doc.text):
        span = doc.char_span(match.start(), match.end(), alignment_mode="strict")
        if span is not None:
            spans.append(span)
    return spans


def canonical_label(long_form: str) -> str:
    """'neural arithmetic logic units' → 'Neural Arithmetic Logic Unit' (singular, title case
    for words written in lower case; words with inner capitals keep them)."""
    words = long_form.split()
    last = words[-1].lower() if words else ""
    if last.endswith("s") and not last.endswith(("ss", "us", "is", "ics")) and len(last) > 3:
        words[-1] = words[-1][:-1]
    return " ".join(w if any(c.isupper() for c in w[1:]) else _title_parts(w) for w in words)


_MINOR = {"of", "and", "the", "for", "in", "on", "to", "a", "an", "with", "by", "via"}


def _title_parts(word: str) -> str:
    """'spatio-temporal' → 'Spatio-Temporal', 'out-of-distribution' → 'Out-of-Distribution'."""
    parts = word.split("-")
    return "-".join(p if index and p in _MINOR else p[:1].upper() + p[1:] for index, p in enumerate(parts))


_NAME = r"[A-Z][\w]*(?:-[\w]+)*|[a-z]+[A-Z][\w]*(?:-[\w]+)*"
_CAPITALISED = r"[A-Z][\w]*(?:-[\w]+)*"
_PROPOSE = re.compile(
    r"\b(?:propos|introduc|present|call|dubb?|nam|term)(?:e|es|ed|ing)?\s+(?:(?:a|an|the|our)\s+)?"
    r"(?:(?:new|novel|simple|general)\s+)?((?:" + _NAME + r")(?:\s+" + _CAPITALISED + r"){0,4})(?=[\s,.;:)]|$)"
)
_DATASET = re.compile(
    r"\b(?:the\s+(" + _NAME + r")\s+(?:dataset|data set|benchmark|corpus)s?\b|(" + _NAME + r")\s+benchmark\b)"
)
_APPOSITION = re.compile(r",\s+(?:a|an)\s+([^,.;:()]{3,80}?)(?=[,.;:()]|\s+(?:to|that|which|for|with)\b|$)")


def name_like(word: str) -> bool:
    """A coined name: an inner capital ("FSPool"), two capitals ("SUMO"), a digit or a hyphen
    joining a capitalised part ("HighRes-net", "X-BERT") - not just a capitalised word."""
    inner = any(c.isupper() for c in word[1:])
    return len(word) >= 3 and (inner or any(c.isdigit() for c in word)) and not is_generic(word)


def proposed_name(phrase: str, after: str) -> tuple[str, str, str] | None:
    """(surface, label, type) of the name in "we propose <phrase>", or None.

    A multi-word capitalised name is kept whole when its head noun types it ("Multi-Time
    Attention Networks" → Method "Multi-Time Attention Network"); otherwise only a coined first
    word counts, typed by an apposition that follows ("INT, a synthetic … benchmark" → Dataset)
    or as the Method a proposal usually is.
    """
    words = phrase.split()
    if len(words) > 1:
        head_type = type_from_head(phrase)
        if head_type is None or is_generic(phrase):
            return None  # "Entropy-Maximizing Aggregation": untyped, so not guessed at
        return phrase, canonical_label(phrase), head_type
    first = words[0]
    if not name_like(first):
        return None
    apposition = _APPOSITION.match(after) if len(words) == 1 else None
    described = _first_head_type(apposition.group(1)) if apposition else None
    return first, first, described or "Method"


def _first_head_type(phrase: str) -> str | None:
    """The type of the first head noun in a description ("a synthetic theorem proving benchmark
    designed to …" → Dataset), skipping the modifiers before it."""
    for word in phrase.split():
        found = type_from_head(word)
        if found is not None:
            return found
    return None


_ITEM = r"[A-Z][\w]*(?:[\-.][\w]+)*"
_DATASET_LIST = re.compile(
    r"\b(?:on|across|using|including)\s+(?:the\s+)?"
    r"((?:" + _ITEM + r")(?:\s*,\s*(?:the\s+)?" + _ITEM + r")*,?\s+(?:and|or)\s+(?:the\s+)?" + _ITEM + r")"
)


def dataset_list_items(doc: Doc) -> list[tuple[int, str]]:
    """Unknown names listed beside known datasets ("on CIFAR-10, SVHN and TinyFooBar"): (start,
    name) of each unknown coined name in a list where at least half the items are known
    datasets, so the list is clearly a list of datasets."""
    known = {
        (doc[c.start].idx, doc[c.end - 1].idx + len(doc[c.end - 1].text))
        for c in doc._.kg_candidates or ()
        if c.type == "Dataset" and c.rule.startswith("lexicon")
    }
    found = []
    for match in _DATASET_LIST.finditer(doc.text):
        offset = match.start(1)
        items = [(offset + m.start(), m.group(0)) for m in re.finditer(_ITEM, match.group(1))]
        unknown = [(start, word) for start, word in items if (start, start + len(word)) not in known]
        if len(items) - len(unknown) >= len(unknown):
            found.extend((start, word) for start, word in unknown if name_like(word))
    return found


_NAME_ITEM = r"[A-Za-z][\w]*(?:[\-.][\w]+)*\+?(?:\s\d+(?:\.\d+)+)?"
_THE = r"(?:the\s+)?"
_NAME_LIST = rf"{_THE}{_NAME_ITEM}(?:\s*,\s*{_THE}{_NAME_ITEM})*(?:,?\s+(?:and|or)\s+{_THE}{_NAME_ITEM})?"
# "a large-scale dataset MultiDomain", "benchmarks such as Meta-Dataset": names after a dataset head
_AFTER_HEAD = re.compile(
    r"\b(?:datasets?|data sets?|benchmarks?|corpus|corpora)\s*,?\s+"
    r"(?:(?:such\s+as|like|including|called|named|dubbed)\s+)?(?=(" + _NAME_LIST + r"))"
)
# "experiments on PASCAL3D+ and ObjectNet3D": what experiments are run on
_EXPERIMENTS_ON = re.compile(
    r"\b(?:experiments|evaluations?|evaluated|tested)\s+(?:\w+\s+)?on\s+(?=(" + _NAME_LIST + r"))"
)
# "relation classification (FewRel and TACRED)": the data a task was measured on
_PARENTHESIS = re.compile(r"\(\s*(" + _NAME_LIST + r")(?:\s+(?:datasets?|benchmarks?))?\s*\)")


def _names_in(text: str, offset: int) -> list[tuple[int, str]]:
    """(start, name) of the coordinated items up to the first that is not a coined name: the
    list of data ends where prose starts ("MultiDomain and benchmarks such as …"), and a list
    that starts with an ordinary word ("on Adam and Transformers") gives nothing."""
    items = []
    for match in re.finditer(_NAME_ITEM, text):
        word = match.group(0)
        if word.lower() in {"the", "and", "or"}:
            continue
        if not name_like(word.split()[0].rstrip("+")):
            break
        items.append((offset + match.start(), word))
    return items


def dataset_context_items(doc: Doc) -> list[tuple[int, str, str]]:
    """Coined names (inner capitals or digits) that the sentence says are data: right after a
    dataset head ("the dataset MultiDomain", "benchmarks such as Meta-Dataset"), after
    "experiments on", or in brackets right after a task (a known one, or words ending in a task
    head noun: "relation classification (FewRel and TACRED)"). A list is read up to its first
    item that is not coined, so prose never comes out. (start, name, rule) per name; known names
    are the lexicon's (the span filter prefers them)."""
    found: list[tuple[int, str, str]] = []
    for pattern, rule in (
        (_AFTER_HEAD, "pattern:dataset-apposition"),
        (_EXPERIMENTS_ON, "pattern:dataset-experiments"),
    ):
        for match in pattern.finditer(doc.text):
            found.extend((start, word, rule) for start, word in _names_in(match.group(1), match.start(1)))
    task_ends = {doc[c.end - 1].idx + len(doc[c.end - 1].text) for c in doc._.kg_candidates or () if c.type == "Task"}
    for match in _PARENTHESIS.finditer(doc.text):
        before = doc.text[: match.start()].rstrip()
        if len(before) in task_ends or type_from_head(" ".join(before.split()[-2:])) == "Task":
            items = _names_in(match.group(1), match.start(1))
            found.extend((start, word, "pattern:dataset-parenthesis") for start, word in items)
    return found


_SIZED = re.compile(r"(?<![\w-])([A-Z][\w]*)-(\d+[A-Za-z]?)(?![\w-])")


def model_variants(doc: Doc) -> list[tuple[int, int]]:
    """Token spans of variants of a known model written as one word: "X-BERT", "ResNet-200"
    (a prefix or a size joined by a hyphen to a model the scheme knows)."""
    spans = []
    for candidate in doc._.kg_candidates or ():
        if (
            candidate.type != "Method"
            or not candidate.rule.startswith("lexicon")
            or candidate.end - candidate.start > 1
        ):
            continue  # a model's name is one word ("BERT"); "HW-NAS algorithms" is not a variant
        if not any(c.isupper() for c in doc[candidate.start : candidate.end].text):
            continue  # "a transformer-based" is prose, "X-Transformer" a name
        start, end = candidate.start, candidate.end
        if (
            start >= 2
            and doc[start - 1].text == "-"
            and not doc[start - 2].whitespace_
            and not doc[start - 1].whitespace_
            and doc[start - 2].text[:1].isupper()
        ):
            spans.append((start - 2, end))
        if end + 1 < len(doc) and doc[end].text == "-" and not doc[end - 1].whitespace_ and doc[end + 1].is_digit:
            spans.append((start, end + 2))
    return spans


class PatternFinder:
    """The paper's own named method ("we propose X"), named datasets ("the X dataset", "X
    benchmark", an unknown name in a list of known datasets) and variants of known models
    ("X-BERT") that no lexicon lists."""

    def __init__(self, nlp: Language, name: str, scheme: SchemeChoice = BUNDLED) -> None:
        self.name = name
        self.models = {
            alias
            for concept in load_scheme(scheme).values()
            if concept.type == "Method" and is_taggable(concept)
            for alias in (concept.label, *concept.aliases)
            if " " not in alias and any(c.isupper() for c in alias)
        }

    def sized_models(self, doc: Doc) -> list[tuple[int, int]]:
        """Token spans of "ResNet-200", "GPT-5": a known model name and a size, one token."""
        spans = []
        for match in _SIZED.finditer(doc.text):
            if match.group(1) in self.models:
                span = doc.char_span(match.start(), match.end(), alignment_mode="strict")
                if span is not None:
                    spans.append((span.start, span.end))
        return spans

    def __call__(self, doc: Doc) -> Doc:
        for start, end in [*model_variants(doc), *self.sized_models(doc)]:
            label = doc[start:end].text
            propose(
                doc,
                SpanCandidate(start, end, concept_id(slug(label)), "Method", label, "pattern:model-variant", 0.7, True),
            )
        found = [(start, word, word, "Dataset", "pattern:dataset-list") for start, word in dataset_list_items(doc)]
        found += [(start, word, word, "Dataset", rule) for start, word, rule in dataset_context_items(doc)]
        for match in _PROPOSE.finditer(doc.text):
            named = proposed_name(match.group(1), doc.text[match.end(1) : match.end(1) + 120])
            if named is not None:
                found.append((match.start(1), *named, "pattern:propose"))
        for match in _DATASET.finditer(doc.text):
            group = 1 if match.group(1) else 2
            word = match.group(group)
            if name_like(word):
                found.append((match.start(group), word, word, "Dataset", "pattern:dataset"))
        for start, surface, label, concept_type, rule in found:
            span = doc.char_span(start, start + len(surface), alignment_mode="expand")
            if span is not None and span.text == surface:
                propose(
                    doc,
                    SpanCandidate(
                        span.start, span.end, concept_id(slug(label)), concept_type, label, rule, 0.7, discovered=True
                    ),
                )
        return doc


class SpanFilter:
    """Longest span wins where rule spans overlap (ties: rule priority, then confidence);
    the tagger's spans (rule ``model:…``) then fill only words no rule took, so a lexicon match
    is never replaced by a guess; generic words go."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        candidates = [c for c in doc._.kg_candidates or () if not is_generic(doc[c.start : c.end].text)]
        candidates.sort(key=lambda c: (c.rule.startswith("model:"), -(c.end - c.start), -c.priority, -c.confidence))
        taken: set[int] = set()
        kept = []
        for candidate in candidates:
            if taken.isdisjoint(range(candidate.start, candidate.end)):
                kept.append(candidate)
                taken.update(range(candidate.start, candidate.end))
        kept.sort(key=lambda c: c.start)
        doc._.kg_found = kept
        doc.spans[SPAN_KEY] = [Span(doc, c.start, c.end, label=c.type, kb_id=c.concept) for c in kept]
        return doc


@Language.factory("kg_acronyms", default_config={"scheme": {}})
def make_acronyms(nlp: Language, name: str, scheme: dict[str, Any]) -> AcronymFinder:
    return AcronymFinder(nlp, name, SchemeChoice.from_config(scheme))


@Language.factory("kg_patterns", default_config={"scheme": {}})
def make_patterns(nlp: Language, name: str, scheme: dict[str, Any]) -> PatternFinder:
    return PatternFinder(nlp, name, SchemeChoice.from_config(scheme))


@Language.factory("kg_spans")
def make_span_filter(nlp: Language, name: str) -> SpanFilter:
    return SpanFilter(nlp, name)


def concept_of(concepts: dict[str, Concept], concept_id: str) -> Concept | None:
    return concepts.get(concept_id)
