"""The schema of a session file: its tables, their keys, and the migrations that make them."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

__all__ = ["MIGRATIONS", "PRIMARY_KEYS", "JSON_COLUMNS"]

#: The primary key of each table, and the columns that hold JSON.
PRIMARY_KEYS = {
    "meta": "key",
    "participants": "token_hash",
    "nodes": "id",
    "ties": "id",
    "notes": "id",
    "client_keys": "id",
    "positions": "node_id",
    "pseudonyms": "node_id",
    "blocked_phones": "token_hash",
}
JSON_COLUMNS = {"meta": ("value",), "nodes": ("attrs",), "ties": ("attrs",), "notes": ("attrs",)}

MIGRATIONS = Migrations("tsunagari")


@MIGRATIONS()
def m001_initial(db: Database) -> None:
    """Session metadata, the event log and the current-state tables."""
    db["meta"].create({"key": str, "value": str}, pk="key")
    # AUTOINCREMENT: a sequence number is never reused, so history replay can trust it.
    db.execute(
        "CREATE TABLE events ("
        "seq INTEGER PRIMARY KEY AUTOINCREMENT, time TEXT NOT NULL, actor TEXT NOT NULL, "
        "type TEXT NOT NULL, payload TEXT NOT NULL)"
    )
    db["nodes"].create(
        {
            "id": str,
            "kind": str,
            "label": str,
            "attrs": str,
            "status": str,
            "note_id": str,
            "created": str,
            "actor": str,
        },
        pk="id",
    )
    db["ties"].create(
        {
            "id": str,
            "source": str,
            "target": str,
            "kind": str,
            "attrs": str,
            "status": str,
            "created": str,
            "actor": str,
        },
        pk="id",
    )
    db["notes"].create(
        {
            "id": str,
            "participant": str,
            "kind": str,
            "text": str,
            "attrs": str,
            "status": str,
            "node_id": str,
            "created": str,
            "updated": str,
        },
        pk="id",
    )
    db["participants"].create({"token_hash": str, "nickname": str, "joined": str}, pk="token_hash")


@MIGRATIONS()
def m002_indexes(db: Database) -> None:
    """Indexes for the ties of a node, notes by status and events by type."""
    db["ties"].create_index(["source"])
    db["ties"].create_index(["target"])
    db["notes"].create_index(["status"])
    db["events"].create_index(["type"])


@MIGRATIONS()
def m003_client_keys(db: Database) -> None:
    """Idempotency keys (storage/keys.py), and indexes for a phone's own notes and ties."""
    db["client_keys"].create({"id": str, "row_table": str, "row_id": str}, pk="id")
    # A phone's page asks for its own notes and ties every few seconds.
    db["notes"].create_index(["participant"])
    db["ties"].create_index(["actor"])


@MIGRATIONS()
def m010_positions(db: Database) -> None:
    """Where the facilitator dragged a node on the tree (storage/positions.py)."""
    db["positions"].create({"node_id": str, "x": float, "y": float, "updated": str}, pk="node_id")


@MIGRATIONS()
def m030_pseudonyms(db: Database) -> None:
    """The pseudonym each node was exported under, so it keeps it (storage/pseudonyms.py)."""
    db["pseudonyms"].create({"node_id": str, "pseudonym": str}, pk="node_id")
    db["pseudonyms"].create_index(["pseudonym"], unique=True)


@MIGRATIONS()
def m020_blocked_phones(db: Database) -> None:
    """Phones the facilitator blocked (storage/phones.py): they can send nothing more."""
    db["blocked_phones"].create({"token_hash": str, "blocked": str}, pk="token_hash")


@MIGRATIONS()
def m105_screens(db: Database) -> None:
    """What the shared screens show, kept across a restart (storage/screens.py)."""
    db["screens"].create({"name": str, "value": str}, pk="name")
