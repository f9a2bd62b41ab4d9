"""Benchmark: bringing the live model up to date per event vs the event's own SQLite commit.

Run from the repository root::

    python bench/live.py

For the demo, a 500-node session and a town-sized one (``bench/synth.py``), each in a fresh
session file: a phone's note is approved (``Session.approve_note``: one SQLite commit with
``synchronous = FULL``), then the live model of ``facilitator/live_model.py`` takes the
event (its row changes applied to the graph and to the approved graph in place). Printed,
ratios first: model update ÷ the commit (goal of issue 14: ≤ 5× at any size) and the old
way, a rebuild of the graph from SQLite (``Session.graph``), ÷ the commit; then the medians
(CPU time of this process, 10 notes each).
"""

from __future__ import annotations

import gc
import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synth import synthetic_graph, town  # noqa: E402

NOTES = 10
GOAL = 5.0


def _cpu(fn):
    start = time.process_time()
    result = fn()
    return result, time.process_time() - start


def measure(store, name: str, G) -> tuple[str, int, float, float, float]:
    """(name, nodes, commit, model update, rebuild) in seconds, medians of :data:`NOTES`."""
    from facilitator.live_model import LiveModel

    with store.create(f"bench {name}") as s:
        s.import_graph(G, "bench")
        phone = s.participant(s.add_participant("bench"))["id"]
        model = LiveModel()
        model.release(model.acquire(s))
        model.release(model.acquire(s))  # both versions exist: updates go in place
        commits, updates, rebuilds = [], [], []
        for n in range(NOTES):
            note = s.add_note(phone, "person", f"佐藤 {n}")
            model.release(model.acquire(s))
            model.release(model.acquire(s))
            _, seconds = _cpu(lambda note=note: s.approve_note(note["id"], "facilitator"))
            commits.append(seconds)
            version, seconds = _cpu(lambda: model.acquire(s))
            model.release(version)
            updates.append(seconds)
            _, seconds = _cpu(s.graph)
            rebuilds.append(seconds)
        med = statistics.median
        return name, G.number_of_nodes(), med(commits), med(updates), med(rebuilds)


def main() -> int:
    """Measure the three sizes; print ratios first, then the table."""
    from facilitator.storage import Store
    from graph.demo import demo_graph

    rows = []
    with tempfile.TemporaryDirectory(prefix="tsunagari-bench-") as tmp:
        store = Store(tmp)
        for name, G in (
            ("demo", demo_graph()),
            ("500 nodes", synthetic_graph(200, seed=1)),
            ("town", town()),
        ):
            rows.append(measure(store, name, G))
            gc.collect()
    ok = True
    for name, nodes, commit, update, rebuild in rows:
        ratio = update / commit
        ok &= ratio <= GOAL
        print(
            f"{name} ({nodes:,} nodes): model update {ratio:.1f}× the commit"
            f" ({'met' if ratio <= GOAL else 'NOT met'}), rebuild {rebuild / commit:.0f}×"
        )
    print()
    print(
        "| session | nodes | update ÷ commit | rebuild ÷ commit | commit (ms) | update (ms) |"
        " rebuild (ms) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, nodes, commit, update, rebuild in rows:
        print(
            f"| {name} | {nodes:,} | {update / commit:.1f}× | {rebuild / commit:.0f}× |"
            f" {commit * 1000:.1f} | {update * 1000:.1f} | {rebuild * 1000:.0f} |"
        )
    print()
    print(
        f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
