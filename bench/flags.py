"""Benchmark: build, load and flag a town-sized and a city-sized synthetic graph.

Run from the repository root::

    python bench/flags.py

Prints how long each synthetic graph takes to build, then a Markdown table with the GraphML
load time (``graph.io.read_graph``, when that module exists) and the median of five runs of
``graph.analysis.flags``. The goal is a city-sized graph flagged in under 100 ms, so the
facilitator's flag panel can refresh on every change during a workshop.
"""

from __future__ import annotations

import gc
import importlib
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.synth import city, town  # noqa: E402

GOAL_MS = 100
RUNS = 5


def _optional(module: str):
    try:
        return importlib.import_module(module)
    except ImportError:
        return None


def _timed(fn: Callable, *args):
    start = time.perf_counter()
    result = fn(*args)
    return result, time.perf_counter() - start


def main() -> int:
    """Build, load and flag both graphs; print the table; exit 1 if ``flags`` is missing."""
    io = _optional("graph.io")
    analysis = _optional("graph.analysis")
    rows = []
    city_ms = None
    with tempfile.TemporaryDirectory() as tmp:
        for name, make in (("town", town), ("city", city)):
            G, built = _timed(make)
            n, m = G.number_of_nodes(), G.number_of_edges()
            print(f"{name}: {n:,} nodes, {m:,} ties, built in {built:.2f} s", flush=True)

            load = "—"
            if io is not None:
                path = Path(tmp, f"{name}.graphml")
                io.write_graph(G, path, "graphml")
                H, seconds = _timed(io.read_graph, path)
                if (H.number_of_nodes(), H.number_of_edges()) != (n, m):
                    print(f"  warning: {name} read back with different counts", flush=True)
                load = f"{seconds:.2f}"
                del H  # a second copy in memory would slow the garbage collector below

            gc.collect()

            median_ms, found = "—", "—"
            if analysis is not None:
                times = []
                for _ in range(RUNS):
                    result, seconds = _timed(analysis.flags, G)
                    times.append(seconds)
                median = statistics.median(times) * 1000
                median_ms, found = f"{median:.0f}", f"{len(result):,}"
                if name == "city":
                    city_ms = median
            rows.append((name, f"{n:,}", f"{m:,}", load, median_ms, found))

    print()
    print(f"| graph | nodes | ties | load (s) | flags median of {RUNS} (ms) | flags found |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    if io is None:
        print("graph/io.py not found: load time skipped.")
    if city_ms is None:
        print(f"graph/analysis.py not found: goal (city flags < {GOAL_MS} ms) not measured.")
        return 1
    verdict = "met" if city_ms < GOAL_MS else "NOT met"
    print(f"Goal: city flags < {GOAL_MS} ms — {verdict} ({city_ms:.0f} ms).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
