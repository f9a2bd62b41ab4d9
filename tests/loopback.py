"""Loopback attackers and phones for the flood tests and bench/flood.py (bounded, 127/8 only).

Linux routes all of 127.0.0.0/8 to the loopback interface, so a client can connect from
127.0.0.2 to a server on 127.0.0.1: the attacker and the phones then have different addresses
as they would on the hall Wi-Fi.
"""

from __future__ import annotations

import http.client
import json
import socket
import time

__all__ = [
    "ATTACKER",
    "PHONES",
    "call",
    "slow_requests",
    "open_streams",
    "join_phones",
    "phone_notes",
    "p95",
    "close_all",
]

ATTACKER = "127.0.0.1"
PHONES = "127.0.0.2"


class _SourceConnection(http.client.HTTPConnection):
    pass


def call(port, method, path, body=None, token=None, source=PHONES, timeout=10.0):
    """One request on a fresh connection from ``source``: ``(status, JSON or text, seconds)``."""
    conn = _SourceConnection("127.0.0.1", port, timeout=timeout, source_address=(source, 0))
    started = time.perf_counter()
    try:
        headers = {"Accept": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        data = None
        if body is not None:
            data = json.dumps(body).encode()
            headers["Content-Type"] = "application/json"
        conn.request(method, path, body=data, headers=headers)
        response = conn.getresponse()
        raw = response.read()
    finally:
        conn.close()
    elapsed = time.perf_counter() - started
    try:
        return response.status, json.loads(raw), elapsed
    except ValueError:
        return response.status, raw.decode(errors="replace"), elapsed


def slow_requests(port, n, source=ATTACKER):
    """``n`` connections that each begin a request and never finish it (slowloris)."""
    sockets = []
    for i in range(n):
        s = socket.socket()
        s.setblocking(True)
        s.settimeout(2)
        try:
            s.bind((source, 0))
            s.connect(("127.0.0.1", port))
            s.sendall(f"GET /j HTTP/1.1\r\nHost: hall\r\nX-Slow-{i}: ".encode())
        except OSError:
            s.close()  # refused or reset: the server is defending itself
            continue
        sockets.append(s)
    return sockets


def open_streams(port, n, session_id, key, sources=(ATTACKER,)):
    """``n`` live streams (the facilitator's) spread over ``sources``, never read again."""
    sockets = []
    for i in range(n):
        s = socket.socket()
        s.settimeout(2)
        try:
            s.bind((sources[i % len(sources)], 0))
            s.connect(("127.0.0.1", port))
            s.sendall(
                f"GET /sessions/{session_id}/stream HTTP/1.1\r\nHost: hall\r\n"
                f"Authorization: Bearer {key}\r\nAccept: text/event-stream\r\n\r\n".encode()
            )
        except OSError:
            s.close()
            continue
        sockets.append(s)
    return sockets


def join_phones(port, code, n, source=PHONES):
    """``n`` phones joined with ``code``: their tokens."""
    tokens = []
    for i in range(n):
        status, body, _ = call(
            port, "POST", "/api/v1/join", {"code": code, "nickname": f"p{i}"}, source=source
        )
        assert status == 201, body
        tokens.append(body["token"])
    return tokens


def phone_notes(port, session_id, tokens, per_phone, source=PHONES, timeout=10.0):
    """Each phone sends ``per_phone`` notes in turn: ``(latencies, failures)``."""
    latencies, failures = [], []
    for round_ in range(per_phone):
        for i, token in enumerate(tokens):
            body = {"kind": "place", "text": f"集会所 {round_}-{i}"}
            try:
                status, answer, elapsed = call(
                    port,
                    "POST",
                    f"/api/v1/sessions/{session_id}/notes",
                    body,
                    token,
                    source=source,
                    timeout=timeout,
                )
            except OSError as e:
                failures.append(repr(e))
                latencies.append(timeout)
                continue
            latencies.append(elapsed)
            if status != 201:
                failures.append(f"{status} {answer}")
    return latencies, failures


def p95(values):
    """The 95th percentile (nearest rank)."""
    ordered = sorted(values)
    return ordered[max(0, int(round(0.95 * len(ordered))) - 1)]


def close_all(sockets):
    for s in sockets:
        try:
            s.close()
        except OSError:
            pass
