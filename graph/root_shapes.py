"""The root system's extent for each column height the tree layout tries, in one pass each.

``graph.layout`` chooses the roots' column height that lets the picture fill the screen;
it needs, for each of its heights, the root system's left and right edges and its height
as ``_place_roots`` would give them. Placing every cluster for each height (and sizing it
again each time) cost a town ~0.9 s per layout; here each cluster is sized once and each
height is one pass over the sizes, with the same sums in the same order, so the figures
are the same (``tests/graph/test_root_shapes.py``).
"""

from __future__ import annotations

import math
from collections.abc import Sequence

__all__ = ["root_extents"]

Size = tuple[float, float]


def _span(sizes: Sequence[Size], limit: float, gap: float) -> tuple[float, float]:
    """The width of the columns of ``sizes`` filled up to ``limit`` and the tallest's
    height, as ``graph.layout._root_columns`` lays them out."""
    width = tallest = 0.0
    column_width = height = 0.0
    started = False
    for w, h in sizes:
        if started and height + h > limit:
            width += column_width
            tallest = max(tallest, height - gap)
            column_width = height = 0.0
        elif not started:
            started = True
        if w > column_width:
            column_width = w
        height += h + gap
    if started:
        width += column_width
        tallest = max(tallest, height - gap)
    return width, tallest


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
    O(len(limits) × clusters).
    """
    need_w, need_h = need_size
    out = []
    for limit in limits:
        width, tall = _span(rooted, limit, cell_gap)
        left = -width / 2
        right = left + width if rooted else left
        loose_width, tall_loose = _span(loose, limit, cell_gap)
        per_column = max(1, int(limit // need_h))
        columns = math.ceil(needs / per_column)
        height = max(tall, tall_loose, min(needs, per_column) * need_h)
        edge = left - (gap + columns * need_w if columns else 0.0)
        out.append((edge, right + gap + loose_width if loose else right, height))
    return out
