"""The fast flags of graph/analysis.py against a plain tie-by-tie reference, on random graphs.

The graphs are drawn without the vocabulary's checks (any tie kind between any node kinds),
with pending, hidden and status-less nodes and ties, self-loops, several ties between one
pair, isolated nodes, missing labels and disconnected parts: the two must agree on every
flag and on every field of ``analyse`` (which the layout and the tree view read).
"""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synth import synthetic_graph
from graph.analysis import analyse, flags
from tests.graph.flags_reference import reference_flags, reference_units

NODE_KINDS = ["person"] * 4 + ["household"] * 3 + ["group", "activity", "institution", "need"]
NODE_KINDS += ["place", "idea", "story", "alien"]
TIE_KINDS = ["lives_in"] * 3 + ["member", "role", "watch", "snow", "ride", "errand", "share"]
TIE_KINDS += ["talk", "kin", "care", "has_need", "held_at", "links", "addresses", "other"]
STATUSES = [None, None, None, "approved", "pending", "hidden"]
MAYBE = {
    "frequency": ["daily", "weekly", "monthly", "rarely", ""],
    "season": ["all_year", "winter_only", "not_in_winter"],
    "category": ["snow", "watch", "talk", "other"],
    "age_band": ["under-65", "65-74", "75-84", "85+"],
}


@st.composite
def session_graphs(draw):
    G = nx.MultiDiGraph()
    n = draw(st.integers(0, 14))
    ids = [f"{draw(st.sampled_from('hpgx'))}{i}" for i in range(n)]
    for node in ids:
        attrs = {"kind": draw(st.sampled_from(NODE_KINDS))}
        if draw(st.booleans()):
            attrs["label"] = node.upper()
        status = draw(st.sampled_from(STATUSES))
        if status is not None:
            attrs["status"] = status
        for key, values in MAYBE.items():
            if draw(st.integers(0, 2)) == 0:
                attrs[key] = draw(st.sampled_from(values))
        G.add_node(node, **attrs)
    if ids:
        pairs = st.tuples(st.sampled_from(ids), st.sampled_from(ids))
        for u, v in draw(st.lists(pairs, max_size=3 * n)):
            attrs = {"kind": draw(st.sampled_from(TIE_KINDS))}
            status = draw(st.sampled_from(STATUSES))
            if status is not None:
                attrs["status"] = status
            for key in ("frequency", "season"):
                if draw(st.integers(0, 2)) == 0:
                    attrs[key] = draw(st.sampled_from(MAYBE[key]))
            G.add_edge(u, v, **attrs)
    return G


def as_tuples(found):
    return [(f.flag, f.node, f.label, f.details) for f in found]


def units_fields(U) -> dict:
    return {name: getattr(U, name) for name in reference_units(nx.MultiDiGraph())}


def assert_same(G, limits=None):
    expected = reference_flags(G, limits)
    assert as_tuples(flags(G, limits)) == expected
    assert as_tuples(flags(G, limits, units=analyse(G))) == expected
    U = units_fields(analyse(G))
    R = reference_units(G)
    assert {k: dict(v) if isinstance(v, dict) else v for k, v in U.items()} == R
    assert list(U["members"].items()) == list(R["members"].items())  # the layout's order


@settings(max_examples=300, deadline=None)
@given(session_graphs(), st.integers(1, 3), st.integers(1, 3), st.integers(1, 3))
def test_fast_flags_equal_the_reference(G, households, roles, sole):
    limits = {"overload_households": households, "overload_roles": roles}
    assert_same(G, {**limits, "overload_sole": sole})


@settings(max_examples=100, deadline=None)
@given(session_graphs(), st.data())
def test_analyse_without_a_node_equals_the_reference(G, data):
    if not G:
        return
    gone = data.draw(st.sampled_from(sorted(G)))
    U = units_fields(analyse(G, exclude=frozenset({gone})))
    R = reference_units(G, exclude=frozenset({gone}))
    assert {k: dict(v) if isinstance(v, dict) else v for k, v in U.items()} == R


def test_synthetic_towns_equal_the_reference():
    for seed in range(3):
        G = synthetic_graph(150, seed=seed)
        G.add_nodes_from([("h_alone", {"kind": "household"}), ("p_alone", {"kind": "person"})])
        G.add_edge("p_alone", "p_alone", kind="talk")
        assert_same(G)
        assert_same(G.subgraph(sorted(G)[::2]).copy())  # disconnected parts


def test_the_oracle_can_tell_a_difference():
    G = synthetic_graph(60, seed=1)
    before = reference_flags(G)
    h = next(n for n, k in G.nodes(data="kind") if k == "household")
    G.add_node("p_new", kind="person", label="新", status="pending")
    G.add_edge("p_new", h, kind="watch")  # from a pending person: no flag changes
    assert reference_flags(G) == before
    G.nodes["p_new"]["status"] = "approved"
    assert reference_flags(G) != before
    assert_same(G)
