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


def test_an_older_file_restored_under_an_open_sessions_name_is_migrated(store):
    """The migration check is skipped for a file this process already migrated; a file put in
    its place (a backup restored by hand, an older copy) is checked and migrated again."""
    store.root.mkdir(parents=True)
    old = store.root / "old.sqlite"
    with Database(old) as db:
        db.conn.execute("PRAGMA journal_mode = DELETE")
        MIGRATIONS.apply(db, stop_before="m002_indexes")
    with store.create("いまの会") as current:
        session_id = current.id
    with store.open(session_id) as s:  # seen ready once
        assert MIGRATIONS.pending(s.db) == []
    path = store.path(session_id)
    for companion in (
        path,
        path.with_name(path.name + "-wal"),
        path.with_name(path.name + "-shm"),
    ):
        companion.unlink(missing_ok=True)
    old.rename(path)
    with store.open(session_id) as s:
        assert MIGRATIONS.pending(s.db) == []
        assert s.db.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert any(i.columns == ["source"] for i in s.db["ties"].indexes)
