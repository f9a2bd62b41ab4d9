"""Benchmark: ``tsunagari serve --demo`` to its first answer vs a bare Flask app under waitress.

Run from the repository root::

    python bench/startup.py          # 5 starts of each, about 20 s

Each start is a fresh interpreter on a free loopback port with a fresh data folder; the time
runs from launching the process to the first ``200`` answer to ``GET /j`` (the page a phone
opens first), polled every 10 ms. The bare app is Flask with one route served by waitress,
started the same way: what any Flask + waitress server costs on this machine. The app is
byte-compiled first, as installing it does. Printed, ratio
first: median of ``serve --demo`` ÷ median of the bare app (goal of issue 14: ≤ 3×), then
both medians and the server's resident memory at its first answer.
"""

from __future__ import annotations

import http.client
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.realserver import HOST, free_port  # noqa: E402

RUNS = 5
GOAL = 3.0
KEY = "bench-key-0123456789"
BARE = """
import sys
from flask import Flask
from waitress import serve
app = Flask(__name__)
@app.get("/j")
def j():
    return "<!doctype html><title>j</title><p>ok</p>"
serve(app, host=sys.argv[1], port=int(sys.argv[2]), threads=24)
"""


def _answers(port: int) -> bool:
    conn = http.client.HTTPConnection(HOST, port, timeout=1)
    try:
        conn.request("GET", "/j")
        return conn.getresponse().status == 200
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def _rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def first_answer(command: list[str], port: int, timeout: float = 60) -> tuple[float, float]:
    """Launch ``command``; seconds until ``GET /j`` answers 200, and the RSS then (MB)."""
    env = os.environ | {"PYTHONPATH": str(ROOT)}
    start = time.perf_counter()
    process = subprocess.Popen(  # noqa: S603
        command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    try:
        while not _answers(port):
            if process.poll() is not None or time.perf_counter() - start > timeout:
                raise RuntimeError(f"{command[:4]} did not answer")
            time.sleep(0.01)
        return time.perf_counter() - start, _rss_mb(process.pid)
    finally:
        process.terminate()
        process.wait(10)


def main() -> int:
    """Start both servers RUNS times, alternating; print the ratio and the figures."""
    # Byte-compile the app as pip does when it installs the wheel (the libraries already are).
    import compileall

    for package in ("graph", "facilitator"):
        compileall.compile_dir(ROOT / package, quiet=1)
    serve, bare = [], []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory(prefix="tsunagari-bench-") as tmp:
            port = free_port()
            command = [sys.executable, "-m", "facilitator.cli", "--data", tmp, "serve"]
            command += ["--demo", "--host", HOST, "--port", str(port)]
            serve.append(first_answer(command + ["--facilitator-key", KEY], port))
        port = free_port()
        bare.append(first_answer([sys.executable, "-c", BARE, HOST, str(port)], port))
    s = statistics.median(t for t, _ in serve)
    b = statistics.median(t for t, _ in bare)
    ratio = s / b
    print(
        f"serve --demo ÷ bare Flask + waitress, to the first answer: {ratio:.1f}× "
        f"(goal ≤ {GOAL:g}×: {'met' if ratio <= GOAL else 'NOT met'})"
    )
    print()
    print("| server | first answer, median of 5 (ms) | RSS then (MB) |")
    print("|---|---:|---:|")
    print(f"| serve --demo | {s * 1000:.0f} | {statistics.median(r for _, r in serve):.0f} |")
    print(
        f"| bare Flask + waitress | {b * 1000:.0f} | {statistics.median(r for _, r in bare):.0f} |"
    )
    print()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    return 0 if ratio <= GOAL else 1


if __name__ == "__main__":
    sys.exit(main())
