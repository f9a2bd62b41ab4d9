"""Fixtures for the web tests: a fresh data folder and app per test."""

import pytest

from facilitator import create_app
from facilitator.storage import Store

KEY = "test-key"


def _make_app(tmp_path, **overrides):
    config = {"DATA": tmp_path, "FACILITATOR_KEY": KEY, "TESTING": True, "WTF_CSRF_ENABLED": False}
    config.update(overrides)
    return create_app(config)


@pytest.fixture
def app(tmp_path):
    return _make_app(tmp_path)


@pytest.fixture
def csrf_app(tmp_path):
    """The app as it really runs: CSRF checked on every unsafe request."""
    return _make_app(tmp_path, WTF_CSRF_ENABLED=True)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def fac(app):
    """A browser logged in as the facilitator."""
    c = app.test_client()
    assert c.get(f"/login?key={KEY}").status_code == 302
    return c


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path)


@pytest.fixture
def session_id(store):
    with store.create("テスト", area="茶志内") as s:
        return s.id


@pytest.fixture
def code(store, session_id):
    with store.open(session_id) as s:
        return s.meta()["code"]
