"""A store directory is kg's own: builds never remove what kg did not write, never replace a good
store with an empty one, repair a damaged pointer the way the error says, and can roll back.

Each test here failed before the fix it pins (issue 22, items 1, 5 and 6), through the real CLI
and real builds of a small input.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg.cli import main
from kg.errors import InputError, StoreError
from kg.store import layout
from tests.reliability.conftest import HostileBuild


def invoke(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit), repr(
        result.exception
    )
    return result.exit_code, result.stdout, result.stderr


@pytest.fixture
def store(hostile_build: HostileBuild, tmp_path: Path) -> Path:
    copy = tmp_path / "store"
    shutil.copytree(hostile_build.store, copy)
    return copy


def _tree(path: Path) -> dict[str, bytes | None]:
    return {str(p.relative_to(path)): (p.read_bytes() if p.is_file() else None) for p in sorted(path.rglob("*"))}


# ---------------------------------------------------------------- item 1: whose directory


def test_an_ordinary_directory_is_refused_and_left_untouched(hostile_build: HostileBuild, tmp_path: Path) -> None:
    thesis = tmp_path / "work"
    (thesis / "gen-important").mkdir(parents=True)
    (thesis / "gen-important" / "thesis.tex").write_text("\\chapter{Years of work}", encoding="utf-8")
    (thesis / ".tmp-gen-notes").mkdir()
    (thesis / ".tmp-gen-notes" / "notes.md").write_text("notes", encoding="utf-8")
    before = _tree(thesis)
    code, out, err = invoke("build", str(hostile_build.source), "--store", str(thesis))
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "is a directory kg did not create (no .kg-store marker)" in err, err
    assert _tree(thesis) == before
    with pytest.raises(StoreError, match="kg did not create"):
        kg.build([hostile_build.source], store=thesis, extract=False)
    assert _tree(thesis) == before


@pytest.mark.parametrize("where", ["root", "home"])
def test_the_root_and_the_home_directory_are_refused(hostile_build: HostileBuild, where: str) -> None:
    target = Path("/") if where == "root" else Path.home()
    code, _, err = invoke("build", str(hostile_build.source), "--store", str(target))
    assert code == 2 and ("file-system root" in err if where == "root" else "home directory" in err), err


def test_an_empty_directory_becomes_a_marked_store(hostile_build: HostileBuild, tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    kg.build([hostile_build.source], store=empty, extract=False)
    assert (empty / layout.MARKER).is_file()
    kg.build([hostile_build.source], store=empty, extract=False)  # a marked store is rebuilt
    assert kg.open_store(empty).stats()["nodes"]["Paper"] == 3


def test_a_store_written_before_the_marker_is_adopted(store: Path, hostile_build: HostileBuild) -> None:
    (store / layout.MARKER).unlink()
    kg.build([hostile_build.source], store=store, extract=False)
    assert (store / layout.MARKER).is_file()


def test_only_entries_kg_names_are_removed(store: Path, hostile_build: HostileBuild) -> None:
    """Even inside a marked store, a ``gen-…`` a user put there by hand is not kg's to remove."""
    (store / "gen-mine").mkdir()
    (store / "gen-mine" / "keep.txt").write_text("mine", encoding="utf-8")
    (store / ".tmp-gen-mine").mkdir()
    for _ in range(3):
        kg.build([hostile_build.source], store=store, extract=False)
    assert (store / "gen-mine" / "keep.txt").read_text(encoding="utf-8") == "mine"
    assert (store / ".tmp-gen-mine").is_dir()
    own = [p.name for p in store.iterdir() if p.name.startswith("gen-2")]
    assert len(own) == 2  # the current generation and the previous one


# ---------------------------------------------------------------- item 5: empty builds, rollback


def test_zero_records_is_an_error_and_the_store_stays(store: Path, hostile_build: HostileBuild, tmp_path: Path) -> None:
    before = (store / "CURRENT").read_text(encoding="utf-8")
    papers = kg.open_store(store).stats()["nodes"]["Paper"]
    empty_dir = tmp_path / "nothing"
    empty_dir.mkdir()
    code, out, err = invoke("build", str(empty_dir), "--store", str(store))
    assert code == 2 and out == "" and err.count("\n") == 1
    assert "no input files found; nothing was written" in err and "--allow-empty" in err
    code, _, err = invoke("build", str(hostile_build.source), "--format", "bibtex", "--store", str(store))
    assert code == 2 and "no records read; nothing was written (is --format bibtex right?" in err, err
    code, _, err = invoke("add", str(hostile_build.source), "--format", "bibtex", "--store", str(store))
    assert code == 2 and "no records read" in err, err
    assert (store / "CURRENT").read_text(encoding="utf-8") == before
    assert kg.open_store(store).stats()["nodes"]["Paper"] == papers
    with pytest.raises(InputError, match="no input files found"):
        kg.build([empty_dir], store=store)


def test_allow_empty_builds_an_empty_store(tmp_path: Path) -> None:
    empty_dir = tmp_path / "nothing"
    empty_dir.mkdir()
    code, _, err = invoke("build", str(empty_dir), "--allow-empty", "--store", str(tmp_path / "s"))
    assert code == 0, err
    assert kg.open_store(tmp_path / "s").stats()["nodes"].get("Paper", 0) == 0


def test_generations_and_rollback(hostile_build: HostileBuild, tmp_path: Path, corpus: Path) -> None:
    store = tmp_path / "s"
    kg.build([hostile_build.source], store=store, extract=False)
    first = layout.current_name(store)
    code, _, err = invoke("rollback", "--store", str(store))
    assert code == 2 and "no previous generation" in err
    kg.build([corpus / "workshop_posters_affiliations.txt"], store=store, extract=False)
    second = layout.current_name(store)
    code, out, _ = invoke("generations", "--store", str(store), "--format", "json")
    rows = json.loads(out)
    assert code == 0 and [(r["generation"], r["state"]) for r in rows] == [(second, "current"), (first, "previous")]
    assert rows[1]["records"] == 3 and rows[1]["inputs"] == 1
    code, _, err = invoke("rollback", "--store", str(store))
    assert code == 0 and f"rolled back from {second} to {first}" in err
    assert layout.current_name(store) == first and kg.open_store(store).stats()["nodes"]["Paper"] == 3
    code, _, _ = invoke("rollback", "--store", str(store))  # and back again
    assert code == 0 and layout.current_name(store) == second


# ---------------------------------------------------------------- item 6: a damaged CURRENT


@pytest.mark.parametrize("damage", ["directory", "binary", "symlink"])
def test_a_rebuild_repairs_a_damaged_current_without_orphans(
    store: Path, hostile_build: HostileBuild, tmp_path: Path, damage: str
) -> None:
    secret = tmp_path / "secret.txt"
    secret.write_text("gen-" + "s3cr3t" * 20, encoding="utf-8")
    pointer = store / "CURRENT"
    pointer.unlink()
    if damage == "directory":
        pointer.mkdir()
    elif damage == "binary":
        pointer.write_bytes(b"\xff\xfe\x00gen")
    else:
        os.symlink(secret, pointer)
    code, _, err = invoke("stats", "--store", str(store))
    assert code == 2 and "CURRENT" in err and "s3cr3t" not in err, err
    generations_before = {p.name for p in store.iterdir() if p.name.startswith("gen-")}
    kg.build([hostile_build.source], store=store, extract=False)
    assert kg.open_store(store).stats()["nodes"]["Paper"] == 3
    set_aside = [p for p in store.iterdir() if p.name.startswith("CURRENT.damaged-")]
    assert len(set_aside) == 1  # never deleted: it is not what kg wrote
    assert secret.read_text(encoding="utf-8").startswith("gen-s3cr3t")
    generations_after = {p.name for p in store.iterdir() if p.name.startswith("gen-")}
    assert len(generations_after - generations_before) == 1


def test_a_failed_publish_leaves_no_orphan(store: Path, hostile_build: HostileBuild) -> None:
    """The pointer cannot be replaced (a directory where its temporary file goes): the new
    generation, already renamed into place, is removed again and the store is unchanged."""
    before = {p.name for p in store.iterdir()}
    papers = kg.open_store(store).stats()["nodes"]["Paper"]
    (store / ".CURRENT.tmp").mkdir()
    with pytest.raises(IsADirectoryError):
        kg.build([hostile_build.source], store=store, extract=False)
    assert {p.name for p in store.iterdir()} == before | {".CURRENT.tmp"}
    assert kg.open_store(store).stats()["nodes"]["Paper"] == papers
