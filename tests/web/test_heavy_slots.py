"""A large session's tree and note wall are built in a heavy slot (facilitator/heavy.py),
counted from the live graph: with every slot taken, the screen is told to come back (503,
in Japanese, Retry-After) and nothing is built; once a slot is free it is answered."""

from facilitator import create_app
from facilitator.storage import Store
from tests.web.conftest import KEY


def _app(tmp_path, large):
    config = {
        "DATA": tmp_path,
        "FACILITATOR_KEY": KEY,
        "TESTING": True,
        "WTF_CSRF_ENABLED": False,
        "LARGE_SESSION_NODES": large,
    }
    return create_app(config)


def _session(tmp_path):
    with Store(tmp_path).create("重い会") as s:
        phone = s.participant(s.add_participant("p"))["id"]
        for text in ("佐藤 花子", "朝市の会", "鈴木 一郎"):
            s.approve_note(s.add_note(phone, "person", text)["id"], "f")
        return s.id


def _approved_live(fac, session_id):
    """One more note approved through the API: the live model brings its graph up to date
    then (the screens' pictures of that seq are not built yet); the seq."""
    auth = {"Authorization": f"Bearer {KEY}"}
    note = fac.post(
        f"/api/v1/sessions/{session_id}/notes", json={"kind": "idea", "text": "雪"}, headers=auth
    ).get_json()
    approved = fac.post(
        f"/api/v1/sessions/{session_id}/notes/{note['id']}/approve", json={}, headers=auth
    )
    assert approved.status_code == 200
    return note["seq"] + 1  # nothing else writes: the approval is the next event


def _all_slots_taken(app):
    slots = app.extensions["tsunagari_heavy"]
    taken = 0
    while slots.acquire(blocking=False):
        taken += 1
    return slots, taken


def _pages(session_id, seq):
    return (
        f"/sessions/{session_id}/tree.json?since={seq - 1}",
        f"/sessions/{session_id}/tree.json?view=projector&since={seq - 1}",
        f"/sessions/{session_id}/projector/wall",
    )


def test_a_large_sessions_tree_and_wall_wait_for_a_heavy_slot(tmp_path):
    session_id = _session(tmp_path)
    app = _app(tmp_path, large=2)  # three notes: large
    fac = app.test_client()
    assert fac.get(f"/login?key={KEY}").status_code == 302
    seq = _approved_live(fac, session_id)  # the live graph is at the newest seq
    slots, taken = _all_slots_taken(app)
    assert taken == app.config["HEAVY_PAGES"]
    for url in _pages(session_id, seq):
        answer = fac.get(url, headers={"HX-Request": "true"})
        assert answer.status_code == 503, url
        assert answer.headers["Retry-After"]
    for _ in range(taken):
        slots.release()
    for url in _pages(session_id, seq):
        assert fac.get(url, headers={"HX-Request": "true"}).status_code == 200, url


def test_a_small_sessions_screens_need_no_slot(tmp_path):
    session_id = _session(tmp_path)
    app = _app(tmp_path, large=5000)
    fac = app.test_client()
    assert fac.get(f"/login?key={KEY}").status_code == 302
    with Store(tmp_path).open(session_id) as s:
        seq = s.last_seq()
    _all_slots_taken(app)
    for url in _pages(session_id, seq):
        assert fac.get(url, headers={"HX-Request": "true"}).status_code == 200, url
