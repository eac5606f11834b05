"""The unfinished output of a fetch: ``FILE.partial`` plus ``FILE.partial.state``.

Pages are appended to ``FILE.partial`` one at a time; after each, the state file (JSON: what was
asked, the cursor of the next page, pages and records so far, and the byte length of the
partial file) is replaced atomically. The state is the truth: a page appended but not yet
recorded (the process was killed in between) is cut off again on the next run, which then asks
for that page once more. So an interruption at any moment loses at most one page, and running
the same command again continues from the saved cursor. On success the partial file is renamed
to ``FILE`` (the old ``FILE``, if any, stays whole until then) and the state file removed.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from kg.atomic import atomic_output, fsync_dir, writable
from kg.errors import UsageError, shown

STATE_VERSION = 1


@dataclass
class Progress:
    """Where a fetch stands: the next page's cursor (None when the last page is in) and counts."""

    request: dict[str, Any]
    cursor: Any
    pages: int = 0
    records: int = 0
    size: int = 0
    finished: bool = False
    total: int | None = None


class Partial:
    """The partial output file and its state, for one output path."""

    def __init__(self, output: Path) -> None:
        self.output = output
        self.path = output.with_name(output.name + ".partial")
        self.state_path = output.with_name(output.name + ".partial.state")

    def open(self, request: dict[str, Any], first_cursor: Any, header: bytes, restart: bool) -> Progress:
        """The saved progress of this same ``request`` (resuming), or a fresh start.

        A partial file left by a different request is refused (``UsageError``) unless
        ``restart`` discards it: continuing it would mix two queries in one file.
        """
        saved = None if restart else self._load()
        if saved is not None and saved.request != request:
            asked = saved.request
            raise UsageError(
                f"{self.path} holds an unfinished fetch of {asked.get('service')} {shown(str(asked.get('query')))!r}"
                f"{_since(asked)}; run that command again to continue it, or add --restart to discard it"
            )
        if saved is not None:
            with writable(self.path), self.path.open("r+b") as handle:
                handle.truncate(saved.size)  # drop a page appended after the last saved state
            return saved
        progress = Progress(request=request, cursor=first_cursor, size=len(header))
        with writable(self.path):
            self.output.parent.mkdir(parents=True, exist_ok=True)
            with atomic_output(self.path) as handle:
                handle.write(header)
            self._save(progress)
        return progress

    def append(self, progress: Progress, chunk: bytes, cursor: Any, records: int, finished: bool) -> None:
        """Add one page's records, then record the new cursor (in that order: see the module doc)."""
        with writable(self.path):
            with self.path.open("r+b") as handle:
                handle.seek(progress.size)
                handle.write(chunk)
                handle.truncate()
                handle.flush()
                os.fsync(handle.fileno())
            progress.size += len(chunk)
            progress.cursor = cursor
            progress.pages += 1
            progress.records += records
            progress.finished = finished
            self._save(progress)

    def finish(self, progress: Progress, footer: bytes) -> None:
        """Close the file (``footer``), rename it to the output and forget the state."""
        with writable(self.output):
            with self.path.open("r+b") as handle:
                handle.seek(progress.size)
                handle.write(footer)
                handle.truncate()
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(self.path, self.output)
            self.state_path.unlink(missing_ok=True)
            fsync_dir(self.output.parent)

    def _save(self, progress: Progress) -> None:
        with atomic_output(self.state_path) as handle:
            handle.write(json.dumps({"version": STATE_VERSION, **asdict(progress)}, indent=1).encode())

    def _load(self) -> Progress | None:
        """The saved state, or None when there is none (or no partial file to go with it)."""
        if not self.state_path.exists() or not self.path.exists():
            return None
        try:
            data = json.loads(self.state_path.read_text(encoding="utf-8"))
            if data.pop("version") != STATE_VERSION:
                raise ValueError("another version")
            progress = Progress(**data)
        except (OSError, ValueError, TypeError, KeyError) as err:
            raise UsageError(f"{self.state_path} cannot be read ({err}); add --restart to start over") from err
        if progress.size > self.path.stat().st_size:
            raise UsageError(f"{self.path} is shorter than its state says; add --restart to start over")
        return progress


def _since(request: dict[str, Any]) -> str:
    return f" since {request['since']}" if request.get("since") else ""
