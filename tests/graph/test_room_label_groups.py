"""Room labels carried on per event equal room labels made afresh."""

import random

import networkx as nx
import pytest

from graph.privacy import room_labels
from graph.room_label_groups import carry_room_labels

LABELS = {
    "person": ("佐藤 花子", "斎藤 浩", "鈴木 一郎", "佐藤 一", "すずき いちろう", "S.H.②"),
    "household": ("佐藤さん宅", "鈴木さん宅", "さとう家", "S.宅②"),
    "group": ("サロン", "サロン②", "サロン③", "サロン(21)", "体操の会"),
}
DISTRICTS = ("1丁目", "2丁目", "坂の上", None)


def _node(rng: random.Random) -> dict:
    kind = rng.choice(tuple(LABELS))
    attrs = {"kind": kind, "label": rng.choice(LABELS[kind])}
    attrs["status"] = rng.choice(("approved", "approved", "approved", "pending", "hidden"))
    if rng.random() < 0.5 and (district := rng.choice(DISTRICTS)):
        attrs["district"] = district
    if kind == "person" and rng.random() < 0.3:
        attrs["consent"] = rng.choice(("named", "anonymous", "initials"))
    return attrs


def _change(G: nx.MultiDiGraph, rng: random.Random, serial: list[int]) -> set:
    """One random change to ``G`` in place; the nodes it touched."""
    nodes = list(G)
    what = rng.randrange(6)
    serial[0] += 1
    if what == 0 or not nodes:
        node = f"n{serial[0]}"
        G.add_node(node, **_node(rng))
        return {node}
    node = rng.choice(nodes)
    if what == 1:
        G._node[node].clear()
        G._node[node].update(_node(rng))
        return {node}
    if what == 2:  # removed with its ties (each tie a row change touching both ends)
        touched = {node, *G.successors(node), *G.predecessors(node)}
        G.remove_node(node)
        return touched
    if what == 3:
        homes = [n for n, a in G.nodes(data=True) if a.get("kind") == "household"]
        if homes:
            home = rng.choice(homes)
            G.add_edge(node, home, key=f"t{serial[0]}", kind="lives_in", status="approved")
            return {node, home}
        return set()
    if what == 4:
        ties = list(G.edges(keys=True))
        if ties:
            u, v, k = rng.choice(ties)
            G.remove_edge(u, v, k)
            return {u, v}
        return set()
    attrs = G._node[node]  # a district typed, changed or taken away
    district = rng.choice(DISTRICTS)
    if district is None:
        attrs.pop("district", None)
    else:
        attrs["district"] = district
    return {node}


@pytest.mark.parametrize("seed", range(6))
def test_labels_carried_on_equal_labels_made_afresh(seed):
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    serial = [0]
    for _ in range(40):
        _change(G, rng, serial)
    state = carry_room_labels(G)
    assert list(state.labels.items()) == list(room_labels(G).items())
    for _ in range(150):
        touched: set = set()
        for _ in range(rng.randrange(1, 4)):
            touched |= _change(G, rng, serial)
        state = carry_room_labels(G, (state, touched))
        assert list(state.labels.items()) == list(room_labels(G).items())


def test_a_new_name_renumbers_only_its_own_group():
    G = nx.MultiDiGraph()
    for i, label in enumerate(("サロン", "サロン", "体操の会", "サロン②")):
        G.add_node(f"g{i}", kind="group", label=label, status="approved")
    state = carry_room_labels(G)
    assert state.labels == {"g0": "サロン", "g1": "サロン③", "g2": "体操の会", "g3": "サロン②"}
    G.remove_node("g3")  # 「サロン②」 is free again
    state = carry_room_labels(G, (state, {"g3"}))
    assert state.labels == {"g0": "サロン", "g1": "サロン②", "g2": "体操の会"}


def test_a_node_removed_and_added_again_between_two_carries_comes_last():
    G = nx.MultiDiGraph()
    for n, label in (("a", "佐藤 花子"), ("b", "佐藤 花子"), ("c", "鈴木 一郎")):
        G.add_node(n, kind="person", label=label, status="approved")
    state = carry_room_labels(G)
    attrs = dict(G._node["b"])
    G.remove_node("b")
    G.add_node("b", **attrs)  # undone: back, at the end of G's order
    state = carry_room_labels(G, (state, {"b"}))
    assert list(state.labels.items()) == list(room_labels(G).items())
    assert list(state.labels) == ["a", "c", "b"]
