"""The analysis carried on per event equals the analysis made afresh."""

import random
from dataclasses import fields

import networkx as nx
import pytest

from graph import units_carry
from graph.analysis import analyse, flags
from graph.model import active_graph
from graph.units_carry import carry_units

KINDS = ("household", "household", "person", "person", "person", "group", "activity")
KINDS += ("institution", "need")
TIES = ("lives_in", "lives_in", "watch", "snow", "talk", "kin", "share", "ride", "member")
TIES += ("role", "care", "has_need", "organises", "links")


def _plain(U) -> dict:
    """The analysis as plain values (a defaultdict's empty entries are no fact)."""
    out = {}
    for f in fields(U):
        value = getattr(U, f.name)
        if isinstance(value, dict):
            value = {k: v for k, v in value.items() if v or not isinstance(v, set)}
        out[f.name] = value
    return out


def _node(rng: random.Random) -> dict:
    attrs = {"kind": rng.choice(KINDS), "label": rng.choice(("佐藤", "鈴木", "会"))}
    attrs["status"] = rng.choice(("approved",) * 4 + ("pending", "hidden"))
    if rng.random() < 0.3:
        attrs["frequency"] = rng.choice(("weekly", "monthly", "rarely"))
    if attrs["kind"] == "need" and rng.random() < 0.5:
        attrs["category"] = "snow"
    return attrs


def _tie(rng: random.Random) -> dict:
    attrs = {"kind": rng.choice(TIES), "status": rng.choice(("approved",) * 5 + ("pending",))}
    if rng.random() < 0.3:
        attrs["season"] = "not_in_winter"
    if rng.random() < 0.3:
        attrs["frequency"] = rng.choice(("weekly", "monthly", "rarely"))
    return attrs


def _change(G: nx.MultiDiGraph, rng: random.Random, serial: list[int]) -> set:
    """One random change to ``G`` in place; the nodes it touched."""
    serial[0] += 1
    nodes = list(G)
    what = rng.randrange(6)
    if what == 0 or len(nodes) < 2:
        G.add_node(f"n{serial[0]:04d}", **_node(rng))
        return {f"n{serial[0]:04d}"}
    a, b = rng.sample(nodes, 2)
    if what in (1, 2):
        G.add_edge(a, b, key=f"t{serial[0]}", **_tie(rng))
        return {a, b}
    if what == 3:
        ties = list(G.edges(keys=True))
        u, v, k = rng.choice(ties) if ties else (a, b, None)
        if k is not None:
            if rng.random() < 0.5:
                G.remove_edge(u, v, k)
            else:
                data = G[u][v][k]
                data.clear()
                data.update(_tie(rng))
        return {u, v}
    if what == 4:
        G._node[a].clear()
        G._node[a].update(_node(rng))
        return {a}
    touched = {a, *G.successors(a), *G.predecessors(a)}
    G.remove_node(a)
    return touched


@pytest.mark.parametrize("seed", range(8))
def test_analysis_carried_on_equals_analysis_afresh(seed, monkeypatch):
    # Carried on however much an event touches (a town's events touch a small share).
    monkeypatch.setattr(units_carry, "_AFRESH_SHARE", 2.0)
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    serial = [0]
    for _ in range(60):
        _change(G, rng, serial)
    U = carry_units(active_graph(G), G)
    carried_order = 0
    for _ in range(120):
        touched: set = set()
        for _ in range(rng.randrange(1, 3)):
            touched |= _change(G, rng, serial)
        A = active_graph(G)
        U = carry_units(A, G, (U, touched))
        fresh = analyse(A)
        assert _plain(U) == _plain(fresh)
        assert list(U.members.items()) == list(fresh.members.items())
        for name in ("unit_of", "labels", "nodes"):  # in the same order too
            assert list(getattr(U, name).items()) == list(getattr(fresh, name).items())
        carried_order += "_order" in U.__dict__
        assert flags(A, units=U) == flags(A, units=fresh)
    assert carried_order > 40  # the units' order carried on (graph/units_order.py), mostly


def test_a_household_hidden_moves_its_residents_and_whoever_supports_them(monkeypatch):
    monkeypatch.setattr(units_carry, "_AFRESH_SHARE", 2.0)
    G = nx.MultiDiGraph()
    G.add_node("h1", kind="household", label="佐藤さん宅", status="approved")
    G.add_node("p1", kind="person", label="佐藤 花子", status="approved")
    G.add_node("p2", kind="person", label="鈴木 一郎", status="approved")
    G.add_edge("p1", "h1", key="t1", kind="lives_in", status="approved")
    G.add_edge("p2", "p1", key="t2", kind="watch", status="approved")
    U = carry_units(active_graph(G), G)
    assert U.load["p2"] == {"h1"}
    G._node["h1"]["status"] = "hidden"  # only the household's row changed
    A = active_graph(G)
    U = carry_units(A, G, (U, {"h1"}))
    assert U.load["p2"] == {"p1"}  # p1 is a unit of their own now
    assert _plain(U) == _plain(analyse(A))


def test_a_resident_removed_and_added_again_between_two_carries_comes_last():
    G = nx.MultiDiGraph()
    G.add_node("h1", kind="household", label="佐藤さん宅", status="approved")
    for p in ("p1", "p2", "p3"):
        G.add_node(p, kind="person", label="佐藤", status="approved")
        G.add_edge(p, "h1", key=f"t{p}", kind="lives_in", status="approved")
    G.add_node("p4", kind="person", label="鈴木", status="approved")
    A = active_graph(G)
    U = carry_units(A, G)
    A.remove_node("p2")
    A.add_node("p2", kind="person", label="佐藤", status="approved")  # undone: at the end
    A.add_edge("p2", "h1", key="tp2", kind="lives_in", status="approved")
    U = carry_units(A, A, (U, {"p2", "h1"}))
    fresh = analyse(A)
    assert list(U.members.items()) == list(fresh.members.items())
    assert U.members["h1"] == ["h1", "p1", "p3", "p2"]
    for name in ("unit_of", "labels", "nodes"):
        assert list(getattr(U, name).items()) == list(getattr(fresh, name).items())
    assert U.persons == fresh.persons
