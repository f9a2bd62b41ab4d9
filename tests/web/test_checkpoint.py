"""A session file complete on its own: a plain copy of <id>.sqlite, without its -wal, holds
the latest change once the session is closed, and after a quiet while without writes."""

import shutil
import sqlite3
import time

import pytest

from facilitator import create_app
from facilitator.storage import Store
from tests.web.conftest import KEY


def _copy_alone(store, sid, tmp_path):
    """The session file copied as a coordinator would: only <id>.sqlite, not -wal or -shm."""
    target = tmp_path / "copy" / f"{sid}.sqlite"
    target.parent.mkdir(exist_ok=True)
    shutil.copyfile(store.path(sid), target)
    return Store(target.parent).open(sid)


@pytest.fixture
def screen(store, session_id):
    """An open screen: a connection that keeps SQLite from checkpointing at the last close."""
    conn = sqlite3.connect(store.path(session_id))
    conn.execute("SELECT count(*) FROM nodes").fetchone()
    yield conn
    conn.close()


def _labels(session):
    with session:
        return {a["label"] for _, a in session.graph().nodes(data=True)}


def test_a_copy_of_the_file_alone_holds_the_change_after_close(
    fac, store, session_id, screen, tmp_path
):
    with store.open(session_id) as s:
        s.add_node("group", "老人クラブ 寿会", "test")
    assert store.path(session_id).with_name(f"{session_id}.sqlite-wal").stat().st_size > 0
    assert fac.post(f"/sessions/{session_id}/close").status_code == 303
    copy = _copy_alone(store, session_id, tmp_path)
    assert copy.meta()["closed"] is True
    assert "老人クラブ 寿会" in _labels(copy)


def test_a_copy_of_the_file_alone_holds_the_change_after_a_quiet_while(
    store, session_id, screen, tmp_path
):
    app = create_app(
        {
            "DATA": store.root,
            "FACILITATOR_KEY": KEY,
            "TESTING": True,
            "WTF_CSRF_ENABLED": False,
            "QUIET_CHECKPOINT_SECONDS": 0.3,
        }
    )
    fac = app.test_client()
    assert fac.get(f"/login?key={KEY}").status_code == 302
    with store.open(session_id) as s:
        s.add_node("group", "老人クラブ 寿会", "test")
    r = fac.post(f"/sessions/{session_id}/stage", data={"stage": "notes"})
    assert r.status_code < 400, r.get_data(as_text=True)[:300]
    deadline = time.monotonic() + 5
    while app.extensions["tsunagari_checkpoints"].pending() and time.monotonic() < deadline:
        time.sleep(0.05)
    copy = _copy_alone(store, session_id, tmp_path)
    assert copy.meta()["stage"] == "notes"
    assert "老人クラブ 寿会" in _labels(copy)
