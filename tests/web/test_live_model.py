"""The live model: one graph per session updated in place per event, shared by every screen."""

import sys
from collections import Counter

import networkx as nx
import pytest

import graph.analysis
import graph.layout
import graph.layout_carry
import graph.units_carry
from facilitator import live_model
from facilitator.live_model import LiveModel
from facilitator.storage import Store
from facilitator.storage.log import EventLog
from graph.demo import demo_graph
from graph.model import active_graph

from .conftest import KEY

HX = {"HX-Request": "true"}
API = {"Authorization": f"Bearer {KEY}"}


def _same(G: nx.MultiDiGraph, H: nx.MultiDiGraph) -> None:
    """Same nodes in the same order with the same data, same ties with the same data."""
    assert list(G.nodes(data=True)) == list(H.nodes(data=True))
    assert sorted(G.edges(keys=True, data=True), key=repr) == sorted(
        H.edges(keys=True, data=True), key=repr
    )
    assert G.graph == H.graph


@pytest.fixture
def demo_id(app):
    with Store(app.config["DATA"]).create("茶志内 デモ") as s:
        s.import_graph(demo_graph(), "test")
        return s.id


def test_every_kind_of_change_is_applied_in_place_as_the_tables_say(store, session_id):
    model = LiveModel()
    with store.open(session_id) as s:
        model.release(model.acquire(s))
        a = s.add_node("person", "佐藤", "t", age_band="75-84")
        h = s.add_node("household", "鈴木さん宅", "t")
        b = s.add_node("person", "さとう", "t")
        model.release(model.acquire(s))
        t1 = s.add_tie(a, h, "watch", "t", frequency="weekly")
        s.add_tie(b, h, "snow", "t")
        s.update_node(a, "t", label="佐藤 ハナ", age_band=None)
        s.update_tie(t1, "t", kind="snow", frequency=None)
        s.update_tie(t1, "t", source=b)
        s.merge_nodes(a, b, "t")
        s.undo("t")
        s.undo("t")
        pending = s.add_node("person", "高橋", "t", status="pending")
        waiting = s.add_tie(pending, h, "ride", "t")  # approved, but its end is not yet
        s.update_node(h, "t", status="hidden")
        version = model.acquire(s)
        assert waiting not in {k for *_, k in version.active().edges(keys=True)}
        model.release(version)
        copies = live_model.COUNTS.get("copy", 0)
        s.update_node(h, "t", status="approved")
        s.update_node(pending, "t", status="approved")
        s.update_tie(t1, "t", status="pending")
        version = model.acquire(s)
        assert version.seq == s.last_seq()
        _same(version.G, s.graph())
        # The approved part is kept in step too, not copied from the graph per event.
        active = active_graph(s.graph())
        assert set(version.active().nodes) == set(active.nodes)
        for n in active:
            assert version.active().nodes[n] == active.nodes[n]
        assert sorted(version.active().edges(keys=True, data=True), key=repr) == sorted(
            active.edges(keys=True, data=True), key=repr
        )
        assert waiting in {k for *_, k in version.active().edges(keys=True)}
        assert live_model.COUNTS.get("copy", 0) == copies  # the older graphs, in place
        assert live_model.COUNTS.get("rebuild", 0) >= 1


def test_a_change_by_another_process_is_replayed_onto_the_graph(store, session_id):
    model = LiveModel()
    with store.open(session_id) as web, store.open(session_id) as cli:
        first = model.acquire(web)
        model.release(first)
        before = dict(live_model.COUNTS)
        node = cli.add_node("group", "老人クラブ", "cli")
        version = model.acquire(web)
        assert node in version.G and version.seq == cli.last_seq()
        assert live_model.COUNTS.get("rebuild", 0) == before.get("rebuild", 0)
        _same(version.G, cli.graph())


def test_a_graph_still_read_is_never_changed_under_its_reader(store, session_id):
    model = LiveModel()
    with store.open(session_id) as s:
        s.add_node("person", "佐藤", "t")
        held = model.acquire(s)  # a slow request keeps reading this version
        nodes = list(held.G)
        for label in ("鈴木", "高橋", "田中"):
            s.add_node("person", label, "t")
            model.release(model.acquire(s))
        assert list(held.G) == nodes
        latest = model.acquire(s)
        assert len(latest.G) == len(nodes) + 3
        with pytest.raises(nx.NetworkXError):
            latest.G.add_node("x")  # frozen: screens read, never write


def _count_calls(monkeypatch, calls: Counter) -> None:
    """Count every call of analyse (afresh or carried on), the tree layout (afresh or carried
    on) and the rebuild from SQLite, wherever made."""
    for name, original, key in (
        ("analyse", graph.analysis.analyse, "analyse"),
        ("carry_units", graph.units_carry.carry_units, "analyse"),
        ("tree_layout", graph.layout.tree_layout, "tree_layout"),
        ("carry_layout", graph.layout_carry.carry_layout, "tree_layout"),
        ("layout_state", graph.layout_carry.layout_state, "tree_layout"),
    ):

        def counted(*args, _key=key, _original=original, **kwargs):
            calls[_key] += 1
            return _original(*args, **kwargs)

        for module in list(sys.modules.values()):
            if module is graph.units_carry and name == "analyse":
                continue  # carry_units' own fallback is the same one analysis
            if module is graph.layout_carry and name == "layout_state":
                continue  # and carry_layout's the same one layout
            if getattr(module, name, None) is original:
                monkeypatch.setattr(module, name, counted)
    rebuild = EventLog.graph

    def counted_graph(self):
        calls["session.graph"] += 1
        return rebuild(self)

    monkeypatch.setattr(EventLog, "graph", counted_graph)


def test_one_approved_note_is_one_update_one_analysis_one_layout_for_all_screens(
    app, fac, demo_id, monkeypatch
):
    screens = [
        f"/sessions/{demo_id}",  # the dashboard, all its regions
        f"/sessions/{demo_id}/queue",
        # the dashboard's one refresh of every region (region_refresh.py), all drawn again
        f"/sessions/{demo_id}/regions?queue=&feed=&counts=&controls=&tie_form=&open=1"
        "&tie_results=&nodes=&flags=",
        f"/sessions/{demo_id}/ties",
        f"/sessions/{demo_id}/flags",
        f"/sessions/{demo_id}/tree.json",  # the facilitator's tree
        f"/sessions/{demo_id}/tree.json?view=projector",  # the projector tree
        f"/sessions/{demo_id}/projector?view=wall",
        f"/sessions/{demo_id}/projector/wall",
        f"/api/v1/sessions/{demo_id}/flags",
        f"/api/v1/sessions/{demo_id}/graph",
    ]
    for path in screens:
        assert fac.get(path, headers={**HX, **API}).status_code == 200
    with Store(app.config["DATA"]).open(demo_id) as s:
        phone = s.participant(s.add_participant("スマホ"))["id"]
        note = s.add_note(phone, "person", "新しい 佐藤さん")["id"]
    for path in screens:  # every screen follows the note, then the approval
        assert fac.get(path, headers={**HX, **API}).status_code == 200
    before = dict(live_model.COUNTS)
    calls: Counter = Counter()
    _count_calls(monkeypatch, calls)

    approved = fac.post(f"/api/v1/sessions/{demo_id}/notes/{note}/approve", headers=API, json={})
    assert approved.status_code == 200
    node = approved.get_json()["node"]["id"]
    for _ in range(3):  # three of each screen open
        for path in screens:
            response = fac.get(path, headers={**HX, **API})
            assert response.status_code == 200
    tree = fac.get(f"/sessions/{demo_id}/tree.json").get_json()
    assert node in {n["id"] for n in tree["nodes"]}

    ran = {k: live_model.COUNTS.get(k, 0) - before.get(k, 0) for k in live_model.COUNTS}
    assert ran.get("rebuild", 0) == 0
    assert ran.get("copy", 0) == 0
    assert ran.get("update", 0) == 1
    assert ran.get("analyse", 0) == 1
    assert ran.get("layout", 0) == 1
    assert ran.get("payload", 0) == 2  # the facilitator's and the projector's, once each
    # Nothing else analyses, lays out or rebuilds behind the model's back.
    assert calls == Counter({"analyse": 1, "tree_layout": 1})


def test_versions_left_behind_are_freed_though_long_lived_objects_are_frozen(
    store, session_id, monkeypatch
):
    import gc
    import weakref

    monkeypatch.setattr(live_model, "SWEEP_EVERY", 3)
    model = LiveModel()
    with store.open(session_id) as s:
        s.add_node("person", "佐藤", "t")
        first = model.acquire(s)
        model.release(first)
        gone = weakref.ref(first)
        del first
        for label in ("鈴木", "高橋", "田中", "伊藤", "渡辺"):
            s.add_node("person", label, "t")
            model.release(model.acquire(s))
        assert gone() is None  # two versions kept, not every one since
        assert gc.get_freeze_count() > 0  # the graphs are out of the collector's way
        assert len(model.acquire(s).G) == 6


def test_flags_follow_each_event_without_reading_every_tie_again(store, session_id):
    """After the first time, the model's flags come from the live flags brought up to date
    per event (graph.live_flags), and equal the flags computed from the tables."""
    model = LiveModel()
    settings = {"overload_households": 1}
    with store.open(session_id) as s:
        h = s.add_node("household", "鈴木さん宅", "t")
        a = s.add_node("person", "佐藤", "t", age_band="75-84")
        b = s.add_node("person", "高橋", "t")
        s.add_tie(b, h, "lives_in", "t")
        version = model.acquire(s)
        first = version.flags(settings)
        model.release(version)
        analysed = live_model.COUNTS.get("analyse", 0)
        t1 = s.add_tie(a, h, "watch", "t", frequency="monthly")
        steps = [
            lambda: s.update_tie(t1, "t", frequency="weekly"),
            lambda: s.update_node(a, "t", label="佐藤 ハナ"),
            lambda: s.update_node(h, "t", status="hidden"),  # 高橋 lives alone now
            lambda: s.update_node(h, "t", status="approved"),
            lambda: s.undo("t"),
            lambda: s.add_tie(a, b, "talk", "t"),
        ]
        seen = [first]
        for step in [lambda: None, *steps]:
            step()
            version = model.acquire(s)
            found = [(f.flag, f.node, f.label, f.details) for f in version.flags(settings)]
            expected = graph.analysis.flags(active_graph(s.graph()), settings)
            assert found == [(f.flag, f.node, f.label, f.details) for f in expected]
            seen.append(found)
            model.release(version)
        assert live_model.COUNTS.get("analyse", 0) == analysed  # the live flags answered
        assert len({repr(x) for x in seen[1:]}) > 2  # the flags did change along the way
