"""The phone's sending and waiting: idempotency keys on the forms, the stage poll, my ties."""

from __future__ import annotations

import re

import pytest

from tests.web.test_participant import HX, join, me, notes, post_note, set_meta


@pytest.fixture
def phone(app, code):
    c = app.test_client()
    assert join(c, code, "はな").status_code == 303
    return c


def key_of(html: str) -> str:
    return re.search(r'name="idempotency_key" value="([^"]+)"', html).group(1)


# -- idempotency keys on the forms ---------------------------------------------------------


@pytest.mark.parametrize("hx", [False, True])
def test_a_repeated_form_key_makes_one_note(phone, store, session_id, hx):
    key = key_of(phone.get(f"/s/{session_id}").text)
    data = {"kind": "place", "text": "福祉会館", "idempotency_key": key}
    first = post_note(phone, session_id, hx=hx, **data)
    again = post_note(phone, session_id, hx=hx, **data)
    assert first.status_code == again.status_code == (200 if hx else 303)
    if hx:
        assert "送りました" in again.text and 'id="mine"' in again.text
    assert [n["text"] for n in notes(store, session_id)] == ["福祉会館"]


def test_every_page_load_gives_a_fresh_key(phone, session_id):
    keys = {key_of(phone.get(f"/s/{session_id}").text) for _ in range(3)}
    assert len(keys) == 3


def test_a_refused_note_keeps_its_key_for_the_retry(phone, store, session_id):
    data = {"kind": "need", "text": "母が認知症", "idempotency_key": "k-42"}
    r = post_note(phone, session_id, hx=True, **data)
    assert r.status_code == 422 and key_of(r.text) == "k-42"
    r = post_note(phone, session_id, hx=True, send_anyway="1", **data)
    assert r.status_code == 200
    assert len(notes(store, session_id)) == 1


def test_the_repeat_is_answered_as_sent_once_the_session_closed(phone, store, session_id):
    data = {"kind": "place", "text": "福祉会館", "idempotency_key": "k-1"}
    post_note(phone, session_id, hx=True, **data)
    set_meta(store, session_id, stage="closed")
    assert post_note(phone, session_id, hx=True, **data).status_code == 200
    r = post_note(phone, session_id, hx=True, kind="place", text="集会所", idempotency_key="k-2")
    assert r.status_code == 403
    assert len(notes(store, session_id)) == 1


def test_another_phone_with_the_same_key_is_another_note(app, phone, store, session_id, code):
    other = app.test_client()
    join(other, code)
    for client in (phone, other):
        post_note(client, session_id, hx=True, kind="place", text="会館", idempotency_key="same")
    assert len(notes(store, session_id)) == 2


def test_a_tampered_key_is_refused(phone, store, session_id):
    r = post_note(phone, session_id, hx=True, kind="place", text="会館", idempotency_key="<x>")
    assert r.status_code == 422 and 'id="note-form"' in r.text
    assert notes(store, session_id) == []


@pytest.fixture
def two_names(store, session_id):
    with store.open(session_id) as s:
        return (
            s.add_node("person", "佐藤 はな", "sc", consent="named"),
            s.add_node("household", "鈴木さん宅", "sc"),
        )


def test_a_repeated_tie_key_makes_one_tie(phone, store, session_id, two_names):
    set_meta(store, session_id, stage="ties")
    source, target = two_names
    data = {"source": source, "target": target, "kind": "snow", "idempotency_key": "t-1"}
    for _ in range(2):
        r = phone.post(f"/s/{session_id}/ties", data=data, headers=HX)
        assert r.status_code == 200 and "送りました" in r.text
    with store.open(session_id) as s:
        assert s.graph().number_of_edges() == 1


# -- the stage poll ------------------------------------------------------------------------


def test_the_poll_answers_304_until_something_changes(phone, store, session_id):
    url = f"/s/{session_id}/poll"
    first = phone.get(url)
    assert first.status_code == 200 and first.get_json()["phase"] == "notes"
    etag = first.headers["ETag"]
    assert "no-store" not in first.headers["Cache-Control"]
    again = phone.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    set_meta(store, session_id, stage="ties")
    moved = phone.get(url, headers={"If-None-Match": etag})
    assert moved.status_code == 200 and moved.get_json()["phase"] == "ties"


def test_the_poll_notices_my_notes_changing(phone, store, session_id):
    url = f"/s/{session_id}/poll"
    post_note(phone, session_id, kind="place", text="福祉会館")
    before = phone.get(url).get_json()["mine"]
    with store.open(session_id) as s:
        s.approve_note(s.notes()[0]["id"], "sc")
    assert phone.get(url).get_json()["mine"] != before


def test_a_closed_session_polls_as_closed(phone, store, session_id):
    set_meta(store, session_id, closed=True)
    assert phone.get(f"/s/{session_id}/poll").get_json()["phase"] == "closed"


def test_the_poll_needs_the_phone(client, session_id):
    assert client.get(f"/s/{session_id}/poll").status_code == 303


def test_reopening_brings_the_note_form_back(phone, store, session_id):
    set_meta(store, session_id, stage="notes")
    r = phone.get(f"/s/{session_id}/mine?stage=closed", headers=HX)
    assert 'id="note-section" hx-swap-oob="true"' in r.text and 'id="note-form"' in r.text
    r = phone.get(f"/s/{session_id}/mine?stage=ties", headers=HX)
    assert 'id="note-form"' not in r.text, "a stage move must not wipe what is being typed"


# -- my ties -------------------------------------------------------------------------------


def test_my_notes_list_my_ties_with_their_status(app, phone, store, session_id, code, two_names):
    set_meta(store, session_id, stage="ties")
    source, target = two_names
    phone.post(f"/s/{session_id}/ties", data={"source": source, "target": target, "kind": "snow"})
    other = app.test_client()
    join(other, code)
    other.post(f"/s/{session_id}/ties", data={"source": source, "target": target, "kind": "watch"})
    r = phone.get(f"/s/{session_id}/mine", headers=HX)
    assert "わたしが送ったつながり" in r.text
    assert "佐藤 はな" in r.text and "除雪" in r.text and "確認待ち" in r.text
    assert "見守り" not in r.text, "another phone's tie"
    with store.open(session_id) as s:
        (tie,) = s.ties_by(me(store, session_id, phone))
        s.update_tie(tie["id"], "sc", status="approved")
    assert "採用" in phone.get(f"/s/{session_id}/mine", headers=HX).text


def test_my_ties_show_what_the_room_may_see(phone, store, session_id):
    with store.open(session_id) as s:
        person = s.add_node("person", "田中 花子", "sc")
        home = s.add_node("household", "田中さん宅", "sc")
    set_meta(store, session_id, stage="ties")
    phone.post(f"/s/{session_id}/ties", data={"source": person, "target": home, "kind": "kin"})
    text = phone.get(f"/s/{session_id}/mine").text
    assert "田中 花子" not in text and "T.H." in text


def test_the_my_notes_page_has_a_level_one_heading(phone, session_id):
    text = phone.get(f"/s/{session_id}/mine").text
    assert re.search(r"<h1[^>]*>\s*わたしの付箋", text)


@pytest.mark.parametrize("path", ["/search?q=さとう", ""])
def test_every_phone_page_has_one_level_one_heading(phone, session_id, path):
    assert phone.get(f"/s/{session_id}{path}").text.count("<h1") == 1


def test_examples_are_separate_in_english(phone, session_id):
    text = phone.get(f"/s/{session_id}?lang=en").text
    assert "field”“" not in text
    assert re.search(r"field”</span>\s+<span", text)
