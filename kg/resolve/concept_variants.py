"""Where a discovered concept sits in the scheme: the scheme concept it is a variant of.

The tagger and the patterns find names the scheme lacks; many are narrower forms of a concept
it has. Two shapes are recognised, both by matching keys and only within one type:

- a **sized or flavoured variant** of a model: the scheme name first, then only size and
  version words ("BERT-large" → BERT, "ResNet-152" → ResNet, "GPT-2 XL" → GPT-2);
- a **head-word match**: the longest proper tail of the name that is a scheme label or alias,
  never a generic word ("hierarchical attention network" → Attention Network, "graph
  attention network" → Graph Neural Network when the scheme spells it so, "few-shot image
  synthesis" → Image Synthesis).

The discovered concept keeps its own node and gets a ``broader`` edge to the scheme concept.
"""

from __future__ import annotations

import re
from functools import cache

from kg.extract.components import is_generic, is_taggable
from kg.extract.scheme import SchemeChoice, active_scheme, load_scheme
from kg.normalize import key

_VARIANT_WORD = re.compile(
    r"^(?:\d+[a-z]?|v\d+|large|base|small|tiny|mini|medium|huge|giant|xl|xxl|lite|plus|pro|ultra|deep|wide|[a-z]\d+)$"
)


def _scheme_keys() -> dict[tuple[str, str], str]:
    """Scheme concept id by (type, folded label or alias), taggable concepts only, of the scheme
    of the build this runs in."""
    return _keys_of(active_scheme())


@cache
def _keys_of(scheme: SchemeChoice) -> dict[tuple[str, str], str]:
    found: dict[tuple[str, str], str] = {}
    for concept in sorted(load_scheme(scheme).values(), key=lambda c: c.id):
        if not is_taggable(concept):
            continue
        for spelling in (concept.label, *concept.aliases):
            folded = key(spelling)
            if folded and not is_generic(spelling):
                found.setdefault((concept.type, folded), concept.id)
                if folded.endswith("s") and len(folded) > 4:
                    found.setdefault((concept.type, folded[:-1]), concept.id)
    return found


def scheme_parent(label: str, concept_type: str) -> str | None:
    """The scheme concept a discovered concept named ``label`` is a variant of, or None."""
    words = key(label).split()
    if len(words) < 2:
        return None
    known = _scheme_keys()
    for size in range(len(words) - 1, 0, -1):  # "bert large" → "bert"
        head = " ".join(words[:size])
        if (concept_type, head) in known and all(_VARIANT_WORD.match(w) for w in words[size:]):
            return known[(concept_type, head)]
    for start in range(1, len(words)):  # the longest tail first
        tail = " ".join(words[start:])
        found = known.get((concept_type, tail)) or known.get((concept_type, tail.rstrip("s")))
        if found is not None:
            return found
    return None
