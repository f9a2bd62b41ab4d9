"""Which live regions of the dashboard a change touched, so only those are refreshed.

Each region's refresh URL carries the seq it was drawn at (``since``); when no event after it
changed a table the region shows, the answer is 204 and htmx leaves the region alone.

The note wall's stickies are HTML per kind (:func:`stickies_html`), reused while that kind's
notes stay the same: an approved note redraws its own kind's group, not the whole wall.
"""

from __future__ import annotations

import threading
from collections import OrderedDict

from markupsafe import Markup, escape

from .storage import Session

__all__ = ["REGION_TABLES", "untouched", "stickies_html"]

#: The tables each region is drawn from.
REGION_TABLES: dict[str, frozenset[str]] = {
    "queue": frozenset({"notes", "nodes", "participants", "blocked_phones"}),
    "feed": frozenset({"notes", "participants", "blocked_phones"}),
    "counts": frozenset({"notes", "participants", "meta"}),
    "controls": frozenset({"meta"}),
    "ties": frozenset({"ties", "nodes"}),
    "tie_results": frozenset({"ties", "nodes"}),
    "tie_form": frozenset({"nodes"}),
    "nodes": frozenset({"nodes"}),
    "flags": frozenset({"nodes", "ties", "meta"}),
    "wall": frozenset({"nodes", "pseudonyms"}),
    "tree": frozenset({"nodes", "ties", "meta", "positions", "pseudonyms"}),
}
#: Past this many events, a region is simply drawn again.
_LOOK_BACK = 500


def untouched(session: Session, region: str, since: str | None) -> bool:
    """Whether no event after seq ``since`` changed what ``region`` shows."""
    if since is None or not since.isascii() or not since.isdigit() or len(since) > 18:
        return False
    after = int(since)
    last = session.last_seq()
    if after > last or last - after > _LOOK_BACK:
        return False
    if after == last:
        return True
    tables = {
        row[0]
        for row in session.db.execute(
            "SELECT DISTINCT json_extract(c.value, '$.table') FROM events, "
            "json_each(events.payload, '$.changes') AS c WHERE events.seq > ?",
            [after],
        )
    }
    return not (tables & REGION_TABLES[region])


#: Wall groups kept (a few versions of each kind).
_KEPT = 64
_cache: OrderedDict[tuple, Markup] = OrderedDict()
_lock = threading.Lock()


def stickies_html(kind: str, icon: str, stickies: list[dict]) -> Markup:
    """The stickies of one kind as the wall draws them (``{"id", "label"}`` each)."""
    key = (kind, icon, tuple((s["id"], s["label"]) for s in stickies))
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]
    head = f'<div class="sticky kind-{escape(kind)}" data-node="'
    mark = f'"><span class="kind-icon" aria-hidden="true">{escape(icon)}</span> '
    html = Markup(
        "\n      ".join(
            f"{head}{escape(node)}{mark}{escape(label)}</div>" for node, label in key[2]
        )
    )
    with _lock:
        _cache[key] = html
        while len(_cache) > _KEPT:
            _cache.popitem(last=False)
    return html
