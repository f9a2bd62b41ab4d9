"""Which live regions of a screen a change touched, so only those are refreshed.

Each region's refresh URL carries the seq it was drawn at (``since``); when no event after it
changed what the region shows, the answer is 204 and htmx leaves the region alone. The live
stream names the touched regions (``region-<name>`` events, facilitator/live.py) before its
``changed`` event, so a screen asks only for those — the dashboard for all of them in one
request (facilitator/region_refresh.py).

What a region shows is told by the tables of the events' row changes: ``nodes`` for any
change of a node, ``nodes:edit`` only for a node that was already there (changed or
removed). A new node (an approved note) changes no tie in the list, nor the closed tie form
once it offers two notes.

The note wall's stickies are HTML per kind (:func:`stickies_html`), reused while that kind's
notes stay the same: an approved note redraws its own kind's group, not the whole wall.
"""

from __future__ import annotations

import functools
import os
import threading
from collections import OrderedDict

from markupsafe import Markup, escape

from .storage import Session

__all__ = ["REGION_TABLES", "REGIONS", "LIVE_EVENTS", "touched", "untouched", "stickies_html"]

#: What each region is drawn from: table names (any change of their rows) and
#: ``<table>:edit`` (a change of a row that was there before: an update or a removal).
REGION_TABLES: dict[str, frozenset[str]] = {
    "queue": frozenset({"notes", "nodes", "participants", "blocked_phones"}),
    "feed": frozenset({"notes", "participants", "blocked_phones"}),
    "counts": frozenset({"notes", "participants", "meta"}),
    "controls": frozenset({"meta"}),
    "ties": frozenset({"ties", "nodes"}),
    "tie_results": frozenset({"ties", "nodes:edit"}),
    "tie_form": frozenset({"nodes"}),
    # The closed tie form once two notes can be joined: only its "at least two" can change.
    "tie_form_closed": frozenset({"nodes:edit"}),
    "nodes": frozenset({"nodes"}),
    "flags": frozenset({"nodes", "ties", "meta"}),
    "wall": frozenset({"nodes", "pseudonyms"}),
    "tree": frozenset({"nodes", "ties", "meta", "positions", "pseudonyms"}),
}
#: Every region's name, in a stable order.
REGIONS: tuple[str, ...] = tuple(REGION_TABLES)
#: The stream's events a screen listens to (htmx-ext-sse's ``sse-swap``): the touched regions
#: and ``changed``, which comes last.
LIVE_EVENTS = ", ".join([*(f"region-{name}" for name in REGIONS), "changed"])
#: Past this many events, every region is simply drawn again.
_LOOK_BACK = 500


#: What :func:`touched` found, by session file and seqs: every open screen's stream asks the
#: same after each change, and the dashboard's refresh once more (the log only grows).
_TOUCHED_KEPT = 256
_touched: OrderedDict[tuple, frozenset[str]] = OrderedDict()


def touched(session: Session, after: int, upto: int | None = None) -> frozenset[str]:
    """The regions the events after seq ``after`` (up to ``upto``, else the newest) changed;
    every region when that is not known (``after`` too old or ahead of the log)."""
    last = session.last_seq() if upto is None else upto
    if after < 0 or after > last or last - after > _LOOK_BACK:
        return frozenset(REGIONS)
    if after == last:
        return frozenset()
    try:
        st = os.stat(session.path)  # a file made again under the same name is another log
    except OSError:
        return _touched_in_log(session, after, last)
    key = (str(session.path), st.st_dev, st.st_ino, after, last)
    with _lock:
        found = _touched.get(key)
    if found is None:
        found = _touched_in_log(session, after, last)
        with _lock:
            _touched[key] = found
            while len(_touched) > _TOUCHED_KEPT:
                _touched.popitem(last=False)
    return found


def _touched_in_log(session: Session, after: int, last: int) -> frozenset[str]:
    """:func:`touched` read from the log: the tables of the events' row changes."""
    marks: set[str] = set()
    for table, edit in session.db.execute(
        "SELECT DISTINCT json_extract(c.value, '$.table'), "
        "json_type(c.value, '$.before') IS NOT 'null' FROM events, "
        "json_each(events.payload, '$.changes') AS c WHERE events.seq > ? AND events.seq <= ?",
        [after, last],
    ):
        marks.add(table)
        if edit:
            marks.add(f"{table}:edit")
    return frozenset(name for name, tables in REGION_TABLES.items() if tables & marks)


def untouched(session: Session, region: str, since: str | None, known: dict | None = None) -> bool:
    """Whether no event after seq ``since`` changed what ``region`` shows (``known`` keeps
    the touched regions per seq for the next region asked about in the same request)."""
    if since is None or not since.isascii() or not since.isdigit() or len(since) > 18:
        return False
    after = int(since)
    known = {} if known is None else known
    if after not in known:
        known[after] = touched(session, after)
    return region not in known[after]


#: Wall groups kept (a few versions of each kind), at most this many characters in all: a
#: city's wall of people is ~1.5 MB of HTML, and every approval makes a new version of one.
_KEPT = 64
_KEPT_CHARS = 4_000_000
_cache: OrderedDict[tuple, Markup] = OrderedDict()
_cached_chars = 0
_lock = threading.Lock()


@functools.lru_cache(maxsize=65536)
def _sticky(kind: str, icon: str, node: str, label: str) -> str:
    """One sticky's HTML, escaped (kept: one approved note changes one sticky of a group
    of thousands, and escaping every one again was most of a town wall's CPU)."""
    head = f'<div class="sticky kind-{escape(kind)}" data-node="'
    mark = f'"><span class="kind-icon" aria-hidden="true">{escape(icon)}</span> '
    return f"{head}{escape(node)}{mark}{escape(label)}</div>"


def stickies_html(kind: str, icon: str, stickies: list[dict]) -> Markup:
    """The stickies of one kind as the wall draws them (``{"id", "label"}`` each)."""
    key = (kind, icon, tuple((s["id"], s["label"]) for s in stickies))
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    html = Markup("\n      ".join(_sticky(kind, icon, node, label) for node, label in key[2]))
    global _cached_chars
    with _lock:
        if key not in _cache:
            _cache[key] = html
            _cached_chars += len(html)
        while len(_cache) > 1 and (len(_cache) > _KEPT or _cached_chars > _KEPT_CHARS):
            _cached_chars -= len(_cache.popitem(last=False)[1])
    return html
