"""A store kg cannot read (from an older or newer kg, or damaged: meta.json or CURRENT missing,
empty, not JSON, not an object, a format_version that is no integer) gives one line saying what
to do (rebuild or upgrade) and exit status 2 from every command that opens it; never a traceback.

tests/test_store.py covers the Python API for a missing store and a newer format; these are the
other cases, through the real CLI, on copies of a real built store.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.errors import StoreError
from kg.store import layout
from tests.reliability.conftest import HostileBuild

REBUILD = "rebuild it with `kg build`"


def _set_version(value: object) -> Callable[[Path], None]:
    def tamper(generation: Path) -> None:
        meta = json.loads((generation / "meta.json").read_text(encoding="utf-8"))
        meta["format_version"] = value
        (generation / "meta.json").write_text(json.dumps(meta), encoding="utf-8")

    return tamper


def _drop_version(generation: Path) -> None:
    meta = json.loads((generation / "meta.json").read_text(encoding="utf-8"))
    del meta["format_version"]
    (generation / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _meta(content: bytes) -> Callable[[Path], None]:
    return lambda generation: (generation / "meta.json").write_bytes(content)


def _remove_meta(generation: Path) -> None:
    (generation / "meta.json").unlink()


def _meta_directory(generation: Path) -> None:
    (generation / "meta.json").unlink()
    (generation / "meta.json").mkdir()


def _current(content: bytes | None) -> Callable[[Path], None]:
    def tamper(generation: Path) -> None:
        pointer = generation.parent / "CURRENT"
        if content is None:
            pointer.unlink()
        else:
            pointer.write_bytes(content)

    return tamper


# case → (what is done to the copy's live generation, what the one line must say)
CASES: dict[str, tuple[Callable[[Path], None], str]] = {
    "older": (_set_version(layout.FORMAT_VERSION - 1), f"is older than the format this kg reads (1); {REBUILD}"),
    "newer": (_set_version(layout.FORMAT_VERSION + 1), "is newer than the format this kg reads (1); upgrade kg"),
    "far-newer": (_set_version(10**30), "upgrade kg"),
    "version-missing": (_drop_version, f"meta.json has no format_version (written by an early kg); {REBUILD}"),
    "version-null": (_set_version(None), f"meta.json has no format_version (written by an early kg); {REBUILD}"),
    "version-string": (_set_version("1"), f'format_version "1" is not an integer; {REBUILD}'),
    "version-float": (_set_version(1.0), f"format_version 1.0 is not an integer; {REBUILD}"),
    "version-boolean": (_set_version(True), f"format_version true is not an integer; {REBUILD}"),
    "version-list": (_set_version([1]), f"format_version [1] is not an integer; {REBUILD}"),
    "meta-not-json": (_meta(b"{format_version: 1"), "meta.json is unreadable ("),
    "meta-empty": (_meta(b""), "meta.json is unreadable ("),
    "meta-binary": (_meta(b"\xff\xfe\x00\x01"), "meta.json is unreadable ("),
    "meta-array": (_meta(b"[1]"), f"meta.json holds an array, not a JSON object; {REBUILD}"),
    "meta-null": (_meta(b"null"), f"meta.json holds null, not a JSON object; {REBUILD}"),
    "meta-missing": (_remove_meta, f"has no meta.json (an unfinished or damaged build); {REBUILD}"),
    "meta-directory": (_meta_directory, "meta.json is unreadable ("),
    "current-missing": (_current(None), "no store here; run `kg build` first"),
    "current-empty": (_current(b""), f"CURRENT is empty (names no generation); {REBUILD}"),
    "current-blank": (_current(b"  \n\n"), f"CURRENT is empty (names no generation); {REBUILD}"),
    "current-binary": (_current(b"\xff\xfe"), f"CURRENT is not text (damaged); {REBUILD}"),
    "current-dangling": (_current(b"gen-19700101T000000-1-000000\n"), "CURRENT points at a missing generation"),
}
COMMANDS = (("stats",), ("who-works-on", "dropout"), ("sparql", "ASK {}"), ("export", "--format", "nt", "-o", "-"))


@pytest.fixture
def copy(hostile_build: HostileBuild, tmp_path: Path) -> Path:
    store = tmp_path / "store"
    shutil.copytree(hostile_build.store, store)
    return store


@pytest.mark.parametrize("case", CASES, ids=CASES)
def test_unreadable_store_is_one_clear_line(copy: Path, case: str) -> None:
    tamper, expected = CASES[case]
    tamper(layout.current_generation(copy).path)
    for command in COMMANDS:
        result = CliRunner().invoke(main, [*command, "--store", str(copy)])
        assert result.exit_code == 2, (command, result.output[-2000:])
        assert isinstance(result.exception, SystemExit), repr(result.exception)
        assert result.stdout == ""
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].isprintable(), result.stderr
        assert lines[0].startswith(f"kg: error: store {copy}: ") and expected in lines[0], lines[0]
    with pytest.raises(StoreError):
        kg.open_store(copy)


def test_a_rebuild_repairs_the_store(copy: Path, hostile_build: HostileBuild) -> None:
    """What the message says to do works: `kg build` over the damaged store gives a readable one."""
    _set_version(layout.FORMAT_VERSION + 1)(layout.current_generation(copy).path)
    (copy / "CURRENT").write_text("", encoding="utf-8")
    kg.build([hostile_build.source], store=copy, extract=False)
    result = CliRunner().invoke(main, ["stats", "--json", "--store", str(copy)])
    assert result.exit_code == 0 and json.loads(result.stdout)["nodes"]["Paper"] == 3
