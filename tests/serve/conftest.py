"""Fixtures for `kg serve`: the app over the session's default-corpus store, a hostile store,
and a real uvicorn server on a free loopback port."""

from __future__ import annotations

import json
import socket
import threading
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

import kg

pytest.importorskip("starlette", reason="kg serve needs the extra: pip install -e '.[dev]'")

from kg.serve.app import create_app
from kg.serve.web import Settings
from tests.test_viz import browser  # noqa: F401 - test_viz's headless Chromium fixture, for test_browser

with warnings.catch_warnings():  # Starlette 1.x prefers httpx2 for its TestClient; httpx works the same
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

SCRIPT = "<script>window.__pwned=1</script>"
IMAGE = '<img src=x onerror="window.__pwned=1">'
ATTRIBUTE = '" onmouseover="window.__pwned=1" x="'
HOSTILE_TITLE = f"Robust {SCRIPT} learning {IMAGE} {ATTRIBUTE}"
TEST_HOSTS = ("testserver", "127.0.0.1", "localhost")


def settings(store: Path, **limits: Any) -> Settings:
    return Settings(store, allowed_hosts=TEST_HOSTS, **limits)


@pytest.fixture(scope="session")
def client(built_store: Path) -> Iterator[TestClient]:
    """The app over the default corpus's store (its query workers are stopped at the end)."""
    with TestClient(create_app(settings(built_store)), raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture(scope="session")
def hostile_store(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A store whose title, abstract, author and institution names are markup and attribute breakers."""
    directory = tmp_path_factory.mktemp("hostile-serve")
    papers = [
        {
            "title": HOSTILE_TITLE,
            "abstract": f"We show {IMAGE} and {SCRIPT} are text. Uses dropout on MNIST. {ATTRIBUTE}",
            "tldr": f"{SCRIPT} tl;dr",
            "authors": [
                {"name": "Mallory Evil", "institutions": [{"name": "<b>Bad</b> University"}]},
                "Ada Lovelace",
            ],
            "year": 2021,
        },
        {"title": "A Quiet Paper", "authors": ["Ada Lovelace"], "abstract": "Nothing to see. We use dropout."},
    ]
    source = directory / "hostile.jsonl"
    source.write_text("".join(json.dumps(p) + "\n" for p in papers), encoding="utf-8")
    store = directory / ".kg"
    kg.build([source], store=store)
    return store


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class LiveServer:
    """uvicorn serving the app on 127.0.0.1 in a thread, on a socket bound before it starts."""

    def __init__(self, store: Path, **limits: Any) -> None:
        import uvicorn

        self.socket = socket.socket()
        self.socket.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.socket.bind(("127.0.0.1", 0))
        self.port = int(self.socket.getsockname()[1])
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(create_app(settings(store, **limits)), log_level="warning", lifespan="on")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True)

    def __enter__(self) -> LiveServer:
        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *_: Any) -> None:
        self.server.should_exit = True
        self.thread.join(30)
        self.socket.close()


@pytest.fixture(scope="session")
def live_server(built_store: Path) -> Iterator[LiveServer]:
    with LiveServer(built_store) as server:
        yield server
