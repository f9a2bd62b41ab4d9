"""Server memory with a session's screens loaded: the town- and city-sized sessions.

Run from the repository root::

    python bench/rss.py            # town and city, about 2 minutes
    python bench/rss.py --town     # the town only

Writes a town-sized (about 9,000 nodes) and a city-sized (about 30,000 nodes) synthetic
session (``bench/synth.py``) into a fresh data folder, starts ``tsunagari serve`` on
127.0.0.1 and, for each session in turn, asks for what the four screens of a workshop load
(the dashboard page, the facilitator's and the projector's tree payloads, the projector's
wall), then approves three notes and asks for them all again after each (so the live model
holds its second graph version). Printed, ratios first: the server's resident memory ÷ its
memory at start-up, then the absolute figures. Goals (issue 14): town ≤ 400 MB, city ≤ 800 MB.
The screens are asked over HTTP here (no browser): the server's memory is what is measured.
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.screens import KEY, api, rss_mb  # noqa: E402
from tests.realserver import start_server, stop_server  # noqa: E402

GOALS_MB = {"town": 400.0, "city": 800.0}


def _get(base: str, path: str, accept: str) -> None:
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(base)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=600)
    conn.request("GET", path, headers={"Authorization": f"Bearer {KEY}", "Accept": accept})
    response = conn.getresponse()
    response.read()
    conn.close()
    if response.status != 200:
        raise RuntimeError(f"GET {path}: {response.status}")


def load_screens(base: str, sid: str) -> None:
    """What the dashboard, both trees and the wall load."""
    _get(base, f"/sessions/{sid}", "text/html")
    _get(base, f"/sessions/{sid}/tree.json?view=private", "application/json")
    _get(base, f"/sessions/{sid}/tree.json?view=projector", "application/json")
    _get(base, f"/sessions/{sid}/projector?view=wall", "text/html")


def main(argv: list[str] | None = None) -> int:
    from bench.synth import city, town
    from facilitator.storage import Store

    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--town", action="store_true", help="the town only")
    args = parser.parse_args(argv)
    rows, ok = [], True
    for name, make in [("town", town)] + ([] if args.town else [("city", city)]):
        with tempfile.TemporaryDirectory(prefix="tsunagari-rss-") as tmp:
            data = Path(tmp) / "data"
            G = make()
            with Store(data).create(f"bench {name}") as s:
                s.import_graph(G, "bench")
                s.set_meta("bench", stage="ties")
                sid = s.id
            process, base = start_server(data, key=KEY, log=Path(tmp) / "log", timeout=60)
            try:
                start = rss_mb(process.pid)
                load_screens(base, sid)
                for n in range(3):
                    note = api(
                        base,
                        "POST",
                        f"/api/v1/sessions/{sid}/notes",
                        {"kind": "person", "text": f"佐藤 {n}"},
                    )
                    api(base, "POST", f"/api/v1/sessions/{sid}/notes/{note['id']}/approve", {})
                    load_screens(base, sid)
                rows.append(
                    (
                        name,
                        G.number_of_nodes(),
                        start,
                        rss_mb(process.pid),
                        rss_mb(process.pid, peak=True),
                    )
                )
            finally:
                stop_server(process)
            print(f"  {name}: {rows[-1]}", flush=True)
    print()
    print("Server RSS with the screens loaded ÷ at start-up:")
    for name, nodes, start, now, peak in rows:
        goal = peak <= GOALS_MB[name]
        ok &= goal
        print(
            f"  {name} ({nodes:,} nodes): {now / start:.1f}× — peak {peak:.0f} MB"
            f" (goal ≤ {GOALS_MB[name]:.0f} MB: {'met' if goal else 'NOT met'})"
        )
    print()
    print("| session | nodes | at start-up (MB) | screens loaded (MB) | peak (MB) |")
    print("|---|---:|---:|---:|---:|")
    for name, nodes, start, now, peak in rows:
        print(f"| {name} | {nodes:,} | {start:.0f} | {now:.0f} | {peak:.0f} |")
    print()
    print(
        f"Machine: {platform.processor() or platform.machine()}, {os.cpu_count()} cores,"
        f" Python {platform.python_version()}"
    )
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
