"""The tree layout carried on per event equals ``tree_layout`` made afresh."""

import random

import networkx as nx
import pytest

from graph import layout_carry
from graph.analysis import analyse
from graph.demo import demo_graph
from graph.layout import tree_layout
from graph.layout_carry import carry_layout, layout_state
from graph.model import active_graph
from graph.units_carry import carry_units

KINDS = ("household",) * 3 + ("person",) * 4 + ("need", "place", "story", "group", "activity")
KINDS += ("institution", "idea")
TIES = ("lives_in",) * 3 + ("watch", "snow", "talk", "kin", "share", "ride", "member", "role")
TIES += ("care", "has_need", "organises", "links", "helps")
DISTRICTS = ("1丁目", "2丁目", "3丁目", "", None)
LABELS = ("佐藤さん宅", "鈴木", "会", "北海道空知郡茶志内町字東三線北十二号の集会所", "サロン")


def same(carried, afresh) -> None:
    """Equal, and in the same order (the screens draw the notes in this order)."""
    assert list(carried.positions.items()) == list(afresh.positions.items())
    assert list(carried.band.items()) == list(afresh.band.items())
    assert carried.trunk == afresh.trunk
    assert carried.loose == afresh.loose
    assert list(carried.weight.items()) == list(afresh.weight.items())
    assert list(carried.districts.items()) == list(afresh.districts.items())
    assert carried.scene == afresh.scene


def _attrs(rng: random.Random) -> dict:
    attrs = {"kind": rng.choice(KINDS), "label": rng.choice(LABELS)}
    attrs["status"] = rng.choice(("approved",) * 5 + ("pending", "hidden"))
    district = rng.choice(DISTRICTS)
    if district is not None:
        attrs["district"] = district
    return attrs


def _change(G: nx.MultiDiGraph, rng: random.Random, serial: list[int], undo: list) -> set:
    """One random change of ``G`` in place (adds, removals, ties, districts, kinds, labels,
    an undo of an earlier change); the nodes it touched."""
    serial[0] += 1
    nodes = list(G)
    what = rng.randrange(9)
    if what == 0 or len(nodes) < 2:
        node = f"n{serial[0]:04d}"
        G.add_node(node, **_attrs(rng))
        undo.append(("node", node))
        return {node}
    a, b = rng.sample(nodes, 2)
    if what in (1, 2, 3):  # ties make trunks and roots: most changes are ties
        key = f"t{serial[0]}"
        kind = rng.choice(TIES)
        G.add_edge(a, b, key=key, kind=kind, status=rng.choice(("approved",) * 5 + ("pending",)))
        undo.append(("tie", (a, b, key)))
        return {a, b}
    if what == 4:
        ties = list(G.edges(keys=True))
        if not ties:
            return set()
        u, v, k = rng.choice(ties)
        G.remove_edge(u, v, k)
        return {u, v}
    if what == 5:  # a district, a kind or a label changes; or the note is hidden
        change = rng.choice(("district", "kind", "label", "status"))
        value = {
            "district": rng.choice(DISTRICTS[:-1]),
            "kind": rng.choice(KINDS),
            "label": rng.choice(LABELS),
            "status": rng.choice(("approved", "hidden", "pending")),
        }[change]
        G._node[a][change] = value
        return {a}
    if what == 6 and undo:  # undo: the newest node or tie made goes again
        what_, item = undo.pop()
        if what_ == "node" and item in G:
            touched = {item, *G.successors(item), *G.predecessors(item)}
            G.remove_node(item)
            return touched
        if what_ == "tie" and G.has_edge(*item):
            G.remove_edge(*item)
            return {item[0], item[1]}
        return set()
    if what == 7:
        touched = {a, *G.successors(a), *G.predecessors(a)}
        G.remove_node(a)
        return touched
    # A busy helper: several support ties at once (the trunk changes).
    households = [n for n in nodes if G._node[n].get("kind") == "household"]
    for h in rng.sample(households, min(3, len(households))):
        serial[0] += 1
        G.add_edge(a, h, key=f"t{serial[0]}", kind="snow", status="approved")
    return {a, *households}


def _start(seed: int) -> nx.MultiDiGraph:
    if seed % 2 == 0:
        return demo_graph()
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    for i in range(70):
        G.add_node(f"s{i}", **_attrs(rng))
    for i in range(140):
        a, b = rng.sample(list(G), 2)
        G.add_edge(a, b, key=f"s{i}", kind=rng.choice(TIES), status="approved")
    return G


@pytest.mark.parametrize("seed", range(8))
def test_layout_carried_on_equals_the_layout_afresh(seed, monkeypatch):
    # Carried on however much an event touches (a town's events touch a small share).
    monkeypatch.setattr(layout_carry, "_AFRESH_SHARE", 2.0)
    rng = random.Random(seed)
    G = _start(seed)
    A = active_graph(G)
    U = carry_units(A, G)
    state = layout_state(U)
    same(state.layout, tree_layout(A, units=U))
    serial, undo = [10_000], []
    kept = 0
    for _ in range(100):
        touched: set = set()
        # Sometimes a few versions pass without a layout: what they touched adds up.
        for _ in range(rng.choice((1, 1, 1, 2, 4))):
            touched |= _change(G, rng, serial, undo)
        A = active_graph(G)
        U = carry_units(A, G, (U, touched)) if rng.random() < 0.7 else analyse(A)
        old = state
        state = carry_layout(A, U, G, (old, touched))
        same(state.layout, tree_layout(A, units=U))
        pins = {n: (rng.uniform(-500, 500), 1.0 / 3) for n in rng.sample(list(A), min(2, len(A)))}
        same(state.pinned(pins), tree_layout(A, units=U, pinned=pins))
        kept += any(a is b for a, b in zip(old.rooted.placed, state.rooted.placed, strict=False))
    assert kept > 5  # layouts kept columns placed before


def test_a_new_loose_note_places_no_rooted_household_again():
    G = demo_graph()
    A = active_graph(G)
    U = analyse(A)
    state = layout_state(U)
    G.add_node("new", kind="person", label="佐藤 新", status="approved")
    A = active_graph(G)
    U = carry_units(A, G, (U, {"new"}))
    carried = carry_layout(A, U, G, (state, {"new"}))
    same(carried.layout, tree_layout(A, units=U))
    assert "new" in carried.layout.loose
    assert carried.rooted is state.rooted  # the rooted part is the same object…
    assert all(a is b for a, b in zip(carried.rooted.placed, state.rooted.placed, strict=True))
