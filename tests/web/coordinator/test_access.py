"""Every coordinator page and action needs the facilitator; unknown sessions are 404."""

import pytest

GETS = [
    "/archive",
    "/archive/{sid}",
    "/archive/{sid}/tree.json",
    "/archive/{sid}/history",
    "/archive/compare?a={sid}&b={sid}",
    "/archive/compare/tree.json?a={sid}&b={sid}",
    "/archive/merge",
    "/archive/{sid}/report",
    "/archive/{sid}/export",
    "/archive/import",
    "/archive/{sid}/delete",
]
POSTS = [
    "/archive/merge",
    "/archive/{sid}/export",
    "/archive/import",
    "/archive/{sid}/delete",
]


@pytest.mark.parametrize("path", GETS)
def test_every_page_needs_the_facilitator(client, session_id, path):
    assert client.get(path.format(sid=session_id)).status_code == 401


@pytest.mark.parametrize("path", POSTS)
def test_every_action_needs_the_facilitator(client, app, session_id, path):
    before = sorted(p.name for p in app.config["DATA"].iterdir())
    assert client.post(path.format(sid=session_id), data={"format": "json"}).status_code == 401
    assert sorted(p.name for p in app.config["DATA"].iterdir()) == before


def test_unknown_session_is_404(fac):
    assert fac.get("/archive/zzzzzzzz").status_code == 404
    assert fac.get("/archive/compare?a=zzzzzzzz&b=nothere").status_code == 404
