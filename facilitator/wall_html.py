"""The note wall's stickies as HTML, one string per kind, reused while that kind's notes stay
the same: an approved note redraws its own kind's group, not the whole wall."""

from __future__ import annotations

import threading
from collections import OrderedDict

from markupsafe import Markup, escape

__all__ = ["stickies_html"]

#: Groups kept (a few versions of each kind).
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
