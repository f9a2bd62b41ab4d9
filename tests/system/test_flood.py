"""Floods on loopback (issue 13 rows 1, 2 and 6): phones are served while one address holds
1,010 unfinished requests or 100 live streams are open, and a huge body is refused at once.

Bounded: at most 1,010 sockets, 30 notes, a few seconds each; loopback addresses only.
"""

from __future__ import annotations

import socket
import time

import pytest

from tests.loopback import (
    ATTACKER,
    call,
    close_all,
    join_phones,
    open_streams,
    p95,
    phone_notes,
    slow_requests,
)

from .conftest import KEY

SETUP = "127.0.0.3"


@pytest.fixture
def workshop(serve, tmp_path):
    """A running server, a session and 10 joined phones: ``(port, session_id, tokens)``."""
    server = serve(tmp_path / "data")
    status, meta, _ = call(
        server.port, "POST", "/api/v1/sessions", {"title": "茶話会"}, KEY, source=SETUP
    )
    assert status == 201, meta
    tokens = join_phones(server.port, meta["code"], 10)
    return server.port, meta["id"], tokens


def _answers_within(port, seconds):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if call(port, "GET", "/j", timeout=2)[0] == 200:
                return True
        except OSError:
            time.sleep(0.2)
    return False


def test_a_huge_body_is_refused_when_its_content_length_is_read(workshop):
    port, _session_id, _tokens = workshop
    with socket.create_connection(("127.0.0.1", port), timeout=3, source_address=(SETUP, 0)) as s:
        s.sendall(
            b"POST /api/v1/join HTTP/1.1\r\nHost: hall\r\nContent-Type: application/json\r\n"
            b"Content-Length: 300000000\r\n\r\n" + b"{" * 65536
        )
        started = time.monotonic()
        try:
            answer = s.recv(200)
        except TimeoutError:
            answer = b""
    assert answer.startswith(b"HTTP/1.1 413"), answer
    assert time.monotonic() - started < 3


def test_phones_are_served_while_one_address_holds_1010_unfinished_requests(workshop):
    port, session_id, tokens = workshop
    flood = slow_requests(port, 1010, source=ATTACKER)
    try:
        time.sleep(1)
        latencies, failures = phone_notes(port, session_id, tokens, 3, timeout=5)
    finally:
        close_all(flood)
    assert failures == []
    assert p95(latencies) < 1.0, sorted(latencies)[-5:]
    assert _answers_within(port, 10)


def test_phones_are_served_while_100_live_streams_are_open(workshop):
    port, session_id, tokens = workshop
    sources = ("127.0.0.5", "127.0.0.6", "127.0.0.7", "127.0.0.8")
    streams = open_streams(port, 100, session_id, KEY, sources=sources)
    try:
        assert len(streams) == 100
        time.sleep(2)
        latencies, failures = phone_notes(port, session_id, tokens, 3, timeout=5)
    finally:
        close_all(streams)
    assert failures == []
    assert p95(latencies) < 1.0, sorted(latencies)[-5:]
    assert _answers_within(port, 10)
