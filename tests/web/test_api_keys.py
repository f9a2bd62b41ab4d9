"""The API's idempotency keys: a phone that retries a note or a tie never makes a second one."""

from __future__ import annotations

import pytest

from tests.web.test_api import FAC, assert_error, bearer, join, set_meta


@pytest.fixture
def token(client, code):
    return join(client, code).get_json()["token"]


def notes(store, session_id):
    with store.open(session_id) as s:
        return s.notes()


def post_note(client, session_id, token, key, **body):
    headers = bearer(token) | ({"Idempotency-Key": key} if key is not None else {})
    return client.post(f"/api/v1/sessions/{session_id}/notes", json=body, headers=headers)


def test_a_repeated_key_returns_the_original_note(client, store, session_id, token):
    first = post_note(client, session_id, token, "k1", kind="place", text="福祉会館")
    assert first.status_code == 201
    again = post_note(client, session_id, token, "k1", kind="place", text="福祉会館")
    assert again.status_code == 200
    assert again.get_json()["id"] == first.get_json()["id"]
    assert again.get_json()["status"] == "pending"
    assert [n["text"] for n in notes(store, session_id)] == ["福祉会館"]


def test_a_new_key_is_a_new_note(client, store, session_id, token):
    for key in ("k1", "k2", None, None):
        assert (
            post_note(client, session_id, token, key, kind="place", text="会館").status_code == 201
        )
    assert len(notes(store, session_id)) == 4


def test_another_phone_may_use_the_same_key(client, store, session_id, code, token):
    other = join(client, code).get_json()["token"]
    a = post_note(client, session_id, token, "same", kind="place", text="福祉会館")
    b = post_note(client, session_id, other, "same", kind="place", text="福祉会館")
    assert (a.status_code, b.status_code) == (201, 201)
    assert a.get_json()["id"] != b.get_json()["id"]


def test_the_repeat_answers_even_once_the_session_closed(client, store, session_id, token):
    """The answer was lost, the hall closed the session, the phone retries: it was sent."""
    first = post_note(client, session_id, token, "k1", kind="place", text="福祉会館")
    set_meta(store, session_id, stage="closed")
    again = post_note(client, session_id, token, "k1", kind="place", text="福祉会館")
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    assert_error(post_note(client, session_id, token, "k2", kind="place", text="x"), 403)


def test_a_bad_key_is_422_and_stores_nothing(client, store, session_id, token):
    r = post_note(client, session_id, token, "a b c", kind="place", text="福祉会館")
    assert_error(r, 422, "invalid")
    assert notes(store, session_id) == []


def test_a_repeated_key_returns_the_original_tie(client, store, session_id, token):
    with store.open(session_id) as s:
        a = s.add_node("person", "佐藤さん", "sc", consent="named")
        b = s.add_node("household", "鈴木さん宅", "sc")
    set_meta(store, session_id, stage="ties")
    body = {"source": a, "target": b, "kind": "snow"}
    headers = bearer(token) | {"Idempotency-Key": "tie-1"}
    url = f"/api/v1/sessions/{session_id}/ties"
    first = client.post(url, json=body, headers=headers)
    again = client.post(url, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert (
        again.get_json() == first.get_json() == {"id": first.get_json()["id"], "status": "pending"}
    )
    with store.open(session_id) as s:
        assert s.graph().number_of_edges() == 1


def test_the_facilitator_has_a_key_space_of_its_own(client, store, session_id, token):
    mine = post_note(client, session_id, token, "k1", kind="place", text="福祉会館")
    r = client.post(
        f"/api/v1/sessions/{session_id}/notes",
        json={"kind": "place", "text": "集会所"},
        headers=FAC | {"Idempotency-Key": "k1"},
    )
    assert r.status_code == 201 and r.get_json()["id"] != mine.get_json()["id"]


def test_a_key_racing_in_at_the_same_time_answers_the_original(
    client, store, session_id, token, monkeypatch
):
    """Two posts with one key at once: the second passed the first look before the first
    committed; inside its transaction it finds the key spent and answers 200, one note."""
    from facilitator.storage.keys import ClientKeys

    first = post_note(client, session_id, token, "k1", kind="place", text="福祉会館")
    real = ClientKeys.keyed_note
    calls = []

    def not_yet_on_the_first_look(self, actor, key):
        calls.append(key)
        return None if len(calls) == 1 else real(self, actor, key)

    monkeypatch.setattr(ClientKeys, "keyed_note", not_yet_on_the_first_look)
    again = post_note(client, session_id, token, "k1", kind="place", text="福祉会館")
    assert len(calls) >= 2, "the key was looked up again inside the transaction"
    assert again.status_code == 200 and again.get_json()["id"] == first.get_json()["id"]
    assert [n["text"] for n in notes(store, session_id)] == ["福祉会館"]


def test_a_tie_key_racing_in_at_the_same_time_answers_the_original(
    client, store, session_id, token, monkeypatch
):
    """As for notes: the second post of a tie's key passed the first look before the first
    committed; it answers 200 with the original tie, and the map holds one tie."""
    from facilitator.storage.keys import ClientKeys

    with store.open(session_id) as s:
        a = s.add_node("person", "佐藤さん", "sc", consent="named")
        b = s.add_node("household", "鈴木さん宅", "sc")
    set_meta(store, session_id, stage="ties")
    url, body = f"/api/v1/sessions/{session_id}/ties", {"source": a, "target": b, "kind": "snow"}
    headers = bearer(token) | {"Idempotency-Key": "tie-1"}
    first = client.post(url, json=body, headers=headers)
    real = ClientKeys.keyed_tie
    looks = []

    def not_yet_on_the_first_look(self, actor, key):
        looks.append(key)
        return None if len(looks) == 1 else real(self, actor, key)

    monkeypatch.setattr(ClientKeys, "keyed_tie", not_yet_on_the_first_look)
    with store.open(session_id) as s:
        seq = s.last_seq()
    again = client.post(url, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.get_json() == first.get_json()
    with store.open(session_id) as s:
        assert s.graph().number_of_edges() == 1 and s.last_seq() == seq
