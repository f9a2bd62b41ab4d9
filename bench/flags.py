"""Benchmark: build, load and flag a town-sized and a city-sized synthetic graph.

Run from the repository root::

    python bench/flags.py

Prints how long each synthetic graph takes to build, then a Markdown table with the GraphML
load time (``graph.io.read_graph``, when that module exists) and the median of five runs of
``graph.analysis.flags``, each beside one pass of NetworkX's ``articulation_points`` over
the same graph (undirected, built before the timing) in the same process, alternating, CPU
time of this process. The ratio flags ÷ articulation points comes first (goal of issue 14:
≤ 1×), then the absolute figures. The graphs are frozen out of the cyclic garbage
collector's way first (``gc.freeze``), as the server's live model does with its graphs.
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

import networkx as nx  # noqa: E402

from bench.synth import city, town  # noqa: E402

GOAL_MS = 100
GOAL_RATIO = 1.0
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


def _articulation_points(U) -> list:
    return list(nx.articulation_points(U))


def _cpu(fn: Callable, *args):
    start = time.process_time()
    result = fn(*args)
    return result, time.process_time() - start


def main() -> int:
    """Build, load and flag both graphs; print the table; exit 1 if ``flags`` is missing."""
    io = _optional("graph.io")
    analysis = _optional("graph.analysis")
    rows = []
    city_ms = city_ratio = None
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

            U = G.to_undirected()
            gc.collect()
            gc.freeze()

            median_ms, found, ap_ms, ratio = "—", "—", "—", "—"
            if analysis is not None:
                times, passes = [], []
                for _ in range(RUNS):
                    _, seconds = _cpu(_articulation_points, U)
                    passes.append(seconds)
                    result, seconds = _cpu(analysis.flags, G)
                    times.append(seconds)
                median = statistics.median(times) * 1000
                ap = statistics.median(passes) * 1000
                median_ms, found = f"{median:.0f}", f"{len(result):,}"
                ap_ms, ratio = f"{ap:.0f}", f"{median / ap:.2f}×"
                if name == "city":
                    city_ms, city_ratio = median, median / ap
            rows.append((name, ratio, f"{n:,}", f"{m:,}", load, median_ms, ap_ms, found))
            U = None  # frees the undirected copy before the next graph
            gc.unfreeze()

    print()
    print(
        f"| graph | flags ÷ articulation points | nodes | ties | load (s) |"
        f" flags median of {RUNS} (ms) | articulation points (ms) | flags found |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for row in rows:
        print("| " + " | ".join(row) + " |")
    print()
    if io is None:
        print("graph/io.py not found: load time skipped.")
    if city_ms is None:
        print(f"graph/analysis.py not found: goal (city flags < {GOAL_MS} ms) not measured.")
        return 1
    verdict = "met" if city_ratio <= GOAL_RATIO else "NOT met"
    print(
        f"Goal: city flags ≤ {GOAL_RATIO:g}× one articulation-points pass — {verdict}"
        f" ({city_ratio:.2f}×)."
    )
    verdict = "met" if city_ms < GOAL_MS else "NOT met"
    print(f"Goal: city flags < {GOAL_MS} ms — {verdict} ({city_ms:.0f} ms).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
