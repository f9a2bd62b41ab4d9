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

Two ways of flagging are measured:

- **cold**: ``graph.analysis.flags(G)`` from scratch (``graph.cold_flags``), reading every
  tie once (what a one-off report, the CLI or a version left behind pays);
- **live**: what the server's live model pays per event — ``graph.live_flags.LiveFlags``
  over the approved graph, brought up to date after one event (a note approved with its
  home and a watch tie, a tie's frequency edited, a helper renamed, a tie removed, a
  household hidden; applied in place as the live model does) and then asked for the flags:
  ``apply`` + ``flags``, the median over EVENTS events, each beside one articulation-points
  pass (and, apart, the median of ``flags`` alone). Building the live flags once with their
  first flags (when a session's flags are first asked for) is shown apart; after the last
  event the live flags are checked against ``flags`` from scratch.
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
EVENTS = 25


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


def _event(A, i: int, rng) -> tuple[set, set]:
    """One event of the workshop applied to the approved graph ``A`` in place: what changed."""
    kinds = dict(A.nodes(data="kind"))
    households = [n for n, k in kinds.items() if k == "household"]
    persons = [n for n, k in kinds.items() if k == "person"]
    step = i % 5
    if step == 0:  # a note approved: a new person, their home and a watch tie
        p, h, helper = f"bench_p{i}", rng.choice(households), rng.choice(persons)
        A.add_node(p, kind="person", label=f"新しい人{i}", age_band="75-84", status="approved")
        A.add_edge(p, h, key=f"bench_t{i}a", kind="lives_in", status="approved")
        A.add_edge(helper, p, key=f"bench_t{i}b", kind="watch", status="approved")
        return {p}, {(p, h, f"bench_t{i}a"), (helper, p, f"bench_t{i}b")}
    u, v, k, d = rng.choice(
        [e for e in A.edges(persons[i % len(persons)], keys=True, data=True)]
        or list(A.edges(keys=True, data=True))[:1]
    )
    if step == 1:  # a tie's frequency corrected
        d["frequency"] = "monthly" if d.get("frequency") != "monthly" else "weekly"
        return set(), {(u, v, k)}
    if step == 2:  # the busiest helper renamed
        busy = max(persons, key=A.out_degree)
        A.nodes[busy]["label"] = f"改名{i}"
        return {busy}, set()
    if step == 3:  # a tie removed
        A.remove_edge(u, v, k)
        return set(), {(u, v, k)}
    h = rng.choice(households)  # a household hidden: out of the approved graph, ties along
    A.remove_node(h)
    return {h}, set()


def _built(live_flags, A):
    """The live flags of ``A`` with their first flags, as a session's first request makes
    them."""
    live = live_flags.LiveFlags(A)
    live.flags()
    return live


def _live(G, U, live_flags, analysis) -> dict:
    """Build the live flags of G's approved part, then time EVENTS events (see the top)."""
    import random

    from graph.model import active_graph

    A = active_graph(G)
    live, build = _cpu(_built, live_flags, A)
    rng = random.Random(14)
    times, passes, alone = [], [], []
    for i in range(EVENTS):
        _, seconds = _cpu(_articulation_points, U)
        passes.append(seconds)
        nodes, ties = _event(A, i, rng)
        start = time.process_time()
        live.apply(A, nodes, ties)
        applied = time.process_time()
        found = live.flags()
        times.append(time.process_time() - start)
        alone.append(time.process_time() - applied)
    same = [(f.flag, f.node, f.details) for f in found] == [
        (f.flag, f.node, f.details) for f in analysis.flags(A)
    ]
    event, ap = statistics.median(times) * 1000, statistics.median(passes) * 1000
    flags_ms = statistics.median(alone) * 1000
    return {
        "build": build * 1000,
        "event": event,
        "flags": flags_ms,
        "ap": ap,
        "ratio": event / ap,
        "same": same,
    }


def main() -> int:
    """Build, load and flag both graphs; print the table; exit 1 if ``flags`` is missing."""
    io = _optional("graph.io")
    analysis = _optional("graph.analysis")
    live_flags = _optional("graph.live_flags")
    rows, live_rows = [], []
    city_ms = city_ratio = city_live = None
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
                if live_flags is not None:
                    lv = _live(G, U, live_flags, analysis)
                    live_rows.append((name, lv))
                    if name == "city":
                        city_live = lv
            rows.append((name, ratio, f"{n:,}", f"{m:,}", load, median_ms, ap_ms, found))
            U = None  # frees the undirected copy before the next graph
            gc.unfreeze()

    print()
    print(f"Live: flags per event (apply + flags, median of {EVENTS} events) ÷ one")
    print("articulation-points pass; the live flags built once beforehand.")
    print()
    print(
        "| graph | live flags per event ÷ articulation points | per event (ms) |"
        " of which flags() (ms) | articulation points (ms) | built once (ms) |"
        " equal to flags from scratch |"
    )
    print("|---|---:|---:|---:|---:|---:|---|")
    for name, lv in live_rows:
        print(
            f"| {name} | {lv['ratio']:.3f}× | {lv['event']:.1f} | {lv['flags']:.2f} |"
            f" {lv['ap']:.0f} | {lv['build']:.0f} | {'yes' if lv['same'] else 'NO'} |"
        )
    print()
    print("Cold: graph.analysis.flags(G) from scratch, reading every tie.")
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
    if city_live is not None:
        verdict = "met" if city_live["ratio"] <= GOAL_RATIO else "NOT met"
        print(
            f"Goal: city flags ≤ {GOAL_RATIO:g}× one articulation-points pass, live per event"
            f" — {verdict} ({city_live['ratio']:.2f}×)."
        )
    verdict = "met" if city_ratio <= GOAL_RATIO else "NOT met"
    print(
        f"Goal: city flags ≤ {GOAL_RATIO:g}× one articulation-points pass, cold — {verdict}"
        f" ({city_ratio:.2f}×)."
    )
    if city_live is not None:
        verdict = "met" if city_live["event"] < GOAL_MS else "NOT met"
        print(
            f"Goal: city flags < {GOAL_MS} ms, live per event — {verdict}"
            f" ({city_live['event']:.0f} ms)."
        )
    verdict = "met" if city_ms < GOAL_MS else "NOT met"
    print(f"Goal: city flags < {GOAL_MS} ms, cold — {verdict} ({city_ms:.0f} ms).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
