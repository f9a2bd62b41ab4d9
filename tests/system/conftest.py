"""System fixtures: the real `tsunagari serve` (waitress) in a subprocess over a data folder.

Unlike the end-to-end fixture, a server here belongs to one test and can be killed with
SIGKILL and started again on the same folder.
"""

from __future__ import annotations

import http.client
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.realserver import start_server, stop_server

KEY = "system-key-0123456789"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(item.path).resolve().is_relative_to(here):
            item.add_marker(pytest.mark.slow)


@dataclass
class Server:
    """One running server process."""

    process: subprocess.Popen
    port: int
    data: Path
    log: Path

    def request(
        self,
        method: str,
        path: str,
        body: dict | None = None,
        token: str = KEY,
        timeout: float = 10,
    ) -> tuple[int, object]:
        """One request on a fresh connection; ``(status, decoded JSON or text)``."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = None if body is None else json.dumps(body).encode()
            headers = {"Authorization": f"Bearer {token}", "Accept": "application/json"}
            if data is not None:
                headers["Content-Type"] = "application/json"
            conn.request(method, path, body=data, headers=headers)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        try:
            return response.status, json.loads(raw)
        except ValueError:
            return response.status, raw.decode(errors="replace")

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, as when the laptop's power fails mid-write."""
        self.process.kill()
        self.process.wait(10)

    def stop(self) -> None:
        """Terminate; SIGKILL if it has not stopped within 10 s."""
        stop_server(self.process, timeout=10)


@pytest.fixture
def serve():
    """``serve(data)`` starts `python -m facilitator.cli --data DATA serve` and waits for it;
    every server started is stopped at teardown."""
    servers: list[Server] = []

    def start(data: Path, threads: int = 24) -> Server:
        log = data.parent / f"server-{len(servers)}.log"
        try:
            process, base = start_server(data, key=KEY, threads=threads, log=log, timeout=30)
        except RuntimeError as e:
            pytest.fail(str(e))
        server = Server(process, urlsplit(base).port, data, log)
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()


@pytest.fixture
def writers_unlimited(monkeypatch):
    """For writers that hammer on purpose: lift the per-phone limit (issue 10) of the servers
    started after it (the server reads TSUNAGARI_PHONE_* from its environment)."""
    monkeypatch.setenv("TSUNAGARI_PHONE_BURST", "1000000")
    monkeypatch.setenv("TSUNAGARI_PHONE_PER_MINUTE", "1000000")
