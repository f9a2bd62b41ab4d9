"""The stream brings a tree screen what changed since its picture (facilitator/tree_delta.py):
applied to the picture it names as its base, a delta gives exactly the picture tree.json
gives at the new seq, after any change a workshop makes."""

import json
import random

from graph.demo import demo_graph
from graph.errors import GraphError
from tests.web.test_live_incremental import _step
from tests.web.test_stream_push import _stream

VIEWS = {"projector": "?view=projector", "private": ""}


def _applied(picture: dict, delta: dict) -> dict:
    """The picture after the delta, as a screen applies it (items by id)."""
    nodes = {n["id"]: n for n in picture["nodes"]}
    edges = {e["id"]: e for e in picture["edges"]}
    for gone in delta["removed"]:
        del nodes[gone]
    for gone in delta["edges_removed"]:
        del edges[gone]
    nodes.update((n["id"], n) for n in delta["nodes"])
    edges.update((e["id"], e) for e in delta["edges"])
    rest = {k: v for k, v in delta.items() if k not in ("base", "delta", "removed")}
    return {**rest, "nodes": nodes, "edges": edges, "edges_removed": None}


def _by_id(payload: dict) -> dict:
    return {
        **payload,
        "nodes": {n["id"]: n for n in payload["nodes"]},
        "edges": {e["id"]: e for e in payload["edges"]},
        "edges_removed": None,
    }


def test_a_delta_applied_to_its_base_is_the_picture_afresh(fac, store, session_id):
    with store.open(session_id) as s:
        s.import_graph(demo_graph(), "test")
    rng = random.Random(14)
    pictures = {
        view: fac.get(f"/sessions/{session_id}/tree.json{q}").get_json()
        for view, q in VIEWS.items()
    }
    deltas = 0
    for _ in range(30):
        with store.open(session_id) as s:
            before = s.last_seq()
            for _ in range(rng.randrange(1, 3)):
                try:
                    _step(s, rng)
                except GraphError:
                    pass  # a change the rules refuse: nothing was written
            if s.last_seq() == before:
                continue
        for view, query in VIEWS.items():
            events = dict(_stream(fac, session_id, before, view))
            fresh = fac.get(f"/sessions/{session_id}/tree.json{query}").get_json()
            if "tree" not in events:  # a change the tree does not show
                continue
            pushed = json.loads(events["tree"])
            assert pushed["seq"] == fresh["seq"]
            if pushed.get("delta"):
                deltas += 1
                assert pushed["base"] == pictures[view]["seq"]
                assert _applied(pictures[view], pushed) == _by_id(fresh), view
                if view == "projector":
                    assert pushed["flags"] == [] and pushed["flags_total"] == 0
            else:
                assert pushed == fresh
            pictures[view] = fresh
    assert deltas >= 20  # most changes come as what changed, not the whole picture


def test_a_delta_is_much_smaller_than_the_picture(fac, store, session_id):
    with store.open(session_id) as s:
        s.import_graph(demo_graph(), "test")
    whole = fac.get(f"/sessions/{session_id}/tree.json").get_data()
    with store.open(session_id) as s:
        before = s.last_seq()
        phone = s.participant(s.add_participant("p"))["id"]
        note = s.add_note(phone, "person", "佐藤 花子")["id"]
    assert fac.post(f"/api/v1/sessions/{session_id}/notes/{note}/approve").status_code == 200
    pushed = dict(_stream(fac, session_id, before, "private"))["tree"]
    delta = json.loads(pushed)
    assert delta["delta"] and delta["base"] == before
    assert [n["name"] for n in delta["nodes"]] == ["佐藤 花子"] or len(delta["nodes"]) < 20
    assert len(pushed.encode()) * 5 < len(whole)
