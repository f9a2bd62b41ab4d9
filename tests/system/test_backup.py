"""Backups: `tsunagari backup` (SQLite's online backup, safe while serving) and on close."""

from __future__ import annotations

import subprocess
import sys
import threading

import networkx as nx
import pytest
from click.testing import CliRunner

from facilitator import create_app
from facilitator.backup import backup_closed, backup_path
from facilitator.cli import main
from facilitator.storage import Session, Store

ROOT = __import__("pathlib").Path(__file__).resolve().parents[2]


def _whole(path) -> dict:
    """Open a backup file as a session and check it is one consistent state."""
    with Session(path) as copy:
        seqs = [e["seq"] for e in copy.events()]
        assert seqs == list(range(1, len(seqs) + 1))
        assert nx.utils.graphs_equal(copy.graph(), copy.replay())
        return {"meta": copy.meta(), "notes": copy.notes(), "last_seq": copy.last_seq()}


@pytest.fixture
def session_id(tmp_path):
    with Store(tmp_path / "data").create("バックアップ", area="茶志内", actor="test") as s:
        s.set_meta("test", auto_approve=True)
        for i in range(5):
            s.add_note("p1", "person", f"住民 {i}")
        return s.id


def test_session_backup_while_another_thread_writes(tmp_path, session_id):
    store = Store(tmp_path / "data")
    stop = threading.Event()

    def write():
        with store.open(session_id) as mine:
            i = 0
            while not stop.is_set():
                mine.add_note("p2", "place", f"場所 {i}")
                i += 1
            stop.wait(0.05)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        copies = []
        with store.open(session_id) as session:
            for n in range(5):
                copies.append(session.backup(tmp_path / "out" / f"copy{n}.sqlite"))
    finally:
        stop.set()
        writer.join(10)
    seen = [_whole(path)["last_seq"] for path in copies]
    assert seen == sorted(seen) and seen[0] >= 7
    assert not list((tmp_path / "out").glob(".*partial"))
    # A backup is a single file: no -wal beside it is needed to read it.
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        f"copy{n}.sqlite" for n in range(5)
    ]


def test_cli_backup(tmp_path, session_id, monkeypatch):
    monkeypatch.setenv("TSUNAGARI_LANG", "en")
    out = tmp_path / "keep" / "copy.sqlite"
    data = str(tmp_path / "data")
    result = CliRunner().invoke(main, ["--data", data, "backup", session_id, "-o", str(out)])
    assert result.exit_code == 0, result.output
    assert result.output.strip() == str(out)
    copy = _whole(out)
    assert copy["meta"]["title"] == "バックアップ"
    assert [n["text"] for n in copy["notes"]] == [f"住民 {i}" for i in range(5)]
    # Again over the same file: replaced, not appended to.
    result = CliRunner().invoke(main, ["--data", data, "backup", session_id, "-o", str(out)])
    assert result.exit_code == 0
    assert len(_whole(out)["notes"]) == 5

    unknown = CliRunner().invoke(main, ["--data", data, "backup", "zzzzzzzz", "-o", str(out)])
    assert unknown.exit_code == 2
    assert "no session" in unknown.output
    into_folder = CliRunner().invoke(
        main, ["--data", data, "backup", session_id, "-o", str(tmp_path)]
    )
    assert into_folder.exit_code == 2
    helped = CliRunner().invoke(main, ["backup", "--help"])
    assert "online backup" in helped.output and "--output" in helped.output


def test_cli_backup_while_the_server_takes_notes(serve, tmp_path, session_id):
    data = tmp_path / "data"
    with Store(data).open(session_id) as s:
        code = s.meta()["code"]
    server = serve(data)
    status, body = server.request("POST", "/api/v1/join", {"code": code}, token="")
    token = body["token"]
    stop = threading.Event()
    answers = []

    def write():
        i = 0
        # one phone's burst (PHONE_BURST = 10); beyond it the per-phone rate limit answers 429
        while not stop.is_set() and i < 10:
            answers.append(
                server.request(
                    "POST",
                    f"/api/v1/sessions/{session_id}/notes",
                    {"kind": "idea", "text": f"案 {i}"},
                    token=token,
                )[0]
            )
            i += 1
            stop.wait(0.05)

    writer = threading.Thread(target=write)
    writer.start()
    try:
        out = tmp_path / "live.sqlite"
        done = subprocess.run(  # noqa: S603
            [sys.executable, "-m", "facilitator.cli", "--data", str(data), "backup"]
            + [session_id, "-o", str(out)],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=60,
        )
    finally:
        stop.set()
        writer.join(10)
    assert done.returncode == 0, done.stderr
    assert set(answers) == {201}
    assert len(_whole(out)["notes"]) >= 5


def test_closing_a_session_writes_a_backup_beside_it(tmp_path, session_id):
    data = tmp_path / "data"
    app = create_app(
        {"DATA": data, "FACILITATOR_KEY": "k", "TESTING": True, "WTF_CSRF_ENABLED": False}
    )
    fac = app.test_client()
    fac.get("/login?key=k")
    response = fac.post(f"/sessions/{session_id}/close", data={"back": "list"})
    assert response.status_code == 303
    (backup,) = (data / "backups").glob(f"{session_id}-*.sqlite")
    copy = _whole(backup)
    assert copy["meta"]["closed"] is True and copy["meta"]["stage"] == "closed"
    assert len(copy["notes"]) == 5
    # The backups folder is not taken for sessions.
    assert Store(data).ids() == [session_id]


def test_a_failed_backup_does_not_fail_the_close(tmp_path, session_id):
    data = tmp_path / "data"
    (data / "backups").write_text("not a folder")
    app = create_app(
        {"DATA": data, "FACILITATOR_KEY": "k", "TESTING": True, "WTF_CSRF_ENABLED": False}
    )
    fac = app.test_client()
    fac.get("/login?key=k")
    response = fac.post(f"/sessions/{session_id}/close", headers={"HX-Request": "true"})
    assert response.status_code == 200
    with Store(data).open(session_id) as s:
        assert s.meta()["closed"] is True
        assert backup_closed(s, data) is None


def test_backup_path_is_utc_and_inside_the_data_folder(tmp_path):
    path = backup_path(tmp_path, "ab12cd34")
    assert path.parent == tmp_path / "backups"
    assert path.name.startswith("ab12cd34-") and path.name.endswith("Z.sqlite")
