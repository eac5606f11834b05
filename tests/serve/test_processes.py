"""`kg serve --processes N`: server processes sharing the port, each following a rebuilt store,
restarted when one dies, all stopped with the parent."""

from __future__ import annotations

import _thread
import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest

import kg
from kg.errors import UsageError
from kg.serve import prefork
from kg.serve.run import default_processes, serve
from kg.serve.web import Settings
from tests.serve import _targets
from tests.serve.conftest import free_port


def test_processes_default_to_the_cores() -> None:
    assert 1 <= default_processes() <= min(len(os.sched_getaffinity(0)), 8)


def test_one_socket_per_process_on_one_port() -> None:
    sockets = prefork.sockets_for("127.0.0.1", 0 if not prefork.balanced() else free_port(), 3)
    try:
        ports = {sock.getsockname()[1] for sock in sockets}
        assert len(ports) == 1 and len(sockets) == (3 if prefork.balanced() else 1)
    finally:
        for sock in sockets:
            sock.close()


def test_a_port_in_use_is_a_usage_error(built_store: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        with pytest.raises(UsageError, match=f"cannot listen on 127.0.0.1:{port}"):
            serve(Settings(built_store), "127.0.0.1", port, processes=2)


def _interrupt_after_starts(log: Path, starts: int) -> None:
    """Ctrl-C (as a user stops the server) once ``log`` records ``starts`` starts, or after 60 s."""
    deadline = time.monotonic() + 60
    while len(log.read_text(encoding="utf-8").splitlines()) < starts and time.monotonic() < deadline:
        time.sleep(0.05)
    _thread.interrupt_main()


def test_a_process_that_dies_is_started_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(prefork, "STARTUP_SECONDS", 0.1)
    log = tmp_path / "starts.txt"
    sockets = prefork.sockets_for("127.0.0.1", free_port(), 2)
    port = sockets[0].getsockname()[1]
    log.touch()
    stop = threading.Thread(target=_interrupt_after_starts, args=(log, 3), daemon=True)
    stop.start()
    prefork.run(_targets.exit_soon, sockets, 2, str(log))
    stop.join()
    starts = log.read_text(encoding="utf-8").splitlines()
    assert len(starts) >= 3  # two, then at least one restart
    assert {line.split()[1] for line in starts} == {str(port)}
    assert all(sock.fileno() == -1 for sock in sockets)  # closed on the way out


def test_a_process_that_dies_as_it_starts_stops_the_server() -> None:
    sockets = prefork.sockets_for("127.0.0.1", free_port(), 2)
    with pytest.raises(prefork.ServeFailed, match="exit status 4"):
        prefork.run(_targets.exit_at_once, sockets, 2)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_server_processes_stop_when_the_parent_is_killed() -> None:
    """SIGKILL leaves the parent no time to stop its server processes: they stop themselves."""
    script = (
        "import sys; from kg.serve import prefork; from tests.serve import _targets; "
        "prefork.run(_targets.sleep_long, prefork.sockets_for('127.0.0.1', int(sys.argv[1]), 2), 2)"
    )
    root = Path(__file__).resolve().parents[2]
    parent = subprocess.Popen([sys.executable, "-c", script, str(free_port())], cwd=root)
    try:
        deadline = time.monotonic() + 30
        while len(servers := {p for p in _children(parent.pid) if "spawn_main" in _command(p)}) < 2:
            assert time.monotonic() < deadline and parent.poll() is None, "the server processes did not start"
            time.sleep(0.1)
    finally:
        parent.kill()
        parent.wait(10)
    deadline = time.monotonic() + 10
    while [pid for pid in servers if _running(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in servers if _running(pid)]


def _command(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except FileNotFoundError:
        return ""


def _jsonl(path: Path, titles: list[str]) -> Path:
    rows = [{"title": t, "authors": ["Ada Lovelace"], "year": 2020} for t in titles]
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found |= {int(p) for p in (task / "children").read_text().split()}
    return found


@pytest.mark.slow
@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads /proc")
def test_every_process_serves_and_follows_a_rebuilt_store(tmp_path: Path) -> None:
    """Two server processes: connections reach both, each serves the new generation after a
    rebuild, and SIGTERM to the parent stops them and their query workers."""
    store = tmp_path / ".kg"
    source = _jsonl(tmp_path / "papers.jsonl", ["First Paper On Graphs"])
    kg.build([source], store=store, extract=False)
    port = free_port()
    command = [str(Path(sys.executable).parent / "kg"), "serve", "--store", str(store), "--port", str(port)]
    process = subprocess.Popen([*command, "--processes", "2"], stderr=subprocess.PIPE, text=True)
    clients = [httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=30) for _ in range(16)]
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                clients[0].get("/?format=json")
                break
            except httpx.TransportError:
                assert process.poll() is None and time.monotonic() < deadline, "kg serve did not start"
                time.sleep(0.2)
        servers = _children(process.pid)
        assert len(servers) >= 2  # two server processes (and multiprocessing's resource tracker)
        assert {c.get("/?format=json").json()["nodes"]["Paper"] for c in clients} == {1}
        assert clients[0].post("/cypher", json={"query": "MATCH (p:Paper) RETURN count(*) AS n"}).json()["rows"]
        _jsonl(source, ["First Paper On Graphs", "Second Paper On Trees"])
        kg.build([source], store=store, extract=False)
        assert {c.get("/?format=json").json()["nodes"]["Paper"] for c in clients} == {2}
        count = "SELECT (COUNT(?p) AS ?n) WHERE { ?p a kg:Paper }"
        answers = {
            c.get("/sparql", params={"query": count}).json()["results"]["bindings"][0]["n"]["value"] for c in clients
        }
        assert answers == {"2"}
        workers = {pid for server in servers for pid in _children(server)}
    finally:
        for client in clients:
            client.close()
        process.send_signal(signal.SIGTERM)
        _, stderr = process.communicate(timeout=60)
    assert "from 2 processes" in stderr and "Traceback" not in stderr
    deadline = time.monotonic() + 10
    while [pid for pid in servers | workers if _running(pid)] and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not [pid for pid in servers | workers if _running(pid)]


def _running(pid: int) -> bool:
    """True while ``pid`` runs (a zombie, not yet reaped by init, has stopped)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().split(") ", 1)[1][0] != "Z"
    except (FileNotFoundError, IndexError):
        return False
