"""The flags from scratch (graph/cold_flags.py) against the plain reference and the analysis.

``graph.analysis.flags(G)`` without ``units`` goes through ``cold_flags``, which reads a
person's home among their own ties and leaves the ties whose unit it cannot tell yet for
later, and tells supporters apart by identity. The graphs here aim at exactly that: several
ties between a person and their home (in either order), persons with two homes, ties between
persons both ways, self-loops, ties to pending nodes, thresholds of 0, and ties whose ends
are equal strings but other objects than the nodes' own keys (as rows read from SQLite are).
"""

from __future__ import annotations

import networkx as nx
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synth import synthetic_graph
from graph.analysis import analyse, flags
from graph.cold_flags import cold_flags
from tests.graph.flags_reference import reference_flags
from tests.graph.test_flags_oracle import TIE_KINDS, as_tuples, session_graphs

LIMITS = st.fixed_dictionaries(
    {
        "overload_households": st.integers(0, 3),
        "overload_roles": st.integers(1, 3),
        "overload_sole": st.integers(1, 3),
    }
)


def other_objects(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """``G`` again, every tie's ends given as new string objects equal to the node keys."""
    H = nx.MultiDiGraph()
    H.add_nodes_from(G.nodes(data=True))
    for u, v, k, d in G.edges(keys=True, data=True):
        H.add_edge("".join(list(u)), "".join(list(v)), key=k, **d)
    return H


def assert_cold(G, limits=None):
    expected = reference_flags(G, limits)
    assert as_tuples(cold_flags(G, limits)) == expected
    assert as_tuples(flags(G, limits)) == expected
    assert as_tuples(flags(G, limits, units=analyse(G))) == expected


@st.composite
def homes_and_neighbours(draw):
    """A random session graph with homes tied several ways, and ties between persons."""
    G = draw(session_graphs())
    persons = sorted(n for n, k in G.nodes(data="kind") if k == "person")
    households = sorted(n for n, k in G.nodes(data="kind") if k == "household")
    if persons and households:
        for p in draw(st.lists(st.sampled_from(persons), max_size=4)):
            h = draw(st.sampled_from(households))
            first = draw(st.sampled_from(TIE_KINDS))
            G.add_edge(p, h, kind=first)  # before or after the lives_in tie
            G.add_edge(p, h, kind="lives_in", frequency=draw(st.sampled_from(["weekly", None])))
            if draw(st.booleans()):
                G.add_edge(p, h, kind=draw(st.sampled_from(["watch", "kin", "snow"])))
    if len(persons) > 1:
        for a, b in draw(st.lists(st.tuples(*[st.sampled_from(persons)] * 2), max_size=6)):
            G.add_edge(a, b, kind=draw(st.sampled_from(["talk", "kin", "watch", "role"])))
    return G


@settings(max_examples=300, deadline=None)
@given(homes_and_neighbours(), LIMITS)
def test_cold_flags_equal_the_reference(G, limits):
    assert_cold(G, limits)


@settings(max_examples=150, deadline=None)
@given(homes_and_neighbours(), LIMITS)
def test_ties_to_other_string_objects_are_the_same_nodes(G, limits):
    H = other_objects(G)
    assert_cold(H, limits)
    assert as_tuples(cold_flags(H, limits)) == as_tuples(cold_flags(G, limits))


def test_synthetic_towns_equal_the_reference():
    for seed in range(3):
        G = synthetic_graph(200, seed=seed)
        assert_cold(G)
        assert_cold(other_objects(G), {"overload_households": 2, "overload_sole": 1})


def test_a_tie_to_ones_own_home_reaches_outside_only_to_another_home():
    G = nx.MultiDiGraph()
    G.add_nodes_from(
        [
            ("p1", {"kind": "person", "label": "佐藤"}),
            ("h1", {"kind": "household", "label": "佐藤さん宅"}),
            ("h2", {"kind": "household", "label": "鈴木さん宅"}),
        ]
    )
    G.add_edge("p1", "h1", kind="watch")  # read before p1 is known to live in h1
    G.add_edge("p1", "h1", kind="lives_in")
    found = {(f.flag, f.node) for f in cold_flags(G)}
    assert ("isolated_household", "h1") in found  # watching one's own home is not contact
    G.add_edge("p1", "h2", kind="lives_in")  # two homes: the smallest id is p1's unit
    G.add_edge("p1", "h2", kind="watch")
    found = {(f.flag, f.node) for f in cold_flags(G)}
    assert ("isolated_household", "h2") not in found
    assert ("single_supporter", "h2") in found
    assert_cold(G)


@st.composite
def explicit_statuses(draw):
    """A random graph whose ties may carry ``status=None`` (which counts, except for a home)
    and whose nodes may be of a kind spelled like an age band (never to be taken for one)."""
    G = draw(homes_and_neighbours())
    for _u, _v, d in G.edges(data=True):
        if draw(st.integers(0, 3)) == 0:
            d["status"] = None
    for _n, a in G.nodes(data=True):
        if draw(st.integers(0, 9)) == 0:
            a["kind"] = draw(st.sampled_from(["85+", "75-84"]))
    return G


@settings(max_examples=150, deadline=None)
@given(explicit_statuses(), LIMITS)
def test_ties_with_a_status_of_none_count_except_as_a_home(G, limits):
    assert_cold(G, limits)


def test_a_supporter_named_is_the_graphs_own_key():
    G = nx.MultiDiGraph()
    G.add_nodes_from(
        [
            ("p1", {"kind": "person", "label": "佐藤"}),
            ("p2", {"kind": "person", "label": "鈴木"}),
            ("h1", {"kind": "household", "label": "佐藤さん宅"}),
        ]
    )
    G.add_edge("p1", "h1", kind="lives_in")
    G.add_edge("p1", "".join(["p", "2"]), kind="talk")  # p2 as another, equal string
    (key,) = [n for n in G if n == "p2"]
    found = {f.node: f for f in cold_flags(G) if f.flag == "single_supporter"}
    assert found["h1"].details["supporter"] is key  # p2 supports p1's home, talked to
    assert found["p2"].details["supporter"] == "p1"
    assert_cold(G)


@st.composite
def nodes_of_no_kind(draw):
    """A random graph with some nodes of no kind (``kind=None``, as an edit can leave one)."""
    G = draw(homes_and_neighbours())
    for _n, a in G.nodes(data=True):
        if draw(st.integers(0, 4)) == 0:
            a["kind"] = None
    return G


@settings(max_examples=150, deadline=None)
@given(nodes_of_no_kind(), LIMITS)
def test_nodes_of_no_kind_as_in_the_analysis(G, limits):
    # The analysis counts the ties of a node of no kind, not the ties to it; the plain
    # reference counts both, so the two from scratch are held to the analysis here.
    expected = as_tuples(flags(G, limits, units=analyse(G)))
    assert as_tuples(cold_flags(G, limits)) == expected
    assert as_tuples(cold_flags(other_objects(G), limits)) == expected
