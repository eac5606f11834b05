"""The store directory: generations swapped in atomically, a writer lock, ``meta.json``.

Layout of a store directory (default ``.kg/``)::

    .kg/
      .kg-store             marker written when kg creates (or adopts) the directory; kg writes
                            nowhere that has no marker unless the directory is empty
      CURRENT               name of the live generation (replaced atomically with os.replace)
      PREVIOUS              name of the generation before it (what `kg rollback` returns to)
      LOCK                  held (flock) by the one process writing; holds its pid and command
      gen-<id>/             a complete build: rdf/ (Oxigraph), cypher/ (LadybugDB), meta.json, …
      .tmp-gen-<id>/        a build in progress; never read, removed if abandoned

A writer builds a whole new generation in a temporary directory, renames it into place, then
points ``CURRENT`` at it. Readers resolve ``CURRENT`` once and only ever open complete
generations, so a crash or kill at any point leaves the previous store intact and usable.
The previous generation is kept (a reader may still have it open, and ``kg rollback`` returns
to it); older ones are removed.

A writer only ever touches a directory that is recognisably a kg store: one holding the
``.kg-store`` marker, an empty or new one (the marker is written first), or one written by an
earlier kg (a ``CURRENT`` naming a generation with ``meta.json``; the marker is added). Anything
else, and the file-system root or the home directory, is refused before anything is written or
removed, and only entries named exactly as kg names them (``gen-<time>-<pid>-<n>``) are ever
removed.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import logging
import os
import re
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

from kg.atomic import fsync_dir
from kg.errors import StoreError, shown

FORMAT_VERSION = 1
_CURRENT = "CURRENT"
_PREVIOUS = "PREVIOUS"
_LOCK = "LOCK"
MARKER = ".kg-store"
_MARKER_TEXT = "This directory is a kg store: `kg build` writes and removes generations (gen-*) here.\n"
_GENERATION_NAME = re.compile(r"gen-[\w.-]+")  # what CURRENT may name; never ".." or a path
# Exactly what new_generation names them: the only entries kg ever removes.
_OWN_GENERATION = re.compile(r"gen-\d{8}T\d{6}-\d+-\d{6}")
_REBUILD = "rebuild it with `kg build`"
log = logging.getLogger(__name__)


DEFAULT_STORE = ".kg"
STORE_VARIABLE = "KG_STORE"


def default_store_dir() -> Path:
    """``$KG_STORE`` if set, else ``.kg`` in the working directory: the one place the default
    store location is decided (the CLI's ``--store``, the API and the lookups all ask here)."""
    return Path(os.environ.get(STORE_VARIABLE) or DEFAULT_STORE)


def store_dir(store: str | Path | None) -> Path:
    """The store directory a caller named, or the default one (:func:`default_store_dir`)."""
    return Path(store) if store is not None else default_store_dir()


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

    ``CURRENT`` must be a file naming a generation directory inside ``store`` (``gen-…``, no
    path): a pointer elsewhere (``../…``, an absolute path, a symbolic link) is refused as a
    damaged store rather than followed, and what a link points at is never read or quoted.
    """
    if store.exists() and not store.is_dir():
        raise StoreError(store, "is a file, not a store directory; pass the directory `kg build` wrote")
    pointer = store / _CURRENT
    if not pointer.exists() and not pointer.is_symlink():
        raise StoreError(store, "no store here; run `kg build` first (or pass --store / set KG_STORE)")
    name = _pointer_name(pointer)
    if isinstance(name, _Damage):
        raise StoreError(store, f"CURRENT {name.why}; {_REBUILD}")
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


@dataclass(frozen=True)
class _Damage:
    """Why a pointer file (CURRENT, PREVIOUS) cannot be used."""

    why: str


def _pointer_name(pointer: Path) -> str | _Damage:
    """The generation name a pointer file holds, or why it holds none.

    A symbolic link is refused without being read (kg never writes one, and its target may be
    any file of the user's), and so is anything but a small regular file."""
    if pointer.is_symlink():
        return _Damage("is a symbolic link (kg never writes one)")
    if pointer.is_dir():
        return _Damage("is a directory, not the file kg writes")
    try:
        with pointer.open("rb") as handle:
            raw = handle.read(4096)  # a name is short; a huge file is damage, not read whole
    except OSError as err:
        return _Damage(f"is unreadable ({err.strerror})")
    try:
        name = raw.decode("utf-8").strip()
    except UnicodeDecodeError:
        return _Damage("is not text (damaged)")
    if not name:
        return _Damage("is empty (names no generation)")
    if not _GENERATION_NAME.fullmatch(name):
        return _Damage(f"names '{shown(name)}', not a generation of this store")
    return name


def current_name(store: Path) -> str | None:
    """The name CURRENT points at (``None`` before the first build or when it is damaged)."""
    name = _pointer_name(store / _CURRENT)
    return None if isinstance(name, _Damage) else name


def previous_name(store: Path) -> str | None:
    """The name PREVIOUS points at (``None`` when there is none or it is damaged)."""
    name = _pointer_name(store / _PREVIOUS)
    return None if isinstance(name, _Damage) else name


def _refuse_unsafe_root(store: Path) -> None:
    resolved = store.resolve()
    if resolved == Path(resolved.anchor):
        raise StoreError(store, "is the file-system root; give kg a directory of its own (e.g. .kg)")
    home = Path.home().resolve()
    if resolved == home:
        raise StoreError(store, "is your home directory; give kg a directory of its own (e.g. ~/papers.kg)")


def _is_marked(store: Path) -> bool:
    marker = store / MARKER
    return marker.is_file() and not marker.is_symlink()


def _is_earlier_kg_store(store: Path) -> bool:
    """A store written before the marker existed: CURRENT names a generation with meta.json."""
    name = _pointer_name(store / _CURRENT)
    return not isinstance(name, _Damage) and (store / name / "meta.json").is_file()


def check_store_dir(store: Path) -> None:
    """Raise StoreError unless ``store`` is kg's to write; writes nothing (a build calls it before
    reading, so a wrong ``--store`` fails at once).

    kg's to write: marked, new, empty, or an earlier kg store. Refused: the file-system root,
    the home directory, a file, and any non-empty directory kg did not create, so a mistyped
    ``--store`` never has its ``gen-*`` entries removed."""
    _refuse_unsafe_root(store)
    if not store.exists() and not store.is_symlink():
        return
    if not store.is_dir():
        raise StoreError(store, "is a file, not a store directory; give a directory for the store")
    if _is_marked(store):
        return
    try:
        empty = not any(store.iterdir())
    except OSError as err:
        raise StoreError(store, f"cannot be read ({err.strerror})", exit_code=1) from err
    if not empty and not _is_earlier_kg_store(store):
        raise StoreError(
            store,
            f"is a directory kg did not create (no {MARKER} marker) and it is not empty; "
            "give a new or empty directory for the store",
        )


def claim_store_dir(store: Path) -> None:
    """:func:`check_store_dir`, then create the directory and its marker if missing."""
    check_store_dir(store)
    if _is_marked(store):
        return
    try:
        store.mkdir(parents=True, exist_ok=True)
        temporary = store / f"{MARKER}.tmp"
        temporary.write_text(_MARKER_TEXT, encoding="utf-8")
        os.replace(temporary, store / MARKER)
    except OSError as err:
        raise StoreError(store, f"cannot be created as a store directory ({err.strerror})", exit_code=1) from err


def _lock_or_refuse(store: Path, handle: IO[str]) -> None:
    """Take the writer lock on ``handle`` (the lock file), or refuse naming who holds it."""
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        raise StoreError(store, f"is being written by {shown(holder)}; wait for it to finish", exit_code=1) from None


def refuse_if_being_written(store: Path) -> None:
    """Fail at once when another process holds the writer lock, so a second ``kg build`` does not
    read and extract everything only to be refused when it publishes. A probe only: the lock
    is released again (a writer that starts later is still refused at :func:`writer_lock`)."""
    try:
        handle = (store / _LOCK).open("r", encoding="utf-8")
    except OSError:
        return  # no lock file (a new store) or none readable: writer_lock decides later
    with handle:
        _lock_or_refuse(store, handle)
        fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def writer_lock(store: Path) -> Iterator[None]:
    """Hold the store's writer lock; a second writer fails at once, naming the holder.

    The directory is claimed first (:func:`claim_store_dir`): kg never writes into a directory
    that is not recognisably its own."""
    claim_store_dir(store)
    try:
        handle = (store / _LOCK).open("a+", encoding="utf-8")
    except OSError as err:
        raise StoreError(store, f"cannot be written ({err.strerror})", exit_code=1) from err
    try:
        _lock_or_refuse(store, handle)
        handle.seek(0)
        handle.truncate()
        handle.write(f"pid {os.getpid()} ({' '.join(os.path.basename(a) for a in sys.argv[:2])})")
        handle.flush()
        yield
    finally:
        handle.close()


@contextlib.contextmanager
def new_generation(store: Path) -> Iterator[Generation]:
    """A fresh temporary generation; published as CURRENT only if the block completes.

    A damaged pointer (CURRENT a directory, a link, binary) is set aside before the build, so
    the rebuild its error message asks for repairs it. If anything fails before CURRENT is
    replaced, the new generation is removed whether or not it was renamed into place yet."""
    with writer_lock(store):
        _remove_abandoned(store)
        _set_aside_damaged_pointers(store)
        name = f"gen-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}-{time.monotonic_ns() % 10**6:06d}"
        temporary = store / f".tmp-{name}"
        final = store / name
        temporary.mkdir()
        published = False
        try:
            yield Generation(temporary)
            os.rename(temporary, final)
            fsync_dir(store)
            _publish(store, name)
            published = True
        finally:
            if not published:
                for leftover in (temporary, final):
                    shutil.rmtree(leftover, ignore_errors=True)
        _remove_old(store, keep={name, previous_name(store) or name})


def _set_aside_damaged_pointers(store: Path) -> None:
    """Rename a damaged CURRENT or PREVIOUS to ``<name>.damaged-<time>`` (never deleted: it is
    not what kg wrote, so it may be something of the user's)."""
    for label in (_CURRENT, _PREVIOUS):
        pointer = store / label
        if not pointer.exists() and not pointer.is_symlink():
            continue
        damage = _pointer_name(pointer)
        if isinstance(damage, _Damage):
            aside = store / f"{label}.damaged-{time.strftime('%Y%m%dT%H%M%S')}-{os.getpid()}"
            os.rename(pointer, aside)
            log.warning("store %s: %s %s; set aside as %s", store, label, damage.why, aside.name)


def _staged_pointer(store: Path, label: str, name: str) -> Path:
    """A flushed temporary file holding ``name``, to be renamed over ``label``."""
    temporary = store / f".{label}.tmp"
    temporary.write_text(name + "\n", encoding="utf-8")
    with temporary.open("rb") as handle:
        os.fsync(handle.fileno())
    return temporary


def _repoint(store: Path, pointers: dict[str, str]) -> None:
    """Write pointer files (label → generation name): every one is staged before any is
    replaced, so a failure while writing them changes none. PREVIOUS goes before CURRENT."""
    staged: list[tuple[Path, str]] = []
    try:
        for label, value in pointers.items():
            staged.append((_staged_pointer(store, label, value), label))
    except BaseException:
        for temporary, _ in staged:
            temporary.unlink(missing_ok=True)
        raise
    for temporary, label in staged:
        os.replace(temporary, store / label)
    fsync_dir(store)


def _publish(store: Path, name: str) -> None:
    """Point CURRENT at ``name`` and PREVIOUS at what CURRENT named."""
    old = current_name(store)
    _repoint(store, ({_PREVIOUS: old} if old is not None and old != name else {}) | {_CURRENT: name})


@dataclass(frozen=True)
class GenerationInfo:
    """A generation as ``kg generations`` lists it."""

    name: str
    state: str  # "current", "previous" or "old"
    records: int | None
    inputs: int | None
    nodes: int | None
    created: str

    def as_row(self) -> dict[str, Any]:
        return {
            "generation": self.name,
            "state": self.state,
            "created": self.created,
            "inputs": self.inputs,
            "records": self.records,
            "nodes": self.nodes,
        }


def generations(store: Path) -> list[GenerationInfo]:
    """The generations in ``store``: the current one, the previous one, then any others (a build
    under way, one another kg left), oldest first (StoreError when it is no store)."""
    if not store.is_dir():
        raise StoreError(store, "no store here; run `kg build` first (or pass --store / set KG_STORE)")
    current, previous = current_name(store), previous_name(store)
    found = []
    for path in store.iterdir():
        if not (path.is_dir() and not path.is_symlink() and _GENERATION_NAME.fullmatch(path.name)):
            continue
        try:
            meta = Generation(path).meta()
        except StoreError:
            meta = {}
        inputs = meta.get("inputs") if isinstance(meta.get("inputs"), list) else None
        nodes = meta.get("counts", {}).get("nodes") if isinstance(meta.get("counts"), dict) else None
        state = "current" if path.name == current else "previous" if path.name == previous else "old"
        found.append(
            GenerationInfo(
                name=path.name,
                state=state,
                records=sum(i.get("records", 0) for i in inputs if isinstance(i, dict)) if inputs is not None else None,
                inputs=len(inputs) if inputs is not None else None,
                nodes=sum(v for v in nodes.values() if isinstance(v, int)) if isinstance(nodes, dict) else None,
                created=time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(path.stat().st_mtime)),
            )
        )
    rank = {"current": 0, "previous": 1, "old": 2}
    return sorted(found, key=lambda g: (rank[g.state], g.created, g.name))


def rollback(store: Path) -> tuple[str, str]:
    """Make the previous generation current again; returns ``(from, to)``.

    The generation rolled back from becomes PREVIOUS, so a second rollback undoes the first.
    Refused (StoreError, nothing changed) when there is no complete previous generation."""
    with writer_lock(store):
        current = current_name(store)
        previous = previous_name(store)
        if current is None:
            raise StoreError(store, "has no current generation to roll back from; run `kg build`")
        if previous is None or previous == current:
            raise StoreError(store, "has no previous generation to roll back to (kg keeps one, after a second build)")
        try:
            Generation(store / previous).meta()
        except StoreError as err:
            raise StoreError(store, f"previous generation {previous} is not complete ({err}); not rolled back") from err
        _repoint(store, {_PREVIOUS: current, _CURRENT: previous})
        return current, previous


def _remove_abandoned(store: Path) -> None:
    for leftover in store.glob(".tmp-gen-*"):
        if _OWN_GENERATION.fullmatch(leftover.name.removeprefix(".tmp-")) and not leftover.is_symlink():
            shutil.rmtree(leftover, ignore_errors=True)


def _remove_old(store: Path, keep: set[str]) -> None:
    for generation in store.glob("gen-*"):
        if generation.name not in keep and _OWN_GENERATION.fullmatch(generation.name) and not generation.is_symlink():
            shutil.rmtree(generation, ignore_errors=True)


def write_meta(generation: Generation, meta: dict[str, Any]) -> None:
    """Write meta.json (format version added) and flush it to disk."""
    payload = {"format_version": FORMAT_VERSION, **meta}
    with generation.meta_path.open("w", encoding="utf-8") as handle:
        json.dump(payload, handle, indent=2, sort_keys=True)
        handle.write("\n")
        handle.flush()
        os.fsync(handle.fileno())
