"""The root system's extent for each column height the tree layout tries, in one pass each.

``graph.layout`` chooses the roots' column height that lets the picture fill the screen;
it needs, for each of its heights, the root system's left and right edges and its height
as ``_place_roots`` would give them. Placing every cluster for each height (and sizing it
again each time) cost a town ~0.9 s per layout; here each cluster is sized once and each
height is one bisection per column over the running heights, with the same sums in the same order, so the figures
are the same (``tests/graph/test_root_shapes.py``).
"""

from __future__ import annotations

import bisect
import math
import threading
from collections import OrderedDict
from collections.abc import Sequence

__all__ = ["root_extents"]

Size = tuple[float, float]


def _prefix(sizes: Sequence[Size], gap: float) -> tuple[list[float], list[float]]:
    """The widths, and the running heights of the clusters with a gap after each."""
    running = [0.0]
    for _, h in sizes:
        running.append(running[-1] + (h + gap))
    return [w for w, _ in sizes], running


def _span(widths: list[float], running: list[float], limit: float, gap: float):
    """The width of the columns filled up to ``limit`` and the tallest one's height, as
    ``graph.layout._root_columns`` lays them out: cluster k opens a new column when the
    column's height with it passes ``limit`` — with the running heights, one bisection per
    column (the sums are those of ``_root_columns``: whole pixels, exact)."""
    width = tallest = 0.0
    i, n = 0, len(widths)
    while i < n:
        k = bisect.bisect_right(running, running[i] + limit + gap, i + 2) - 1
        width += max(widths[i:k])
        tallest = max(tallest, running[k] - running[i] - gap)
        i = k
    return width, tallest


#: The spans of the last few root systems (a new loose root leaves the rooted ones as
#: they were: an approved note that has no tie yet is one).
_KEPT = 4
_spans_kept: OrderedDict[tuple, dict[float, tuple[float, float]]] = OrderedDict()
_lock = threading.Lock()


def _spans(sizes: Sequence[Size], limits: Sequence[float], gap: float):
    """:func:`_span` of ``sizes`` for each of ``limits``, kept for the same sizes."""
    key = (tuple(sizes), tuple(limits), gap)
    with _lock:
        if key in _spans_kept:
            _spans_kept.move_to_end(key)
            return _spans_kept[key]
    parts = _prefix(sizes, gap)
    spans = {limit: _span(*parts, limit, gap) for limit in limits}
    with _lock:
        _spans_kept[key] = spans
        while len(_spans_kept) > _KEPT:
            _spans_kept.popitem(last=False)
    return spans


def root_extents(
    rooted: Sequence[Size],
    loose: Sequence[Size],
    needs: int,
    limits: Sequence[float],
    *,
    gap: float,
    cell_gap: float,
    need_size: Size,
) -> list[tuple[float, float, float]]:
    """For each of ``limits``: the left edge, the right edge and the height of a root
    system of clusters of these sizes (``rooted`` by district, then ``loose`` apart on the
    right, ``gap`` between) and ``needs`` difficulties in columns on the left.

    Notes
    -----
    O(clusters + len(limits) × columns × log clusters).
    """
    need_w, need_h = need_size
    spans = _spans(rooted, limits, cell_gap)
    loose_parts = _prefix(loose, cell_gap)
    out = []
    for limit in limits:
        width, tall = spans[limit]
        left = -width / 2
        right = left + width if rooted else left
        loose_width, tall_loose = _span(*loose_parts, limit, cell_gap)
        per_column = max(1, int(limit // need_h))
        columns = math.ceil(needs / per_column)
        height = max(tall, tall_loose, min(needs, per_column) * need_h)
        edge = left - (gap + columns * need_w if columns else 0.0)
        out.append((edge, right + gap + loose_width if loose else right, height))
    return out
