"""Many writers on one session file: every write lands, none surfaces "database is locked"."""

from __future__ import annotations

import threading

import pytest

from facilitator.storage import Store

pytestmark = pytest.mark.usefixtures("writers_unlimited")

THREADS = 8
NOTES = 50


def _run(threads: list[threading.Thread]) -> None:
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not any(t.is_alive() for t in threads)


def test_eight_api_writers_through_the_real_server(serve, tmp_path):
    data = tmp_path / "data"
    with Store(data).create("同時書き込み", actor="test") as session:
        session_id, code = session.id, session.meta()["code"]
    server = serve(data)
    tokens = []
    for _ in range(THREADS):
        status, body = server.request("POST", "/api/v1/join", {"code": code}, token="")
        assert status == 201
        tokens.append(body["token"])
    answers: list[tuple[int, object]] = []

    def write(w: int) -> None:
        for i in range(NOTES):
            answers.append(
                server.request(
                    "POST",
                    f"/api/v1/sessions/{session_id}/notes",
                    {"kind": "idea", "text": f"案 {w}-{i}"},
                    token=tokens[w],
                )
            )

    _run([threading.Thread(target=write, args=(w,)) for w in range(THREADS)])
    assert len(answers) == THREADS * NOTES
    refused = [a for a in answers if a[0] != 201]
    assert not refused, refused[:3]
    with Store(data).open(session_id) as session:
        texts = {n["text"] for n in session.notes()}
    assert texts == {f"案 {w}-{i}" for w in range(THREADS) for i in range(NOTES)}
    assert "locked" not in server.log.read_text(errors="replace")


def test_eight_sessions_objects_on_one_file(tmp_path):
    """The storage layer alone: one connection per thread, BEGIN IMMEDIATE + busy timeout."""
    store = Store(tmp_path)
    with store.create("同時書き込み", actor="test") as session:
        session_id = session.id
    errors: list[BaseException] = []

    def write(w: int) -> None:
        try:
            with store.open(session_id) as mine:
                for i in range(NOTES):
                    mine.add_note(f"p{w}", "place", f"場所 {w}-{i}")
        except BaseException as e:  # noqa: BLE001 - reported below
            errors.append(e)

    _run([threading.Thread(target=write, args=(w,)) for w in range(THREADS)])
    assert not errors, errors[:3]
    with store.open(session_id) as session:
        assert len(session.notes()) == THREADS * NOTES
        seqs = [e["seq"] for e in session.events()]
        assert seqs == list(range(1, len(seqs) + 1))
