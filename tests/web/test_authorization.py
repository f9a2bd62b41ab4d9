"""Who may do what, walked exhaustively over ``app.url_map`` (issue 6).

Every facilitator and coordinator page and every API route except joining refuses an
anonymous browser and a phone (cookie or bearer token); a phone of one session gets nothing
of another; a phone cannot approve, edit another phone's note, read flags, export, or find a
name the projector would hide. Join codes, the join rate limit and the facilitator key too.
"""

from __future__ import annotations

import pytest
from werkzeug.routing import AnyConverter

from facilitator.storage import CODE_ALPHABET, CODE_LENGTH, Store

KEY = "test-key"  # tests/web/conftest.py

#: Routes anyone may open: the join pages, the phone pages (they check the phone's own
#: token and are walked separately below), joining by API, the facilitator login and logout.
PUBLIC_ENDPOINTS = {"static", "auth.login", "auth.logout", "api.join"}
PHONE_PREFIX = "participant."
#: API calls a phone of the session itself may make (with its token or cookie).
PHONE_API = {"api.add_note", "api.add_tie"}
# 429: too many wrong keys from one address in a minute (issue 13) — a refusal as well.
REFUSED = (401, 403, 429)
METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")


class World:
    """Two sessions, A and B, with real notes, nodes and ties, and the phones that joined."""

    def __init__(self, app, store: Store, session_id: str):
        self.app, self.store, self.a = app, store, session_id
        with store.create("別の会", area="北町") as b:
            self.b = b.id
        with store.open(self.a) as s:
            self.code_a = s.meta()["code"]
            s.set_meta("test", stage="ties")
            self.named = s.add_node("person", "佐藤 花子", "facilitator", consent="named")
            self.hidden = s.add_node("person", "秘密 太郎", "facilitator", consent="anonymous")
            self.initials = s.add_node("person", "鈴木 次郎", "facilitator")
            self.household = s.add_node("household", "佐藤さん宅", "facilitator")
            self.tie = s.add_tie(self.named, self.household, "watch", "facilitator")
        with store.open(self.b) as s:
            self.code_b = s.meta()["code"]
        # Phones: two of A by cookie (the web join), one of A and one of B by bearer token.
        self.phone1 = self._cookie_phone(self.code_a)
        self.phone2 = self._cookie_phone(self.code_a)
        self.phone_b = self._cookie_phone(self.code_b)
        self.token_a = self._token(self.code_a)
        self.token_b = self._token(self.code_b)
        self.note1 = self._note(self.phone1, "田中さんの畑の野菜")
        self.note2 = self._note(self.phone2, "将棋が得意な人")

    def _cookie_phone(self, code: str):
        client = self.app.test_client()
        response = client.post("/j", data={"code": code, "nickname": "ゆき"})
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    def _token(self, code: str) -> str:
        response = self.app.test_client().post("/api/v1/join", json={"code": code})
        assert response.status_code == 201
        return response.get_json()["token"]

    def _note(self, phone, text: str) -> str:
        response = phone.post(f"/s/{self.a}/notes", data={"kind": "person", "text": text})
        assert response.status_code == 303
        with self.store.open(self.a) as s:
            (note,) = [n for n in s.notes() if n["text"] == text]
        return note["id"]

    def values(self, rule) -> dict[str, str]:
        """Real ids for every parameter of ``rule`` (session A, phone 2's note, a tie)."""
        values = {}
        for name in rule.arguments:
            converter = rule._converters.get(name)
            if isinstance(converter, AnyConverter):
                values[name] = sorted(converter.items)[0]
            elif name == "session_id":
                values[name] = self.a
            elif name == "note_id":
                values[name] = self.note2
            elif name == "tie_id":
                values[name] = self.tie
            elif name in ("node_id", "person"):
                values[name] = self.named
            elif name == "code":
                values[name] = self.code_a
            else:
                values[name] = "x"
        return values

    def url(self, rule) -> str:
        return self.app.url_map.bind("localhost").build(
            rule.endpoint, self.values(rule), method=next(iter(rule.methods & {*METHODS}))
        )


@pytest.fixture
def world(app, store, session_id) -> World:
    return World(app, store, session_id)


def _guarded_rules(app):
    """Every facilitator, coordinator, tree and API route (not the public and phone ones)."""
    rules = [
        rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint not in PUBLIC_ENDPOINTS and not rule.endpoint.startswith(PHONE_PREFIX)
    ]
    endpoints = {rule.endpoint for rule in rules}
    # The walk really covers the screens this test is about.
    assert {"facilitation.dashboard", "facilitation.approve", "facilitation.stream"} <= endpoints
    assert {
        "api.add_note",
        "api.approve_note",
        "api.flags",
        "api.graph",
        "api.events",
    } <= endpoints
    assert {"tree.tree_json", "facilitation.projector"} <= endpoints
    return rules


def _call(client, method: str, url: str, **kwargs):
    response = client.open(url, method=method, **kwargs)
    body = response.get_data(as_text=True)
    response.close()
    return response.status_code, body


def _walk(world: World, client, phone: bool = False, **kwargs) -> list[str]:
    """Call every guarded route with every method; list those not refused."""
    wrong = []
    for rule in _guarded_rules(world.app):
        if phone and rule.endpoint in PHONE_API:
            continue
        url = world.url(rule)
        for method in METHODS:
            for hx in ({}, {"HX-Request": "true"}):
                headers = {**kwargs.get("headers", {}), **hx}
                status, body = _call(client, method, url, headers=headers)
                # A method the rule lacks: 405, or the rule of the same path that has it.
                expected = REFUSED if method in rule.methods else (*REFUSED, 405)
                if status not in expected:
                    wrong.append(f"{method} {url} {hx} → {status}")
                # A refusal never carries the session's content.
                assert "佐藤 花子" not in body and "田中さんの畑" not in body, url
    return wrong


def test_anonymous_is_refused_everywhere(world):
    assert _walk(world, world.app.test_client()) == []


def test_a_phone_with_its_cookie_is_refused_everywhere(world):
    assert _walk(world, world.phone1, phone=True) == []


def test_a_phone_with_its_bearer_token_is_refused_everywhere(world):
    client = world.app.test_client()
    bearer = {"Authorization": f"Bearer {world.token_a}"}
    assert _walk(world, client, phone=True, headers=bearer) == []


def test_a_wrong_bearer_key_is_refused_everywhere(world):
    client = world.app.test_client()
    assert _walk(world, client, headers={"Authorization": "Bearer not-the-key"}) == []


def test_the_facilitator_is_let_in_so_the_walk_uses_real_ids(world, app):
    fac = app.test_client()
    assert fac.get(f"/login?key={KEY}").status_code == 302
    for rule in _guarded_rules(app):
        if "GET" not in rule.methods or rule.endpoint == "facilitation.stream":
            continue
        status, _ = _call(fac, "GET", world.url(rule))
        assert status not in (401, 403), (rule.rule, status)
        if "session_id" in rule.arguments:
            assert status != 404, (rule.rule, status)


# -- phones of one session on another ---------------------------------------------------------


def _phone_rules(app):
    return [r for r in app.url_map.iter_rules() if r.endpoint.startswith(PHONE_PREFIX)]


def _session_rules(app):
    return [r for r in _phone_rules(app) if "session_id" in r.arguments]


def test_a_phone_of_b_gets_nothing_of_a(world):
    """Phone pages send a stranger back to the join page (htmx: 401), never A's content."""
    for rule in _session_rules(world.app):
        url = world.url(rule)
        for method in rule.methods & {*METHODS}:
            status, body = _call(world.phone_b, method, url, data={"kind": "idea", "text": "x"})
            assert status == 303, (method, url, status)
            assert "佐藤" not in body and "田中" not in body
            status, _ = _call(
                world.phone_b, method, url, headers={"HX-Request": "true"}, data={"text": "x"}
            )
            assert status == 401, (method, url, status)
    # Also with B's bearer token.
    client = world.app.test_client()
    bearer = {"Authorization": f"Bearer {world.token_b}", "HX-Request": "true"}
    for rule in _session_rules(world.app):
        for method in rule.methods & {*METHODS}:
            status, _ = _call(client, method, world.url(rule), headers=bearer)
            assert status == 401, (rule.rule, status)
    with world.store.open(world.a) as s:
        assert len(s.notes()) == 2  # nothing was written into A


def test_anonymous_phone_pages_send_to_join(world):
    client = world.app.test_client()
    for rule in _session_rules(world.app):
        for method in rule.methods & {*METHODS}:
            response = client.open(world.url(rule), method=method)
            assert response.status_code == 303 and response.location.endswith("/j")


def test_the_api_of_a_refuses_a_token_of_b(world):
    client = world.app.test_client()
    bearer = {"Authorization": f"Bearer {world.token_b}"}
    a = world.a
    for method, path, body in (
        ("POST", f"/api/v1/sessions/{a}/notes", {"kind": "idea", "text": "x"}),
        ("POST", f"/api/v1/sessions/{a}/ties", {"source": "x", "target": "y", "kind": "watch"}),
        ("POST", f"/api/v1/sessions/{a}/notes/{world.note1}/approve", {}),
        ("GET", f"/api/v1/sessions/{a}/graph", None),
        ("GET", f"/api/v1/sessions/{a}/flags", None),
        ("GET", f"/api/v1/sessions/{a}/events", None),
    ):
        response = client.open(path, method=method, json=body, headers=bearer)
        assert response.status_code in (403, 404), (path, response.status_code)
        assert response.get_json()["error"]["message"]


def test_a_session_that_does_not_exist_is_404_for_the_facilitator_and_401_for_others(world):
    assert world.app.test_client().get("/api/v1/sessions/zzzzzzzz/graph").status_code == 404
    assert world.app.test_client().get("/sessions/zzzzzzzz").status_code == 401


# -- what a phone of the session itself may not do --------------------------------------------


def test_a_phone_cannot_approve(world):
    bearer = {"Authorization": f"Bearer {world.token_a}"}
    client = world.app.test_client()
    url = f"/api/v1/sessions/{world.a}/notes/{world.note1}/approve"
    assert client.post(url, json={}, headers=bearer).status_code == 403
    assert world.phone1.post(url, json={}).status_code == 403
    assert world.phone1.post(f"/sessions/{world.a}/notes/{world.note1}/approve").status_code == 401
    with world.store.open(world.a) as s:
        assert s.note(world.note1)["status"] == "pending"


def test_a_phone_cannot_edit_or_take_back_another_phones_note(world):
    url = f"/s/{world.a}/notes/{world.note2}"
    for hx in ({}, {"HX-Request": "true"}):
        edited = world.phone1.post(url, data={"text": "書き換え"}, headers=hx)
        assert edited.status_code == 404
        deleted = world.phone1.post(url + "/delete", headers=hx)
        assert deleted.status_code == 404
    with world.store.open(world.a) as s:
        assert s.note(world.note2)["text"] == "将棋が得意な人"
    # Its own note it may change.
    own = world.phone1.post(f"/s/{world.a}/notes/{world.note1}", data={"text": "畑の野菜"})
    assert own.status_code == 303


def test_a_phone_cannot_read_flags_export_or_the_private_tree(world):
    bearer = {"Authorization": f"Bearer {world.token_a}"}
    client = world.app.test_client()
    a = world.a
    for path in (
        f"/api/v1/sessions/{a}/flags",
        f"/api/v1/sessions/{a}/graph",
        f"/api/v1/sessions/{a}/events",
    ):
        assert client.get(path, headers=bearer).status_code == 403
        assert world.phone1.get(path).status_code == 403
    for path in (f"/sessions/{a}/flags", f"/sessions/{a}/tree.json", f"/sessions/{a}/tree"):
        assert world.phone1.get(path).status_code == 401
    for rule in world.app.url_map.iter_rules():
        if "export" in rule.endpoint:
            for method in rule.methods & {*METHODS}:
                response = world.phone1.open(world.url(rule), method=method)
                assert response.status_code in REFUSED, rule.rule


def test_a_phone_never_finds_a_name_the_projector_hides(world):
    url = f"/s/{world.a}/search"
    for hx in ({}, {"HX-Request": "true"}):
        hidden = world.phone1.get(url, query_string={"q": "秘密"}, headers=hx)
        assert hidden.status_code == 200
        body = hidden.get_data(as_text=True)
        assert "秘密" not in body.replace('value="秘密"', "") and world.hidden not in body
        found = world.phone1.get(url, query_string={"q": "さとう"}, headers=hx)
        assert "佐藤 花子" in found.get_data(as_text=True)
        initials = world.phone1.get(url, query_string={"q": "鈴木"}, headers=hx)
        assert "鈴木 次郎" not in initials.get_data(as_text=True).replace('value="鈴木"', "")
    # Nor can it tie to the hidden person by posting the id it never saw.
    response = world.phone1.post(
        f"/s/{world.a}/ties",
        data={"source": world.named, "target": world.hidden, "kind": "talk"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    with world.store.open(world.a) as s:
        assert len(list(s.graph().edges)) == 1


def test_my_notes_show_only_my_notes(world):
    for hx in ({}, {"HX-Request": "true"}):
        body = world.phone1.get(f"/s/{world.a}/mine", headers=hx).get_data(as_text=True)
        assert "田中さんの畑の野菜" in body and "将棋が得意な人" not in body


# -- join codes, the join limit and the facilitator key ---------------------------------------


def test_join_codes_are_long_and_unambiguous(store):
    assert CODE_LENGTH >= 6
    assert not set("0O1IL") & set(CODE_ALPHABET)
    assert set(CODE_ALPHABET) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
    for _ in range(20):
        with store.create("コード") as s:
            code = s.meta()["code"]
        assert len(code) == CODE_LENGTH and set(code) <= set(CODE_ALPHABET)


def _wrong(code: str) -> str:
    return "".join(CODE_ALPHABET[(CODE_ALPHABET.index(c) + 1) % len(CODE_ALPHABET)] for c in code)


@pytest.mark.parametrize("how", ["form", "link", "api"])
def test_the_eleventh_wrong_code_in_a_minute_is_429(app, code, how):
    client = app.test_client()

    def attempt(c: str):
        if how == "form":
            return client.post("/j", data={"code": c})
        if how == "link":
            return client.get(f"/j/{c}")
        return client.post("/api/v1/join", json={"code": c})

    wrong_status = {"form": 422, "link": 404, "api": 404}[how]
    for _ in range(10):
        assert attempt(_wrong(code)).status_code == wrong_status
    blocked = attempt(code)  # even the right code, once blocked
    assert blocked.status_code == 429
    assert blocked.get_data(as_text=True).strip()
    # Another address is not blocked.
    elsewhere = {"REMOTE_ADDR": "192.0.2.7"}
    ok = (
        client.post("/api/v1/join", json={"code": code}, environ_base=elsewhere)
        if how == "api"
        else client.post("/j", data={"code": code}, environ_base=elsewhere)
    )
    assert ok.status_code in (201, 303)


def test_the_join_limit_counts_form_link_and_api_together(app, code):
    client = app.test_client()
    for i in range(10):
        if i % 3 == 0:
            client.post("/j", data={"code": _wrong(code)})
        elif i % 3 == 1:
            client.get(f"/j/{_wrong(code)}")
        else:
            client.post("/api/v1/join", json={"code": _wrong(code)})
    assert client.post("/api/v1/join", json={"code": code}).status_code == 429
    assert client.post("/j", data={"code": code}).status_code == 429


@pytest.mark.parametrize("key", ["wrong", "", KEY + "x", KEY[:-1], KEY.upper()])
def test_a_wrong_facilitator_key_is_403_and_sets_no_cookie(app, key):
    client = app.test_client()
    response = client.get("/login", query_string={"key": key})
    assert response.status_code == 403
    assert client.get("/sessions").status_code == 401
    bearer = client.get("/api/v1/sessions", headers={"Authorization": f"Bearer {key}"})
    assert bearer.status_code == 401


# -- CSRF, cookies and security headers -------------------------------------------------------

CSRF_BLUEPRINTS = ("facilitation.", "participant.", "coordinator.", "tree.", "auth.")


def _token_of(page: str) -> str:
    import re

    found = re.search(r'"X-CSRFToken": "([^"]+)"', page.replace("&#34;", '"'))
    assert found, "the page carries no CSRF token"
    return found.group(1)


@pytest.fixture
def csrf_world(csrf_app, tmp_path):
    store = Store(tmp_path)
    with store.create("テスト", area="茶志内") as s:
        session_id = s.id
    fac = csrf_app.test_client()
    assert fac.get(f"/login?key={KEY}").status_code == 302
    fac_token = _token_of(fac.get("/sessions").get_data(as_text=True))
    phone = csrf_app.test_client()
    join_token = _token_of(phone.get("/j").get_data(as_text=True))
    with store.open(session_id) as s:
        code = s.meta()["code"]
    joined = phone.post("/j", data={"code": code, "csrf_token": join_token})
    assert joined.status_code == 303
    phone_token = _token_of(phone.get(f"/s/{session_id}").get_data(as_text=True))
    world = World.__new__(World)
    world.app, world.store, world.a = csrf_app, store, session_id
    world.note2 = world.tie = world.named = "x"
    world.code_a = code
    return world, fac, fac_token, phone, phone_token


def _post_rules(app):
    return [
        rule
        for rule in app.url_map.iter_rules()
        if "POST" in rule.methods and rule.endpoint.startswith(CSRF_BLUEPRINTS)
    ]


def test_every_unsafe_request_without_a_csrf_token_is_400(csrf_world):
    world, fac, _fac_token, phone, _phone_token = csrf_world
    rules = _post_rules(world.app)
    assert {"facilitation.approve", "participant.add_note", "auth.logout"} <= {
        r.endpoint for r in rules
    }
    with world.store.open(world.a) as s:
        before = s.last_seq()
    for rule in rules:
        client = phone if rule.endpoint.startswith("participant.") else fac
        for hx in ({}, {"HX-Request": "true"}):
            response = client.post(
                world.url(rule), data={"text": "x", "kind": "idea"}, headers={**hx}
            )
            assert response.status_code == 400, (rule.rule, response.status_code)
            assert response.get_data(as_text=True).strip()
    with world.store.open(world.a) as s:
        assert s.last_seq() == before  # nothing was written
    # A token from another browser's page does not do either.
    other = world.app.test_client()
    stolen = _token_of(other.get("/j").get_data(as_text=True))
    response = fac.post(
        f"/sessions/{world.a}/stage", data={"stage": "ties"}, headers={"X-CSRFToken": stolen}
    )
    assert response.status_code == 400


def test_the_token_of_a_rendered_page_lets_every_unsafe_request_through(csrf_world):
    world, fac, fac_token, phone, phone_token = csrf_world
    for rule in _post_rules(world.app):
        if rule.endpoint in ("auth.logout",) or rule.endpoint.endswith(("delete", "close")):
            continue  # would end the test's own login or session; checked below
        phone_rule = rule.endpoint.startswith("participant.")
        client, token = (phone, phone_token) if phone_rule else (fac, fac_token)
        response = client.post(
            world.url(rule),
            data={"text": "x", "kind": "idea"},
            headers={"X-CSRFToken": token, "HX-Request": "true", "Accept-Language": "en"},
        )
        # Past the CSRF check (a 400 for a missing field is the view's own answer).
        body = response.get_data(as_text=True)
        assert "This form has expired" not in body, rule.rule
        assert response.status_code != 400 or "expired" not in body, rule.rule
    # The hidden form field works as well as the header (a plain form post).
    response = fac.post(
        f"/sessions/{world.a}/stage", data={"stage": "ties", "csrf_token": fac_token}
    )
    assert response.status_code == 303
    assert fac.post("/logout", data={"csrf_token": fac_token}).status_code == 302


def test_the_api_takes_bearer_calls_without_csrf_but_not_cookie_calls(csrf_world):
    world, fac, fac_token, phone, phone_token = csrf_world
    url = f"/api/v1/sessions/{world.a}/notes"
    # A cross-site form can only send the cookie: refused.
    assert phone.post(url, json={"kind": "idea", "text": "x"}).status_code == 400
    assert fac.post("/api/v1/sessions", json={"title": "x"}).status_code == 400
    assert phone.post(url, data={"kind": "idea", "text": "x"}).status_code == 400
    # Our own page's fetch sends the token: accepted.
    ok = phone.post(url, json={"kind": "idea", "text": "x"}, headers={"X-CSRFToken": phone_token})
    assert ok.status_code == 201
    # A bearer token needs no CSRF token: another site cannot make a browser send it.
    token = world.app.test_client().post("/api/v1/join", json={"code": world.code_a})
    bearer = {"Authorization": f"Bearer {token.get_json()['token']}"}
    fresh = world.app.test_client()
    assert fresh.post(url, json={"kind": "idea", "text": "y"}, headers=bearer).status_code == 201
    assert (
        fresh.post(
            "/api/v1/sessions", json={"title": "x"}, headers={"Authorization": f"Bearer {KEY}"}
        ).status_code
        == 201
    )


def _cookie(response, name: str) -> str:
    found = [c for c in response.headers.getlist("Set-Cookie") if c.startswith(name + "=")]
    assert found, f"no {name} cookie in {response.headers.getlist('Set-Cookie')}"
    return found[0]


def test_cookies_are_httponly_and_samesite_lax(app, code, session_id):
    client = app.test_client()
    cookies = [
        _cookie(client.get(f"/login?key={KEY}"), "tsunagari"),
        _cookie(client.post("/j", data={"code": code}), f"tp_{session_id}"),
        _cookie(client.get("/j?lang=en"), "lang"),
    ]
    for cookie in cookies:
        attributes = {a.strip().lower() for a in cookie.split(";")}
        assert "httponly" in attributes, cookie
        assert "samesite=lax" in attributes, cookie


def _security_headers(response, what: str) -> None:
    csp = response.headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in csp.split(";") if d.strip()}
    assert directives.get("script-src") == ["'self'"], (what, csp)
    assert "'unsafe-inline'" not in directives.get("default-src", []), what
    assert directives.get("frame-ancestors") == ["'none'"], (what, csp)
    assert response.headers.get("X-Content-Type-Options") == "nosniff", what
    assert response.headers.get("Referrer-Policy"), what


def test_security_headers_on_every_response(world, app):
    fac = app.test_client()
    fac.get(f"/login?key={KEY}")
    checked = 0
    for rule in app.url_map.iter_rules():
        if "GET" not in rule.methods or rule.endpoint == "facilitation.stream":
            continue
        url = world.url(rule) if rule.endpoint != "static" else "/static/css/app.css"
        for client in (fac, world.phone1, app.test_client()):
            for hx in ({}, {"HX-Request": "true"}):
                response = client.get(url, headers=hx)
                _security_headers(response, f"{url} {response.status_code}")
                response.close()
                checked += 1
    for method, url in (("GET", "/nowhere"), ("PUT", "/j"), ("POST", "/api/v1/join")):
        _security_headers(app.test_client().open(url, method=method), url)
    big = app.test_client().post("/api/v1/join", data=b"x" * (3 * 1024 * 1024))
    assert big.status_code == 413
    _security_headers(big, "413")
    assert checked > 100
