"""The live flags (graph/live_flags.py), changed in place change by change, against flags and
analyse computed from scratch — on random graphs and random sequences of changes: nodes and
ties added, removed, approved, hidden, their kinds, labels and attributes edited, persons
moving house, several changes at once — with the flags asked for after every event under
thresholds that change from call to call (0 among them: everyone is overloaded), and every
list handed out checked unchanged at the end (graph/live_flag_lists.py keeps its lists)."""

from __future__ import annotations

import networkx as nx
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synth import synthetic_graph
from graph.analysis import analyse, flags
from graph.live_flag_lists import KEPT_THRESHOLDS
from graph.live_flags import LiveFlags
from tests.graph.test_flags_oracle import (
    MAYBE,
    NODE_KINDS,
    STATUSES,
    TIE_KINDS,
    as_tuples,
    session_graphs,
)

NODE_FIELDS = {"kind": NODE_KINDS, "status": STATUSES, "label": ["A", "B", None], **MAYBE}
TIE_FIELDS = {
    "kind": TIE_KINDS,
    "status": STATUSES,
    "frequency": MAYBE["frequency"],
    "season": MAYBE["season"],
}


def _set(attrs: dict, field: str, value) -> None:
    if value is None:
        attrs.pop(field, None)
    else:
        attrs[field] = value


#: Thresholds the flags are asked with: None (the defaults), and -1 to 3 each.
LIMITS = st.none() | st.fixed_dictionaries(
    {
        "overload_households": st.integers(-1, 3),
        "overload_roles": st.integers(-1, 3),
        "overload_sole": st.integers(-1, 3),
    }
)


def _move(draw, G: nx.MultiDiGraph, n, ties: set) -> None:
    """``n`` moves house: its lives_in ties removed, one to another household added."""
    for v, keyed in list(G._succ[n].items()):
        for k, d in list(keyed.items()):
            if d.get("kind") == "lives_in":
                G.remove_edge(n, v, k)
                ties.add((n, v, k))
    homes = sorted(h for h, kind in G.nodes(data="kind") if kind == "household")
    if homes:
        h = draw(st.sampled_from(homes))
        ties.add((n, h, G.add_edge(n, h, key=f"m{draw(st.integers(0, 10**6))}", kind="lives_in")))


def _change(draw, G: nx.MultiDiGraph, nodes: set, ties: set) -> None:
    """One random change of ``G`` in place, noted in ``nodes`` and ``ties``."""
    ids = sorted(G)
    what = draw(
        st.sampled_from(
            ["add_node", "edit_node", "drop_node", "add_tie"] * 2 + ["x", "move", "relabel"]
        )
    )
    if what == "add_node" or not ids:
        n = f"n{len(G)}_{draw(st.integers(0, 99))}"
        G.add_node(n, kind=draw(st.sampled_from(NODE_KINDS)), label=n.upper())
        nodes.add(n)
        return
    n = draw(st.sampled_from(ids))
    edges = sorted(G.edges(keys=True), key=repr)
    if what == "move":
        _move(draw, G, n, ties)
    elif what == "relabel":
        G._node[n]["label"] = draw(st.sampled_from(["A", "B", "佐藤", f"{n}の新名"]))
        nodes.add(n)
    elif what == "edit_node":
        field = draw(st.sampled_from(sorted(NODE_FIELDS)))
        _set(G._node[n], field, draw(st.sampled_from([None, *NODE_FIELDS[field]])))
        nodes.add(n)
    elif what == "drop_node":
        G.remove_node(n)  # its ties go along, unnamed
        nodes.add(n)
    elif what == "add_tie" or not edges:
        v = draw(st.sampled_from(ids))
        kind = draw(st.sampled_from(["lives_in", *TIE_KINDS]))
        k = G.add_edge(n, v, key=f"t{draw(st.integers(0, 10**6))}", kind=kind)
        ties.add((n, v, k))
    else:
        u, v, k = draw(st.sampled_from(edges))
        ties.add((u, v, k))
        if draw(st.booleans()):
            G.remove_edge(u, v, k)
        else:
            field = draw(st.sampled_from(sorted(TIE_FIELDS)))
            _set(G[u][v][k], field, draw(st.sampled_from([None, *TIE_FIELDS[field]])))


def _as_sets(U) -> dict:
    """The fields of ``Units`` that flags read, as plain sets and dicts of sets."""
    out = {"unit_of": dict(U.unit_of), "units": set(U.members), "persons": set(U.persons)}
    out["labels"] = dict(U.labels)
    for name in ("contact", "winter_contact", "frequent_contact", "formal", "participates"):
        out[name] = set(getattr(U, name))
    for name in ("snow_into", "snow_need", "kinds_present"):
        out[name] = set(getattr(U, name))
    for name in ("supporters", "load", "roles", "organisers"):
        out[name] = {k: set(v) for k, v in getattr(U, name).items() if v}
    return out


def assert_live_equals_fresh(live: LiveFlags, G: nx.MultiDiGraph, limits=None) -> None:
    assert as_tuples(live.flags(limits)) == as_tuples(flags(G, limits))
    assert _as_sets(live.units()) == _as_sets(analyse(G))


class Handed:
    """The lists the live flags handed out, with what each held then: none may change."""

    def __init__(self) -> None:
        self.lists: list = []

    def ask(self, live: LiveFlags, G: nx.MultiDiGraph, limits) -> None:
        found = live.flags(limits)
        assert as_tuples(found) == as_tuples(flags(G, limits))
        self.lists.append((found, [(f.flag, f.node, f.label, dict(f.details)) for f in found]))

    def unchanged(self) -> None:
        for found, then in self.lists:
            assert [(f.flag, f.node, f.label, f.details) for f in found] == then


def _event(draw, G, least: int) -> tuple[set, set]:
    """One event of ``least`` to 3 random row changes applied to ``G``: its nodes and ties."""
    nodes: set = set()
    ties: set = set()
    for _ in range(draw(st.integers(least, 3))):
        _change(draw, G, nodes, ties)
    return nodes, ties


@settings(max_examples=300, deadline=None)
@given(session_graphs(), st.data(), st.integers(1, 3), st.integers(1, 3))
def test_live_flags_after_random_changes_equal_flags_from_scratch(G, data, load, sole):
    limits = {"overload_households": load, "overload_roles": 2, "overload_sole": sole}
    live = LiveFlags(G)
    assert_live_equals_fresh(live, G, limits)
    for _ in range(data.draw(st.integers(1, 8))):
        live.apply(G, *_event(data.draw, G, 1))  # one event may change several rows
        assert_live_equals_fresh(live, G, limits)


@settings(max_examples=300, deadline=None)
@given(session_graphs(), st.data())
def test_live_flags_asked_after_every_event_with_changing_thresholds(G, data):
    live = LiveFlags(G)
    handed = Handed()
    if data.draw(st.booleans()):  # or first asked for only after some events
        handed.ask(live, G, data.draw(LIMITS))
    for _ in range(data.draw(st.integers(1, 10))):
        live.apply(G, *_event(data.draw, G, 0))  # an event may change nothing read
        for limits in data.draw(st.lists(LIMITS, min_size=1, max_size=3)):
            handed.ask(live, G, limits)
    assert _as_sets(live.units()) == _as_sets(analyse(G))
    handed.unchanged()


def test_a_town_asked_under_more_thresholds_than_are_kept():
    """A synthetic town through events like the workshop's (bench/flags.py), the flags asked
    after each under thresholds cycling through more sets than the live flags keep."""
    import random

    from bench.flags import _event

    G = synthetic_graph(150, seed=7)
    live = LiveFlags(G)
    handed = Handed()
    cycle = [None, {"overload_households": 0}, {"overload_sole": 1}, {"overload_roles": 1}]
    cycle += [{"overload_households": 2, "overload_roles": 0}, {"overload_households": 3}]
    assert len(cycle) > KEPT_THRESHOLDS
    rng = random.Random(3)
    for i in range(40):
        nodes, ties = _event(G, i, rng)
        live.apply(G, nodes, ties)
        handed.ask(live, G, cycle[i % len(cycle)])
        handed.ask(live, G, cycle[(3 * i) % len(cycle)])
        again = live.flags(cycle[(3 * i) % len(cycle)])  # nothing changed since: the same
        assert again is handed.lists[-1][0]
    handed.unchanged()


def test_a_town_followed_through_moves_and_hidden_households():
    G = synthetic_graph(150, seed=4)
    live = LiveFlags(G)
    assert_live_equals_fresh(live, G)
    households = sorted(n for n, k in G.nodes(data="kind") if k == "household")
    persons = sorted(n for n, k in G.nodes(data="kind") if k == "person")
    # A household hidden: its residents become units of their own.
    G.nodes[households[3]]["status"] = "hidden"
    live.apply(G, [households[3]], [])
    assert_live_equals_fresh(live, G)
    # A person moves in elsewhere, a tie stops in winter, a helper is renamed.
    k = G.add_edge(persons[5], households[7], kind="lives_in")
    u, v, key, _ = next(e for e in G.edges(keys=True, data="kind") if e[3] == "snow")
    G[u][v][key]["season"] = "not_in_winter"
    G.nodes[u]["label"] = "新しい名前"
    live.apply(G, [u], [(persons[5], households[7], k), (u, v, key)])
    assert_live_equals_fresh(live, G)
    G.nodes[households[3]]["status"] = "approved"
    G.remove_node(persons[9])
    live.apply(G, [households[3], persons[9]], [])
    assert_live_equals_fresh(live, G)
    # A household removed with the lives_in ties of its residents: they are told by no row.
    home = next(h for h in households if len(list(G.predecessors(h))) > 1)
    G.remove_node(home)
    live.apply(G, [home], [])
    assert_live_equals_fresh(live, G)


def test_the_live_oracle_can_tell_a_change_left_unsaid():
    G = synthetic_graph(60, seed=2)
    live = LiveFlags(G)
    h = next(n for n, k in G.nodes(data="kind") if k == "household")
    gone = list(G.predecessors(h))
    G.remove_nodes_from(gone)
    with pytest.raises(AssertionError):
        assert_live_equals_fresh(live, G)  # not told: the flags lag behind
    live.apply(G, gone, [])
    assert_live_equals_fresh(live, G)
