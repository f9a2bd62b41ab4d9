"""Session storage: one SQLite file per workshop, an append-only event log, undo and replay."""

from __future__ import annotations

import hashlib
import json
import re
import secrets
import sqlite3
import threading
import unicodedata
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import networkx as nx
from sqlite_utils import Database, Migrations

from graph.errors import NotFound, Problem, ValidationError
from graph.model import bad_character, coerce_value, graph_records, new_graph, validate
from graph.vocabulary import NODE_KINDS, tie_allowed

__all__ = [
    "Store",
    "Session",
    "MIGRATIONS",
    "STAGES",
    "NOTE_STATUSES",
    "DEFAULT_SETTINGS",
    "CODE_ALPHABET",
    "UNDOABLE",
    "MAX_NOTE",
    "MAX_TITLE",
    "MAX_NICKNAME",
    "BUSY_TIMEOUT",
]

#: Letters and digits that cannot be mistaken for one another (no I/1, O/0, L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
STAGES = ("closed", "notes", "ties")
NOTE_STATUSES = ("pending", "approved", "hidden", "merged")
DEFAULT_SETTINGS: dict[str, int] = {
    "overload_households": 5,
    "overload_roles": 3,
    "overload_sole": 2,
}
#: Longest note a phone may send, longest session title and nickname (characters, after NFC).
MAX_NOTE = 200
MAX_TITLE = 100
MAX_NICKNAME = 40
#: Seconds a writer waits for another writer before giving up.
BUSY_TIMEOUT = 30.0
#: Event types that :meth:`Session.undo` may take back. Participants' joins and notes, session
#: creation and settings are not the facilitator's edits, so undo steps over them.
UNDOABLE = frozenset(
    {
        "add_node",
        "update_node",
        "add_tie",
        "update_tie",
        "merge_nodes",
        "import",
        "approve_note",
        "hide_note",
        "merge_note",
    }
)

_ID_RE = re.compile(r"[a-z0-9]{8}")
_SURROGATE = re.compile("[\ud800-\udfff]")
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
_PKS = {"meta": "key", "participants": "token_hash", "nodes": "id", "ties": "id", "notes": "id"}
_JSON_COLUMNS = {"meta": ("value",), "nodes": ("attrs",), "ties": ("attrs",), "notes": ("attrs",)}
_META_KEYS = ("title", "area", "stage", "auto_approve", "settings", "closed")

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


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _text(value: Any, where: str, limit: int, required: bool = True) -> str:
    """Text typed by a person: NFC-normalised, stripped, within ``limit`` characters.

    Every way in (forms, API, command line) passes here: control characters (line breaks
    inside the text included) and lone surrogates are refused, so is text over ``limit``.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(Problem(where, "文字で入力してください", "must be text"))
    if len(value) > 4 * limit + 1000:  # no need to normalise a pasted book
        raise ValidationError(
            Problem(where, f"長すぎます（{limit}文字まで）", f"is too long (at most {limit})")
        )
    text = value.strip()
    if bad := bad_character(text, where):
        raise ValidationError(bad)
    text = unicodedata.normalize("NFC", text).strip()
    if required and not text:
        raise ValidationError(Problem(where, "入力してください", "must not be empty"))
    if len(text) > limit:
        raise ValidationError(
            Problem(
                where,
                f"長すぎます（{limit}文字まで、いまは{len(text)}文字）",
                f"is too long ({len(text)} characters, at most {limit})",
            )
        )
    return text


def _nfc(value: Any) -> Any:
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def _clean_settings(settings: Mapping[str, Any], base: Mapping[str, int]) -> dict[str, int]:
    clean = dict(base)
    problems = []
    for name, value in settings.items():
        if name not in DEFAULT_SETTINGS:
            problems.append(
                Problem(
                    f"settings.{name}",
                    f"知らない設定です（{'、'.join(DEFAULT_SETTINGS)}）",
                    f"unknown setting (known: {', '.join(DEFAULT_SETTINGS)})",
                )
            )
        elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
            problems.append(
                Problem(
                    f"settings.{name}",
                    "1から100までの整数で指定してください",
                    f"must be a whole number from 1 to 100, not {value!r}",
                )
            )
        else:
            clean[name] = value
    if problems:
        raise ValidationError(problems)
    return clean


def _apply_changes(
    before: Mapping[str, Any], core_keys: tuple[str, ...], changes: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A row's core columns and attributes after ``changes`` (``None`` removes an attribute)."""
    core = {k: before[k] for k in core_keys}
    attrs = dict(before["attrs"])
    for key, value in changes.items():
        if key in core:
            core[key] = value
        elif value is None:
            attrs.pop(key, None)
        else:
            attrs[key] = value
    return core, attrs


def _change(table: str, row_id: str, before: dict | None, after: dict | None) -> dict:
    return {"table": table, "id": row_id, "before": before, "after": after}


def _encode(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    row = dict(row)
    for column in _JSON_COLUMNS.get(table, ()):
        row[column] = json.dumps(row[column], ensure_ascii=False)
    return row


def _decode(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    row = dict(row)
    for column in _JSON_COLUMNS.get(table, ()):
        row[column] = json.loads(row[column])
    return row


def _graph_from_rows(
    nodes: Iterable[Mapping[str, Any]], ties: Iterable[Mapping[str, Any]], **graph_attrs: Any
) -> nx.MultiDiGraph:
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


def _reject_reserved(attrs: Mapping[str, Any], reserved: Iterable[str], where: str) -> None:
    bad = sorted(set(attrs) & set(reserved))
    if bad:
        raise ValidationError(
            Problem(
                where,
                f"{'、'.join(bad)} は属性として使えません",
                f"{', '.join(bad)} cannot be used as an attribute",
            )
        )


class Session:
    """One workshop session: an SQLite file holding its event log and current state.

    Open it through :meth:`Store.open` (or :meth:`Store.create`). A ``Session`` owns one
    SQLite connection, which must stay in the thread that opened it: keep one ``Session`` per
    thread or request and :meth:`close` it (or use ``with``).

    Every change runs in one ``BEGIN IMMEDIATE`` transaction that appends an event to
    ``events`` and updates the current-state tables; on any error nothing is written. An
    event's payload holds ``changes``, a list of ``{"table", "id", "before", "after"}`` row
    changes (``None`` = no row), plus fields that describe it (``node``, ``tie``, …).

    Parameters
    ----------
    path : Path or str
        The session file; created (empty, no metadata) if it does not exist.
    """

    def __init__(self, path: Path | str):
        self.path = Path(path)
        self.id = self.path.stem
        # isolation_level=None: the sqlite3 module opens no transactions of its own; every
        # write transaction is begun and ended explicitly in _transaction().
        conn = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT, isolation_level=None)
        self._conn = conn
        try:
            conn.execute(f"PRAGMA busy_timeout = {int(BUSY_TIMEOUT * 1000)}")
            self.db = Database(conn)
            # Spare sqlite-utils its feature probe (a CREATE and DROP TABLE on every new
            # connection, which also made every other connection re-read the schema).
            self.db._supports_on_conflict = sqlite3.sqlite_version_info >= (3, 24, 0)
            self.db.enable_wal()
            # synchronous is per connection; FULL so an acknowledged change survives power loss.
            conn.execute("PRAGMA synchronous = FULL")
            if MIGRATIONS.pending(self.db):
                # Under the write lock, so two processes opening an old file migrate it once.
                with self._transaction():
                    MIGRATIONS.apply(self.db)
        except BaseException:
            conn.close()
            raise

    # -- life cycle -------------------------------------------------------------------------

    def close(self) -> None:
        """Close the database connection (not the workshop: see ``set_meta(closed=True)``)."""
        self._conn.close()

    def delete(self) -> None:
        """Close the session and erase it: its file (with SQLite's -wal/-shm companions) and
        the backups written when it was closed (``backups/<id>-*.sqlite`` beside it).

        Deleting erases the map (DESIGN.md §6); a copy made elsewhere with
        ``tsunagari backup -o`` is the coordinator's to delete.
        """
        self.close()
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{self.path}{suffix}").unlink(missing_ok=True)
        for copy in (self.path.parent / "backups").glob(f"{self.id}-*.sqlite"):
            copy.unlink(missing_ok=True)

    def backup(self, path: Path | str) -> Path:
        """Copy the session into the file ``path`` with SQLite's online backup API.

        Safe while the server is writing: the copy is one committed state. It is written
        beside ``path`` first and renamed into place, so ``path`` is never half-written.
        Returns ``path``.
        """
        target = Path(path)
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_name(f".{target.name}.partial")
        partial.unlink(missing_ok=True)
        copy = sqlite3.connect(partial)
        try:
            self._conn.backup(copy)
            copy.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
        finally:
            copy.close()
        partial.replace(target)
        return target

    def __enter__(self) -> Session:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<Session {self.id} {str(self.path)!r}>"

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

    def _row(self, table: str, row_id: Any) -> dict | None:
        if isinstance(row_id, str) and _SURROGATE.search(row_id):
            return None  # SQLite cannot hold a lone surrogate, so no row has this key
        rows = list(self.db.query(f"SELECT * FROM {table} WHERE {_PKS[table]} = ?", [row_id]))
        return _decode(table, rows[0]) if rows else None

    def _rows(self, table: str, where: str = "", params: Iterable[Any] = ()) -> list[dict]:
        sql = f"SELECT * FROM {table}" + (f" WHERE {where}" if where else "") + " ORDER BY rowid"
        return [_decode(table, row) for row in self.db.query(sql, list(params))]

    def _apply(self, change: Mapping[str, Any]) -> None:
        table, after = change["table"], change["after"]
        pk = _PKS[table]
        if after is None:
            self._conn.execute(f'DELETE FROM {table} WHERE "{pk}" = ?', [change["id"]])
            return
        # Plain SQL: sqlite-utils' upsert looks the table up again on every call. An update
        # keeps the row's rowid, so rows stay in the order they were first written.
        row = _encode(table, after)
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
            (_now(), str(actor), type, payload),
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

    # -- metadata ---------------------------------------------------------------------------

    def meta(self) -> dict:
        """The session's metadata.

        Keys: ``id``, ``title``, ``area``, ``created``, ``code``, ``stage``, ``auto_approve``,
        ``closed``, ``closed_at`` and ``settings`` (the flag thresholds, defaults filled in).
        """
        meta = {row["key"]: row["value"] for row in self._rows("meta")}
        meta["settings"] = {**DEFAULT_SETTINGS, **meta.get("settings", {})}
        return meta

    def set_meta(self, actor: str, **changes: Any) -> None:
        """Change ``title``, ``area``, ``stage``, ``auto_approve``, ``settings`` or ``closed``.

        ``settings`` is merged into the current thresholds; ``closed=True`` also records
        ``closed_at``. Raises ``ValidationError`` (nothing written) on any bad value.
        """
        unknown = sorted(set(changes) - set(_META_KEYS))
        if unknown:
            raise ValidationError(
                Problem(
                    "meta",
                    f"{'、'.join(unknown)} は変更できません",
                    f"cannot change {', '.join(unknown)}",
                )
            )
        with self._transaction():
            current = self.meta()
            new: dict[str, Any] = {}
            for key, value in changes.items():
                if key == "title":
                    new[key] = _text(value, "title", MAX_TITLE)
                elif key == "area":
                    new[key] = _text(value, "area", MAX_TITLE, required=False)
                elif key == "stage":
                    if value not in STAGES:
                        raise ValidationError(
                            Problem(
                                "stage",
                                f"段階は {'、'.join(STAGES)} のどれかです",
                                f"stage must be one of {', '.join(STAGES)}, not {value!r}",
                            )
                        )
                    new[key] = value
                elif key == "settings":
                    if not isinstance(value, Mapping):
                        raise ValidationError(
                            Problem("settings", "設定の形が違います", "settings must be a mapping")
                        )
                    new[key] = _clean_settings(value, current["settings"])
                else:
                    try:
                        flag = coerce_value(key, value, bool)
                    except ValueError as e:
                        raise ValidationError(
                            Problem(key, "はい/いいえで指定してください", str(e))
                        ) from e
                    new[key] = bool(flag)
                    if key == "closed" and new[key] != current.get("closed"):
                        new["closed_at"] = _now() if new[key] else None
            changes_ = [
                _change(
                    "meta",
                    key,
                    {"key": key, "value": current[key]} if key in current else None,
                    {"key": key, "value": value},
                )
                for key, value in new.items()
                if current.get(key) != value or key not in current
            ]
            if changes_:
                self._record(actor, "meta", changes_, keys=[c["id"] for c in changes_])

    def _init_meta(self, actor: str, meta: Mapping[str, Any]) -> None:
        with self._transaction():
            changes = [
                _change("meta", key, None, {"key": key, "value": value})
                for key, value in meta.items()
            ]
            self._record(actor, "create", changes)

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
            return _graph_from_rows(self._rows("nodes"), self._rows("ties"), session=self.id)

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
        return _graph_from_rows(tables["nodes"].values(), tables["ties"].values(), session=self.id)

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

    # -- nodes and ties ---------------------------------------------------------------------

    def _node_row(
        self,
        node_id: str,
        kind: Any,
        label: Any,
        status: Any,
        attrs: Mapping[str, Any],
        *,
        note_id: str | None,
        created: str,
        actor: str,
    ) -> dict:
        _reject_reserved(attrs, ("id",), f"node {node_id!r}")
        record = {"id": node_id, "kind": kind, "label": _nfc(label), "status": status}
        problems, clean, _ = validate([{**record, **{k: _nfc(v) for k, v in attrs.items()}}], [])
        if problems:
            raise ValidationError(problems)
        _, data = clean[0]
        return {
            "id": node_id,
            "kind": data.pop("kind"),
            "label": data.pop("label"),
            "attrs": {k: v for k, v in data.items() if k != "status"},
            "status": data.get("status", "approved"),
            "note_id": note_id,
            "created": created,
            "actor": str(actor),
        }

    def _tie_row(
        self,
        tie_id: str,
        source: Any,
        target: Any,
        kind: Any,
        status: Any,
        attrs: Mapping[str, Any],
        *,
        created: str,
        actor: str,
    ) -> dict:
        _reject_reserved(attrs, ("id",), f"tie {tie_id!r}")
        ends = [self._row("nodes", end) for end in dict.fromkeys((source, target))]
        nodes = [{"id": n["id"], "kind": n["kind"], "label": n["label"]} for n in ends if n]
        record = {"id": tie_id, "source": source, "target": target, "kind": kind}
        problems, _, clean = validate(nodes, [{**record, "status": status, **attrs}])
        if problems:
            raise ValidationError(problems)
        source, target, _, data = clean[0]
        return {
            "id": tie_id,
            "source": source,
            "target": target,
            "kind": data.pop("kind"),
            "attrs": {k: v for k, v in data.items() if k != "status"},
            "status": data.get("status", "approved"),
            "created": created,
            "actor": str(actor),
        }

    def add_node(
        self,
        kind: str,
        label: str,
        actor: str,
        status: str = "approved",
        note_id: str | None = None,
        **attrs: Any,
    ) -> str:
        """Add a node and return its new id (``n<seq>``).

        ``kind``, ``label`` and ``attrs`` are checked with ``graph.model.validate``; a
        ``ValidationError`` means nothing was written.
        """
        with self._transaction():
            (node_id,) = self._new_ids("nodes", "n")
            row = self._node_row(
                node_id, kind, label, status, attrs, note_id=note_id, created=_now(), actor=actor
            )
            self._record(actor, "add_node", [_change("nodes", node_id, None, row)], node=node_id)
        return node_id

    def update_node(self, node_id: str, actor: str, **changes: Any) -> None:
        """Change a node's ``kind``, ``label``, ``status`` or attributes (``None`` removes one).

        The node's ties must still be allowed after a change of kind.
        """
        with self._transaction():
            before = self._need("nodes", node_id)
            core, attrs = _apply_changes(before, ("kind", "label", "status"), changes)
            after = self._node_row(
                node_id,
                core["kind"],
                core["label"],
                core["status"],
                attrs,
                note_id=before["note_id"],
                created=before["created"],
                actor=before["actor"],
            )
            if after == before:
                return
            if after["kind"] != before["kind"]:
                self._check_ties_of(after)
            self._record(
                actor, "update_node", [_change("nodes", node_id, before, after)], node=node_id
            )

    def _check_ties_of(self, node: Mapping[str, Any]) -> None:
        """Raise ``ValidationError`` if a tie of ``node`` no longer fits its kinds."""
        ties = self._rows("ties", "source = ? OR target = ?", [node["id"], node["id"]])
        others = {t["source"] for t in ties} | {t["target"] for t in ties}
        others.discard(node["id"])
        records = [{"id": node["id"], "kind": node["kind"], "label": node["label"]}]
        for other in others:
            row = self._need("nodes", other)
            records.append({"id": row["id"], "kind": row["kind"], "label": row["label"]})
        problems, _, _ = validate(
            records,
            [
                {"id": t["id"], "source": t["source"], "target": t["target"], "kind": t["kind"]}
                for t in ties
            ],
        )
        if problems:
            raise ValidationError(problems)

    def add_tie(
        self,
        source: str,
        target: str,
        kind: str,
        actor: str,
        status: str = "approved",
        **attrs: Any,
    ) -> str:
        """Add a tie ``source`` → ``target`` and return its new id (``t<seq>``).

        Both nodes must exist and the kind must allow their kinds
        (``graph.vocabulary.tie_allowed``); otherwise ``ValidationError`` and nothing written.
        """
        with self._transaction():
            (tie_id,) = self._new_ids("ties", "t")
            row = self._tie_row(
                tie_id, source, target, kind, status, attrs, created=_now(), actor=actor
            )
            self._record(actor, "add_tie", [_change("ties", tie_id, None, row)], tie=tie_id)
        return tie_id

    def update_tie(self, tie_id: str, actor: str, **changes: Any) -> None:
        """Change a tie's ``source``, ``target``, ``kind``, ``status`` or attributes.

        ``None`` removes an attribute; the result is validated like a new tie.
        """
        with self._transaction():
            before = self._need("ties", tie_id)
            core, attrs = _apply_changes(before, ("source", "target", "kind", "status"), changes)
            after = self._tie_row(
                tie_id, **core, attrs=attrs, created=before["created"], actor=before["actor"]
            )
            if after != before:
                self._record(
                    actor, "update_tie", [_change("ties", tie_id, before, after)], tie=tie_id
                )

    def merge_nodes(self, keep: str, drop: str, actor: str) -> None:
        """Merge node ``drop`` into ``keep`` in one event.

        The ties of ``drop`` move to ``keep``; a tie that would join ``keep`` to itself, or
        repeat a tie ``keep`` already has (same ends and kind), is removed. Notes pointing at
        ``drop`` point at ``keep``; attributes ``keep`` lacks are taken from ``drop``. Raises
        ``ValidationError`` if a moved tie is not allowed for ``keep``'s kind.
        """
        with self._transaction():
            if keep == drop:
                raise ValidationError(
                    Problem(
                        f"node {keep!r}",
                        "同じノードどうしは統合できません",
                        "cannot merge a node with itself",
                    )
                )
            keep_row = self._need("nodes", keep)
            drop_row = self._need("nodes", drop)
            kinds = {keep: keep_row["kind"]}
            seen = {
                (t["source"], t["target"], t["kind"])
                for t in self._rows("ties", "source = ? OR target = ?", [keep, keep])
            }
            changes: list[dict] = []
            problems: list[Problem] = []
            for tie in self._rows("ties", "source = ? OR target = ?", [drop, drop]):
                source = keep if tie["source"] == drop else tie["source"]
                target = keep if tie["target"] == drop else tie["target"]
                if source == target or (source, target, tie["kind"]) in seen:
                    changes.append(_change("ties", tie["id"], tie, None))
                    continue
                for end in (source, target):
                    kinds.setdefault(end, self._need("nodes", end)["kind"])
                if not tie_allowed(tie["kind"], kinds[source], kinds[target]):
                    problems.append(
                        Problem(
                            f"tie {tie['id']!r}",
                            f"統合すると {NODE_KINDS[kinds[source]].ja} から "
                            f"{NODE_KINDS[kinds[target]].ja} へのつながりになり、結べません",
                            f"after the merge a {tie['kind']} tie would run from "
                            f"{kinds[source]} to {kinds[target]}",
                        )
                    )
                    continue
                seen.add((source, target, tie["kind"]))
                changes.append(
                    _change("ties", tie["id"], tie, {**tie, "source": source, "target": target})
                )
            if problems:
                raise ValidationError(problems)
            for note in self._rows("notes", "node_id = ?", [drop]):
                changes.append(
                    _change(
                        "notes", note["id"], note, {**note, "node_id": keep, "updated": _now()}
                    )
                )
            attrs = {**drop_row["attrs"], **keep_row["attrs"]}
            if attrs != keep_row["attrs"]:
                changes.append(_change("nodes", keep, keep_row, {**keep_row, "attrs": attrs}))
            changes.append(_change("nodes", drop, drop_row, None))
            self._record(actor, "merge_nodes", changes, keep=keep, drop=drop)

    def import_graph(self, G: nx.Graph, actor: str) -> int:
        """Add every node and tie of ``G`` in one event; return the event's seq.

        Node ids and string tie keys are kept; ties with NetworkX's integer keys get new ids.
        The whole graph is validated first and no id may exist already: otherwise
        ``ValidationError`` naming every problem, and nothing is written.
        """
        if not G.is_multigraph() or not G.is_directed():
            G = nx.MultiDiGraph(G)
        nodes, ties = graph_records(G)
        with self._transaction():
            keyless = [t for t in ties if not isinstance(t["id"], str)]
            taken = [t["id"] for t in ties if isinstance(t["id"], str)]
            for tie, tie_id in zip(
                keyless, self._new_ids("ties", "t", len(keyless), taken), strict=True
            ):
                tie["id"] = tie_id
            problems, clean_nodes, clean_ties = validate(
                [{k: _nfc(v) for k, v in n.items()} for n in nodes], ties
            )
            for node_id, _ in clean_nodes:
                if self._row("nodes", node_id) is not None:
                    problems.append(
                        Problem(
                            f"node {node_id!r}",
                            f"ID {node_id!r} はこのセッションにすでにあります",
                            f"id {node_id!r} already exists in this session",
                        )
                    )
            for _, _, tie_id, _ in clean_ties:
                if self._row("ties", tie_id) is not None:
                    problems.append(
                        Problem(
                            f"tie {tie_id!r}",
                            f"ID {tie_id!r} はこのセッションにすでにあります",
                            f"tie id {tie_id!r} already exists in this session",
                        )
                    )
            if problems:
                raise ValidationError(problems)
            now, changes = _now(), []
            for node_id, data in clean_nodes:
                row = {
                    "id": node_id,
                    "kind": data.pop("kind"),
                    "label": data.pop("label"),
                    "attrs": {k: v for k, v in data.items() if k != "status"},
                    "status": data.get("status", "approved"),
                    "note_id": None,
                    "created": now,
                    "actor": str(actor),
                }
                changes.append(_change("nodes", node_id, None, row))
            for source, target, tie_id, data in clean_ties:
                row = {
                    "id": tie_id,
                    "source": source,
                    "target": target,
                    "kind": data.pop("kind"),
                    "attrs": {k: v for k, v in data.items() if k != "status"},
                    "status": data.get("status", "approved"),
                    "created": now,
                    "actor": str(actor),
                }
                changes.append(_change("ties", tie_id, None, row))
            return self._record(
                actor, "import", changes, nodes=len(clean_nodes), ties=len(clean_ties)
            )

    def log_export(
        self, actor: str, fmt: str, real_names: bool, path: str | Path | None = None
    ) -> int:
        """Record that the graph was exported (DESIGN.md §6: every export is logged).

        Appends an ``"export"`` event holding ``format``, ``real_names`` and ``path`` and no
        row changes, so replay ignores it and :meth:`undo` steps over it (it is not in
        :data:`UNDOABLE`). Returns the event's seq.
        """
        with self._transaction():
            return self._record(
                actor,
                "export",
                [],
                format=str(fmt),
                real_names=bool(real_names),
                path=None if path is None else str(path),
            )

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
                inverse.append(_change(change["table"], change["id"], current, change["before"]))
            undo_seq = self._record(actor, "undo", inverse, undoes=seq, undone_type=type)
        return self.events(after=undo_seq - 1, limit=1)[0]

    # -- participants and notes -------------------------------------------------------------

    def add_participant(self, nickname: str = "") -> str:
        """Register a participant's phone and return its secret token.

        Only the token's SHA-256 hash is stored; the hash is the participant's id.
        """
        nickname = _text(nickname, "nickname", MAX_NICKNAME, required=False)
        token = secrets.token_urlsafe(24)
        token_hash = _hash(token)
        row = {"token_hash": token_hash, "nickname": nickname, "joined": _now()}
        with self._transaction():
            self._record(token_hash, "join", [_change("participants", token_hash, None, row)])
        return token

    def participant(self, token: str) -> dict | None:
        """``{"id", "nickname", "joined"}`` for a token, or ``None`` if it is unknown."""
        if not isinstance(token, str) or not token:
            return None
        row = self._row("participants", _hash(token))
        if row is None:
            return None
        return {"id": row["token_hash"], "nickname": row["nickname"], "joined": row["joined"]}

    def note(self, note_id: str) -> dict | None:
        """One note as a dict, or ``None``."""
        return self._row("notes", note_id)

    def notes(self, status: str | None = None, participant: str | None = None) -> list[dict]:
        """The notes, oldest first, optionally only those with ``status`` or by ``participant``."""
        where = {"status": status, "participant": participant}
        where = {column: value for column, value in where.items() if value is not None}
        return self._rows("notes", " AND ".join(f"{c} = ?" for c in where), where.values())

    def add_note(self, participant: str, kind: str, text: str, **attrs: Any) -> dict:
        """Post a sticky note and return it.

        ``participant`` is the id from :meth:`participant` (or a name such as
        ``"facilitator"``). ``text`` is NFC-normalised and stripped and must hold 1 to
        :data:`MAX_NOTE` characters; ``kind`` is a node kind and ``attrs`` are node attributes.
        Refused once the session is closed. With ``auto_approve`` on, the note's node is
        created in the same event.
        """
        text = _text(text, "text", MAX_NOTE)
        _reject_reserved(attrs, ("id", "status"), "note")
        problems, clean, _ = validate(
            [
                {
                    "id": "note",
                    "kind": kind,
                    "label": text,
                    **{k: _nfc(v) for k, v in attrs.items()},
                }
            ],
            [],
        )
        if problems:
            raise ValidationError(problems)
        data = clean[0][1]
        kind, attrs = data.pop("kind"), {k: v for k, v in data.items() if k != "label"}
        with self._transaction():
            meta = self.meta()
            if meta.get("closed") or meta.get("stage") == "closed":
                raise ValidationError(
                    Problem("", "付箋の受付は終了しました", "this session no longer takes notes")
                )
            (note_id,) = self._new_ids("notes", "note")
            now = _now()
            note = {
                "id": note_id,
                "participant": str(participant),
                "kind": kind,
                "text": text,
                "attrs": attrs,
                "status": "pending",
                "node_id": None,
                "created": now,
                "updated": now,
            }
            changes = [_change("notes", note_id, None, note)]
            if meta.get("auto_approve"):
                note, more = self._approval(note, str(participant), None, {})
                changes = [_change("notes", note_id, None, note), *more[1:]]
            self._record(str(participant), "add_note", changes, note=note_id)
        return note

    def _approval(
        self, note: dict, actor: str, label: str | None, attrs: Mapping[str, Any]
    ) -> tuple[dict, list[dict]]:
        """The approved note and the changes that create its node."""
        (node_id,) = self._new_ids("nodes", "n")
        now = _now()
        node = self._node_row(
            node_id,
            note["kind"],
            note["text"] if label is None else label,
            "approved",
            {**note["attrs"], **attrs},
            note_id=note["id"],
            created=now,
            actor=actor,
        )
        after = {**note, "status": "approved", "node_id": node_id, "updated": now}
        return after, [
            _change("notes", note["id"], note, after),
            _change("nodes", node_id, None, node),
        ]

    def _pending_note(self, note_id: str) -> dict:
        note = self._need("notes", note_id)
        if note["status"] in ("approved", "merged"):
            raise ValidationError(
                Problem(
                    f"note {note_id!r}",
                    "この付箋はすでに地図にあります",
                    f"note is already {note['status']}",
                )
            )
        return note

    def approve_note(
        self, note_id: str, actor: str, label: str | None = None, **attrs: Any
    ) -> str:
        """Put a pending (or hidden) note on the map: create its node in one event.

        ``label`` replaces the note's text (say, to fix a typo); ``attrs`` add to its
        attributes. Returns the new node's id.
        """
        with self._transaction():
            note = self._pending_note(note_id)
            after, changes = self._approval(note, actor, label, attrs)
            self._record(actor, "approve_note", changes, note=note_id, node=after["node_id"])
        return after["node_id"]

    def hide_note(self, note_id: str, actor: str) -> None:
        """Hide a pending note (its node, if any, is left alone: use ``update_node``)."""
        with self._transaction():
            note = self._need("notes", note_id)
            if note["status"] == "hidden":
                return
            after = {**note, "status": "hidden", "updated": _now()}
            self._record(
                actor, "hide_note", [_change("notes", note_id, note, after)], note=note_id
            )

    def merge_note(self, note_id: str, node_id: str, actor: str) -> None:
        """Mark a note as a duplicate of an existing node (status ``merged``)."""
        with self._transaction():
            note = self._pending_note(note_id)
            self._need("nodes", node_id)
            after = {**note, "status": "merged", "node_id": node_id, "updated": _now()}
            self._record(
                actor,
                "merge_note",
                [_change("notes", note_id, note, after)],
                note=note_id,
                node=node_id,
            )

    def _own_pending_note(self, note_id: str, participant: str) -> dict:
        """The pending note ``note_id`` if ``participant`` wrote it.

        Another phone's note is ``NotFound`` (a phone never learns that it exists); a note the
        facilitator has already handled is a ``ValidationError``; so is a closed session.
        """
        meta = self.meta()
        if meta.get("closed") or meta.get("stage") == "closed":
            raise ValidationError(
                Problem("", "付箋の受付は終了しました", "this session no longer takes notes")
            )
        note = self._row("notes", note_id)
        if note is None or note["participant"] != str(participant):
            raise NotFound(
                Problem(f"note {note_id!r}", "付箋が見つかりません", "note does not exist")
            )
        if note["status"] != "pending":
            raise ValidationError(
                Problem(
                    "",
                    "進行役が確認した付箋は直せません",
                    "the facilitator has already handled this note",
                )
            )
        return note

    def update_note(self, note_id: str, participant: str, actor: str, **changes: Any) -> dict:
        """A phone changes its own pending note and gets it back.

        ``changes`` may hold ``kind``, ``text`` and node attributes (``None`` removes one);
        they are checked like :meth:`add_note`. Raises ``NotFound`` for a note of another
        participant and ``ValidationError`` (nothing written) for a note that is no longer
        pending, a closed session or a bad value.
        """
        with self._transaction():
            before = self._own_pending_note(note_id, participant)
            kind = changes.pop("kind", before["kind"])
            text = _text(changes.pop("text", before["text"]), "text", MAX_NOTE)
            _reject_reserved(changes, ("id", "status", "label"), "note")
            attrs = dict(before["attrs"])
            for key, value in changes.items():
                if value is None:
                    attrs.pop(key, None)
                else:
                    attrs[key] = _nfc(value)
            problems, clean, _ = validate(
                [{"id": "note", "kind": kind, "label": text, **attrs}], []
            )
            if problems:
                raise ValidationError(problems)
            data = clean[0][1]
            after = {
                **before,
                "kind": data.pop("kind"),
                "text": text,
                "attrs": {k: v for k, v in data.items() if k != "label"},
            }
            if after == before:
                return before
            after["updated"] = _now()
            self._record(
                str(actor), "update_note", [_change("notes", note_id, before, after)], note=note_id
            )
        return after

    def withdraw_note(self, note_id: str, participant: str, actor: str) -> None:
        """A phone takes back its own pending note: the row goes, the event log keeps it.

        Raises ``NotFound`` for a note of another participant and ``ValidationError`` for a
        note the facilitator has already handled or a closed session.
        """
        with self._transaction():
            before = self._own_pending_note(note_id, participant)
            self._record(
                str(actor),
                "withdraw_note",
                [_change("notes", note_id, before, None)],
                note=note_id,
            )


class Store:
    """The data folder: one ``<session_id>.sqlite`` file per session.

    Parameters
    ----------
    root : Path or str
        The folder; created on the first :meth:`create`.
    """

    def __init__(self, root: Path | str):
        self.root = Path(root)
        # Serialises create() within this process, so two new sessions never share a code.
        self._lock = threading.Lock()

    def path(self, session_id: str) -> Path:
        """The file of ``session_id``; ``NotFound`` for anything that is not a session id.

        Only 8 lowercase letters and digits pass, so no path can leave the data folder.
        """
        if not isinstance(session_id, str) or not _ID_RE.fullmatch(session_id):
            raise NotFound(
                Problem(
                    "session",
                    "セッションが見つかりません",
                    f"no session {str(session_id)[:40]!r}",
                )
            )
        return self.root / f"{session_id}.sqlite"

    def ids(self) -> list[str]:
        """The ids of every session file in the folder, sorted."""
        if not self.root.is_dir():
            return []
        return sorted(
            p.stem for p in self.root.glob("*.sqlite") if _ID_RE.fullmatch(p.stem) and p.is_file()
        )

    def create(self, title: str, area: str = "", actor: str = "cli", **settings: Any) -> Session:
        """Create a session and return it open (the caller closes it).

        ``settings`` override the flag thresholds of :data:`DEFAULT_SETTINGS`. The join code
        is unique among the sessions in the folder.
        """
        title = _text(title, "title", MAX_TITLE)
        area = _text(area, "area", MAX_TITLE, required=False)
        settings = _clean_settings(settings, DEFAULT_SETTINGS)
        self.root.mkdir(parents=True, exist_ok=True)
        with self._lock:
            codes = set()
            for session_id in self.ids():
                with Session(self.path(session_id)) as session:
                    codes.add(session.meta().get("code"))
            while True:
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                if code not in codes:
                    break
            while True:
                session_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))
                path = self.path(session_id)
                if not path.exists():
                    break
            session = Session(path)
            try:
                session._init_meta(
                    actor,
                    {
                        "id": session_id,
                        "title": title,
                        "area": area,
                        "created": _now(),
                        "code": code,
                        "stage": "notes",
                        "auto_approve": False,
                        "closed": False,
                        "closed_at": None,
                        "settings": settings,
                    },
                )
            except BaseException:
                session.close()
                path.unlink(missing_ok=True)
                raise
        return session

    def open(self, session_id: str) -> Session:
        """Open an existing session (the caller closes it); ``NotFound`` if there is none."""
        path = self.path(session_id)
        if not path.is_file():
            raise NotFound(
                Problem("session", "セッションが見つかりません", f"no session {session_id!r}")
            )
        return Session(path)

    def list(self) -> list[dict]:
        """Every session, newest first.

        Each is ``{"id", "title", "area", "created", "code", "stage", "closed", "nodes",
        "ties", "last_change"}`` (``last_change`` is the time of the latest event).
        """
        sessions = []
        for session_id in self.ids():
            with Session(self.path(session_id)) as session, session._snapshot():
                meta = session.meta()
                if "code" not in meta:
                    continue  # a file whose creation never finished
                q = session.db.execute
                sessions.append(
                    {
                        "id": session_id,
                        "title": meta["title"],
                        "area": meta["area"],
                        "created": meta["created"],
                        "code": meta["code"],
                        "stage": meta["stage"],
                        "closed": bool(meta.get("closed")),
                        "nodes": q("SELECT count(*) FROM nodes").fetchone()[0],
                        "ties": q("SELECT count(*) FROM ties").fetchone()[0],
                        "last_change": q(
                            "SELECT time FROM events ORDER BY seq DESC LIMIT 1"
                        ).fetchone()[0],
                    }
                )
        return sorted(sessions, key=lambda s: s["created"], reverse=True)

    def find_by_code(self, code: str) -> str | None:
        """The id of the session whose join code is ``code`` (any case), or ``None``."""
        if not isinstance(code, str):
            return None
        code = code.strip().upper()
        if len(code) != CODE_LENGTH:
            return None
        for session_id in self.ids():
            with Session(self.path(session_id)) as session:
                if session.meta().get("code") == code:
                    return session_id
        return None
