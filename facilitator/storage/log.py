"""The event log: write transactions, recording an event, reading events, replay and undo."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import networkx as nx
from sqlite_utils import Database

from graph.errors import NotFound, Problem, ValidationError
from graph.model import new_graph

from .rows import SURROGATE, decode, encode, row_change, utc_now
from .schema import PRIMARY_KEYS

__all__ = ["UNDOABLE", "EventLog", "graph_from_rows"]

#: Event types that :meth:`Session.undo` may take back. Participants' joins and notes, session
#: creation and settings are not the facilitator's edits, so undo steps over them.
UNDOABLE = frozenset(
    {
        "add_node",
        "update_node",
        "add_tie",
        "update_tie",
        "merge_nodes",
        "remove_node",
        "remove_tie",
        "hide_phone",
        "block_phone",
        "unblock_phone",
        "import",
        "import_update",
        "approve_note",
        "hide_note",
        "merge_note",
        "move_node",
        "reset_positions",
    }
)


def graph_from_rows(
    nodes: Iterable[Mapping[str, Any]], ties: Iterable[Mapping[str, Any]], **graph_attrs: Any
) -> nx.MultiDiGraph:
    """A session graph from rows of the ``nodes`` and ``ties`` tables (decoded)."""
    G = new_graph(**graph_attrs)
    for row in nodes:
        G.add_node(
            row["id"], **row["attrs"], kind=row["kind"], label=row["label"], status=row["status"]
        )
    for row in ties:
        G.add_edge(
            row["source"],
            row["target"],
            key=row["id"],
            **row["attrs"],
            kind=row["kind"],
            status=row["status"],
        )
    return G


class EventLog:
    """The event log of a session and the rows it keeps current (a base of :class:`Session`).

    Every change runs in one ``BEGIN IMMEDIATE`` transaction that appends an event to
    ``events`` and updates the current-state tables; on any error nothing is written. An
    event's payload holds ``changes``, a list of ``{"table", "id", "before", "after"}`` row
    changes (``None`` = no row), plus fields that describe it (``node``, ``tie``, …).
    """

    # Set by Session.__init__, which opens the connection.
    path: Path
    id: str
    db: Database
    _conn: sqlite3.Connection

    # -- transactions and rows --------------------------------------------------------------

    @contextmanager
    def _transaction(self) -> Iterator[None]:
        """``BEGIN IMMEDIATE`` … ``COMMIT``; ``ROLLBACK`` on any error, so nothing is half-written."""
        if self._conn.in_transaction:
            raise RuntimeError("write transactions do not nest")
        self._conn.execute("BEGIN IMMEDIATE")
        try:
            yield
            self._conn.execute("COMMIT")
        except BaseException:
            if self._conn.in_transaction:
                self._conn.execute("ROLLBACK")
            raise

    @contextmanager
    def _snapshot(self) -> Iterator[None]:
        """A read transaction, so several queries see one consistent state."""
        if self._conn.in_transaction:
            yield
            return
        self._conn.execute("BEGIN")
        try:
            yield
        finally:
            self._conn.execute("COMMIT")

    def checkpoint(self) -> bool:
        """Write every committed change from the ``-wal`` file into the session file itself.

        Afterwards a plain copy of ``<id>.sqlite`` alone holds the whole session. Returns
        whether the checkpoint was complete (a reader in the middle of a read can hold part
        of the log back; nothing is lost, the next checkpoint takes it).
        """
        busy, _log, _done = self._conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy

    def _row(self, table: str, row_id: Any) -> dict | None:
        if isinstance(row_id, str) and SURROGATE.search(row_id):
            return None  # SQLite cannot hold a lone surrogate, so no row has this key
        rows = list(
            self.db.query(f"SELECT * FROM {table} WHERE {PRIMARY_KEYS[table]} = ?", [row_id])
        )
        return decode(table, rows[0]) if rows else None

    def _rows(self, table: str, where: str = "", params: Iterable[Any] = ()) -> list[dict]:
        sql = f"SELECT * FROM {table}" + (f" WHERE {where}" if where else "") + " ORDER BY rowid"
        return [decode(table, row) for row in self.db.query(sql, list(params))]

    def _apply(self, change: Mapping[str, Any]) -> None:
        table, after = change["table"], change["after"]
        pk = PRIMARY_KEYS[table]
        if after is None:
            self._conn.execute(f'DELETE FROM {table} WHERE "{pk}" = ?', [change["id"]])
            return
        # Plain SQL: sqlite-utils' upsert looks the table up again on every call. An update
        # keeps the row's rowid, so rows stay in the order they were first written.
        row = encode(table, after)
        columns = ", ".join(f'"{c}"' for c in row)
        updates = ", ".join(f'"{c}" = excluded."{c}"' for c in row if c != pk)
        self._conn.execute(
            f"INSERT INTO {table} ({columns}) VALUES ({', '.join('?' * len(row))}) "
            f'ON CONFLICT("{pk}") DO UPDATE SET {updates}',
            list(row.values()),
        )

    def _record(self, actor: str, type: str, changes: list[dict], **fields: Any) -> int:
        """Apply ``changes`` and append their event; the caller holds the transaction."""
        if not self._conn.in_transaction:
            raise RuntimeError("_record needs a write transaction")
        for change in changes:
            self._apply(change)
        payload = json.dumps({**fields, "changes": changes}, ensure_ascii=False)
        cursor = self._conn.execute(
            "INSERT INTO events (time, actor, type, payload) VALUES (?, ?, ?, ?)",
            (utc_now(), str(actor), type, payload),
        )
        return int(cursor.lastrowid)

    def _new_ids(self, table: str, prefix: str, count: int = 1, taken: Iterable = ()) -> list:
        """Fresh ids ``<prefix><seq>`` (then ``_2``, ``_3`` …) for the event about to be written.

        The sequence number is never reused, so ids stay unique even after undo; imported ids
        that happen to look the same are skipped.
        """
        seq = self.last_seq() + 1
        taken = {str(t) for t in taken}
        ids: list[str] = []
        k = 1
        while len(ids) < count:
            candidate = f"{prefix}{seq}" if k == 1 else f"{prefix}{seq}_{k}"
            k += 1
            if candidate not in taken and self._row(table, candidate) is None:
                ids.append(candidate)
        return ids

    def _need(self, table: str, row_id: Any) -> dict:
        row = self._row(table, row_id)
        if row is None:
            what = {
                "nodes": ("ノード", "node"),
                "ties": ("つながり", "tie"),
                "notes": ("付箋", "note"),
            }
            ja, en = what[table]
            raise NotFound(
                Problem(f"{en} {row_id!r}", f"{ja}が見つかりません", f"{en} does not exist")
            )
        return row

    # -- reading the graph and the log ------------------------------------------------------

    def graph(self) -> nx.MultiDiGraph:
        """The current graph, built from the ``nodes`` and ``ties`` tables.

        Nodes carry ``kind``, ``label``, ``status`` and their attributes; ties are keyed by
        their id and carry ``kind``, ``status`` and their attributes. Hidden and pending
        elements are included (see ``graph.model.active_graph``).

        Notes
        -----
        O(n + m) for n nodes and m ties.
        """
        with self._snapshot():
            return graph_from_rows(self._rows("nodes"), self._rows("ties"), session=self.id)

    def replay(self, upto_seq: int | None = None) -> nx.MultiDiGraph:
        """The graph as it was after event ``upto_seq`` (all events if ``None``).

        Rebuilt from an empty graph by applying the event log, so ``replay()`` equals
        :meth:`graph`.

        Notes
        -----
        O(e + c) for e events holding c row changes.
        """
        tables: dict[str, dict[str, dict]] = {"nodes": {}, "ties": {}}
        sql = "SELECT payload FROM events" + (" WHERE seq <= ?" if upto_seq is not None else "")
        params = [upto_seq] if upto_seq is not None else []
        for (payload,) in self.db.execute(sql + " ORDER BY seq", params).fetchall():
            for change in json.loads(payload).get("changes", []):
                rows = tables.get(change["table"])
                if rows is None:
                    continue
                if change["after"] is None:
                    rows.pop(change["id"], None)
                else:
                    rows[change["id"]] = change["after"]
        return graph_from_rows(tables["nodes"].values(), tables["ties"].values(), session=self.id)

    def events(self, after: int = 0, limit: int | None = None) -> list[dict]:
        """Events with ``seq > after``, oldest first, at most ``limit`` of them.

        Each is ``{"seq", "time", "actor", "type", "payload"}`` with the payload decoded.
        """
        sql = "SELECT seq, time, actor, type, payload FROM events WHERE seq > ? ORDER BY seq"
        params: list[Any] = [after]
        if limit is not None:
            sql += " LIMIT ?"
            params.append(limit)
        return [
            {**row, "payload": json.loads(row["payload"])} for row in self.db.query(sql, params)
        ]

    def last_seq(self) -> int:
        """The sequence number of the latest event (0 for an empty log)."""
        return self.db.execute("SELECT coalesce(max(seq), 0) FROM events").fetchone()[0]

    # -- undo -------------------------------------------------------------------------------

    def undo(self, actor: str) -> dict:
        """Take back the latest change not yet undone; return the compensating event.

        The undo is itself an event (type ``"undo"``, payload ``undoes`` = the seq taken
        back), so history is never rewritten. Calling it again takes back the change before.
        Only the kinds in :data:`UNDOABLE` are taken back. Raises ``NotFound`` when there is
        nothing left to undo.
        """
        with self._transaction():
            types = sorted(UNDOABLE)
            rows = self.db.execute(
                f"SELECT seq, type, payload FROM events WHERE type IN ({', '.join('?' * len(types))})"
                " AND seq NOT IN (SELECT json_extract(payload, '$.undoes') FROM events"
                " WHERE type = 'undo') ORDER BY seq DESC LIMIT 1",
                types,
            ).fetchall()
            if not rows:
                raise NotFound(
                    Problem("undo", "取り消せる操作がありません", "there is nothing to undo")
                )
            seq, type, payload = rows[0]
            inverse = []
            for change in reversed(json.loads(payload)["changes"]):
                current = self._row(change["table"], change["id"])
                if current != change["after"]:
                    raise ValidationError(
                        Problem(
                            "undo",
                            "後の変更と重なるため取り消せません",
                            f"cannot undo event {seq}: {change['table']} {change['id']!r} "
                            "was changed since",
                        )
                    )
                inverse.append(
                    row_change(change["table"], change["id"], current, change["before"])
                )
            undo_seq = self._record(actor, "undo", inverse, undoes=seq, undone_type=type)
        return self.events(after=undo_seq - 1, limit=1)[0]
