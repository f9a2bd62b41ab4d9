"""Cheap refusals (issue 13 rows 11 and 12): an unknown token opens at most one session file,
and out-of-range numbers in queries are 400, never 500."""

from __future__ import annotations

import pytest

from facilitator.storage import session as session_module

BIG = "9" * 30


@pytest.fixture
def archive(store, session_id):
    """Twelve more sessions in the folder."""
    for i in range(12):
        store.create(f"会{i}").close()
    return session_id


@pytest.fixture
def opened(monkeypatch):
    """Counts the session files opened."""
    count = [0]
    original = session_module.Session.__init__

    def counting(self, path):
        count[0] += 1
        original(self, path)

    monkeypatch.setattr(session_module.Session, "__init__", counting)
    return count


def test_an_unknown_token_opens_at_most_one_session(client, archive, opened):
    url = f"/api/v1/sessions/{archive}/notes"
    for token in ("forged-token-forged-token", f"{archive}.forged", "zzzzzzzz.forged"):
        opened[0] = 0
        r = client.post(
            url, json={"kind": "place", "text": "x"}, headers={"Authorization": f"Bearer {token}"}
        )
        assert r.status_code == 401
        assert opened[0] <= 2, (token, opened[0])  # its own session, and at most the named one


def test_a_token_names_its_session_and_a_mix_up_is_still_told_apart(client, store, archive, code):
    token = client.post("/api/v1/join", json={"code": code}).get_json()["token"]
    assert token.startswith(f"{archive}.")
    other = store.create("別の会")
    other.close()
    r = client.post(
        f"/api/v1/sessions/{other.id}/notes",
        json={"kind": "place", "text": "x"},
        headers={"Authorization": f"Bearer {token}"},
    )
    assert r.status_code == 403


@pytest.mark.parametrize(
    "url",
    [
        "/archive/{sid}/history?seq=" + BIG,
        "/archive/{sid}/tree.json?seq=" + BIG,
        "/archive/{sid}/history?seq=-1",
        "/archive/compare?a={sid}@" + BIG + "&b={sid}",
        "/api/v1/sessions/{sid}/events?after=" + BIG,
        "/sessions/{sid}/stream?after=" + BIG,
    ],
)
def test_out_of_range_numbers_are_400(fac, session_id, url):
    r = fac.get(url.format(sid=session_id), buffered=False)  # a stream would never end
    try:
        assert r.status_code == 400
    finally:
        r.close()
