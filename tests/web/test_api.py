"""The JSON API v1 as another tool or a phone script uses it."""

import itertools
import json
import re

import pytest
from click.testing import CliRunner
from itsdangerous import URLSafeTimedSerializer

from facilitator import auth
from facilitator.cli import main
from facilitator.storage import demo_session

KEY = "test-key"
FAC = {"Authorization": f"Bearer {KEY}"}
EN = {"Accept-Language": "en"}
JAPANESE = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")

_addresses = itertools.count(1)


def _address():
    """A client address of its own, so the join rate limit of one test never hits another."""
    n = next(_addresses)
    return f"10.77.{n // 250}.{n % 250 + 1}"


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def seq(store, session_id):
    with store.open(session_id) as s:
        return s.last_seq()


def set_meta(store, session_id, **changes):
    with store.open(session_id) as s:
        s.set_meta("test", **changes)


def join(client, code, nickname=None, headers=None):
    body = {"code": code} if nickname is None else {"code": code, "nickname": nickname}
    return client.post(
        "/api/v1/join",
        json=body,
        headers=headers or {},
        environ_base={"REMOTE_ADDR": _address()},
    )


def assert_error(response, status, code=None, lang="ja"):
    """The error JSON shape, its status and code, and the language of its message."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.is_json
    error = response.get_json()["error"]
    assert set(error) == {"code", "message"}
    assert isinstance(error["message"], str) and error["message"]
    if code is not None:
        assert error["code"] == code
    if lang == "ja":
        assert JAPANESE.search(error["message"]), error["message"]
    else:
        assert not JAPANESE.search(error["message"]), error["message"]
    return error


@pytest.fixture
def token(client, code):
    response = join(client, code, "さくら")
    assert response.status_code == 201
    return response.get_json()["token"]


@pytest.fixture
def nodes(store, session_id):
    """A person and a household on the map, for ties."""
    with store.open(session_id) as s:
        return {
            "p": s.add_node("person", "田中", actor="test"),
            "h": s.add_node("household", "佐藤さん宅", actor="test"),
            "g": s.add_node("group", "くりの木サロン", actor="test"),
        }


@pytest.fixture
def other_token(client, store):
    with store.create("別の会", area="奈井江") as s:
        other_code = s.meta()["code"]
    return join(client, other_code).get_json()["token"]


# -- sessions -------------------------------------------------------------------------------


def test_facilitator_creates_and_lists_sessions(client, store, app):
    response = client.post(
        "/api/v1/sessions", json={"title": "茶志内 お宝さがし", "area": "茶志内"}, headers=FAC
    )
    assert response.status_code == 201
    meta = response.get_json()
    assert meta["title"] == "茶志内 お宝さがし" and meta["area"] == "茶志内"
    assert meta["stage"] == "notes" and len(meta["code"]) == 6
    assert meta["id"] in store.ids()
    listed = client.get("/api/v1/sessions", headers=FAC)
    assert listed.status_code == 200
    assert [row["id"] for row in listed.get_json()] == [meta["id"]]


def test_logged_in_facilitator_browser_may_call_the_api(fac, store):
    response = fac.post("/api/v1/sessions", json={"title": "ブラウザから"})
    assert response.status_code == 201
    assert response.get_json()["area"] == ""
    assert fac.get("/api/v1/sessions").status_code == 200


@pytest.mark.parametrize("headers", [{}, bearer("wrong-key"), {"Authorization": "Basic x"}])
@pytest.mark.parametrize("method", ["get", "post"])
def test_sessions_need_the_facilitator_key(client, store, headers, method):
    response = getattr(client, method)("/api/v1/sessions", json={"title": "x"}, headers=headers)
    assert_error(response, 401, "unauthorized")
    assert store.ids() == []


def test_participant_token_cannot_create_sessions(client, store, session_id, token):
    response = client.post("/api/v1/sessions", json={"title": "x"}, headers=bearer(token))
    assert_error(response, 401)
    assert store.ids() == [session_id]


@pytest.mark.parametrize(
    ("body", "status", "err"),
    [
        ({}, 422, "invalid"),
        ({"title": ""}, 422, "invalid"),
        ({"title": "   "}, 422, "invalid"),
        ({"title": "x" * 101}, 422, "invalid"),
        ({"title": 5}, 422, "invalid"),
        ({"title": "x", "area": ["a"]}, 422, "invalid"),
        ({"title": "x", "owner": "me"}, 422, "invalid"),
        ("{not json", 400, "bad_json"),
        ('["title"]', 400, "bad_json"),
        ("NaN", 400, "bad_json"),
        (b"\xff\xfe\x00", 400, "bad_json"),
    ],
)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_bad_session_bodies_are_refused_and_nothing_is_created(
    client, store, body, status, err, lang
):
    headers = {**FAC, **(EN if lang == "en" else {})}
    if isinstance(body, dict):
        response = client.post("/api/v1/sessions", json=body, headers=headers)
    else:
        response = client.post(
            "/api/v1/sessions", data=body, headers=headers, content_type="application/json"
        )
    assert_error(response, status, err, lang)
    assert store.ids() == []


# -- joining --------------------------------------------------------------------------------


def test_join_returns_a_token_that_works_for_notes(client, store, session_id, code, app):
    before = seq(store, session_id)
    version = app.extensions["tsunagari_broker"].version(session_id)
    response = join(client, code, " さくら ")
    assert response.status_code == 201
    data = response.get_json()
    assert data["session"]["id"] == session_id and data["session"]["title"] == "テスト"
    assert seq(store, session_id) == before + 1
    assert app.extensions["tsunagari_broker"].version(session_id) == version + 1
    with store.open(session_id) as s:
        assert s.participant(data["token"])["nickname"] == "さくら"
    note = client.post(
        f"/api/v1/sessions/{session_id}/notes",
        json={"kind": "person", "text": "田中さん"},
        headers=bearer(data["token"]),
    )
    assert note.status_code == 201


@pytest.mark.parametrize(
    "typed",
    [
        str.lower,
        lambda c: f"  {c} ",
        lambda c: c.translate({ord(ch): ord(ch) + 0xFEE0 for ch in c}),
    ],
)
def test_join_code_may_be_lower_case_spaced_or_full_width(client, code, typed):
    assert join(client, typed(code)).status_code == 201


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_unknown_code_is_404_and_counted(client, store, session_id, lang):
    before = seq(store, session_id)
    response = client.post(
        "/api/v1/join",
        json={"code": "ZZZZZZ"},
        headers=EN if lang == "en" else {},
        environ_base={"REMOTE_ADDR": "10.66.0.1"},
    )
    assert_error(response, 404, "unknown_code", lang)
    assert seq(store, session_id) == before


def test_too_many_wrong_codes_answer_429_even_for_the_right_code(
    app, client, store, session_id, code
):
    address = {"REMOTE_ADDR": _address()}
    for _ in range(app.config["JOIN_LIMIT_PER_MINUTE"]):
        r = client.post("/api/v1/join", json={"code": "ZZZZZZ"}, environ_base=address)
        assert r.status_code == 404
    before = seq(store, session_id)
    blocked = client.post("/api/v1/join", json={"code": code}, environ_base=address)
    assert_error(blocked, 429)
    assert seq(store, session_id) == before
    assert join(client, code).status_code == 201  # another phone is not blocked


@pytest.mark.parametrize("closing", [{"closed": True}, {"stage": "closed"}])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_closed_session_cannot_be_joined(client, store, session_id, code, closing, lang):
    set_meta(store, session_id, **closing)
    before = seq(store, session_id)
    response = join(client, code, headers=EN if lang == "en" else {})
    assert_error(response, 403, "closed", lang)
    assert seq(store, session_id) == before


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"code": 123456}, 422),
        ({}, 404),
        ({"code": "ABC"}, 404),
        ("nickname=x", 400),
        ("[]", 400),
    ],
)
def test_bad_join_bodies(client, store, session_id, code, body, status):
    before = seq(store, session_id)
    if isinstance(body, dict):
        response = client.post("/api/v1/join", json=body, environ_base={"REMOTE_ADDR": _address()})
    else:
        response = client.post(
            "/api/v1/join",
            data=body,
            content_type="application/json",
            environ_base={"REMOTE_ADDR": _address()},
        )
    assert_error(response, status)
    assert seq(store, session_id) == before


@pytest.mark.parametrize("nickname", ["x" * 41, 7, ["さくら"]])
def test_bad_nickname_is_422(client, store, session_id, code, nickname):
    before = seq(store, session_id)
    assert_error(join(client, code, nickname), 422, "invalid")
    assert seq(store, session_id) == before


# -- notes ----------------------------------------------------------------------------------


def test_participant_posts_a_pending_note(client, store, session_id, token, app):
    version = app.extensions["tsunagari_broker"].version(session_id)
    response = client.post(
        f"/api/v1/sessions/{session_id}/notes",
        json={"kind": "household", "text": " 佐藤さん宅 ", "lives_alone": True},
        headers=bearer(token),
    )
    assert response.status_code == 201
    data = response.get_json()
    assert data["status"] == "pending" and data["node"] is None
    with store.open(session_id) as s:
        note = s.note(data["id"])
        assert note["text"] == "佐藤さん宅" and note["attrs"] == {"lives_alone": True}
        assert note["participant"] == s.participant(token)["id"]
    assert app.extensions["tsunagari_broker"].version(session_id) == version + 1


def test_note_of_exactly_200_characters_is_taken(client, session_id, token):
    response = client.post(
        f"/api/v1/sessions/{session_id}/notes",
        json={"kind": "story", "text": "祭" * 200},
        headers=bearer(token),
    )
    assert response.status_code == 201


def test_facilitator_note_and_auto_approve(client, store, session_id):
    set_meta(store, session_id, auto_approve=True)
    response = client.post(
        f"/api/v1/sessions/{session_id}/notes",
        json={"kind": "group", "text": "老人クラブ"},
        headers=FAC,
    )
    assert response.status_code == 201
    data = response.get_json()
    assert data["status"] == "approved" and data["node"]
    with store.open(session_id) as s:
        assert s.note(data["id"])["participant"] == "facilitator"
        assert s.graph().nodes[data["node"]]["label"] == "老人クラブ"


def test_notes_are_taken_in_the_ties_stage_too(client, store, session_id, token):
    set_meta(store, session_id, stage="ties")
    response = client.post(
        f"/api/v1/sessions/{session_id}/notes",
        json={"kind": "place", "text": "集会所"},
        headers=bearer(token),
    )
    assert response.status_code == 201


BAD_NOTES = [
    ({"kind": "person", "text": ""}, 422, "invalid"),
    ({"kind": "person", "text": "   "}, 422, "invalid"),
    ({"kind": "person"}, 422, "invalid"),
    ({"kind": "person", "text": "あ" * 201}, 422, "invalid"),
    ({"kind": "tree", "text": "木"}, 422, "invalid"),
    ({"text": "木"}, 422, "invalid"),
    ({"kind": "person", "text": 42}, 422, "invalid"),
    ({"kind": ["person"], "text": "田中"}, 422, "invalid"),
    ({"kind": "person", "text": "田中", "colour": "red"}, 422, "invalid"),
    ({"kind": "person", "text": "田中", "status": "approved"}, 422, "invalid"),
    ({"kind": "person", "text": "田中", "id": "n1"}, 422, "invalid"),
    ({"kind": "person", "text": "田中", "age_band": "100+"}, 422, "invalid"),
    ({"kind": "household", "text": "宅", "lives_alone": "perhaps"}, 422, "invalid"),
    ({"kind": "person", "text": "田中", "district": {"a": 1}}, 422, "invalid"),
    ("{", 400, "bad_json"),
    ('"text"', 400, "bad_json"),
    ("[1, 2]", 400, "bad_json"),
]


@pytest.mark.parametrize(("body", "status", "err"), BAD_NOTES)
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_bad_notes_are_refused_and_nothing_is_stored(
    client, store, session_id, token, body, status, err, lang
):
    before = seq(store, session_id)
    headers = {**bearer(token), **(EN if lang == "en" else {})}
    url = f"/api/v1/sessions/{session_id}/notes"
    if isinstance(body, dict):
        response = client.post(url, json=body, headers=headers)
    else:
        response = client.post(url, data=body, headers=headers, content_type="application/json")
    assert_error(response, status, err, lang)
    assert seq(store, session_id) == before


def test_too_long_note_says_how_long_in_japanese(client, session_id, token):
    response = client.post(
        f"/api/v1/sessions/{session_id}/notes",
        json={"kind": "person", "text": "あ" * 201},
        headers=bearer(token),
    )
    assert "200文字まで" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("lang", ["ja", "en"])
@pytest.mark.parametrize("closing", [{"closed": True}, {"stage": "closed"}])
def test_closed_session_takes_no_notes(client, store, session_id, token, closing, lang):
    set_meta(store, session_id, **closing)
    before = seq(store, session_id)
    for headers in (bearer(token), FAC):
        response = client.post(
            f"/api/v1/sessions/{session_id}/notes",
            json={"kind": "person", "text": "田中"},
            headers={**headers, **(EN if lang == "en" else {})},
        )
        assert_error(response, 403, "closed", lang)
    assert seq(store, session_id) == before


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_note_credentials(client, store, session_id, token, other_token, lang):
    url = f"/api/v1/sessions/{session_id}/notes"
    body = {"kind": "person", "text": "田中"}
    extra = EN if lang == "en" else {}
    before = seq(store, session_id)
    assert_error(client.post(url, json=body, headers=extra), 401, "unauthorized", lang)
    forged = {**bearer("forged-token-forged-token"), **extra}
    assert_error(client.post(url, json=body, headers=forged), 401, "unauthorized", lang)
    assert_error(
        client.post(url, json=body, headers={**bearer(KEY + "x"), **extra}), 401, None, lang
    )
    elsewhere = {**bearer(other_token), **extra}
    assert_error(client.post(url, json=body, headers=elsewhere), 403, "forbidden", lang)
    assert seq(store, session_id) == before


def test_unknown_session_is_404(client, token):
    for url in ("/api/v1/sessions/zzzzzzzz/notes", "/api/v1/sessions/../../etc/notes"):
        response = client.post(url, json={"kind": "person", "text": "田中"}, headers=bearer(token))
        assert response.status_code == 404
    assert_error(client.get("/api/v1/sessions/zzzzzzzz/graph", headers=FAC), 404, "not_found")


def test_phone_cookie_authenticates_a_participant(app, client, store, session_id, token):
    client.set_cookie(auth.participant_cookie(session_id), token)
    response = client.post(
        f"/api/v1/sessions/{session_id}/notes", json={"kind": "person", "text": "田中"}
    )
    assert response.status_code == 201
    client.set_cookie(auth.participant_cookie(session_id), "forged")
    response = client.post(
        f"/api/v1/sessions/{session_id}/notes", json={"kind": "person", "text": "鈴木"}
    )
    assert_error(response, 401)


def _csrf_header(app, client):
    """A valid X-CSRFToken for ``client``, made as Flask-WTF makes it."""
    raw = "0123456789abcdef0123456789abcdef01234567"
    with client.session_transaction() as s:
        s["csrf_token"] = raw
    return {
        "X-CSRFToken": URLSafeTimedSerializer(app.secret_key, salt="wtf-csrf-token").dumps(raw)
    }


def test_cookie_calls_need_the_csrf_token_bearer_calls_do_not(csrf_app, store, session_id, code):
    client = csrf_app.test_client()
    token = join(client, code).get_json()["token"]  # join needs no CSRF token
    url = f"/api/v1/sessions/{session_id}/notes"
    body = {"kind": "person", "text": "田中"}
    client.set_cookie(auth.participant_cookie(session_id), token)
    before = seq(store, session_id)
    assert_error(client.post(url, json=body), 400, "csrf")
    assert seq(store, session_id) == before
    assert client.post(url, json=body, headers=_csrf_header(csrf_app, client)).status_code == 201
    other = csrf_app.test_client()
    assert other.post(url, json=body, headers=bearer(token)).status_code == 201


def test_facilitator_cookie_calls_need_the_csrf_token(csrf_app, store):
    browser = csrf_app.test_client()
    assert browser.get(f"/login?key={KEY}").status_code == 302
    assert_error(browser.post("/api/v1/sessions", json={"title": "x"}), 400, "csrf")
    assert store.ids() == []
    ok = browser.post(
        "/api/v1/sessions", json={"title": "x"}, headers=_csrf_header(csrf_app, browser)
    )
    assert ok.status_code == 201
    assert (
        csrf_app.test_client()
        .post("/api/v1/sessions", json={"title": "y"}, headers=FAC)
        .status_code
        == 201
    )
    assert len(store.ids()) == 2


# -- ties -----------------------------------------------------------------------------------


def test_participant_tie_waits_for_approval_in_the_ties_stage(
    client, store, session_id, token, nodes
):
    set_meta(store, session_id, stage="ties")
    response = client.post(
        f"/api/v1/sessions/{session_id}/ties",
        json={"source": nodes["p"], "target": nodes["h"], "kind": "snow", "season": "winter_only"},
        headers=bearer(token),
    )
    assert response.status_code == 201
    data = response.get_json()
    assert data["status"] == "pending"
    with store.open(session_id) as s:
        ((u, v, key, attrs),) = s.graph().edges(keys=True, data=True)
    assert (u, v, key) == (nodes["p"], nodes["h"], data["id"])
    assert attrs == {"kind": "snow", "status": "pending", "season": "winter_only"}


def test_participant_tie_is_approved_with_auto_approve(client, store, session_id, token, nodes):
    set_meta(store, session_id, stage="ties", auto_approve=True)
    response = client.post(
        f"/api/v1/sessions/{session_id}/ties",
        json={"source": nodes["p"], "target": nodes["g"], "kind": "member"},
        headers=bearer(token),
    )
    assert response.status_code == 201 and response.get_json()["status"] == "approved"


def test_facilitator_tie_is_approved_in_any_stage(client, store, session_id, nodes, app):
    version = app.extensions["tsunagari_broker"].version(session_id)
    response = client.post(
        f"/api/v1/sessions/{session_id}/ties",
        json={"source": nodes["p"], "target": nodes["h"], "kind": "lives_in"},
        headers=FAC,
    )
    assert response.status_code == 201 and response.get_json()["status"] == "approved"
    assert app.extensions["tsunagari_broker"].version(session_id) == version + 1


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_participant_ties_wait_for_the_ties_stage(client, store, session_id, token, nodes, lang):
    before = seq(store, session_id)
    response = client.post(
        f"/api/v1/sessions/{session_id}/ties",
        json={"source": nodes["p"], "target": nodes["h"], "kind": "snow"},
        headers={**bearer(token), **(EN if lang == "en" else {})},
    )
    assert_error(response, 403, "stage", lang)
    set_meta(store, session_id, stage="ties", closed=True)
    before = seq(store, session_id)
    response = client.post(
        f"/api/v1/sessions/{session_id}/ties",
        json={"source": nodes["p"], "target": nodes["h"], "kind": "snow"},
        headers=bearer(token),
    )
    assert_error(response, 403, "closed")
    assert seq(store, session_id) == before


BAD_TIES = [
    # A household does not live in a person: the kind forbids these endpoints.
    ({"source": "h", "target": "p", "kind": "lives_in"}, 422),
    ({"source": "g", "target": "h", "kind": "talk"}, 422),
    ({"source": "p", "target": "h", "kind": "hug"}, 422),
    ({"source": "p", "target": "h"}, 422),
    ({"source": "p", "target": "n999", "kind": "snow"}, 422),
    ({"source": "p", "target": "p", "kind": "talk"}, 422),
    ({"target": "h", "kind": "snow"}, 422),
    ({"source": "p", "target": "h", "kind": "snow", "season": "spring"}, 422),
    ({"source": "p", "target": "h", "kind": "snow", "status": "approved"}, 422),
    ({"source": "p", "target": "h", "kind": "snow", "weight": 3}, 422),
    ({"source": 1, "target": "h", "kind": "snow"}, 422),
    ("not json", 400),
    ("null", 400),
]


@pytest.mark.parametrize(("body", "status"), BAD_TIES)
@pytest.mark.parametrize("who", ["participant", "facilitator"])
def test_bad_ties_are_refused_and_nothing_is_stored(
    client, store, session_id, token, nodes, body, status, who
):
    set_meta(store, session_id, stage="ties")
    before = seq(store, session_id)
    headers = bearer(token) if who == "participant" else FAC
    url = f"/api/v1/sessions/{session_id}/ties"
    if isinstance(body, dict):
        body = {k: nodes.get(v, v) if k in ("source", "target") else v for k, v in body.items()}
        response = client.post(url, json=body, headers=headers)
    else:
        response = client.post(url, data=body, headers=headers, content_type="application/json")
    assert_error(response, status)
    assert seq(store, session_id) == before


def test_forbidden_tie_message_names_the_kinds(client, session_id, nodes):
    body = {"source": nodes["h"], "target": nodes["p"], "kind": "lives_in"}
    url = f"/api/v1/sessions/{session_id}/ties"
    ja = client.post(url, json=body, headers=FAC).get_json()["error"]["message"]
    assert "同居" in ja and "世帯" in ja
    en = client.post(url, json=body, headers={**FAC, **EN}).get_json()["error"]["message"]
    assert "lives_in tie cannot run from household to person" in en


def test_tie_credentials(client, store, session_id, nodes, other_token):
    set_meta(store, session_id, stage="ties")
    url = f"/api/v1/sessions/{session_id}/ties"
    body = {"source": nodes["p"], "target": nodes["h"], "kind": "snow"}
    before = seq(store, session_id)
    assert_error(client.post(url, json=body), 401)
    assert_error(client.post(url, json=body, headers=bearer("forged")), 401)
    assert_error(client.post(url, json=body, headers=bearer(other_token)), 403)
    assert seq(store, session_id) == before


# -- approval, graph, flags, events -----------------------------------------------------------


def _note(client, session_id, token, text="佐藤さん宅", kind="household"):
    response = client.post(
        f"/api/v1/sessions/{session_id}/notes",
        json={"kind": kind, "text": text},
        headers=bearer(token),
    )
    assert response.status_code == 201
    return response.get_json()["id"]


def test_facilitator_approves_a_note_with_a_corrected_label(client, store, session_id, token, app):
    note_id = _note(client, session_id, token, "さとうさんたく")
    version = app.extensions["tsunagari_broker"].version(session_id)
    response = client.post(
        f"/api/v1/sessions/{session_id}/notes/{note_id}/approve",
        json={"label": "佐藤さん宅", "lives_alone": True},
        headers=FAC,
    )
    assert response.status_code == 200
    node = response.get_json()["node"]
    assert node["kind"] == "household" and node["label"] == "佐藤さん宅"
    assert node["status"] == "approved" and node["lives_alone"] is True
    with store.open(session_id) as s:
        assert s.note(note_id)["node_id"] == node["id"]
    assert app.extensions["tsunagari_broker"].version(session_id) == version + 1
    graph = client.get(f"/api/v1/sessions/{session_id}/graph", headers=FAC).get_json()
    assert [n["id"] for n in graph["nodes"]] == [node["id"]]


def test_approve_without_a_body_keeps_the_text(client, session_id, token):
    note_id = _note(client, session_id, token, "くりの木サロン", "group")
    response = client.post(f"/api/v1/sessions/{session_id}/notes/{note_id}/approve", headers=FAC)
    assert response.status_code == 200
    assert response.get_json()["node"]["label"] == "くりの木サロン"


@pytest.mark.parametrize(
    ("body", "status"),
    [({"label": ""}, 422), ({"label": 3}, 422), ({"colour": "red"}, 422), ("[", 400)],
)
def test_bad_approvals_store_nothing(client, store, session_id, token, body, status):
    note_id = _note(client, session_id, token)
    before = seq(store, session_id)
    url = f"/api/v1/sessions/{session_id}/notes/{note_id}/approve"
    if isinstance(body, dict):
        response = client.post(url, json=body, headers=FAC)
    else:
        response = client.post(url, data=body, headers=FAC, content_type="application/json")
    assert_error(response, status)
    assert seq(store, session_id) == before


def test_approving_twice_or_an_unknown_note(client, store, session_id, token):
    note_id = _note(client, session_id, token)
    url = f"/api/v1/sessions/{session_id}/notes/{note_id}/approve"
    assert client.post(url, headers=FAC).status_code == 200
    before = seq(store, session_id)
    assert_error(client.post(url, headers=FAC), 422, "invalid")
    assert_error(
        client.post(f"/api/v1/sessions/{session_id}/notes/note999/approve", headers={**FAC, **EN}),
        404,
        "not_found",
        "en",
    )
    assert seq(store, session_id) == before


def test_graph_holds_only_approved_elements(client, store, session_id, nodes, token):
    with store.open(session_id) as s:
        s.set_meta("test", stage="ties")
        pending_node = s.add_node("person", "未承認", actor="test", status="pending")
        s.add_tie(nodes["p"], nodes["h"], "snow", actor="test")
        s.add_tie(nodes["p"], nodes["g"], "member", actor="test", status="pending")
        s.add_tie(pending_node, nodes["h"], "watch", actor="test")
    _note(client, session_id, token)
    response = client.get(f"/api/v1/sessions/{session_id}/graph", headers=FAC)
    assert response.status_code == 200
    data = response.get_json()
    assert {n["id"] for n in data["nodes"]} == set(nodes.values())
    assert [(e["source"], e["target"], e["kind"]) for e in data["edges"]] == [
        (nodes["p"], nodes["h"], "snow")
    ]


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_flags_are_what_the_cli_prints(app, client, store, tmp_path, monkeypatch, lang):
    session_id = demo_session(store)
    monkeypatch.setenv("TSUNAGARI_LANG", lang)
    cli = CliRunner().invoke(main, ["--data", str(tmp_path), "flags", session_id, "--json"])
    assert cli.exit_code == 0, cli.output
    response = client.get(
        f"/api/v1/sessions/{session_id}/flags", headers={**FAC, **(EN if lang == "en" else {})}
    )
    assert response.status_code == 200
    assert response.get_json() == json.loads(cli.output)
    assert {"isolated_household", "overloaded_person"} <= {f["flag"] for f in response.get_json()}


def test_events_after_a_sequence_number(client, store, session_id, token):
    _note(client, session_id, token)
    last = seq(store, session_id)
    everything = client.get(f"/api/v1/sessions/{session_id}/events", headers=FAC).get_json()
    assert [e["seq"] for e in everything] == list(range(1, last + 1))
    assert [e["type"] for e in everything][-2:] == ["join", "add_note"]
    tail = client.get(f"/api/v1/sessions/{session_id}/events?after={last - 1}", headers=FAC)
    assert [e["seq"] for e in tail.get_json()] == [last]
    assert (
        client.get(f"/api/v1/sessions/{session_id}/events?after={last}", headers=FAC).get_json()
        == []
    )


@pytest.mark.parametrize("after", ["x", "-1", "1.5", "", "٣"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_bad_after_is_400(client, session_id, after, lang):
    response = client.get(
        f"/api/v1/sessions/{session_id}/events",
        query_string={"after": after},
        headers={**FAC, **(EN if lang == "en" else {})},
    )
    assert_error(response, 400, "bad_after", lang)


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "graph"),
        ("get", "flags"),
        ("get", "events"),
        ("post", "notes/NOTE/approve"),
    ],
)
def test_participants_cannot_moderate_or_read_the_map(
    client, store, session_id, token, other_token, method, path
):
    note_id = _note(client, session_id, token)
    url = f"/api/v1/sessions/{session_id}/{path.replace('NOTE', note_id)}"
    before = seq(store, session_id)
    call = getattr(client, method)
    assert_error(call(url, headers=bearer(token)), 403, "forbidden")
    assert_error(call(url, headers={**bearer(token), **EN}), 403, "forbidden", "en")
    assert_error(call(url, headers=bearer(other_token)), 403)
    assert_error(call(url, headers=bearer("forged")), 401)
    assert_error(call(url), 401, "unauthorized")
    client.set_cookie(auth.participant_cookie(session_id), token)
    assert_error(call(url), 403)
    assert seq(store, session_id) == before
    with store.open(session_id) as s:
        assert s.note(note_id)["status"] == "pending"
