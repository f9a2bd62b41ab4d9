"""System fixtures: the real `tsunagari serve` (waitress) in a subprocess over a data folder.

Unlike the end-to-end fixture, a server here belongs to one test and can be killed with
SIGKILL and started again on the same folder.
"""

from __future__ import annotations

import http.client
import json
import os
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KEY = "system-key"


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(item.path).resolve().is_relative_to(here):
            item.add_marker(pytest.mark.slow)


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.kill()


@pytest.fixture
def serve():
    """``serve(data)`` starts `python -m facilitator.cli --data DATA serve` and waits for it;
    every server started is stopped at teardown."""
    servers: list[Server] = []

    def start(data: Path, threads: int = 24) -> Server:
        port = _free_port()
        log = data.parent / f"server-{len(servers)}.log"
        env = os.environ | {"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        env.pop("TSUNAGARI_FACILITATOR_KEY", None)
        command = [
            sys.executable,
            "-m",
            "facilitator.cli",
            "--data",
            str(data),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--facilitator-key",
            KEY,
            "--threads",
            str(threads),
        ]
        with open(log, "wb") as out:
            process = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
        server = Server(process, port, data, log)
        servers.append(server)
        deadline = time.monotonic() + 30
        while True:
            if process.poll() is not None:
                pytest.fail(f"the server exited:\n{log.read_text(errors='replace')}")
            try:
                if server.request("GET", "/j", timeout=1)[0] == 200:
                    return server
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"the server did not start:\n{log.read_text(errors='replace')}")
            time.sleep(0.1)

    yield start
    for server in servers:
        server.stop()
