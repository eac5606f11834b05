"""A build killed at any moment (SIGKILL) leaves the previous store intact and usable, and the
next build succeeds; a second writer is refused while the first holds the lock."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

import kg
from tests.reliability.harness import kill_after, store_triples

CHILD = "import sys, kg; kg.build(sys.argv[2:] or None, store=sys.argv[1])"


@pytest.fixture(scope="module")
def small_store(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> tuple[Path, set[str]]:
    store = tmp_path_factory.mktemp("killed") / "store"
    kg.build([corpus / "workshop_posters_affiliations.txt"], store=store)
    return store, store_triples(store)


@pytest.mark.parametrize("delay", [0.3, 1.0, 1.8, 2.6, 3.4])
def test_sigkill_during_build_keeps_the_previous_store(small_store: tuple[Path, set[str]], delay: float) -> None:
    store, before = small_store
    kill_after(CHILD, [str(store)], delay)
    after = store_triples(store)
    assert after == before or len(after) > len(before)  # the old store, or the new one complete
    if after != before:  # the build finished just before the kill: put the small store back
        kg.build([Path(kg.__file__).parent.parent / "data/corpus/workshop_posters_affiliations.txt"], store=store)
    assert kg.open_store(store).stats()["nodes"]["Paper"] > 0


def test_leftovers_of_a_killed_build_are_cleaned_by_the_next(small_store: tuple[Path, set[str]]) -> None:
    store, before = small_store
    (store / ".tmp-gen-19990101T000000-1-000000").mkdir()
    kg.build([Path(kg.__file__).parent.parent / "data/corpus/workshop_posters_affiliations.txt"], store=store)
    assert not list(store.glob(".tmp-*"))
    assert store_triples(store) == before


def test_lock_holder_is_named_and_released_on_kill(tmp_path: Path) -> None:
    store = tmp_path / "store"
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import sys, time; from kg.store import layout; from pathlib import Path\n"
            "with layout.writer_lock(Path(sys.argv[1])):\n    print('locked', flush=True); time.sleep(60)",
            str(store),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout.readline().strip() == "locked"
    second = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", "--store", str(store)], capture_output=True, text=True, timeout=120
    )
    assert second.returncode == 1
    assert second.stderr.startswith(f"kg: error: store {store}: is being written by pid {holder.pid}")
    holder.kill()
    holder.wait()
    again = subprocess.run(
        [sys.executable, "-m", "kg.cli", "build", "--store", str(store)], capture_output=True, text=True, timeout=120
    )
    assert again.returncode == 0, again.stderr
