"""One phone cannot flood the queue (issue 10): a short burst, then a few a minute; 429 with
Retry-After and a kind Japanese message; other phones and the facilitator are unaffected."""

from __future__ import annotations

import pytest

from facilitator import limits
from tests.web.test_participant import join, post_note

KEY = "test-key"  # tests/web/conftest.py


def _api_phone(client, code, name):
    r = client.post("/api/v1/join", json={"code": code, "nickname": name})
    assert r.status_code == 201
    return {"Authorization": f"Bearer {r.get_json()['token']}"}


def _note(client, session_id, headers, text, key=None):
    extra = {"Idempotency-Key": key} if key else {}
    return client.post(
        f"/api/v1/sessions/{session_id}/notes",
        json={"kind": "place", "text": text},
        headers={**headers, **extra},
    )


def _count(store, session_id):
    with store.open(session_id) as s:
        return len(s.notes())


@pytest.fixture
def clock(monkeypatch):
    """The limiter's clock, moved by hand."""
    now = [1000.0]
    monkeypatch.setattr(limits.time, "monotonic", lambda: now[0])
    return now


def test_a_flooding_phone_gets_429_and_the_others_do_not(
    app, client, store, session_id, code, clock
):
    burst = app.config["PHONE_BURST"]
    flooder, other = _api_phone(client, code, "あ"), _api_phone(client, code, "い")
    for i in range(burst):
        assert _note(client, session_id, flooder, f"集会所{i}", key=f"k{i}").status_code == 201
    refused = _note(client, session_id, flooder, "もう一枚")
    assert refused.status_code == 429
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    message = refused.get_json()["error"]["message"]
    assert "ありがとう" in message and "秒" in message
    assert _count(store, session_id) == burst  # nothing stored
    # A retry of a note already sent is answered as sent, not refused.
    assert _note(client, session_id, flooder, "集会所0", key="k0").status_code == 200
    # Another phone and the facilitator are not affected.
    assert _note(client, session_id, other, "神社").status_code == 201
    fac = {"Authorization": f"Bearer {KEY}"}
    for i in range(burst + 2):
        assert _note(client, session_id, fac, f"進行役{i}").status_code == 201


def test_after_the_wait_a_few_a_minute_go_through(app, client, session_id, code, clock):
    phone = _api_phone(client, code, "う")
    for i in range(app.config["PHONE_BURST"]):
        assert _note(client, session_id, phone, f"畑{i}").status_code == 201
    assert _note(client, session_id, phone, "畑x").status_code == 429
    clock[0] += 60
    sent = [_note(client, session_id, phone, f"畑y{i}").status_code for i in range(10)]
    assert sent.count(201) == app.config["PHONE_PER_MINUTE"]
    assert set(sent) == {201, 429}


@pytest.mark.parametrize("hx", [False, True])
def test_the_phone_form_says_it_kindly(app, store, session_id, code, clock, hx):
    phone = app.test_client()
    assert join(phone, code, "え").status_code == 303
    for i in range(app.config["PHONE_BURST"]):
        assert post_note(phone, session_id, hx=hx, kind="place", text=f"店{i}").status_code in (
            200,
            303,
        )
    r = post_note(phone, session_id, hx=hx, kind="place", text="店x")
    assert r.status_code == 429 and r.headers["Retry-After"]
    assert "ありがとう" in r.get_data(as_text=True)
    assert _count(store, session_id) == app.config["PHONE_BURST"]


def test_ties_count_against_the_same_limit(app, client, store, session_id, code, clock):
    with store.open(session_id) as s:
        s.set_meta("test", stage="ties")
        a = s.add_node("person", "佐藤", actor="test")
        b = s.add_node("household", "鈴木宅", actor="test")
    phone = _api_phone(client, code, "お")
    url = f"/api/v1/sessions/{session_id}/ties"
    answers = [
        client.post(url, json={"source": a, "target": b, "kind": "watch"}, headers=phone)
        for _ in range(app.config["PHONE_BURST"] + 1)
    ]
    assert [r.status_code for r in answers[:-1]] == [201] * app.config["PHONE_BURST"]
    assert answers[-1].status_code == 429
