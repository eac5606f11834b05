"""How a store's concepts were extracted: which tagger, which confidence floor.

A build records these in the store's ``meta.json`` (``extraction``), so ``kg add`` and
``kg remove`` extract new or stale inputs the same way, and saved mentions carry the
fingerprint of exactly these rules.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.extract import Model, rules_fingerprint


@dataclass(frozen=True)
class Extraction:
    """``model``: True for the shipped tagger, False for none, or a model directory;
    ``min_confidence``: mentions below it are dropped."""

    model: Model = True
    min_confidence: float = 0.0

    def fingerprint(self) -> str:
        return rules_fingerprint(self.model, self.min_confidence)

    def to_meta(self) -> dict[str, Any]:
        model = "shipped" if self.model is True else "none" if self.model is False else str(self.model)
        return {"model": model, "min_confidence": self.min_confidence}

    @classmethod
    def from_meta(cls, saved: Any) -> Extraction:
        """The settings a store's meta.json names (a store from before they were recorded:
        the defaults)."""
        if not isinstance(saved, dict):
            return cls()
        model = saved.get("model", "shipped")
        chosen: Model = True if model == "shipped" else False if model == "none" else Path(str(model))
        return cls(chosen, float(saved.get("min_confidence", 0.0)))
