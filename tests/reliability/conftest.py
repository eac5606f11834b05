"""A small store built from hostile records (:mod:`tests.reliability.hostile`), once per session;
tests read it, or copy it before tampering with it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

import pytest

import kg
from tests.reliability.hostile import HOSTILE_FILE_NAME, NAMED_RECORD, RECORDS


@dataclass(frozen=True)
class HostileBuild:
    """Where the hostile input and its store are (``root`` holds nothing else)."""

    root: Path
    source: Path
    store: Path


@pytest.fixture(scope="session")
def hostile_build(tmp_path_factory: pytest.TempPathFactory) -> HostileBuild:
    root = tmp_path_factory.mktemp("hostile-input")
    (root / "input" / "sub").mkdir(parents=True)
    source = root / "input" / "hostile.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in RECORDS), encoding="utf-8")
    named = root / "input" / HOSTILE_FILE_NAME
    named.write_text(json.dumps(NAMED_RECORD) + "\n", encoding="utf-8")
    store = root / "store"
    kg.build([root / "input" / "sub" / ".." / "hostile.jsonl", named], store=store)  # a path through ".."
    return HostileBuild(root, source, store)
