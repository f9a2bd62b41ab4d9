"""The real `tsunagari serve` in a subprocess and headless Chromium, for tests and benchmarks."""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HOST = "127.0.0.1"
#: Debian's Chromium (`playwright install` needs the internet); E2E_CHROMIUM overrides it.
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOG_TAIL = 4000  # characters of the server log shown when it fails to start


def free_port() -> int:
    """A TCP port on 127.0.0.1 that is free right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def _answers(port: int) -> bool:
    """Whether ``GET /j`` on the server answers 200."""
    conn = http.client.HTTPConnection(HOST, port, timeout=1)
    try:
        conn.request("GET", "/j")
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def _tail(log: Path) -> str:
    try:
        text = log.read_text(errors="replace")
    except OSError as e:
        return f"(no log: {e})"
    return text if len(text) <= LOG_TAIL else "…" + text[-LOG_TAIL:]


def start_server(
    data: Path,
    *,
    key: str,
    threads: int | None = None,
    log: Path,
    timeout: float = 20,
    port: int | None = None,
) -> tuple[subprocess.Popen, str]:
    """Start ``python -m facilitator.cli --data DATA serve`` on a free loopback port.

    Waits until ``GET /j`` answers 200 and returns the process and its base URL; stdout and
    stderr go to ``log``. If the server exits or does not answer within ``timeout`` seconds,
    it is stopped and RuntimeError is raised with the tail of the log. ``port`` starts it
    again where it was (a laptop restarted in the hall); by default a free one is chosen.
    """
    port = port or free_port()
    env = os.environ | {"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
    env.pop("TSUNAGARI_FACILITATOR_KEY", None)
    env.pop("TSUNAGARI_DATA", None)
    command = [sys.executable, "-m", "facilitator.cli", "--data", str(data), "serve"]
    command += ["--host", HOST, "--port", str(port), "--facilitator-key", key]
    if threads is not None:
        command += ["--threads", str(threads)]
    with open(log, "wb") as out:  # the child keeps its own copy of the descriptor
        process = subprocess.Popen(  # noqa: S603
            command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            problem = f"tsunagari serve exited with {process.returncode}"
            break
        if _answers(port):
            return process, f"http://{HOST}:{port}"
        if time.monotonic() > deadline:
            problem = f"tsunagari serve did not answer GET /j with 200 within {timeout:g} s"
            break
        time.sleep(0.1)
    stop_server(process)
    raise RuntimeError(f"{problem}:\n{_tail(log)}")


def stop_server(process: subprocess.Popen, timeout: float = 5) -> None:
    """Terminate the server, wait up to ``timeout`` seconds, then kill it."""
    if process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout)
