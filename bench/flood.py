"""Phones under a connection flood and under idle live streams (issue 13 rows 1 and 2).

Run from the repository root::

    python bench/flood.py            # about 30 s
    python bench/flood.py --quick    # about 15 s: fewer notes

It starts ``tsunagari serve`` on 127.0.0.1 with a fresh data folder (24 threads, the default),
joins 10 phones from 127.0.0.2 and has them send notes one after another through the API
(each answer timed), three times:

1. quiet: nothing else going on (the baseline);
2. flood: 1,000 connections from 127.0.0.1 that each begin a request and never finish it;
3. streams: 100 live streams (the facilitator's ``/stream``) from four addresses, never read.

Printed, ratios first: the phones' p95 under each case as a ratio to the quiet p95, then the
p50/p95/max of every case, the errors, and how long the server took to answer again after the
flood was let go (the goal: p95 < 1 s, no errors, answering within 10 s). Loopback only.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tests.loopback import (  # noqa: E402
    ATTACKER,
    call,
    close_all,
    join_phones,
    open_streams,
    p95,
    phone_notes,
    slow_requests,
)
from tests.realserver import start_server, stop_server  # noqa: E402

KEY = "bench-key-0123456789"
SETUP = "127.0.0.3"
STREAM_SOURCES = ("127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8")


def _recovery(port: int, limit: float = 30.0) -> float:
    """Seconds until ``GET /j`` answers 200 again (``limit`` if it never does)."""
    started = time.perf_counter()
    while time.perf_counter() - started < limit:
        try:
            if call(port, "GET", "/j", timeout=2)[0] == 200:
                return time.perf_counter() - started
        except OSError:
            time.sleep(0.1)
    return limit


def _case(port, session_id, tokens, per_phone):
    latencies, failures = phone_notes(port, session_id, tokens, per_phone, timeout=10)
    return latencies, failures


def run(per_phone: int, flood: int, streams: int) -> int:
    results = {}
    with tempfile.TemporaryDirectory(prefix="tsunagari-flood-") as tmp:
        data, log = Path(tmp) / "data", Path(tmp) / "server.log"
        process, base = start_server(data, key=KEY, log=log, timeout=30)
        port = urlsplit(base).port
        try:
            status, meta, _ = call(
                port, "POST", "/api/v1/sessions", {"title": "負荷"}, KEY, source=SETUP
            )
            assert status == 201, meta
            # Each case has its own phones, so the per-phone limit (issue 10) never applies.
            phones = [join_phones(port, meta["code"], 10) for _ in range(3)]

            results["quiet"] = _case(port, meta["id"], phones[0], per_phone) + (0.0,)

            held = slow_requests(port, flood, source=ATTACKER)
            time.sleep(1)
            latencies, failures = _case(port, meta["id"], phones[1], per_phone)
            close_all(held)
            results[f"flood ({flood} slow requests, one address)"] = (
                latencies,
                failures,
                _recovery(port),
            )

            held = open_streams(port, streams, meta["id"], KEY, sources=STREAM_SOURCES)
            time.sleep(2)
            latencies, failures = _case(port, meta["id"], phones[2], per_phone)
            close_all(held)
            results[f"streams ({streams} idle live streams)"] = (
                latencies,
                failures,
                _recovery(port),
            )
        finally:
            stop_server(process)

    quiet = p95(results["quiet"][0])
    for name, (latencies, _failures, _back) in results.items():
        if name != "quiet":
            print(f"ratio p95 {name} / quiet: {p95(latencies) / quiet:.1f}x")
    print()
    worst = 0
    for name, (latencies, failures, back) in results.items():
        ms = [v * 1000 for v in latencies]
        print(
            f"{name}: notes {len(ms)}, p50 {statistics.median(ms):.0f} ms, "
            f"p95 {p95(ms):.0f} ms, max {max(ms):.0f} ms, errors {len(failures)}"
            + (f", answering again after {back:.1f} s" if name != "quiet" else "")
        )
        for failure in failures[:3]:
            print(f"    {failure}")
        if failures or p95(latencies) >= 1.0 or back > 10:
            worst = 1
    print()
    print(
        "goal: p95 < 1 s and no errors under each, answering again within 10 s:",
        "met" if worst == 0 else "NOT met",
    )
    return worst


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer notes per phone")
    parser.add_argument("--flood", type=int, default=1000, help="slow connections (1000)")
    parser.add_argument("--streams", type=int, default=100, help="idle live streams (100)")
    args = parser.parse_args()
    return run(2 if args.quick else 5, args.flood, args.streams)


if __name__ == "__main__":
    raise SystemExit(main())
