"""The facilitator's login cookie is checked once and its age at every request
(auth._PageRefreshedSessions): a screen's refreshes and the pictures its stream brings
along send the same signed cookie, so its signature is not checked again each time — but
an expired, altered or foreign cookie never lets anyone in."""

import time

from facilitator import create_app
from tests.web.conftest import KEY


def _logged_in(app):
    browser = app.test_client()
    assert browser.get(f"/login?key={KEY}").status_code == 302
    return browser


def _dashboard(browser, session_id):
    return browser.get(f"/sessions/{session_id}").status_code


def _cookie(browser):
    return {c.key: c.value for c in browser._cookies.values()}["tsunagari"]


def test_a_login_holds_across_requests_and_ends_at_its_lifetime(app, session_id, monkeypatch):
    browser = _logged_in(app)
    for _ in range(3):
        assert _dashboard(browser, session_id) == 200
    lifetime = app.permanent_session_lifetime.total_seconds()
    now = time.time()
    monkeypatch.setattr(time, "time", lambda: now + lifetime + 5)
    # The cookie was read (and kept) while fresh; once older than its lifetime it is refused.
    assert _dashboard(browser, session_id) == 401


def test_an_altered_cookie_is_refused_even_after_the_real_one_was_read(app, session_id):
    browser = _logged_in(app)
    assert _dashboard(browser, session_id) == 200
    real = _cookie(browser)
    for altered in (real[:-2] + ("AA" if real[-2:] != "AA" else "BB"), real + "x", real[1:]):
        other = app.test_client()
        other.set_cookie("tsunagari", altered)
        assert _dashboard(other, session_id) == 401


def test_a_cookie_of_another_server_is_refused(tmp_path, app, session_id):
    other_app = create_app(
        {
            "DATA": tmp_path / "other",
            "FACILITATOR_KEY": KEY,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
        }
    )
    theirs = _logged_in(other_app)
    theirs.get("/j")  # read (and kept) by the other server
    stranger = app.test_client()
    stranger.set_cookie("tsunagari", _cookie(theirs))
    assert _dashboard(stranger, session_id) == 401  # signed with the other server's secret


def test_a_logout_ends_the_login_though_the_cookie_was_read_before(app, session_id):
    browser = _logged_in(app)
    kept = _cookie(browser)
    assert _dashboard(browser, session_id) == 200
    assert browser.post("/logout").status_code in (200, 302, 303)
    replay = app.test_client()
    replay.set_cookie("tsunagari", kept)  # the cookie from before the logout, sent again
    assert _dashboard(replay, session_id) == 401
