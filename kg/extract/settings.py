"""How a store's concepts were extracted: which tagger, which confidence floor, which concept
scheme.

A build records these in the store's ``meta.json`` (``extraction``), so ``kg add`` and
``kg remove`` extract new or stale inputs the same way, and saved mentions carry the
fingerprint of exactly these rules. The user's scheme files are recorded by path and content
hash; an update reads them again, so an edited file makes every input stale (extracted again)
and a missing or broken one stops the update before the store is touched.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import InputError
from kg.extract import Model, rules_fingerprint
from kg.extract.scheme import BUNDLED, SchemeChoice


@dataclass(frozen=True)
class Extraction:
    """``model``: True for the shipped tagger, False for none, or a model directory;
    ``min_confidence``: mentions below it are dropped; ``scheme``: the concept scheme (the
    bundled one, or the user's files added to it or in its place)."""

    model: Model = True
    min_confidence: float = 0.0
    scheme: SchemeChoice = BUNDLED

    def fingerprint(self) -> str:
        return rules_fingerprint(self.model, self.min_confidence, self.scheme)

    def to_meta(self) -> dict[str, Any]:
        model = "shipped" if self.model is True else "none" if self.model is False else str(self.model)
        saved: dict[str, Any] = {"model": model, "min_confidence": self.min_confidence}
        if self.scheme.files:  # the bundled scheme alone is what a store without "scheme" means
            saved["scheme"] = self.scheme.as_config()
        return saved

    @classmethod
    def from_meta(cls, saved: Any) -> Extraction:
        """The settings a store's meta.json names (a store from before they were recorded:
        the defaults). The scheme files are read again as they are now; :class:`InputError` when
        one is gone or cannot be read."""
        if not isinstance(saved, dict):
            return cls()
        model = saved.get("model", "shipped")
        chosen: Model = True if model == "shipped" else False if model == "none" else Path(str(model))
        scheme = saved.get("scheme") if isinstance(saved.get("scheme"), dict) else {}
        files = [str(f) for f in scheme.get("files") or ()]
        try:
            current = SchemeChoice.of(files, str(scheme.get("mode", "add")))
        except InputError as err:
            raise InputError(
                err.path, f"{err.message} (the store was built with this scheme file: restore it, or run kg build)"
            ) from err
        return cls(chosen, float(saved.get("min_confidence", 0.0)), current)
