"""Person names in parts: given names, surname (with its particles), suffix, and how to show them.

Sources write one person many ways: BibTeX order ("Brendel, Wieland", "Dhillon, Jr., Inderjit"),
initials with or without dots ("C.-J. Hsieh", "Jack W Rae"), ALL-CAPS or all-lower-case parts
("SHUAI Zhang", "qiang liu"), particles ("Laurens van der Maaten", "de Freitas, Nando"),
nicknames in parentheses or quotes ("Chiyu \"Max\" Jiang") and listing marks ("Yanwen Fan(*)").
:func:`parse` turns each into a :class:`PersonName` whose :attr:`~PersonName.display` is the
normal-case form and whose :attr:`~PersonName.given_parts` are what identity compares.

Why not ``nameparser``: its title and suffix lists are for English names in general and misread
ML author lists (48 of the 14,166 ICLR 2020–21 names: "Mahdi", "Gen Li", "Prince Zizhuang Wang"
lose a given name as a title, "Shumin MA" and "Stephen Ra" lose their surname as a suffix, and
"Dhillon, Jr., Inderjit" loses its given name), and it takes ~150 µs a name. These rules cover
the forms the corpora have, in about 10 µs.

Limits: the surname is the last word (plus particles before it); "ZHANG Wei" (surname first in
capitals) is read as given name "Zhang", surname "Wei", because nothing in the string says
otherwise. Capitals are changed only in a part written in all capitals or all lower case, so
"LeCun", "McAllester", "DiCarlo" and "YiDing" stay as written.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache

from kg.normalize import fold
from kg.resources import word_list

_TITLES = frozenset({"mr", "mrs", "ms", "miss", "dr", "prof", "professor", "mst", "and"})
_SUFFIXES = {"jr": "Jr.", "sr": "Sr.", "ii": "II", "iii": "III", "iv": "IV"}
_DEGREES = frozenset({"phd", "md", "msc", "bsc"})  # dropped: not part of the name
_ANNOTATION = re.compile(r"\(([^()]*)\)|\"([^\"]*)\"|“([^”]*)”")
_MARKS = re.compile(r"[*†‡§¶#\d]+$")
_DOTTED_INITIALS = re.compile(r"^(?:[^\W\d_]\.){2,}$")
_VOWELS = frozenset("aeiouy")


@dataclass(frozen=True, slots=True)
class GivenPart:
    """One given name as identity compares it: the folded name (``None`` when only an initial
    was written) and its initials ("Cho-Jui" → ``"chojui"``, ``"cj"``; "C.-J." → ``None``, ``"cj"``)."""

    full: str | None
    initials: str


@dataclass(frozen=True)
class PersonName:
    """A parsed name: display-case parts plus the folded keys identity works with.

    The keys are computed once, when the name is made: identity reads them for every pair of
    names it compares."""

    given: tuple[str, ...]
    surname: str
    suffix: str = ""
    nickname: str = ""
    display: str = field(init=False, compare=False)
    surname_key: str = field(init=False, compare=False)
    given_parts: tuple[GivenPart, ...] = field(init=False, compare=False)
    key: str = field(init=False, compare=False)
    initials: str = field(init=False, compare=False)
    block: str = field(init=False, compare=False)

    def __post_init__(self) -> None:
        # display: normal case, display order ("Inderjit S. Dhillon Jr.").
        # surname_key: folded, spaces/hyphens/apostrophes dropped ("vandermaaten").
        # key: equal for spellings that differ only in case, accents, dots, hyphens or order.
        # initials: every given name's initials in order ("Cho-Jui" → "cj", "Aaron C." → "ac").
        # block: surname and first initial: only names in one block can be one person.
        parts = tuple(_given_part(token) for token in self.given)
        surname_key = _squash(self.surname)
        words: list[str] = []
        previous_initial = False
        for part in parts:
            if part.full is None and previous_initial:
                words[-1] += part.initials  # "C. J." and "C.-J." are one spelling
            else:
                words.append(part.full or part.initials)
            previous_initial = part.full is None
        values = {
            "display": " ".join(p for p in (*self.given, self.surname, self.suffix) if p),
            "surname_key": surname_key,
            "given_parts": parts,
            "key": f"{surname_key}|{' '.join(words)}",
            "initials": "".join(p.initials for p in parts),
            "block": f"{surname_key}|{parts[0].initials[:1] if parts else ''}",
        }
        for name, value in values.items():
            object.__setattr__(self, name, value)


_NOT_ALNUM = re.compile(r"[^0-9a-z]")


def _squash(text: str) -> str:
    return _NOT_ALNUM.sub("", text.lower() if text.isascii() else fold(text))


def _given_part(token: str) -> GivenPart:
    pieces = [p for p in re.split(r"[-‐‑]+", token) if _squash(p)]
    letters = _squash(token)
    if all(len(_squash(p)) == 1 for p in pieces):  # "J.", "C.-J."
        return GivenPart(None, "".join(_squash(p) for p in pieces))
    if token.isupper() and len(letters) <= 3 and not _VOWELS & set(letters):  # "JJ"
        return GivenPart(None, letters)
    return GivenPart(letters, "".join(_squash(p)[:1] for p in pieces))


@cache
def _particles() -> frozenset[str]:
    return word_list("name_particles.txt")


def _recase(token: str, particle: bool) -> str:
    """Normal case for a token written in all capitals or all lower case; others as written."""
    letters = [c for c in token if c.isalpha()]
    if not letters:
        return token
    shouting = token.isupper() and len(letters) > 1
    if not (shouting or token.islower()):
        return token
    if shouting and len(letters) <= 3 and not _VOWELS & {c.lower() for c in letters}:
        return token  # "JJ", "DJ": initials, not a shouted name
    if particle:
        return token.lower()
    return re.sub(r"[^\W\d_]+", _capitalise_word, token.lower())


def _capitalise_word(match: re.Match[str]) -> str:
    word = match.group(0)
    if word.startswith("mc") and len(word) > 3:
        return "Mc" + word[2:].capitalize()
    return word.capitalize()


def _surname_tokens(tokens: list[str]) -> list[str]:
    """Recased surname words; a word after a capitalised particle keeps its case ("Van hamme")."""
    particles = _particles()
    shown: list[str] = []
    for index, token in enumerate(tokens):
        is_particle = index < len(tokens) - 1 and fold(token).strip(".") in particles
        after_particle = index > 0 and fold(tokens[index - 1]).strip(".") in particles
        if after_particle and not tokens[index - 1].islower() and token.islower():
            shown.append(token)
        else:
            shown.append(_recase(token, particle=is_particle))
    return shown


def _strip_annotations(text: str) -> tuple[str, str]:
    """Remove "(Paul)", '"Max"', "(*)", "(PhD)" …; a one-word annotation is kept as a nickname."""
    nickname = ""
    for match in _ANNOTATION.finditer(text):
        inner = next(g for g in match.groups() if g is not None).strip()
        if inner and re.fullmatch(r"[^\W\d_][\w'-]*", inner) and _suffix(inner) is None:
            nickname = nickname or inner
    stripped = _ANNOTATION.sub(" ", text)
    return " ".join(stripped.split()), nickname


def _split_tokens(text: str) -> list[str]:
    tokens: list[str] = []
    for token in text.replace(",", " , ").split():
        if _DOTTED_INITIALS.match(token):  # "J.R.R." → "J." "R." "R."
            tokens.extend(c + "." for c in token if c != ".")
        else:
            tokens.append(token)
    return tokens


def _suffix(token: str) -> str | None:
    """The display form of a suffix token ("" for a degree, which is dropped), else ``None``."""
    folded = token.lower().replace(".", "").strip(",")
    return "" if folded in _DEGREES else _SUFFIXES.get(folded)


@cache
def parse(text: str) -> PersonName:
    """Parse one name as a source wrote it (display or BibTeX order).

    >>> parse("Brendel, Wieland").display
    'Wieland Brendel'
    >>> parse("de Freitas, Nando").surname
    'de Freitas'
    >>> parse("SHUAI Zhang").display
    'Shuai Zhang'
    >>> parse("Dhillon, Jr., Inderjit S.").display
    'Inderjit S. Dhillon Jr.'
    """
    body, nickname = _strip_annotations(" ".join(text.strip("{} ").split()))
    body = _MARKS.sub("", body).strip(" ,")
    suffix = ""
    comma_parts = [p.strip() for p in body.split(",")]
    comma_parts = [p for p in comma_parts if p]
    while len(comma_parts) > 1 and _suffix(comma_parts[-1]) is not None:  # "…, PhD", "…, Jr."
        suffix = suffix or _suffix(comma_parts.pop()) or ""
    if len(comma_parts) == 3 and _suffix(comma_parts[1]) is not None:  # BibTeX "Last, Jr., First"
        suffix = _suffix(comma_parts[1]) or ""
        comma_parts = [comma_parts[0], comma_parts[2]]
    if len(comma_parts) == 2:  # BibTeX "Last, First"
        surname_tokens = comma_parts[0].split()
        given_tokens = _split_tokens(comma_parts[1])
    else:
        tokens = _split_tokens(" ".join(comma_parts))
        tokens = [t for t in tokens if t != ","]
        while len(tokens) > 2 and tokens[0].lower().strip(".") in _TITLES:
            tokens.pop(0)
        while len(tokens) > 2 and _suffix(tokens[-1]) is not None:
            suffix = suffix or _suffix(tokens.pop()) or ""
        if not tokens:
            return PersonName((), "", suffix, nickname)
        cut = len(tokens) - 1
        while cut > 1 and fold(tokens[cut - 1]).strip(".") in _particles():
            cut -= 1
        given_tokens, surname_tokens = tokens[:cut], tokens[cut:]
    surname = " ".join(_surname_tokens(surname_tokens))
    given = tuple(_recase(t, particle=False) for t in given_tokens if t.strip(".,"))
    return PersonName(given, surname, suffix, nickname)
