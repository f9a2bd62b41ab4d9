"""Arranging the tree by hand (issue 9): PUT …/nodes/<node>/position, reset, undo, restart."""

from __future__ import annotations

import pytest

from facilitator.storage import Store
from graph.demo import demo_graph

from .conftest import KEY

FAC = {"Authorization": f"Bearer {KEY}"}


@pytest.fixture
def demo_id(app):
    with Store(app.config["DATA"]).create("茶志内 デモ") as s:
        s.import_graph(demo_graph(), "test")
        return s.id


def _put(client, sid, node, body, headers=FAC):
    return client.put(f"/api/v1/sessions/{sid}/nodes/{node}/position", json=body, headers=headers)


def _drawn(fac, sid, view="private"):
    data = fac.get(f"/sessions/{sid}/tree.json?view={view}").get_json()
    return {n["id"]: (n["x"], n["y"]) for n in data["nodes"]}, data


def _seq(store, sid):
    with store.open(sid) as s:
        return s.last_seq()


def test_a_dragged_note_stays_where_it_was_put_on_every_screen(client, fac, store, demo_id):
    before, _ = _drawn(fac, demo_id)
    response = _put(client, demo_id, "g01", {"x": 1234.5, "y": -321})
    assert response.status_code == 200
    answer = response.get_json()
    assert answer["node"] == "g01" and (answer["x"], answer["y"]) == (1234.5, -321.0)
    assert answer["seq"] == _seq(store, demo_id)
    for view in ("private", "projector"):
        drawn, data = _drawn(fac, demo_id, view)
        assert drawn["g01"] == (1234.5, -321.0), view
        assert data["pinned"] == ["g01"]
    # A later change of the layout keeps the pinned note where it was put.
    with store.open(demo_id) as s:
        s.add_node("group", "新しいサークル", "test")
    drawn, _ = _drawn(fac, demo_id)
    assert drawn["g01"] == (1234.5, -321.0)
    with store.open(demo_id) as s:
        assert s.events()[-2]["type"] == "move_node"


def test_the_arrangement_survives_a_restart_and_undo_moves_it_back(app, client, store, demo_id):
    computed = None
    with store.open(demo_id) as s:
        computed = s.positions()
    assert computed == {}
    assert _put(client, demo_id, "h01", {"x": -50, "y": 900}).status_code == 200
    with Store(app.config["DATA"]).open(demo_id) as s:  # a fresh connection: on disk
        assert s.positions() == {"h01": (-50.0, 900.0)}
        undone = s.undo("facilitator")
        assert undone["payload"]["undone_type"] == "move_node"
        assert s.positions() == {}


def test_null_unpins_and_reset_returns_every_note(client, fac, store, demo_id):
    computed, _ = _drawn(fac, demo_id)
    _put(client, demo_id, "h01", {"x": 10, "y": 20})
    _put(client, demo_id, "h02", {"x": 30, "y": 40})
    response = _put(client, demo_id, "h01", {"x": None, "y": None})
    assert response.status_code == 200 and response.get_json()["x"] is None
    drawn, _ = _drawn(fac, demo_id)
    assert drawn["h01"] == computed["h01"] and drawn["h02"] == (30.0, 40.0)
    reset = client.delete(f"/api/v1/sessions/{demo_id}/positions", headers=FAC)
    assert reset.status_code == 200 and reset.get_json()["reset"] == 1
    assert _drawn(fac, demo_id)[0]["h02"] == computed["h02"]
    with store.open(demo_id) as s:
        s.undo("facilitator")  # the reset is undone: h02 is back where it was put
        assert s.positions() == {"h02": (30.0, 40.0)}


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"x": "左", "y": 1}, 422),
        ({"x": 1}, 422),
        ({"x": 1, "y": None}, 422),
        ({"x": True, "y": 1}, 422),
        ({"x": 1e9, "y": 0}, 422),
        ({"x": 1, "y": 2, "z": 3}, 422),
        ([1, 2], 400),
    ],
)
def test_bad_positions_are_refused_in_japanese_and_change_nothing(
    client, store, demo_id, body, status
):
    before = _seq(store, demo_id)
    response = _put(client, demo_id, "h01", body)
    assert response.status_code == status
    message = response.get_json()["error"]["message"]
    assert any("\u3040" <= ch <= "\u9fff" for ch in message), message
    assert _seq(store, demo_id) == before


def test_an_unknown_node_is_404(client, demo_id):
    assert _put(client, demo_id, "nope", {"x": 1, "y": 2}).status_code == 404


def test_only_the_facilitator_arranges(client, store, demo_id):
    with store.open(demo_id) as s:
        code = s.meta()["code"]
    token = client.post("/api/v1/join", json={"code": code}).get_json()["token"]
    phone = {"Authorization": f"Bearer {token}"}
    assert _put(client, demo_id, "h01", {"x": 1, "y": 2}, phone).status_code == 403
    assert _put(client, demo_id, "h01", {"x": 1, "y": 2}, {}).status_code == 401
    reset = client.delete(f"/api/v1/sessions/{demo_id}/positions", headers=phone)
    assert reset.status_code == 403
    with store.open(demo_id) as s:
        assert s.positions() == {}


def test_the_facilitators_tree_offers_dragging_and_the_projector_does_not(fac, demo_id):
    private = fac.get(f"/sessions/{demo_id}/tree").get_data(as_text=True)
    projector = fac.get(f"/sessions/{demo_id}/projector/tree").get_data(as_text=True)
    assert "data-position-url" in private and "reset-arrangement" in private
    assert "data-position-url" not in projector and "reset-arrangement" not in projector
