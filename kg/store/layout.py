"""The store directory: generations swapped in atomically, a writer lock, ``meta.json``.

Layout of a store directory (default ``.kg/``)::

    .kg/
      CURRENT               name of the live generation (replaced atomically with os.replace)
      LOCK                  held (flock) by the one process writing; holds its pid and command
      gen-<id>/             a complete build: rdf/ (Oxigraph), cypher/ (LadybugDB), meta.json, …
      .tmp-gen-<id>/        a build in progress; never read, removed if abandoned

A writer builds a whole new generation in a temporary directory, renames it into place, then
points ``CURRENT`` at it. Readers resolve ``CURRENT`` once and only ever open complete
generations, so a crash or kill at any point leaves the previous store intact and usable.
The previous generation is kept (a reader may still have it open); older ones are removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from kg.errors import StoreError, shown

FORMAT_VERSION = 1
_CURRENT = "CURRENT"
_LOCK = "LOCK"
_GENERATION_NAME = re.compile(r"gen-[\w.-]+")  # what new_generation names them; never ".." or a path
_REBUILD = "rebuild it with `kg build`"


def default_store_dir() -> Path:
    """``$KG_STORE`` if set, else ``.kg`` in the working directory."""
    return Path(os.environ.get("KG_STORE") or ".kg")


@dataclass(frozen=True)
class Generation:
    """One complete build inside a store directory."""

    path: Path

    @property
    def rdf_dir(self) -> Path:
        return self.path / "rdf"

    @property
    def cypher_dir(self) -> Path:
        """The embedded Cypher database (:mod:`kg.store.cypher`)."""
        return self.path / "cypher"

    @property
    def meta_path(self) -> Path:
        return self.path / "meta.json"

    def meta(self) -> dict[str, Any]:
        """``meta.json`` (a JSON object); StoreError when it is missing, unreadable or not one."""
        store = self.path.parent
        if not self.meta_path.exists():
            raise StoreError(store, f"{self.path.name} has no meta.json (an unfinished or damaged build); {_REBUILD}")
        try:
            meta = json.loads(self.meta_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as err:  # ValueError: not UTF-8 or not JSON
            raise StoreError(store, f"meta.json is unreadable ({shown(str(err))}); {_REBUILD}") from err
        if not isinstance(meta, dict):
            what = {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
                type(meta), "a number"
            )
            raise StoreError(store, f"meta.json holds {what}, not a JSON object; {_REBUILD}")
        return meta


def current_generation(store: Path) -> Generation:
    """The live generation, checked for existence and format version.

    ``CURRENT`` must name a generation directory inside ``store`` (``gen-…``, no path): a
    pointer elsewhere (``../…``, an absolute path, a symbolic link out of the store) is refused
    as a damaged store rather than followed.
    """
    if store.exists() and not store.is_dir():
        raise StoreError(store, "is a file, not a store directory; pass the directory `kg build` wrote")
    pointer = store / _CURRENT
    if not pointer.exists():
        raise StoreError(store, "no store here; run `kg build` first (or pass --store / set KG_STORE)")
    try:
        name = pointer.read_text(encoding="utf-8").strip()
    except (OSError, ValueError) as err:
        raise StoreError(store, f"CURRENT is unreadable ({shown(str(err))}); {_REBUILD}") from err
    if not name:
        raise StoreError(store, f"CURRENT is empty (names no generation); {_REBUILD}")
    if not _GENERATION_NAME.fullmatch(name):
        raise StoreError(store, f"CURRENT names '{shown(name)}', not a generation of this store; {_REBUILD}")
    generation = Generation(store / name)
    if not generation.path.is_dir():
        raise StoreError(store, f"CURRENT points at a missing generation {name}; {_REBUILD}")
    if generation.path.resolve().parent != store.resolve():
        raise StoreError(store, f"generation {name} is a link out of the store; {_REBUILD}")
    version = generation.meta().get("format_version")
    if version is None:
        raise StoreError(store, f"meta.json has no format_version (written by an early kg); {_REBUILD}")
    if type(version) is not int:
        raise StoreError(
            store, f"meta.json's format_version {shown(json.dumps(version))} is not an integer; {_REBUILD}"
        )
    if version != FORMAT_VERSION:
        hint = "upgrade kg" if version > FORMAT_VERSION else _REBUILD
        what = "newer" if version > FORMAT_VERSION else "older"
        raise StoreError(
            store, f"store format {version} is {what} than the format this kg reads ({FORMAT_VERSION}); {hint}"
        )
    return generation


def current_name(store: Path) -> str | None:
    """The name CURRENT points at (``None`` before the first build); not checked further."""
    pointer = store / _CURRENT
    return pointer.read_text(encoding="utf-8").strip() if pointer.exists() else None


@contextlib.contextmanager
def writer_lock(store: Path) -> Iterator[None]:
    """Hold the store's writer lock; a second writer fails at once, naming the holder."""
    if store.exists() and not store.is_dir():
        raise StoreError(store, "is a file, not a store directory; give a directory for the store")
    try:
        store.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise StoreError(store, f"cannot be created as a store directory ({err.strerror})") from err
    handle = (store / _LOCK).open("a+", encoding="utf-8")
    try:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "another process"
            raise StoreError(store, f"is being written by {holder}; wait for it to finish") from None
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} ({' '.join(os.path.basename(a) for a in sys.argv[:2])})")
        handle.flush()
        yield
    finally:
        handle.close()


@contextlib.contextmanager
def new_generation(store: Path) -> Iterator[Generation]:
    """A fresh temporary generation; published as CURRENT only if the block completes."""
    with writer_lock(store):
        _remove_abandoned(store)
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
        temporary = store / f".tmp-{name}"
        temporary.mkdir()
        try:
            yield Generation(temporary)
            final = store / name
            os.rename(temporary, final)
            _fsync_dir(store)
            _publish(store, name)
        except BaseException:
            shutil.rmtree(temporary, ignore_errors=True)
            raise
        _remove_old(store, keep={name, _previous_name(store, name)})


def _publish(store: Path, name: str) -> None:
    pointer = store / _CURRENT
    if pointer.exists():
        (store / "PREVIOUS").write_text(pointer.read_text(encoding="utf-8"), encoding="utf-8")
    temporary = store / f".{_CURRENT}.tmp"
    temporary.write_text(name + "\n", encoding="utf-8")
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    os.replace(temporary, pointer)
    _fsync_dir(store)


def _previous_name(store: Path, current: str) -> str:
    previous = store / "PREVIOUS"
    return previous.read_text(encoding="utf-8").strip() if previous.exists() else current


def _remove_abandoned(store: Path) -> None:
    for leftover in store.glob(".tmp-gen-*"):
        shutil.rmtree(leftover, ignore_errors=True)


def _remove_old(store: Path, keep: set[str]) -> None:
    for generation in store.glob("gen-*"):
        if generation.name not in keep:
            shutil.rmtree(generation, ignore_errors=True)


def _fsync_dir(path: Path) -> None:
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def write_meta(generation: Generation, meta: dict[str, Any]) -> None:
    """Write meta.json (format version added) and flush it to disk."""
    payload = {"format_version": FORMAT_VERSION, **meta}
    with generation.meta_path.open("w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
