"""Server-process stand-ins for tests/serve/test_processes.py: stdlib only, so a spawned process
starts in a moment."""

from __future__ import annotations

import os
import socket
import sys
import time


def exit_soon(sock: socket.socket, log: str) -> None:
    """Record the start (pid and port) and stop half a second later, as a crash would."""
    with open(log, "a", encoding="utf-8") as out:
        out.write(f"{os.getpid()} {sock.getsockname()[1]}\n")
    time.sleep(0.5)
    sys.exit(3)


def exit_at_once(sock: socket.socket) -> None:
    sys.exit(4)


def sleep_long(sock: socket.socket) -> None:
    """A server process that serves nothing and stops only when told (SIGTERM's default)."""
    time.sleep(600)
