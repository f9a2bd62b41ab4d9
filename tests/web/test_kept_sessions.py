"""Reading requests reuse the session file their thread opened before (kept_sessions.py):
what other connections and processes wrote is still seen, and a file replaced or deleted
meanwhile is read anew."""

import shutil

from facilitator import kept_sessions

HX = {"HX-Request": "true"}


def _note(store, session_id, text):
    with store.open(session_id) as s:
        p = s.participant(s.add_participant("p"))["id"]
        return s.add_note(p, "idea", text)["id"]


def test_a_note_written_by_another_process_shows_on_the_next_refresh(fac, store, session_id):
    first = fac.get(f"/sessions/{session_id}/queue", headers=HX)
    assert "朝市" not in first.text
    _note(store, session_id, "朝市をひらく")  # the CLI's own connection
    again = fac.get(f"/sessions/{session_id}/queue", headers=HX)
    assert "朝市をひらく" in again.text
    _note(store, session_id, "夏祭りの手伝い")
    assert "夏祭りの手伝い" in fac.get(f"/sessions/{session_id}/queue", headers=HX).text


def test_a_session_file_replaced_meanwhile_is_read_anew(fac, store, session_id):
    assert "テスト" in fac.get(f"/sessions/{session_id}").text
    with store.create("別の会", area="美唄") as other:
        other_path = store.path(other.id)
    path = store.path(session_id)
    path.unlink()
    for suffix in ("-wal", "-shm"):
        (path.parent / f"{path.name}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(other_path, path)
    page = fac.get(f"/sessions/{session_id}")
    assert page.status_code == 200
    assert "別の会" in page.text and "テスト" not in page.text


def test_a_deleted_session_is_not_found_although_a_thread_kept_it_open(fac, store, session_id):
    assert fac.get(f"/sessions/{session_id}/queue", headers=HX).status_code == 200
    with store.open(session_id) as s:
        s.delete()
    assert fac.get(f"/sessions/{session_id}/queue", headers=HX).status_code == 404


def test_a_thread_keeps_only_a_few_files_open(fac, store):
    ids = []
    for n in range(kept_sessions.KEPT_PER_THREAD + 3):
        with store.create(f"会{n}") as s:
            ids.append(s.id)
    for session_id in ids:
        assert fac.get(f"/sessions/{session_id}/queue", headers=HX).status_code == 200
    assert len(kept_sessions._kept()) <= kept_sessions.KEPT_PER_THREAD


def test_on_windows_no_session_file_is_kept_open(app, fac, monkeypatch):
    """Windows cannot delete or restore over a file an idle connection holds open."""
    from facilitator.storage import Store

    monkeypatch.setattr(kept_sessions, "KEPT_PER_THREAD", 0)  # as on os.name == "nt"
    with Store(app.config["DATA"]).create("窓の会") as s:
        sid = s.id
    assert fac.get(f"/sessions/{sid}/present").status_code == 200
    assert not [mark for mark in kept_sessions._kept() if sid in mark[0]]
