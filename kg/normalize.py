"""Matching keys for names and titles: case, accents, punctuation and spacing folded away.

Every stage that compares strings (lexicon lookups, identity, ids) uses these keys, so two
spellings that differ only in "É"/"E", "–"/"-" or spacing always agree.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata

_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def fold(text: str) -> str:
    """Lower-case ASCII with accents removed (ß → ss, é → e); other characters dropped."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).encode("ascii", "ignore").decode()


def key(text: str) -> str:
    """A matching key: folded, every run of non-alphanumerics collapsed to one space.

    ASCII text skips Unicode decomposition (the same result, several times faster: lookups and
    the lookup index fold every name they see)."""
    folded = text.lower() if text.isascii() else fold(text)
    return _NON_ALNUM.sub(" ", folded).strip()


def slug(text: str, max_length: int = 80) -> str:
    """An IRI-safe, readable id part: 'Graph Neural Network' → 'graph-neural-network'."""
    value = key(text).replace(" ", "-")[:max_length].strip("-")
    return value or digest(text)


def digest(*parts: str, length: int = 16) -> str:
    """A short stable hash of the parts (for ids of things without a usable name)."""
    hasher = hashlib.sha1()
    for part in parts:
        hasher.update(part.encode("utf-8"))
        hasher.update(b"\x1f")
    return hasher.hexdigest()[:length]
