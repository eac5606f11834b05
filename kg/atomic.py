"""One way to write a file so that readers see the old content or the new, never half of it.

The bytes go to a temporary sibling (same directory, so the rename stays on one filesystem),
are flushed and fsynced, and the file is renamed over the target with ``os.replace``; the
directory is fsynced too, so the rename itself survives a crash. Exports and the HTML view write
through :func:`atomic_output`; the store's CURRENT/PREVIOUS pointers are staged together by
``kg.store.layout`` (both or neither change) and share :func:`fsync_dir`.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

from kg.errors import KgError


@contextmanager
def writable(path: Path) -> Iterator[None]:
    """An OS error while creating, writing or renaming an output becomes one line naming the
    path (exit status 1: the disk refused, the request was fine)."""
    try:
        yield
    except OSError as err:
        raise KgError(f"cannot write {path} ({err.strerror or err}); choose another -o") from err


@contextmanager
def atomic_output(path: Path) -> Iterator[IO[bytes]]:
    """A binary handle on a temporary sibling of ``path``, renamed over ``path`` when the block
    completes; on any error the temporary file is removed and ``path`` is untouched."""
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.fchmod(descriptor, 0o666 & ~current_umask())  # as open() would; mkstemp alone makes 0600
    try:
        with os.fdopen(descriptor, "wb") as handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    fsync_dir(path.parent)


def current_umask() -> int:
    """The process's umask (read by setting it and putting it back: there is no getter)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def fsync_dir(path: Path) -> None:
    """Flush a directory's entries (a rename or a new file in it) to disk."""
    fsync_path(path)


def fsync_path(path: Path) -> None:
    """Flush a file's contents, or a directory's entries, to disk."""
    descriptor = os.open(path, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
