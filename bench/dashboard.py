"""Dashboard benchmark (issue 10): the facilitator's dashboard and its live regions.

Run from the repository root::

    python bench/dashboard.py

Builds the demo session and the 9,000-node town (``bench.synth.town()``) with 5,400 notes
waiting from one flooding phone, then times the whole dashboard and each region through the
Flask test client (median of 5 after a warm-up), and a region refresh after a change that did
not touch it (answered 204). The dashboard leaves out the flags (``flags`` row: loaded when
their fold is opened). Ratios against the goals come first: the demo dashboard ≤ 300 KB
and ≤ 500 ms.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.synth import town  # noqa: E402
from facilitator import create_app  # noqa: E402
from facilitator.storage import Store, demo_session  # noqa: E402

KEY = "bench-key-0123456789"
HX = {"HX-Request": "true"}
REGIONS = ("queue", "feed", "counts", "controls", "ties", "tie_results", "flags", "node-list")


def _get(client, url, headers=None):
    times, size, status = [], 0, 0
    client.get(url, headers=headers)
    for _ in range(5):
        started = time.perf_counter()
        response = client.get(url, headers=headers)
        times.append(time.perf_counter() - started)
        size, status = len(response.data), response.status_code
    return statistics.median(times) * 1000, size, status


def _url(sid, region):
    return f"/sessions/{sid}/{region}" if region != "flags" else f"/sessions/{sid}/flags"


def main() -> int:
    tmp = Path(tempfile.mkdtemp(prefix="tsunagari-bench-"))
    app = create_app({"DATA": tmp, "FACILITATOR_KEY": KEY, "TESTING": True})
    store = Store(tmp)
    demo = demo_session(store)
    with store.create("町全体") as s:
        s.import_graph(town(), "bench")
        phone = s.participant(s.add_participant("いっぱい"))["id"]
        for i in range(5_400):
            s.add_note(phone, "place", f"集会所{i}")
        big = s.id
    client = app.test_client()
    client.get(f"/login?key={KEY}")
    rows = []
    for name, sid in (("demo", demo), ("town + 5,400 waiting", big)):
        rows.append((name, "dashboard", *_get(client, f"/sessions/{sid}")))
        for region in REGIONS:
            rows.append((name, region, *_get(client, _url(sid, region), HX)))
        with store.open(sid) as s:
            seq = s.last_seq()
        for region in ("queue", "tie_results", "flags"):
            ms, size, status = _get(client, _url(sid, region) + f"?since={seq}", HX)
            rows.append((name, f"{region} untouched", ms, size, status))
    demo_ms, demo_size = rows[0][2], rows[0][3]
    print(f"demo dashboard weight / goal: {demo_size / (300 * 1024):.2f} (≤ 1)")
    print(f"demo dashboard time / goal:   {demo_ms / 500:.2f} (≤ 1)")
    print()
    print("| session | what | ms (median of 5) | KB | status |")
    print("|---|---|---:|---:|---:|")
    for name, what, ms, size, status in rows:
        print(f"| {name} | {what} | {ms:.0f} | {size / 1024:.1f} | {status} |")
    return 0 if demo_size <= 300 * 1024 and demo_ms <= 500 else 1


if __name__ == "__main__":
    raise SystemExit(main())
