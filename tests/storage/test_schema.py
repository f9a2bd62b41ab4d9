"""Tests for facilitator.storage.schema: migrations recorded and applied to older files."""

from __future__ import annotations

from sqlite_utils import Database

from facilitator.storage import MIGRATIONS


def test_migrations_are_recorded(session):
    names = [m.name for m in MIGRATIONS.applied(session.db)]
    assert names[:3] == ["m001_initial", "m002_indexes", "m003_client_keys"]
    assert MIGRATIONS.pending(session.db) == []


def test_opening_an_older_file_applies_pending_migrations(store):
    store.root.mkdir(parents=True)
    path = store.path("old00001")
    with Database(path) as db:
        MIGRATIONS.apply(db, stop_before="m002_indexes")
        assert [m.name for m in MIGRATIONS.pending(db)][0] == "m002_indexes"
    with store.open("old00001") as s:
        assert MIGRATIONS.pending(s.db) == []
        assert any(i.columns == ["source"] for i in s.db["ties"].indexes)
