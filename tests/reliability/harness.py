"""What the interruption and update tests share: a child kg killed mid-work, a store's triples."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox

from kg.store import layout, rdf


def kill_after(code: str, args: list[str], delay: float) -> None:
    """Run ``python -c code args…`` in its own session and SIGKILL the whole group after ``delay``."""
    child = subprocess.Popen(
        [sys.executable, "-c", code, *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    time.sleep(delay)
    os.killpg(child.pid, signal.SIGKILL)
    child.wait()


def store_triples(store: Path) -> set[str]:
    """The live generation's RDF triples as N-Triples lines (for triple-for-triple comparison)."""
    handle = rdf.open_read_only(layout.current_generation(store).rdf_dir)
    return set(handle.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.DefaultGraph()).decode().splitlines())
