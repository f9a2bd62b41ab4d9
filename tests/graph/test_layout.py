"""The tree layout: bands in order, loose roots apart, stable and deterministic."""

import math
from statistics import mean

import pytest

from graph.demo import demo_graph
from graph.layout import BANDS, MAX_SHIFT, SLOTS, tree_layout
from graph.network_layout import network_layout

# "A small distance": about one slot (canvas pixels; the demo tree is ~1,900 px across).
SMALL = MAX_SHIFT


@pytest.fixture(scope="module")
def demo():
    return demo_graph()


def _band_means(layout):
    ys = {}
    for node, band in layout.band.items():
        ys.setdefault(band, []).append(layout.positions[node][1])
    return {band: mean(values) for band, values in ys.items()}


def test_bands_read_bottom_to_top(demo):
    means = _band_means(tree_layout(demo))
    # screen y grows downwards: the lowest band has the largest mean y
    order = sorted(means, key=means.get, reverse=True)
    assert order == list(BANDS)


def test_every_approved_node_has_a_position_and_a_band(demo):
    layout = tree_layout(demo)
    assert set(layout.positions) == set(demo.nodes)
    assert set(layout.band.values()) == set(BANDS)


def test_pending_nodes_are_not_drawn(demo):
    G = demo.copy()
    G.add_node("new", kind="household", label="新しい世帯", status="pending")
    assert "new" not in tree_layout(G).positions


def test_isolated_households_lie_apart_from_the_root_system(demo):
    layout = tree_layout(demo)
    assert set(layout.loose) == {"h12", "h27", "h34", "h41"}
    rooted = [
        layout.positions[n][0]
        for n, band in layout.band.items()
        if band == "roots" and not any(n == u or demo.has_edge(n, u) for u in layout.loose)
    ]
    for unit in layout.loose:
        x, y = layout.positions[unit]
        assert x > max(rooted) + 100, unit
        assert y > 0  # still a root: below the ground line


def test_the_busiest_helpers_form_the_trunk(demo):
    layout = tree_layout(demo)
    assert {"p004", "p032"} <= set(layout.trunk)
    xs = [layout.positions[p][0] for p in layout.trunk]
    ys = [layout.positions[p][1] for p in layout.trunk]
    assert max(abs(x) for x in xs) <= SLOTS["trunk"].w  # beside one upright trunk
    assert ys == sorted(ys, reverse=True), "the heaviest load at the base"


def test_needs_form_the_rooms_list_apart_from_every_household(demo):
    # Where a need is drawn must not tell the room whose it is (DESIGN.md §6).
    layout = tree_layout(demo)
    needs = [n for n, kind in demo.nodes(data="kind") if kind == "need"]
    units = [n for n, kind in demo.nodes(data="kind") if kind in ("household", "person")]
    assert needs and all(layout.band[n] == "roots" for n in needs)
    left_of_roots = min(layout.positions[u][0] for u in units if u in layout.positions)
    for need in needs:
        assert layout.positions[need][0] < left_of_roots - SLOTS["household"].w / 2, need
        assert layout.positions[need][1] > 0, "below the ground line, by the roots"


def test_same_graph_same_picture(demo):
    assert tree_layout(demo).positions == tree_layout(demo_graph()).positions
    assert network_layout(demo) == network_layout(demo_graph())


def _max_shift(before, after):
    return max(math.dist(before[n], after[n]) for n in before)


@pytest.mark.parametrize(
    ("node", "attrs", "tie"),
    [
        ("new-h", {"kind": "household", "label": "新しい世帯", "district": "2丁目"}, None),
        ("new-p", {"kind": "person", "label": "新人"}, ("new-p", "h05", "lives_in")),
        ("new-g", {"kind": "group", "label": "新しいサークル"}, None),
        ("new-x", {"kind": "place", "label": "新しい集会所"}, None),
        ("new-i", {"kind": "institution", "label": "新しい事業所"}, None),
        ("new-idea", {"kind": "idea", "label": "新しい案"}, None),
        ("new-n", {"kind": "need", "label": "灯油が運べない"}, ("h07", "new-n", "has_need")),
    ],
)
def test_one_insertion_moves_nothing_far(demo, node, attrs, tie):
    before = tree_layout(demo).positions
    G = demo.copy()
    G.add_node(node, **attrs)
    if tie:
        G.add_edge(tie[0], tie[1], key="new-t", kind=tie[2])
    after = tree_layout(G).positions
    assert node in after
    assert _max_shift(before, after) <= SMALL


def test_network_layout_is_stable_under_one_insertion(demo):
    before = network_layout(demo)
    G = demo.copy()
    G.add_node("new-h", kind="household", label="新しい世帯")
    after = network_layout(G)
    shifts = sorted(math.dist(before[n], after[n]) for n in before)
    assert shifts[len(shifts) // 2] <= SMALL  # the median node barely moves
