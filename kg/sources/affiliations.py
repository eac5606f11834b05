"""Affiliation strings as sources write them, split into one part per institution.

"Lund University, Google Research" names two institutions, "University of Cambridge & Element
AI" two, but "University of California, Berkeley" (a known spelling in the institutions
lexicon) and "Florida State University, USA" (a place qualifier) one each. Only format
knowledge lives here; which institution a part denotes is ``kg.resolve.institutions``' job.
"""

from __future__ import annotations

from kg.normalize import key
from kg.resources import institution_spellings, places
from kg.sources.names import clean

SEPARATORS = (",", " & ", ";", "/")


def split_top_level(text: str, separators: tuple[str, ...]) -> list[str]:
    """Split on any separator that is not inside parentheses."""
    parts: list[str] = []
    depth = 0
    start = 0
    index = 0
    while index < len(text):
        char = text[index]
        if char == "(":
            depth += 1
        elif char == ")":
            depth = max(0, depth - 1)
        elif depth == 0:
            for separator in separators:
                if text.startswith(separator, index):
                    parts.append(text[start:index])
                    index += len(separator)
                    start = index
                    break
            else:
                index += 1
                continue
            continue
        index += 1
    parts.append(text[start:])
    return [clean(part) for part in parts if clean(part)]


def affiliation_parts(text: str) -> tuple[str, ...]:
    """'Lund University, Google Research' → two parts; 'Florida State University, USA' and
    'University of California, Berkeley' (a known institution spelling) → one."""
    known = institution_spellings()
    merged: list[str] = []
    for part in split_top_level(text, SEPARATORS):
        joined = f"{merged[-1]}, {part}" if merged else part
        if merged and (places.contains(part) or key(joined) in known):
            merged[-1] = joined
        else:
            merged.append(part)
    return tuple(merged)
