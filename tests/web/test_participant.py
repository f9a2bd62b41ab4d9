"""Tests for the participant (phone) screens: joining, notes, ties, search and "my notes"."""

from __future__ import annotations

import re

import pytest

from facilitator.auth import participant_cookie
from facilitator.participant import diagnosis_words, public_name

HX = {"HX-Request": "true"}


def join(client, code, nickname=""):
    return client.post("/j", data={"code": code, "nickname": nickname})


@pytest.fixture
def phone(app, code):
    """A phone that has joined the session."""
    c = app.test_client()
    assert join(c, code, "はな").status_code == 303
    return c


def notes(store, session_id):
    with store.open(session_id) as s:
        return s.notes()


def participants(store, session_id):
    with store.open(session_id) as s:
        return s.db["participants"].count


def set_meta(store, session_id, **changes):
    with store.open(session_id) as s:
        s.set_meta("sc", **changes)


def post_note(client, session_id, hx=False, **data):
    return client.post(f"/s/{session_id}/notes", data=data, headers=HX if hx else {})


def me(store, session_id, client):
    """The participant id behind a test client's cookie."""
    token = client.get_cookie(participant_cookie(session_id)).value
    with store.open(session_id) as s:
        return s.participant(token)["id"]


# -- joining ----------------------------------------------------------------------------------


def test_join_page_is_japanese_by_default(client):
    r = client.get("/j")
    assert r.status_code == 200
    assert "参加する" in r.text and 'id="join-code"' in r.text
    assert 'name="csrf_token"' in r.text


@pytest.mark.parametrize(
    "how", [{"query_string": {"lang": "en"}}, {"headers": {"Accept-Language": "en"}}]
)
def test_join_page_in_english(client, how):
    r = client.get("/j", **how)
    assert "Join the workshop" in r.text and "参加する" not in r.text


@pytest.mark.parametrize("typed", ["lower", "spaced", "fullwidth"])
def test_join_by_code(client, store, session_id, code, typed):
    text = {
        "lower": code.lower(),
        "spaced": f" {code[:3].lower()} {code[3:]} ",
        "fullwidth": "".join(chr(ord(ch) + 0xFEE0) for ch in code),
    }[typed]
    r = join(client, text, "はなこ")
    assert r.status_code == 303
    assert r.location.endswith(f"/s/{session_id}")
    header = r.headers["Set-Cookie"]
    assert participant_cookie(session_id) in header
    assert "HttpOnly" in header and "SameSite=Lax" in header and "Max-Age=" in header
    with store.open(session_id) as s:
        (row,) = s.db["participants"].rows
    assert row["nickname"] == "はなこ"
    page = client.get(f"/s/{session_id}")
    assert page.status_code == 200 and 'id="note-form"' in page.text
    assert "はなこ" in page.text


@pytest.mark.parametrize("hx", [False, True])
def test_bad_code_is_refused_kindly(client, store, session_id, hx):
    r = client.post("/j", data={"code": "ZZZZZZ"}, headers=HX if hx else {})
    assert r.status_code == 422
    assert "見つかりませんでした" in r.text
    assert participants(store, session_id) == 0
    assert client.get_cookie(participant_cookie(session_id)) is None


def test_bad_code_in_english(client, session_id):
    r = client.post("/j?lang=en", data={"code": "ZZZZZZ"})
    assert r.status_code == 422 and "This code was not found" in r.text


def test_too_many_wrong_codes_get_429(client, store, session_id, code):
    for _ in range(10):
        assert join(client, "WRONG1").status_code == 422
    r = join(client, code)
    assert r.status_code == 429
    assert "1分ほど待って" in r.text
    assert participants(store, session_id) == 0
    assert client.get(f"/j/{code}").status_code == 429


def test_other_addresses_are_not_blocked(app, client, session_id, code):
    for _ in range(10):
        join(client, "WRONG1")
    other = app.test_client()
    other.environ_base["REMOTE_ADDR"] = "192.0.2.7"
    assert join(other, code).status_code == 303


def test_long_nickname_is_refused(client, store, session_id, code):
    r = join(client, code, "あ" * 41)
    assert r.status_code == 422
    assert "40文字まで" in r.text
    assert participants(store, session_id) == 0


@pytest.mark.parametrize("hx", [False, True])
def test_qr_target_prefills_the_code(client, code, hx):
    r = client.get(f"/j/{code.lower()}", headers=HX if hx else {})
    assert r.status_code == 200
    assert f'value="{code}"' in r.text and 'id="join-form"' in r.text
    assert "テスト" in r.text


def test_qr_target_with_unknown_code(client, session_id):
    r = client.get("/j/ZZZZZZ")
    assert r.status_code == 404 and 'id="join-form"' in r.text


def test_qr_target_offers_a_way_back_to_a_joined_phone(phone, session_id, code):
    r = phone.get(f"/j/{code}")
    assert f'href="/s/{session_id}"' in r.text


@pytest.mark.parametrize("how", [{"stage": "closed"}, {"closed": True}])
def test_closed_session_cannot_be_joined(client, store, session_id, code, how):
    set_meta(store, session_id, **how)
    r = client.get(f"/j/{code}")
    assert r.status_code == 200
    assert "このセッションは終了しました" in r.text
    assert 'id="join-form"' not in r.text
    r = join(client, code)
    assert r.status_code == 403 and "ご参加ありがとうございました" in r.text
    assert participants(store, session_id) == 0


# -- the phone page ---------------------------------------------------------------------------


def test_phone_page_needs_the_cookie(client, session_id):
    r = client.get(f"/s/{session_id}")
    assert r.status_code == 303 and r.location.endswith("/j")
    follow = client.get("/j")
    assert "画面に出ているコードで参加してください" in follow.text


def test_phone_fragment_without_cookie_redirects_htmx(client, session_id):
    r = client.get(f"/s/{session_id}/mine", headers=HX)
    assert r.status_code == 401 and r.headers["HX-Redirect"] == "/j"


def test_unknown_session_redirects_to_join(client):
    assert client.get("/s/zzzzzzzz").status_code == 303
    assert client.get("/s/../etc").status_code in (303, 404)


def test_cookie_of_another_session_does_not_count(app, store, phone, session_id):
    with store.create("別の会") as other:
        other_id = other.id
    token = phone.get_cookie(participant_cookie(session_id)).value
    phone.set_cookie(participant_cookie(other_id), token)
    assert phone.get(f"/s/{other_id}").status_code == 303
    r = post_note(phone, other_id, kind="person", text="田中さん")
    assert r.status_code == 303
    assert notes(store, other_id) == []


def test_phone_page_in_english(phone, session_id):
    r = phone.get(f"/s/{session_id}?lang=en")
    assert "Add a sticky note" in r.text and "Send the note" in r.text
    r = phone.get(f"/s/{session_id}", headers={"Accept-Language": "ja"})
    # The ?lang switch is remembered in a cookie.
    assert "Add a sticky note" in r.text


def test_note_form_has_the_kind_buttons_and_examples(phone, session_id):
    r = phone.get(f"/s/{session_id}")
    for label in ("人", "世帯", "場所", "困りごと", "歴史・文化"):
        assert f"<strong>{label}</strong>" in r.text
    assert "「畑の野菜をくれる田中さん」" in r.text and "「移動販売車の停留所」" in r.text
    assert 'id="note-text"' in r.text and 'maxlength="200"' in r.text
    assert 'id="tie-form"' not in r.text
    assert 'src="/static/js/participant.js"' in r.text
    assert "/static/css/participant.css" in r.text


# -- notes ------------------------------------------------------------------------------------


def test_note_happy_path_htmx(phone, store, session_id):
    r = post_note(
        phone, session_id, hx=True, kind="person", text=" 田中さん 畑の野菜 ", age_band="75-84"
    )
    assert r.status_code == 200
    assert "送りました。進行役が確認します。" in r.text
    assert 'id="note-form"' in r.text
    assert 'id="mine"' in r.text and 'hx-swap-oob="true"' in r.text
    assert 'value=""' in r.text  # the text field is fresh
    (note,) = notes(store, session_id)
    assert note["status"] == "pending" and note["kind"] == "person"
    assert note["text"] == "田中さん 畑の野菜"
    assert note["attrs"] == {"age_band": "75-84"}
    assert note["participant"] == me(store, session_id, phone)


def test_note_happy_path_plain_form(phone, store, session_id):
    r = post_note(phone, session_id, kind="need", text="ゴミ出しが大変", category="errand")
    assert r.status_code == 303 and r.location.endswith(f"/s/{session_id}")
    (note,) = notes(store, session_id)
    assert note["attrs"] == {"category": "errand"}
    page = phone.get(f"/s/{session_id}")
    assert "送りました。進行役が確認します。" in page.text
    assert "ゴミ出しが大変" in page.text and "確認待ち" in page.text


def test_note_is_approved_at_once_with_auto_approve(phone, store, session_id):
    set_meta(store, session_id, auto_approve=True)
    assert post_note(phone, session_id, hx=True, kind="place", text="福祉会館").status_code == 200
    (note,) = notes(store, session_id)
    assert note["status"] == "approved"


def test_attributes_of_other_kinds_are_ignored(phone, store, session_id):
    r = post_note(
        phone,
        session_id,
        kind="household",
        text="鈴木さん宅",
        lives_alone="1",
        age_band="85+",
        category="snow",
        season="winter_only",
    )
    assert r.status_code == 303
    (note,) = notes(store, session_id)
    assert note["attrs"] == {"lives_alone": True}


@pytest.mark.parametrize("hx", [False, True])
@pytest.mark.parametrize(
    "data, message",
    [
        ({"kind": "person", "text": ""}, "ひとこと書いてください"),
        ({"kind": "person", "text": "   "}, "ひとこと書いてください"),
        ({"kind": "person", "text": "あ" * 201}, "200文字まで"),
        ({"kind": "spaceship", "text": "田中さん"}, "選んでください"),
        ({"text": "田中さん"}, "選んでください"),
        ({"kind": "person", "text": "田中さん", "age_band": "teen"}, "age_band"),
    ],
)
def test_bad_notes_are_refused(phone, store, session_id, hx, data, message):
    r = post_note(phone, session_id, hx=hx, **data)
    assert r.status_code == 422
    assert message in r.text
    assert 'id="note-form"' in r.text
    assert ("<html" in r.text) is not hx
    assert notes(store, session_id) == []
    if data.get("text", "").strip():
        assert f'value="{data["text"]}"' in r.text  # what was typed is kept


def test_html_is_shown_as_text(phone, store, session_id):
    payload = "<img src=x onerror=alert(1)>"
    post_note(phone, session_id, kind="person", text=payload)
    for hx in (False, True):
        r = phone.get(f"/s/{session_id}/mine", headers=HX if hx else {})
        assert r.status_code == 200
        assert payload not in r.text
        assert "&lt;img src=x onerror=alert(1)&gt;" in r.text


def test_diagnosis_warning_then_override(phone, store, session_id):
    data = {"kind": "need", "text": "母が認知症で困っている"}
    r = post_note(phone, session_id, hx=True, **data)
    assert r.status_code == 422
    assert "病名" in r.text and "認知症" in r.text
    assert 'name="send_anyway"' in r.text
    assert notes(store, session_id) == []
    r = post_note(phone, session_id, hx=True, send_anyway="1", **data)
    assert r.status_code == 200
    assert [n["text"] for n in notes(store, session_id)] == ["母が認知症で困っている"]


def test_places_may_name_a_hospital(phone, store, session_id):
    r = post_note(phone, session_id, hx=True, kind="institution", text="町立病院 がんセンター")
    assert r.status_code == 200
    assert len(notes(store, session_id)) == 1


@pytest.mark.parametrize("hx", [False, True])
def test_live_diagnosis_check(phone, session_id, hx):
    headers = HX if hx else {}
    r = phone.post(
        f"/s/{session_id}/check", data={"kind": "need", "text": "脳梗塞"}, headers=headers
    )
    assert r.status_code == 200 and "脳梗塞" in r.text and "病名" in r.text
    r = phone.post(
        f"/s/{session_id}/check", data={"kind": "need", "text": "通院の足がない"}, headers=headers
    )
    assert r.status_code == 200 and "病名" not in r.text


@pytest.mark.parametrize(
    "text, words",
    [
        ("認知症の母", ["認知症"]),
        ("糖尿病と癌", ["糖尿病", "癌"]),
        ("病院に行けない", []),
        ("ｳﾂ", []),
        ("うつ病", ["うつ", "病"]),
        ("足に障がいがある", ["障がい"]),
        ("", []),
    ],
)
def test_diagnosis_words(text, words):
    assert diagnosis_words(text) == words


def test_closed_session_takes_no_notes(phone, store, session_id):
    set_meta(store, session_id, stage="closed")
    page = phone.get(f"/s/{session_id}")
    assert page.status_code == 200
    assert "このセッションは終了しました。ご参加ありがとうございました。" in page.text
    assert 'id="note-form"' not in page.text and 'id="tie-form"' not in page.text
    for hx in (False, True):
        r = post_note(phone, session_id, hx=hx, kind="person", text="田中さん")
        assert r.status_code == 403 and "終了しました" in r.text
    assert notes(store, session_id) == []


# -- my notes ---------------------------------------------------------------------------------


@pytest.fixture
def two_notes(app, store, phone, session_id, code):
    """One note of this phone and one of another phone: their ids."""
    other = app.test_client()
    join(other, code)
    post_note(phone, session_id, kind="person", text="田中さん")
    post_note(other, session_id, kind="person", text="佐藤さん")
    mine, theirs = notes(store, session_id)
    return mine["id"], theirs["id"]


@pytest.mark.parametrize("hx", [False, True])
def test_my_notes_lists_only_mine(phone, session_id, two_notes, hx):
    r = phone.get(f"/s/{session_id}/mine", headers=HX if hx else {})
    assert r.status_code == 200
    assert "田中さん" in r.text and "佐藤さん" not in r.text
    assert "確認待ち" in r.text
    assert ("<html" in r.text) is not hx


def test_status_badges_follow_the_facilitator(phone, store, session_id, two_notes):
    with store.open(session_id) as s:
        s.approve_note(two_notes[0], "sc")
    r = phone.get(f"/s/{session_id}/mine", headers=HX)
    assert "採用" in r.text and "確認待ち" not in r.text
    assert "edit-text-" not in r.text  # a handled note can no longer be changed


@pytest.mark.parametrize("hx", [False, True])
def test_edit_own_pending_note(phone, store, session_id, two_notes, hx):
    mine, _ = two_notes
    r = phone.post(
        f"/s/{session_id}/notes/{mine}",
        data={"kind": "household", "text": "田中さん宅"},
        headers=HX if hx else {},
    )
    assert r.status_code == (200 if hx else 303)
    note = [n for n in notes(store, session_id) if n["id"] == mine][0]
    assert note["kind"] == "household" and note["text"] == "田中さん宅"


def test_edit_with_bad_text_keeps_the_note(phone, store, session_id, two_notes):
    mine, _ = two_notes
    r = phone.post(
        f"/s/{session_id}/notes/{mine}", data={"kind": "person", "text": ""}, headers=HX
    )
    assert r.status_code == 422 and "入力してください" in r.text
    assert notes(store, session_id)[0]["text"] == "田中さん"


@pytest.mark.parametrize("action", ["", "/delete"])
def test_another_phones_note_is_404(phone, store, session_id, two_notes, action):
    _, theirs = two_notes
    r = phone.post(
        f"/s/{session_id}/notes/{theirs}{action}", data={"text": "書き換え"}, headers=HX
    )
    assert r.status_code == 404
    assert [n["text"] for n in notes(store, session_id)] == ["田中さん", "佐藤さん"]


@pytest.mark.parametrize("hx", [False, True])
def test_delete_own_pending_note(phone, store, session_id, two_notes, hx):
    mine, theirs = two_notes
    r = phone.post(f"/s/{session_id}/notes/{mine}/delete", headers=HX if hx else {})
    assert r.status_code == (200 if hx else 303)
    assert [n["id"] for n in notes(store, session_id)] == [theirs]
    if hx:
        assert 'id="mine"' in r.text and "田中さん" not in r.text


def test_poll_brings_the_tie_form_when_the_stage_moves(phone, store, session_id):
    r = phone.get(f"/s/{session_id}/mine?stage=notes", headers=HX)
    assert 'id="tie-section"' not in r.text
    set_meta(store, session_id, stage="ties")
    r = phone.get(f"/s/{session_id}/mine?stage=notes", headers=HX)
    assert 'id="tie-section" hx-swap-oob="true"' in r.text and 'id="tie-form"' in r.text
    set_meta(store, session_id, stage="closed")
    r = phone.get(f"/s/{session_id}/mine?stage=ties", headers=HX)
    assert 'id="note-section" hx-swap-oob="true"' in r.text and "終了しました" in r.text


# -- ties and search --------------------------------------------------------------------------


@pytest.fixture
def mapped(store, session_id):
    """Approved nodes on the map (and a few a phone must not see): their ids."""
    with store.open(session_id) as s:
        return {
            "sato": s.add_node("person", "佐藤さん", "sc", consent="named"),
            "suzuki": s.add_node("household", "鈴木宅", "sc", lives_alone=True),
            "hall": s.add_node("place", "福祉会館", "sc"),
            "salon": s.add_node("group", "くりの木サロン", "sc"),
            "pending": s.add_node("person", "佐藤次郎", "sc", status="pending"),
            "hidden": s.add_node("person", "佐藤三郎", "sc", status="hidden"),
            "initials": s.add_node("person", "田中 花子", "sc", consent="initials"),
            "anon": s.add_node("person", "山田キヨ", "sc", consent="anonymous"),
        }


def test_tie_form_only_in_the_ties_stage(phone, store, session_id, mapped):
    assert 'id="tie-form"' not in phone.get(f"/s/{session_id}").text
    data = {"source": mapped["sato"], "target": mapped["suzuki"], "kind": "snow"}
    for hx in (False, True):
        r = phone.post(f"/s/{session_id}/ties", data=data, headers=HX if hx else {})
        assert r.status_code == 403
    with store.open(session_id) as s:
        assert s.graph().number_of_edges() == 0
    set_meta(store, session_id, stage="ties")
    page = phone.get(f"/s/{session_id}")
    assert 'id="tie-form"' in page.text and 'id="note-form"' in page.text
    assert "見守り・声かけ" in page.text and "別居の家族" in page.text


@pytest.mark.parametrize("hx", [False, True])
def test_tie_happy_path(phone, store, session_id, mapped, hx):
    set_meta(store, session_id, stage="ties")
    data = {
        "source": mapped["sato"],
        "target": mapped["suzuki"],
        "kind": "snow",
        "season": "winter_only",
    }
    r = phone.post(f"/s/{session_id}/ties", data=data, headers=HX if hx else {})
    assert r.status_code == (200 if hx else 303)
    if hx:
        assert "送りました" in r.text and 'id="tie-form"' in r.text
    with store.open(session_id) as s:
        ((u, v, attrs),) = s.graph().edges(data=True)
    assert (u, v) == (mapped["sato"], mapped["suzuki"])
    assert attrs["kind"] == "snow" and attrs["status"] == "pending"
    assert attrs["season"] == "winter_only"


def test_tie_is_approved_with_auto_approve(phone, store, session_id, mapped):
    set_meta(store, session_id, stage="ties", auto_approve=True)
    data = {"source": mapped["sato"], "target": mapped["salon"], "kind": "member"}
    assert phone.post(f"/s/{session_id}/ties", data=data, headers=HX).status_code == 200
    with store.open(session_id) as s:
        ((_, _, attrs),) = s.graph().edges(data=True)
    assert attrs["status"] == "approved"


@pytest.mark.parametrize("lang, words", [("ja", "結べません"), ("en", "cannot go from")])
def test_forbidden_tie_is_422(phone, store, session_id, mapped, lang, words):
    set_meta(store, session_id, stage="ties")
    data = {"source": mapped["hall"], "target": mapped["sato"], "kind": "snow"}
    r = phone.post(f"/s/{session_id}/ties?lang={lang}", data=data, headers=HX)
    assert r.status_code == 422 and words in r.text
    assert 'id="tie-form"' in r.text and "福祉会館" in r.text  # the choice is kept
    with store.open(session_id) as s:
        assert s.graph().number_of_edges() == 0


@pytest.mark.parametrize(
    "data",
    [
        {"source": "pending", "target": "suzuki", "kind": "watch"},
        {"source": "hidden", "target": "suzuki", "kind": "watch"},
        {"source": "anon", "target": "suzuki", "kind": "watch"},
        {"source": "nope", "target": "suzuki", "kind": "watch"},
        {"source": "", "target": "suzuki", "kind": "watch"},
        {"source": "sato", "target": "sato", "kind": "talk"},
        {"source": "sato", "target": "suzuki", "kind": "care"},
        {"source": "sato", "target": "suzuki", "kind": ""},
        {"source": "sato", "target": "suzuki", "kind": "watch", "season": "monsoon"},
    ],
)
def test_bad_ties_are_422(phone, store, session_id, mapped, data):
    set_meta(store, session_id, stage="ties")
    form = {k: mapped.get(v, v) if k in ("source", "target") else v for k, v in data.items()}
    for hx in (False, True):
        r = phone.post(f"/s/{session_id}/ties", data=form, headers=HX if hx else {})
        assert r.status_code == 422
    with store.open(session_id) as s:
        assert s.graph().number_of_edges() == 0


@pytest.mark.parametrize("query", ["さとう", "ｻﾄｳ", "サトウ", "佐藤"])
def test_search_finds_sato_however_typed(phone, session_id, mapped, query):
    r = phone.get(
        f"/s/{session_id}/search", query_string={"q": query, "field": "target"}, headers=HX
    )
    assert r.status_code == 200
    assert f'data-id="{mapped["sato"]}"' in r.text and 'data-field="target"' in r.text
    assert "佐藤次郎" not in r.text and "佐藤三郎" not in r.text  # pending and hidden
    assert mapped["pending"] not in r.text and mapped["hidden"] not in r.text


def test_search_is_projector_safe(phone, session_id, mapped):
    r = phone.get(f"/s/{session_id}/search", query_string={"q": "たなか"}, headers=HX)
    assert f'data-id="{mapped["initials"]}"' in r.text
    assert "田中" not in r.text and "T.H." in r.text
    r = phone.get(f"/s/{session_id}/search", query_string={"q": "山田"}, headers=HX)
    assert mapped["anon"] not in r.text and "山田" not in r.text.replace('value="山田"', "")


def test_search_without_htmx_and_empty_query(phone, session_id, mapped):
    r = phone.get(f"/s/{session_id}/search", query_string={"q": "さとう"})
    assert r.status_code == 200 and "<html" in r.text and "佐藤さん" in r.text
    r = phone.get(f"/s/{session_id}/search", query_string={"q": ""}, headers=HX)
    assert r.status_code == 200 and "data-id" not in r.text
    r = phone.get(f"/s/{session_id}/search", query_string={"q": "存在しない名前"}, headers=HX)
    assert "見つかりませんでした" in r.text


def test_search_shows_at_most_ten(phone, store, session_id):
    with store.open(session_id) as s:
        for i in range(12):
            s.add_node("person", f"佐藤{i}", "sc")
    r = phone.get(f"/s/{session_id}/search", query_string={"q": "さとう"}, headers=HX)
    assert r.text.count('class="pick"') == 10


def test_search_needs_the_cookie(client, session_id):
    assert client.get(f"/s/{session_id}/search?q=a").status_code == 303


def test_public_name():
    # no consent recorded: initials only
    assert public_name("佐藤 花子", {"kind": "person"}) == "S.H."
    assert public_name("佐藤 花子", {"kind": "person", "consent": "named"}) == "佐藤 花子"
    assert public_name("佐藤 花子", {"kind": "person", "consent": "initials"}) == "S.H."
    assert public_name("佐藤", {"kind": "person", "consent": "anonymous"}) is None
    assert public_name("福祉会館", {"kind": "place", "consent": "anonymous"}) == "福祉会館"


# -- CSRF -------------------------------------------------------------------------------------


def _token(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_posts_need_the_csrf_token(csrf_app, store, session_id, code):
    c = csrf_app.test_client()
    r = c.post("/j", data={"code": code})
    assert r.status_code == 400
    assert participants(store, session_id) == 0
    token = _token(c.get("/j").text)
    assert c.post("/j", data={"code": code, "csrf_token": token}).status_code == 303
    page = c.get(f"/s/{session_id}").text
    assert "X-CSRFToken" in page
    r = c.post(f"/s/{session_id}/notes", data={"kind": "place", "text": "福祉会館"}, headers=HX)
    assert r.status_code == 400
    assert notes(store, session_id) == []
    r = c.post(
        f"/s/{session_id}/notes",
        data={"kind": "place", "text": "福祉会館"},
        headers={**HX, "X-CSRFToken": _token(page)},
    )
    assert r.status_code == 200
    assert len(notes(store, session_id)) == 1
