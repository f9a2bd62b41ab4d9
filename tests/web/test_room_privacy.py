"""What the room may see (issue 9): consent is the facilitator's alone, phones' free text stays
short and never labels anything, and no flag or need-beside-a-person reaches a shared screen."""

from __future__ import annotations

import json
import re

import pytest

from facilitator.storage import Store
from graph.analysis import FLAG_KINDS
from graph.demo import demo_graph
from graph.errors import ValidationError

from .conftest import KEY

FAC = {"Authorization": f"Bearer {KEY}"}
#: Every flag word, and the words around them, that must never be on a shared screen.
FLAG_WORDS = sorted(
    {ja for ja, _ in FLAG_KINDS.values()} | {"孤立", "行き来が月1回以下", "要確認", "⚑"}
)
SHARED = ("projector", "projector?view=tree", "projector/wall", "projector/tree")


def _join(client, code) -> dict:
    response = client.post("/api/v1/join", json={"code": code, "nickname": "さくら"})
    assert response.status_code == 201
    return {"Authorization": f"Bearer {response.get_json()['token']}"}


def _seq(store, session_id) -> int:
    with store.open(session_id) as s:
        return s.last_seq()


def _post(client, session_id, headers, **body):
    return client.post(f"/api/v1/sessions/{session_id}/notes", json=body, headers=headers)


@pytest.fixture
def phone(client, code):
    return _join(client, code)


@pytest.fixture
def demo_id(app):
    with Store(app.config["DATA"]).create("茶志内 デモ") as s:
        s.import_graph(demo_graph(), "test")
        return s.id


# -- consent is the facilitator's alone ----------------------------------------------------------


@pytest.mark.parametrize("consent", ["named", "initials", "anonymous"])
def test_a_phone_cannot_give_consent(client, store, session_id, phone, consent):
    before = _seq(store, session_id)
    response = _post(client, session_id, phone, kind="person", text="田中 花子", consent=consent)
    assert response.status_code == 422
    message = response.get_json()["error"]["message"]
    assert "進行役だけ" in message and "同意" in message, message
    assert _seq(store, session_id) == before, "a refused note wrote something"


def test_a_phone_told_of_a_wrong_field_is_not_offered_consent(client, store, session_id, phone):
    before = _seq(store, session_id)
    response = _post(client, session_id, phone, kind="person", text="田中 花子", colour="red")
    assert response.status_code == 422
    message = response.get_json()["error"]["message"]
    assert "colour" in message and "district" in message, message  # what the phone may send
    assert "consent" not in message, message
    assert _seq(store, session_id) == before


def test_the_facilitator_records_consent_when_approving(client, store, session_id, phone):
    note = _post(client, session_id, phone, kind="person", text="田中 花子").get_json()["id"]
    response = client.post(
        f"/api/v1/sessions/{session_id}/notes/{note}/approve",
        json={"consent": "named"},
        headers=FAC,
    )
    assert response.status_code == 200
    assert response.get_json()["node"]["consent"] == "named"


def test_a_phone_note_that_carries_consent_loses_it_on_approval(
    client, fac, store, session_id, phone
):
    # A note stored before phones were refused (or written around the API) keeps no consent.
    note = _post(client, session_id, phone, kind="person", text="田中 花子").get_json()["id"]
    with store.open(session_id) as s:
        s.db["notes"].update(note, {"attrs": json.dumps({"consent": "named"})})
    response = client.post(f"/api/v1/sessions/{session_id}/notes/{note}/approve", headers=FAC)
    assert response.status_code == 200
    node = response.get_json()["node"]
    assert "consent" not in node
    wall = fac.get(f"/sessions/{session_id}/projector/wall")
    assert wall.status_code == 200
    assert "T.H." in wall.get_data(as_text=True) and "田中" not in wall.get_data(as_text=True)


def test_a_phone_cannot_edit_consent_into_its_note(app, store, session_id):
    with store.open(session_id) as s:
        phone = s.add_participant("さくら")
        participant = s.participant(phone)["id"]
        note = s.add_note(participant, "person", "田中 花子")
        with pytest.raises(ValidationError, match="only the facilitator records consent"):
            s.update_note(note["id"], participant, participant, consent="named")
        assert "consent" not in s.note(note["id"])["attrs"]


# -- a phone's district ------------------------------------------------------------------------


def test_a_phone_district_of_40_characters_is_taken_41_is_refused(
    client, store, session_id, phone
):
    ok = _post(client, session_id, phone, kind="household", text="鈴木さん宅", district="町" * 40)
    assert ok.status_code == 201
    before = _seq(store, session_id)
    long = _post(
        client, session_id, phone, kind="household", text="鈴木さん宅", district="町" * 41
    )
    assert long.status_code == 422
    message = long.get_json()["error"]["message"]
    assert "地区" in message and "40文字" in message, message
    assert _seq(store, session_id) == before


def test_a_phone_district_never_labels_a_household_on_a_shared_screen(
    client, fac, store, session_id, phone
):
    district = "佐藤さんの隣の青い屋根"
    note = _post(
        client, session_id, phone, kind="household", text="鈴木さん宅", district=district
    ).get_json()["id"]
    assert (
        client.post(f"/api/v1/sessions/{session_id}/notes/{note}/approve", headers=FAC).status_code
        == 200
    )
    tree = fac.get(f"/sessions/{session_id}/tree.json?view=projector").get_json()
    assert [n["name"] for n in tree["nodes"] if n.get("kind") == "household"] == ["S.宅"]
    for path in SHARED:
        text = fac.get(f"/sessions/{session_id}/{path}").get_data(as_text=True)
        assert district not in text and "佐藤" not in text and "鈴木" not in text, path


# -- no flag, no need beside a person ------------------------------------------------------------


def _visible_text(html: str) -> str:
    """The page's text and attribute values, without the script and style it loads."""
    html = re.sub(r"<(script|style)\b.*?</\1>", "", html, flags=re.S)
    return html


@pytest.mark.parametrize("path", SHARED)
def test_no_flag_word_on_any_projector_page_of_the_demo(fac, demo_id, path):
    text = _visible_text(fac.get(f"/sessions/{demo_id}/{path}").get_data(as_text=True))
    found = [word for word in FLAG_WORDS if word in text]
    assert not found, found
    assert "点線で囲まれた" not in text, "the legend explains no marker the room cannot see"


@pytest.mark.parametrize("winter", ["0", "1"])
def test_the_projector_payload_has_no_flag_and_no_need_beside_a_person(fac, demo_id, winter):
    data = fac.get(f"/sessions/{demo_id}/tree.json?view=projector&winter={winter}").get_json()
    blob = json.dumps(data, ensure_ascii=False)
    assert not [word for word in FLAG_WORDS if word in blob]
    assert data["flags"] == [] and data["whatif"] == []
    kind = {n["id"]: n.get("kind") for n in data["nodes"]}
    needs = {n for n, k in kind.items() if k == "need"}
    assert len(needs) == 7, "the demo's seven difficulties are on the tree"
    for edge in data["edges"]:
        ends = {kind.get(edge["from"]), kind.get(edge["to"])}
        if "need" in ends:
            assert ends - {"need"} <= {"idea", "activity"}, edge
    for node in data["nodes"]:
        # Nothing marks a node: no dashed border, no thick border, no ❄ or ⚠ before a label.
        assert node.get("shapeProperties", {}).get("borderDashes") in (None, False), node
        assert not node["label"].startswith(("❄", "⚠", "⚑")), node
        assert "flags" not in node and not node.get("title")


def test_the_facilitators_tree_keeps_who_has_which_need(fac, demo_id):
    data = fac.get(f"/sessions/{demo_id}/tree.json").get_json()
    assert sum(1 for e in data["edges"] if e["kind"] == "has_need") == 29
