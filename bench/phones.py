"""Phones waiting for the stage: 150 phones polling every 2 s, and the stage change reaching them.

Run from the repository root::

    python bench/phones.py            # about 40 s
    python bench/phones.py --quick    # about 15 s, 50 phones

It starts ``tsunagari serve`` on 127.0.0.1 with a fresh data folder, creates a session, and
every simulated phone (a thread with a keep-alive connection and its join token) asks
``GET /s/<id>/poll`` every 2 s as the phone page does, sending back the ETag it got
(``If-None-Match``), so a quiet poll is a 304 with no body. Half-way through, the facilitator
opens the ties stage (``POST /sessions/<id>/stage``, as the dashboard's button does).

Printed, baseline first: the answer time of ``GET /j`` (a small page) measured in the same
run, the poll's answer times (p50/p95/max, and as a ratio to the baseline), the share of 304
answers, the server's CPU per second of wall time, and, per phone, the delay from the stage
change to the first poll answer showing it (p50/p95/max; the goal of issue 11 is < 3 s).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.realserver import start_server, stop_server  # noqa: E402

KEY = "bench-key-0123456789"
POLL_SECONDS = 2.0
GOAL_STAGE_S = 3.0


def _pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _call(conn, method, path, body=None, headers=None):
    data = None if body is None else json.dumps(body).encode()
    hdrs = {"Content-Type": "application/json"} if data else {}
    conn.request(method, path, body=data, headers=hdrs | (headers or {}))
    response = conn.getresponse()
    raw = response.read()
    return response.status, response.getheader("ETag"), raw


def _baseline(host, port, n=200):
    conn = http.client.HTTPConnection(host, port, timeout=10)
    times = []
    for _ in range(n):
        start = time.perf_counter()
        status, _, _ = _call(conn, "GET", "/j")
        times.append(time.perf_counter() - start)
        assert status == 200
    conn.close()
    return times


class Phone(threading.Thread):
    """One phone: joins, then polls every 2 s (jittered start) until told to stop."""

    def __init__(self, host, port, code, session_id, stop, changed_at):
        super().__init__(daemon=True)
        self.host, self.port, self.code, self.sid = host, port, code, session_id
        self.stop, self.changed_at = stop, changed_at
        self.times, self.statuses, self.errors = [], [], 0
        self.saw_ties = None

    def run(self):
        conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
        status, _, raw = _call(conn, "POST", "/api/v1/join", {"code": self.code})
        token = json.loads(raw)["token"]
        etag = None
        time.sleep(random.uniform(0, POLL_SECONDS))
        while not self.stop.is_set():
            headers = {"Authorization": f"Bearer {token}"}
            if etag:
                headers["If-None-Match"] = etag
            start = time.perf_counter()
            try:
                status, new_etag, raw = _call(conn, "GET", f"/s/{self.sid}/poll", None, headers)
            except (OSError, http.client.HTTPException):
                self.errors += 1
                conn = http.client.HTTPConnection(self.host, self.port, timeout=10)
                continue
            done = time.perf_counter()
            self.times.append(done - start)
            self.statuses.append(status)
            if status == 200:
                etag = new_etag
                if json.loads(raw)["phase"] == "ties" and self.saw_ties is None:
                    self.saw_ties = time.monotonic() - self.changed_at[0]
            elif status != 304:
                self.errors += 1
            self.stop.wait(POLL_SECONDS)
        conn.close()


def _open_ties(host, port, session_id):
    """The dashboard's stage button: log in (cookie), read the CSRF token, post the form."""
    import re

    conn = http.client.HTTPConnection(host, port, timeout=10)
    conn.request("GET", f"/login?key={KEY}")
    response = conn.getresponse()
    response.read()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    conn.request("GET", f"/sessions/{session_id}", headers={"Cookie": cookie})
    response = conn.getresponse()
    page = response.read().decode()
    if response.getheader("Set-Cookie"):  # the CSRF token lives in the signed cookie
        cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    conn.request(
        "POST",
        f"/sessions/{session_id}/stage",
        body=f"stage=ties&csrf_token={token}",
        headers={"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"},
    )
    response = conn.getresponse()
    response.read()
    conn.close()
    assert response.status in (200, 303), response.status


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true", help="50 phones, about 15 s")
    args = parser.parse_args(argv)
    phones, seconds = (50, 12) if args.quick else (150, 36)
    with tempfile.TemporaryDirectory(prefix="tsunagari-bench-") as tmp:
        process, base = start_server(
            Path(tmp) / "data", key=KEY, threads=32, log=Path(tmp) / "log"
        )
        try:
            parts = urlsplit(base)
            host, port = parts.hostname, parts.port
            conn = http.client.HTTPConnection(host, port, timeout=10)
            _, _, raw = _call(
                conn,
                "POST",
                "/api/v1/sessions",
                {"title": "bench"},
                {"Authorization": f"Bearer {KEY}"},
            )
            meta = json.loads(raw)
            conn.close()
            baseline = _baseline(host, port)
            stop, changed_at = threading.Event(), [0.0]
            crowd = [
                Phone(host, port, meta["code"], meta["id"], stop, changed_at)
                for _ in range(phones)
            ]
            for phone in crowd:
                phone.start()
            time.sleep(POLL_SECONDS + 1)
            cpu0, wall0 = _cpu_seconds(process.pid), time.monotonic()
            time.sleep(seconds / 2)
            changed_at[0] = time.monotonic()
            _open_ties(host, port, meta["id"])
            time.sleep(seconds / 2)
            cpu = (_cpu_seconds(process.pid) - cpu0) / (time.monotonic() - wall0)
            stop.set()
            for phone in crowd:
                phone.join(15)
        finally:
            stop_server(process)
    times = [t for p in crowd for t in p.times]
    statuses = [s for p in crowd for s in p.statuses]
    delays = [p.saw_ties for p in crowd if p.saw_ties is not None]
    errors = sum(p.errors for p in crowd)
    base_ms = statistics.median(baseline) * 1000
    poll_ms = statistics.median(times) * 1000
    print(
        f"{phones} phones polling every {POLL_SECONDS:g} s for ~{seconds + 3} s, "
        f"{len(times)} polls, {errors} errors; nproc {os.cpu_count()}"
    )
    print(f"baseline GET /j p50: {base_ms:.1f} ms")
    print(
        f"poll p50 {poll_ms:.1f} ms ({poll_ms / base_ms:.2f}× baseline), "
        f"p95 {_pct(times, 0.95) * 1000:.1f} ms, max {max(times) * 1000:.1f} ms; "
        f"304: {statuses.count(304) / len(statuses):.0%}"
    )
    print(f"server CPU while polling: {cpu:.2f} s per s (of {os.cpu_count()} cores)")
    print(
        f"stage change → phone knows: p50 {_pct(delays, 0.5):.2f} s, p95 {_pct(delays, 0.95):.2f} s,"
        f" max {max(delays):.2f} s ({len(delays)}/{phones} phones); goal < {GOAL_STAGE_S:g} s:"
        f" {'met' if len(delays) == phones and max(delays) < GOAL_STAGE_S else 'NOT met'}"
    )
    return 0 if errors == 0 and len(delays) == phones else 1


if __name__ == "__main__":
    sys.exit(main())
