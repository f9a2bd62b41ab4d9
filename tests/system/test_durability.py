"""kill -9 in the middle of a workshop: every acknowledged note survives, the log stays whole.

The real server (waitress, WAL, synchronous=FULL) takes notes from many threads; it is sent
SIGKILL while they are still posting, started again on the same data folder, and then every
note that was answered 2xx must be there, the event log must run 1…max without a gap, and the
graph rebuilt from the log must equal the graph in the tables.
"""

from __future__ import annotations

import threading
import time

import networkx as nx
import pytest

from facilitator.storage import Store

pytestmark = pytest.mark.usefixtures("writers_unlimited")

WRITERS = 12


def _session(data, auto_approve: bool = True) -> tuple[str, str]:
    with Store(data).create("停電テスト", area="茶志内", actor="test") as session:
        session.set_meta("test", auto_approve=auto_approve)
        return session.id, session.meta()["code"]


def _join(server, code: str) -> str:
    status, body = server.request("POST", "/api/v1/join", {"code": code}, token="")
    assert status == 201, body
    return body["token"]


def _consistent(data, session_id: str) -> Store:
    with Store(data).open(session_id) as session:
        seqs = [e["seq"] for e in session.events()]
        assert seqs == list(range(1, len(seqs) + 1)), "the event log has a gap"
        assert nx.utils.graphs_equal(session.graph(), session.replay())
        # Every note in the table was written by an event, and vice versa.
        logged = {e["payload"]["note"] for e in session.events() if e["type"] == "add_note"}
        assert logged == {n["id"] for n in session.notes()}
    return Store(data)


def test_sigkill_mid_stream_loses_no_acknowledged_note(serve, tmp_path):
    data = tmp_path / "data"
    session_id, code = _session(data)
    server = serve(data)
    tokens = [_join(server, code) for _ in range(WRITERS)]

    acknowledged: dict[str, str] = {}  # note id → text, only after a complete 201
    lock = threading.Lock()
    enough = threading.Event()
    stopped = threading.Event()

    def write(w: int, token: str) -> None:
        for i in range(10_000):
            if stopped.is_set():
                return
            text = f"住民{w}の付箋{i}"
            try:
                status, body = server.request(
                    "POST",
                    f"/api/v1/sessions/{session_id}/notes",
                    {"kind": "person", "text": text},
                    token=token,
                    timeout=5,
                )
            except OSError:
                return  # the server is gone: nothing was acknowledged
            if status != 201:
                return
            with lock:
                acknowledged[body["id"]] = text
                if len(acknowledged) >= 150:
                    enough.set()

    threads = [threading.Thread(target=write, args=(w, t)) for w, t in enumerate(tokens)]
    for t in threads:
        t.start()
    assert enough.wait(30), "the server took fewer than 150 notes in 30 s"
    server.kill()  # mid-stream: the writers are still posting
    stopped.set()
    for t in threads:
        t.join(10)
    assert len(acknowledged) >= 150

    restarted = serve(data)
    with Store(data).open(session_id) as session:
        stored = {n["id"]: n for n in session.notes()}
    missing = sorted(set(acknowledged) - set(stored))
    assert not missing, f"{len(missing)} acknowledged notes were lost: {missing[:5]}"
    for note_id, text in acknowledged.items():
        assert stored[note_id]["text"] == text
        assert stored[note_id]["status"] == "approved"  # auto-approve: a node in the same event
    _consistent(data, session_id)

    # The restarted server carries on with the same log.
    status, body = restarted.request(
        "POST",
        f"/api/v1/sessions/{session_id}/notes",
        {"kind": "place", "text": "再起動後の付箋"},
        token=tokens[0],
    )
    assert status == 201, body
    status, events = restarted.request("GET", f"/api/v1/sessions/{session_id}/events")
    assert status == 200
    assert [e["seq"] for e in events] == list(range(1, len(events) + 1))
    assert events[-1]["payload"]["note"] == body["id"]
    _consistent(data, session_id)


def test_sigkill_while_idle_then_restart_twice(serve, tmp_path):
    """Killing a server that holds open streams and idle connections damages nothing."""
    data = tmp_path / "data"
    session_id, code = _session(data, auto_approve=False)
    for round_ in range(2):
        server = serve(data)
        token = _join(server, code)
        status, body = server.request(
            "POST",
            f"/api/v1/sessions/{session_id}/notes",
            {"kind": "need", "text": f"ゴミ出しが大変 {round_}"},
            token=token,
        )
        assert status == 201
        time.sleep(0.2)
        server.kill()
    with Store(data).open(session_id) as session:
        assert [n["text"] for n in session.notes()] == ["ゴミ出しが大変 0", "ゴミ出しが大変 1"]
    _consistent(data, session_id)
