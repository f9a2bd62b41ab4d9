"""A screen that vanished from the Wi-Fi (issue 13 row 2): its live stream is never read again
and never closed, yet the server ends it by itself and frees its thread for the phones.

The real server on loopback with ``STREAM_SECONDS`` scaled down from 55 to 3 and four threads,
two of which may hold streams. Bounded: 2 streams, 3 phones, about 10 s.
"""

from __future__ import annotations

import time

import pytest

from tests.loopback import call, close_all, join_phones, open_streams, p95, phone_notes

from .conftest import KEY

SETUP = "127.0.0.3"
STREAM_SECONDS = 3


@pytest.fixture
def hall(serve, tmp_path, monkeypatch):
    monkeypatch.setenv("TSUNAGARI_STREAM_SECONDS", str(STREAM_SECONDS))
    server = serve(tmp_path / "data", threads=4)
    status, meta, _ = call(
        server.port, "POST", "/api/v1/sessions", {"title": "茶話会"}, KEY, source=SETUP
    )
    assert status == 201, meta
    return server.port, meta["id"], join_phones(server.port, meta["code"], 3)


def _read_until_end(sock, seconds: float) -> bytes:
    """What the server sent on ``sock`` until its chunked answer ended, or ``seconds`` passed."""
    got = b""
    deadline = time.monotonic() + seconds
    sock.settimeout(0.5)
    while time.monotonic() < deadline and not got.endswith(b"0\r\n\r\n"):
        try:
            data = sock.recv(65536)
        except TimeoutError:
            continue
        if not data:
            break
        got += data
    return got


def test_a_vanished_screens_stream_is_ended_by_the_server_and_its_thread_freed(hall):
    port, session_id, tokens = hall
    started = time.monotonic()
    streams = open_streams(port, 2, session_id, KEY, sources=("127.0.0.5", "127.0.0.6"))
    try:
        assert len(streams) == 2
        # Nobody reads the streams while they are open: the screens are gone. Then look at
        # what the kernel kept for them.
        time.sleep(STREAM_SECONDS + 1)
        answers = [_read_until_end(s, 5) for s in streams]
        ended_after = time.monotonic() - started
        latencies, failures = phone_notes(port, session_id, tokens, 3, timeout=5)
    finally:
        close_all(streams)
    for answer in answers:
        assert answer.startswith(b"HTTP/1.1 200"), answer[:200]
        assert b"text/event-stream" in answer
        assert answer.endswith(b"0\r\n\r\n"), "the server never ended the stream"
    assert ended_after < STREAM_SECONDS + 7
    # Both stream threads are back in the pool: the phones are served at once.
    assert failures == []
    assert p95(latencies) < 1.0, sorted(latencies)[-5:]
