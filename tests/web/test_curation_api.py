"""The curation API (issue 10): PATCH/DELETE nodes and ties, merge, undo step by step, and the
session's settings; facilitator only, bad input 422/404 in Japanese with nothing changed."""

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


def _state(store, sid):
    with store.open(sid) as s:
        G = s.graph()
        return s.last_seq(), sorted(G.nodes(data=True)), sorted(G.edges(keys=True, data=True))


def _some(store, sid, kind):
    with store.open(sid) as s:
        G = s.graph()
        return [n for n, d in G.nodes(data=True) if d["kind"] == kind]


def test_patch_node_records_consent_and_wakes_the_projector(client, store, demo_id):
    person = _some(store, demo_id, "person")[0]
    seq = _state(store, demo_id)[0]
    r = client.patch(
        f"/api/v1/sessions/{demo_id}/nodes/{person}",
        json={"label": "佐藤 花子", "consent": "named", "age_band": "85+"},
        headers=FAC,
    )
    assert r.status_code == 200, r.get_json()
    body = r.get_json()
    assert body["node"]["label"] == "佐藤 花子" and body["node"]["consent"] == "named"
    assert body["seq"] == seq + 1
    projector = client.get(f"/api/v1/sessions/{demo_id}/graph", headers=FAC).get_json()
    assert any(n.get("label") == "佐藤 花子" for n in projector["nodes"])


@pytest.mark.parametrize(
    "body, status, words",
    [
        ({"kind": "tree"}, 422, "種類"),
        ({"consent": "maybe"}, 422, "consent"),
        ({"colour": "red"}, 422, "変更できない項目"),
        ({}, 422, "変更する項目がありません"),
        ({"kind": "place"}, 422, ""),  # a person's support ties forbid it
    ],
)
def test_bad_node_patch_is_refused_in_japanese_and_changes_nothing(
    client, store, demo_id, body, status, words
):
    person = _some(store, demo_id, "person")[0]
    before = _state(store, demo_id)
    r = client.patch(f"/api/v1/sessions/{demo_id}/nodes/{person}", json=body, headers=FAC)
    assert r.status_code == status
    assert r.get_json()["error"]["code"] == "invalid"
    assert words in r.get_json()["error"]["message"]
    assert _state(store, demo_id) == before


def test_unknown_ids_answer_404(client, demo_id):
    base = f"/api/v1/sessions/{demo_id}"
    for method, url, body in [
        ("patch", f"{base}/nodes/zz", {"label": "x"}),
        ("delete", f"{base}/nodes/zz", None),
        ("post", f"{base}/nodes/zz/merge", {"drop": "h01"}),
        ("patch", f"{base}/ties/zz", {"kind": "talk"}),
        ("delete", f"{base}/ties/zz", None),
        ("patch", "/api/v1/sessions/nosuch/nodes/zz", {"label": "x"}),
    ]:
        r = getattr(client, method)(url, json=body, headers=FAC)
        assert r.status_code == 404, (method, url)
        assert "見つかりません" in r.get_json()["error"]["message"] or url.startswith(
            "/api/v1/sessions/nosuch"
        )


def test_delete_node_then_undo_step_by_step(client, store, demo_id):
    start = _state(store, demo_id)
    household = _some(store, demo_id, "household")[0]
    person = _some(store, demo_id, "person")[0]
    assert (
        client.delete(f"/api/v1/sessions/{demo_id}/nodes/{household}", headers=FAC).status_code
        == 200
    )
    r = client.patch(
        f"/api/v1/sessions/{demo_id}/nodes/{person}", json={"status": "hidden"}, headers=FAC
    )
    assert r.status_code == 200
    with store.open(demo_id) as s:
        G = s.graph()
        assert household not in G and G.nodes[person]["status"] == "hidden"
    first = client.post(f"/api/v1/sessions/{demo_id}/undo", headers=FAC).get_json()
    assert (
        first["undone"]["type"] == "update_node" and "取り消しました" in first["undone"]["message"]
    )
    second = client.post(f"/api/v1/sessions/{demo_id}/undo", headers=FAC).get_json()
    assert second["undone"]["type"] == "remove_node"
    assert "の削除を取り消しました" in second["undone"]["message"]
    assert _state(store, demo_id)[1:] == start[1:]
    assert second["seq"] == start[0] + 4


def test_undo_with_nothing_left_is_404(client, store):
    with store.create("空の会") as s:
        sid = s.id
    r = client.post(f"/api/v1/sessions/{sid}/undo", headers=FAC)
    assert r.status_code == 404 and "取り消せる" in r.get_json()["error"]["message"]


def test_merge_two_spellings_and_person_household_offers_lives_in(client, store, demo_id):
    with store.open(demo_id) as s:
        a = s.add_node("person", "わたなべさん", "test", age_band="75-84")
        b = s.add_node("person", "渡辺さん", "test", age_band="85+")
        h = s.add_node("household", "渡辺さん宅", "test")
        s.add_tie(b, h, "lives_in", "test")
    url = f"/api/v1/sessions/{demo_id}/nodes/{a}/merge"
    r = client.post(url, json={"drop": b, "label": "渡辺さん"}, headers=FAC)
    assert r.status_code == 200, r.get_json()
    assert r.get_json()["node"] == {
        "id": a,
        "kind": "person",
        "label": "渡辺さん",
        "status": "approved",
        "age_band": "75-84",
    }
    with store.open(demo_id) as s:
        assert b not in s.graph() and s.graph().has_edge(a, h)
    before = _state(store, demo_id)
    for body in ({"drop": h}, {"drop": a}, {}, {"drop": b}):
        r = client.post(url, json=body, headers=FAC)
        assert r.status_code in (404, 422), body
    r = client.post(url, json={"drop": h}, headers=FAC)
    assert "同居" in r.get_json()["error"]["message"]
    assert _state(store, demo_id) == before


def test_patch_and_delete_ties(client, store, demo_id):
    with store.open(demo_id) as s:
        team = s.add_node("activity", "雪かき隊", "test")
        home = _some(store, demo_id, "household")[0]
    add = client.post(
        f"/api/v1/sessions/{demo_id}/ties",
        json={"source": team, "target": home, "kind": "snow", "season": "winter_only"},
        headers=FAC,
    )
    assert add.status_code == 201, add.get_json()
    tie = add.get_json()["id"]
    url = f"/api/v1/sessions/{demo_id}/ties/{tie}"
    r = client.patch(url, json={"frequency": "weekly", "origin": "self"}, headers=FAC)
    assert r.status_code == 200
    assert r.get_json()["tie"] == {
        "id": tie,
        "source": team,
        "target": home,
        "kind": "snow",
        "status": "approved",
        "season": "winter_only",
        "frequency": "weekly",
        "origin": "self",
    }
    before = _state(store, demo_id)
    for bad in ({"kind": "lives_in"}, {"season": "spring"}, {"target": "h01"}, {}):
        r = client.patch(url, json=bad, headers=FAC)
        assert r.status_code == 422, bad
        assert r.get_json()["error"]["message"]
    assert _state(store, demo_id) == before
    assert client.delete(url, headers=FAC).status_code == 200
    with store.open(demo_id) as s:
        assert not s.graph().has_edge(team, home)


def test_patch_session_settings(client, store, demo_id):
    url = f"/api/v1/sessions/{demo_id}"
    r = client.patch(
        url,
        json={"stage": "ties", "auto_approve": True, "settings": {"overload_households": 4}},
        headers=FAC,
    )
    assert r.status_code == 200, r.get_json()
    meta = r.get_json()
    assert meta["stage"] == "ties" and meta["auto_approve"] is True
    assert meta["settings"]["overload_households"] == 4
    r = client.patch(url, json={"overload_roles": 2}, headers=FAC)
    assert r.get_json()["settings"]["overload_roles"] == 2
    before = _state(store, demo_id)
    for bad in ({"stage": "party"}, {"overload_roles": 0}, {"colour": 1}, {}, {"settings": 3}):
        r = client.patch(url, json=bad, headers=FAC)
        assert r.status_code == 422, bad
    assert _state(store, demo_id) == before


def test_curation_calls_are_the_facilitators_only(app, client, store, demo_id, code):
    token = client.post("/api/v1/join", json={"code": _code(store, demo_id)}).get_json()["token"]
    phone = {"Authorization": f"Bearer {token}"}
    base = f"/api/v1/sessions/{demo_id}"
    before = _state(store, demo_id)
    for method, url, body in [
        ("patch", base, {"stage": "closed"}),
        ("patch", f"{base}/nodes/h01", {"label": "x"}),
        ("delete", f"{base}/nodes/h01", None),
        ("post", f"{base}/nodes/p01/merge", {"drop": "p02"}),
        ("post", f"{base}/undo", None),
    ]:
        assert getattr(client, method)(url, json=body, headers=phone).status_code == 403
        assert getattr(client, method)(url, json=body).status_code == 401
    # Only the phone's join was written.
    assert _state(store, demo_id)[1:] == before[1:]


def _code(store, sid):
    with store.open(sid) as s:
        return s.meta()["code"]


def test_patch_kind_where_the_ties_allow_it(client, store, demo_id):
    with store.open(demo_id) as s:
        team = s.add_node("activity", "雪かき隊", "test")
        home = _some(store, demo_id, "household")[0]
        s.add_tie(team, home, "snow", "test")
    url = f"/api/v1/sessions/{demo_id}/nodes/{team}"
    r = client.patch(url, json={"kind": "group", "category": "snow"}, headers=FAC)
    assert r.status_code == 200, r.get_json()
    assert (r.get_json()["node"]["kind"], r.get_json()["node"]["category"]) == (
        "group",
        "snow",
    )
    before = _state(store, demo_id)
    r = client.patch(url, json={"kind": "household"}, headers=FAC)  # 除雪 to a household
    assert r.status_code == 422 and "結べません" in r.get_json()["error"]["message"]
    assert _state(store, demo_id) == before
