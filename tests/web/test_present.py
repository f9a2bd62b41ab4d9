"""The presenter remote (issue 9): the facilitator sets the projector's view; the stream says so."""

from __future__ import annotations

import pytest


def _present(fac, sid, body):
    return fac.post(f"/sessions/{sid}/present", json=body)


def test_the_default_view_follows_the_stage(fac, session_id):
    response = fac.get(f"/sessions/{session_id}/present")
    assert response.status_code == 200
    assert response.get_json() == {
        "view": None,
        "winter": False,
        "reveal": None,
        "focus": None,
        "fit": 0,
    }


def test_the_facilitator_switches_the_projector_and_a_reload_gets_it_back(fac, session_id):
    assert _present(fac, session_id, {"view": "wall", "winter": True}).status_code == 200
    answer = _present(fac, session_id, {"fit": True, "reveal": 2}).get_json()
    assert answer == {"view": "wall", "winter": True, "reveal": 2, "focus": None, "fit": 1}
    assert fac.get(f"/sessions/{session_id}/present").get_json() == answer


def test_a_restarted_server_shows_the_view_the_facilitator_set(app, fac, session_id):
    """The laptop's lid closed, the server started again: the projector shows what it showed
    (the view was on disk when the facilitator was answered)."""
    from facilitator import create_app

    set_view = {"view": "wall", "winter": True, "reveal": 3, "focus": "n1"}
    answer = _present(fac, session_id, set_view).get_json()
    again = create_app(dict(app.config))  # a new process: nothing held in memory
    restarted = again.test_client()
    assert restarted.get(f"/login?key={app.config['FACILITATOR_KEY']}").status_code == 302
    assert restarted.get(f"/sessions/{session_id}/present").get_json() == answer
    text = restarted.get(f"/sessions/{session_id}/stream?once=1").get_data(as_text=True)
    assert '"view": "wall"' in text.split("event: present\ndata: ", 1)[1].split("\n", 1)[0]
    # A refused change is not kept either.
    assert _present(restarted, session_id, {"view": "stage"}).status_code == 422
    assert create_app(dict(app.config)).extensions["tsunagari_presenter"].get(session_id)[1] == (
        answer
    )


def test_the_stream_sends_the_view_as_a_present_event(fac, session_id):
    _present(fac, session_id, {"view": "tree", "focus": "n1"})
    text = fac.get(f"/sessions/{session_id}/stream?once=1").get_data(as_text=True)
    assert "event: present\ndata: " in text
    line = text.split("event: present\ndata: ", 1)[1].split("\n", 1)[0]
    assert '"view": "tree"' in line and '"focus": "n1"' in line


@pytest.mark.parametrize(
    "body",
    [
        {"view": "stage"},
        {"winter": "yes"},
        {"reveal": 6},
        {"reveal": True},
        {"focus": ""},
        {"colour": "red"},
    ],
)
def test_a_bad_view_is_refused_in_japanese_and_changes_nothing(fac, session_id, body):
    response = _present(fac, session_id, body)
    assert response.status_code == 422
    text = response.get_data(as_text=True)
    assert any("\u3040" <= ch <= "\u9fff" for ch in text), text
    assert fac.get(f"/sessions/{session_id}/present").get_json()["fit"] == 0
    assert fac.get(f"/sessions/{session_id}/present").get_json()["view"] is None


def test_only_the_facilitator_drives_the_projector(client, session_id):
    assert client.post(f"/sessions/{session_id}/present", json={"fit": True}).status_code == 401
    assert client.get(f"/sessions/{session_id}/present").status_code == 401


def test_the_remote_is_on_the_facilitators_tree_not_on_the_projector(fac, session_id):
    private = fac.get(f"/sessions/{session_id}/tree").get_data(as_text=True)
    projector = fac.get(f"/sessions/{session_id}/projector").get_data(as_text=True)
    assert "data-present-url" in private and "data-present-url" not in projector
    assert 'sse-swap="present"' in projector
