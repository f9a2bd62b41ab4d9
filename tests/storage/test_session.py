"""Tests for facilitator.storage.session: the file's WAL and durability, reopening, closing."""

from __future__ import annotations

import sqlite3

import pytest

from tests.storage.maps import small_map, snapshot


def test_wal_and_synchronous_full(session):
    assert session.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # 2 = FULL
    assert session.db.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert session.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 30_000


def test_reopening_rebuilds_the_same_graph(store, session):
    small_map(session)
    before = snapshot(session.graph())
    session.close()
    with store.open(session.id) as again:
        assert snapshot(again.graph()) == before
    nodes = dict(before[0])
    assert nodes["n2"] == {
        "kind": "person",
        "label": "佐藤さん",
        "status": "approved",
        "age_band": "75-84",
        "consent": "initials",
    }


def test_session_connection_is_closed(store, session):
    session.close()
    with pytest.raises(sqlite3.ProgrammingError):
        session.db.execute("SELECT 1")
