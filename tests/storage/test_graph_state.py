"""Tests for facilitator.storage.graph_state: nodes, ties, merging and importing."""

from __future__ import annotations

import networkx as nx
import pytest

from graph.errors import NotFound, ValidationError
from tests.storage.maps import imported, small_map, snapshot


def test_graph_holds_nodes_and_keyed_ties(session):
    ids = small_map(session)
    G = session.graph()
    assert isinstance(G, nx.MultiDiGraph)
    assert G.number_of_nodes() == 4 and G.number_of_edges() == 3
    assert G.edges[ids["sato"], ids["suzuki"], ids["snow"]] == {
        "kind": "snow",
        "status": "approved",
        "season": "winter_only",
    }
    assert G.nodes[ids["suzuki"]]["lives_alone"] is True


@pytest.mark.parametrize(
    "tie",
    [
        ("suzuki", "sato", "lives_in"),  # household -> person is the wrong way round
        ("sato", "hall", "snow"),  # nobody clears snow for a place
        ("sato", "nobody", "talk"),  # missing node
        ("sato", "sato", "talk"),  # self-loop
        ("sato", "suzuki", "hug"),  # unknown kind
    ],
)
def test_invalid_tie_raises_and_writes_nothing(session, tie):
    ids = small_map(session)
    source, target, kind = (ids.get(x, x) for x in tie)
    seq, graph = session.last_seq(), snapshot(session.graph())
    with pytest.raises(ValidationError) as e:
        session.add_tie(source, target, kind, "sc")
    assert e.value.message("ja") and e.value.message("en")
    assert session.last_seq() == seq
    assert snapshot(session.graph()) == graph


def test_invalid_tie_attribute_raises(session):
    ids = small_map(session)
    seq = session.last_seq()
    with pytest.raises(ValidationError):
        session.add_tie(ids["sato"], ids["suzuki"], "ride", "sc", season="monsoon")
    assert session.last_seq() == seq


@pytest.mark.parametrize(
    ("kind", "label", "attrs"),
    [
        ("tree", "x", {}),
        ("person", "", {}),
        ("person", "x" * 501, {}),
        ("person", "x", {"age_band": "100+"}),
        ("person", "x", {"id": "n99"}),
    ],
)
def test_invalid_node_raises_and_writes_nothing(session, kind, label, attrs):
    with pytest.raises(ValidationError):
        session.add_node(kind, label, "sc", **attrs)
    assert session.graph().number_of_nodes() == 0
    assert session.last_seq() == 1  # only the creation event


def test_update_node_and_tie(session):
    ids = small_map(session)
    session.update_node(ids["sato"], "sc", label="佐藤 花子さん", age_band=None, status="hidden")
    session.update_tie(ids["snow"], "sc", kind="watch", frequency="daily")
    G = session.graph()
    assert G.nodes[ids["sato"]] == {
        "kind": "person",
        "label": "佐藤 花子さん",
        "status": "hidden",
        "consent": "initials",
    }
    assert G.edges[ids["sato"], ids["suzuki"], ids["snow"]]["kind"] == "watch"
    assert G.edges[ids["sato"], ids["suzuki"], ids["snow"]]["frequency"] == "daily"


def test_update_node_kind_must_keep_its_ties_allowed(session):
    ids = small_map(session)
    seq = session.last_seq()
    with pytest.raises(ValidationError):
        session.update_node(ids["sato"], "sc", kind="place")
    assert session.last_seq() == seq


def test_update_missing_node_is_not_found(session):
    with pytest.raises(NotFound):
        session.update_node("n404", "sc", label="x")
    with pytest.raises(NotFound):
        session.update_tie("t404", "sc", kind="talk")


def test_merge_nodes_moves_ties(session):
    ids = small_map(session)
    dup = session.add_node("person", "さとうさん", "sc", district="東")
    talk = session.add_tie(ids["sato"], dup, "talk", "sc")  # becomes a self-loop
    ride = session.add_tie(dup, ids["suzuki"], "ride", "sc")  # moves
    snow = session.add_tie(dup, ids["suzuki"], "snow", "sc")  # repeats sato's snow tie
    role = session.add_tie(dup, ids["salon"], "role", "sc")  # moves
    events = session.last_seq()

    session.merge_nodes(ids["sato"], dup, "sc")

    assert session.last_seq() == events + 1
    G = session.graph()
    assert dup not in G
    keys = {k for _, _, k in G.edges(keys=True)}
    assert talk not in keys and snow not in keys
    assert G.has_edge(ids["sato"], ids["suzuki"], ride)
    assert G.has_edge(ids["sato"], ids["salon"], role)
    assert G.nodes[ids["sato"]]["district"] == "東"
    assert not any(u == v for u, v in G.edges())
    assert snapshot(session.replay()) == snapshot(G)

    session.undo("sc")
    assert dup in session.graph() and session.graph().has_edge(ids["sato"], dup, talk)


def test_merge_nodes_refuses_ties_the_kept_kind_cannot_have(session):
    ids = small_map(session)
    seq = session.last_seq()
    with pytest.raises(ValidationError):
        session.merge_nodes(ids["hall"], ids["sato"], "sc")  # a place cannot clear snow
    with pytest.raises(ValidationError):
        session.merge_nodes(ids["sato"], ids["sato"], "sc")
    assert session.last_seq() == seq


def test_import_graph_keeps_ids_in_one_event(session):
    seq = session.last_seq()
    session.import_graph(imported(), "cli")
    assert session.last_seq() == seq + 1
    G = session.graph()
    assert G.nodes["h1"]["status"] == "pending" and G.nodes["h1"]["elderly_only"] is True
    assert G.has_edge("p1", "h1", "imp1")
    kinds = sorted(kind for _, _, kind in G.edges(data="kind"))
    assert kinds == ["kin", "lives_in"]
    new = session.add_node("person", "新しい人", "sc")
    assert new not in {"p1", "h1"}


def test_import_of_an_invalid_graph_writes_nothing(session):
    G = imported()
    G.add_node("x1", kind="tree", label="木")
    G.add_edge("h1", "p1", key="bad", kind="lives_in")
    seq = session.last_seq()
    with pytest.raises(ValidationError) as e:
        session.import_graph(G, "cli")
    assert len(e.value.problems) == 2
    assert session.last_seq() == seq
    assert session.graph().number_of_nodes() == 0


def test_import_refuses_existing_ids(session):
    session.import_graph(imported(), "cli")
    seq = session.last_seq()
    with pytest.raises(ValidationError, match="already exists"):
        session.import_graph(imported(), "cli")
    assert session.last_seq() == seq


def test_new_ids_never_collide_with_imported_ones(session):
    G = nx.MultiDiGraph()
    G.add_node("n2", kind="person", label="取り込み済み")
    session.import_graph(G, "cli")  # seq 2
    node = session.add_node("person", "次の人", "sc")  # would be n3
    assert node == "n3"
    G = nx.MultiDiGraph()
    G.add_node("n5", kind="person", label="先回り")
    session.import_graph(G, "cli")  # seq 4
    assert session.add_node("person", "さらに次", "sc") == "n5_2"
