"""Keys and cookies (issue 13 row 3 and 5): kept keys never empty, wrong keys throttled,
the facilitator cookie salted and revocable."""

import hashlib
import itertools

import pytest

from facilitator import create_app

KEY = "test-key"  # tests/web/conftest.py
_addresses = itertools.count(1)


def _address():
    n = next(_addresses)
    return f"10.88.{n // 250}.{n % 250 + 1}"


@pytest.mark.parametrize("content", ["", "\n", "1234\n"])
def test_an_empty_or_short_kept_key_is_regenerated_never_accepted(tmp_path, content):
    (tmp_path / ".facilitator_key").write_text(content)
    app = create_app({"DATA": tmp_path, "TESTING": True})
    key = app.config["FACILITATOR_KEY"]
    assert len(key) >= 16
    assert (tmp_path / ".facilitator_key").read_text().strip() == key
    client = app.test_client()
    assert client.get("/login?key=").status_code == 403
    assert client.get(f"/login?key={content.strip()}").status_code == 403
    assert client.get(f"/login?key={key}").status_code == 302


def test_kept_keys_are_private_files(tmp_path):
    create_app({"DATA": tmp_path, "TESTING": True})
    for name in (".facilitator_key", ".secret_key"):
        assert (tmp_path / name).stat().st_mode & 0o777 == 0o600


def test_wrong_keys_from_one_address_get_429_with_retry_after(app):
    client = app.test_client()
    here, other = _address(), _address()
    for _ in range(app.config["KEY_LIMIT_PER_MINUTE"]):
        r = client.get("/login?key=guess", environ_base={"REMOTE_ADDR": here})
        assert r.status_code == 403
    r = client.get("/login?key=guess", environ_base={"REMOTE_ADDR": here})
    assert r.status_code == 429
    assert 1 <= int(r.headers["Retry-After"]) <= 60
    assert "しばらく" in r.get_data(as_text=True) or "1分" in r.get_data(as_text=True)
    # Even the right key waits now, so guessing stops.
    r = client.get(f"/login?key={KEY}", environ_base={"REMOTE_ADDR": here})
    assert r.status_code == 429
    r = client.get(
        "/api/v1/sessions",
        headers={"Authorization": f"Bearer {KEY}"},
        environ_base={"REMOTE_ADDR": here},
    )
    assert r.status_code == 429 and r.is_json and r.headers["Retry-After"]
    # Another address is not affected.
    r = client.get(f"/login?key={KEY}", environ_base={"REMOTE_ADDR": other})
    assert r.status_code == 302


def test_wrong_bearer_keys_are_throttled_too(app):
    client = app.test_client()
    here = {"REMOTE_ADDR": _address()}
    wrong = {"Authorization": "Bearer guess-guess-guess"}
    statuses = [
        client.get("/api/v1/sessions", headers=wrong, environ_base=here).status_code
        for _ in range(app.config["KEY_LIMIT_PER_MINUTE"] + 1)
    ]
    assert statuses[:-1] == [401] * app.config["KEY_LIMIT_PER_MINUTE"]
    assert statuses[-1] == 429


def _cookie(client):
    return client.get_cookie("tsunagari").value


def test_the_cookie_carries_a_salted_mark_not_a_hash_of_the_key(app):
    first, second = app.test_client(), app.test_client()
    assert first.get(f"/login?key={KEY}").status_code == 302
    assert second.get(f"/login?key={KEY}").status_code == 302
    from flask.sessions import SecureCookieSessionInterface

    serializer = SecureCookieSessionInterface().get_signing_serializer(app)
    marks = [serializer.loads(_cookie(c))["facilitator"] for c in (first, second)]
    assert marks[0] != marks[1]
    assert hashlib.sha256(KEY.encode()).hexdigest()[:24] not in marks


def test_logout_ends_the_cookie_even_a_kept_copy(app, tmp_path):
    client = app.test_client()
    client.get(f"/login?key={KEY}")
    copy = _cookie(client)
    assert client.get("/sessions").status_code == 200
    client.post("/logout")
    thief = app.test_client()
    thief.set_cookie("tsunagari", copy)
    assert thief.get("/sessions").status_code == 401
    # Also after a restart on the same folder.
    again = create_app(
        {"DATA": tmp_path, "FACILITATOR_KEY": KEY, "TESTING": True, "WTF_CSRF_ENABLED": False}
    ).test_client()
    again.set_cookie("tsunagari", copy)
    assert again.get("/sessions").status_code == 401


def test_a_new_key_ends_the_old_cookies(tmp_path):
    config = {"DATA": tmp_path, "TESTING": True, "WTF_CSRF_ENABLED": False}
    old = create_app({**config, "FACILITATOR_KEY": "old-key-0123456789"}).test_client()
    old.get("/login?key=old-key-0123456789")
    assert old.get("/sessions").status_code == 200
    new = create_app({**config, "FACILITATOR_KEY": "new-key-0123456789"}).test_client()
    new.set_cookie("tsunagari", _cookie(old))
    assert new.get("/sessions").status_code == 401
