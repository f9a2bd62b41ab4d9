"""The root system's extents for each column height, in one pass, equal placing it."""

import random

import pytest

from graph.layout import _CELL_GAP, _GAP, ROOT_HEIGHTS, SLOTS, _cell_size, _place_roots, _Roots
from graph.root_shapes import root_extents


def _cells(rng: random.Random, n: int) -> list:
    cells = []
    for i in range(n):
        residents = [f"p{i}-{j}" for j in range(rng.choice((0, 1, 1, 2, 3, 5, 9)))]
        head = f"h{i}" if rng.random() < 0.8 or not residents else None
        cells.append((head, ([head] if head else []) + residents))
    return cells


@pytest.mark.parametrize("seed", range(10))
def test_extents_equal_those_of_the_placed_root_system(seed):
    rng = random.Random(seed)
    roots = _Roots(
        _cells(rng, rng.choice((0, 1, 5, 40, 300))),
        _cells(rng, rng.choice((0, 1, 7, 120))),
        [],
        [f"n{i}" for i in range(rng.choice((0, 1, 4, 30, 200)))],
    )
    extents = root_extents(
        [_cell_size(c) for c in roots.rooted],
        [_cell_size(c) for c in roots.loose],
        len(roots.needs),
        ROOT_HEIGHTS,
        gap=_GAP,
        cell_gap=_CELL_GAP,
        need_size=(SLOTS["need"].w, SLOTS["need"].h),
    )
    assert extents == [_place_roots(None, roots, limit, 0.0) for limit in ROOT_HEIGHTS]
