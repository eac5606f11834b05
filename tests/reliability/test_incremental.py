"""`kg add` and `kg remove` give exactly the store a full build of the same inputs gives, add
nothing twice, and a killed add leaves the store as it was."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

import kg
from kg import pipeline
from kg.cli import main
from kg.store import layout
from tests.conftest import CORPUS_FILES
from tests.reliability.harness import kill_after, store_triples

BASE = ("workshop", "shortscience_summaries")
MORE = ("shortscience_papers", "blog")


def cypher_counts(store: Path) -> tuple[int, int]:
    handle = kg.open_store(store)
    nodes = handle.cypher("MATCH (n) RETURN count(n) AS n").rows[0]["n"]
    edges = handle.cypher("MATCH ()-[r]->() RETURN count(r) AS n").rows[0]["n"]
    return nodes, edges


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> dict[str, Path]:
    """Copies of four corpus files in one folder, so every store names them alike."""
    folder = tmp_path_factory.mktemp("inputs")
    copied = {}
    for name in (*BASE, *MORE):
        copied[name] = Path(shutil.copy(corpus / CORPUS_FILES[name], folder))
    return copied


@pytest.fixture(scope="module")
def full(tmp_path_factory: pytest.TempPathFactory, files: dict[str, Path]) -> Path:
    store = tmp_path_factory.mktemp("full") / "store"
    kg.build([files[n] for n in (*BASE, *MORE)], store=store)
    return store


def test_add_equals_a_full_build_and_adding_twice_changes_nothing(
    tmp_path: Path, files: dict[str, Path], full: Path
) -> None:
    store = tmp_path / "store"
    kg.build([files[n] for n in BASE], store=store)
    report, added = pipeline.add([files[n] for n in MORE], store=store)
    assert len(added) == 2 and report.records == sum(i["records"] for i in kg.open_store(full).meta["inputs"])
    assert store_triples(store) == store_triples(full)
    assert cypher_counts(store) == cypher_counts(full)
    assert kg.open_store(store).stats()["resolution"] == kg.open_store(full).stats()["resolution"]
    generation = layout.current_name(store)
    again, added = pipeline.add([files["blog"]], store=store)
    assert added == [] and layout.current_name(store) == generation and again.triples == report.triples


def test_remove_equals_a_build_without_the_file(tmp_path: Path, files: dict[str, Path], full: Path) -> None:
    store = tmp_path / "store"
    shutil.copytree(full, store)
    pipeline.remove([files["blog"], str(files["shortscience_papers"])], store=store)
    reference = tmp_path / "reference"
    kg.build([files[n] for n in BASE], store=reference)
    assert store_triples(store) == store_triples(reference)
    assert cypher_counts(store) == cypher_counts(reference)


def test_a_changed_file_replaces_its_old_records(tmp_path: Path, files: dict[str, Path]) -> None:
    folder = tmp_path / "in"
    folder.mkdir()
    workshop = Path(shutil.copy(files["workshop"], folder))
    store = tmp_path / "store"
    kg.build([workshop], store=store, extract=False)
    lines = workshop.read_text(encoding="utf-8").splitlines(keepends=True)
    entries = [i for i, line in enumerate(lines) if "(" in line and ";" in line]
    del lines[entries[-1] : entries[-1] + 2]  # the last poster and its abstract
    workshop.write_text("".join(lines), encoding="utf-8")
    report, added = pipeline.add([workshop], store=store)
    assert added and report.records == 26
    reference = tmp_path / "reference"
    kg.build([workshop], store=reference, extract=False)
    assert store_triples(store) == store_triples(reference)


def test_cli_errors_name_the_problem(tmp_path: Path, files: dict[str, Path], full: Path) -> None:
    runner = CliRunner()
    missing = runner.invoke(main, ["remove", "nope.txt", "--store", str(full)])
    assert missing.exit_code == 2 and "nope.txt is not an input of store" in missing.output
    empty = tmp_path / "empty"
    result = runner.invoke(main, ["add", str(files["blog"]), "--store", str(empty)])
    assert result.exit_code == 2 and "no store here" in result.output
    store = tmp_path / "one"
    kg.build([files["blog"]], store=store, extract=False)
    result = runner.invoke(main, ["remove", str(files["blog"]), "--store", str(store)])
    assert result.exit_code == 2 and "without inputs" in result.output


CHILD = "import sys; from kg import pipeline; pipeline.add(sys.argv[2:], store=sys.argv[1])"


@pytest.fixture(scope="module")
def three_files(tmp_path_factory: pytest.TempPathFactory, files: dict[str, Path]) -> set[str]:
    """The triples of a full build of the workshop list, the blog and the ShortScience papers."""
    store = tmp_path_factory.mktemp("three") / "store"
    kg.build([files[n] for n in ("workshop", "blog", "shortscience_papers")], store=store)
    return store_triples(store)


@pytest.mark.parametrize("delay", [0.5, 1.5, 2.5])
def test_sigkill_during_add_keeps_the_previous_store(
    tmp_path: Path, files: dict[str, Path], three_files: set[str], delay: float
) -> None:
    store = tmp_path / "store"
    kg.build([files["workshop"]], store=store)
    before = store_triples(store)
    kill_after(CHILD, [str(store), str(files["blog"]), str(files["shortscience_papers"])], delay)
    after = store_triples(store)
    # the old store, or the whole addition (which is not a superset: new records change identity)
    assert after in (before, three_files)
    pipeline.add([files["blog"], files["shortscience_papers"]], store=store)  # and the next add completes
    assert len(kg.open_store(store).meta["inputs"]) == 3
    assert store_triples(store) == three_files
