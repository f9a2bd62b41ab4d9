"""The data folder: one file per session, their ids and join codes, creating and listing them."""

from __future__ import annotations

import os
import re
import secrets
import shutil
import sqlite3
import threading
from pathlib import Path
from typing import Any

import networkx as nx

from graph.errors import Damaged, NotFound, Problem

from .meta import DEFAULT_SETTINGS, MAX_TITLE, clean_settings
from .rows import clean_text, utc_now
from .session import Session

__all__ = ["CODE_ALPHABET", "CODE_LENGTH", "Store", "disk_nearly_full", "damaged_error"]

#: Letters and digits that cannot be mistaken for one another (no I/1, O/0, L).
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 6
_ID_RE = re.compile(r"[a-z0-9]{8}")
_ID_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"


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

    def create(
        self,
        title: str,
        area: str = "",
        actor: str = "cli",
        graph: nx.Graph | None = None,
        **settings: Any,
    ) -> Session:
        """Create a session and return it open (the caller closes it).

        ``settings`` override the flag thresholds of :data:`DEFAULT_SETTINGS`. The join code
        is unique among the sessions in the folder. With ``graph``, its nodes and ties are
        imported in the same step.

        The file is built under a hidden name and renamed into place once complete: a failed
        import or a full disk leaves no session and no empty file behind. The file is readable
        by its owner only (0600).
        """
        title = clean_text(title, "title", MAX_TITLE)
        area = clean_text(area, "area", MAX_TITLE, required=False)
        settings = clean_settings(settings, DEFAULT_SETTINGS)
        self.root.mkdir(mode=0o700, parents=True, exist_ok=True)
        with self._lock:
            codes = {row["code"] for row in self.scan()[0]}
            while True:
                code = "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))
                if code not in codes:
                    break
            while True:
                session_id = "".join(secrets.choice(_ID_ALPHABET) for _ in range(8))
                path = self.path(session_id)
                if not path.exists():
                    break
            partial = self.root / f".creating-{session_id}.sqlite"
            try:
                self._build(
                    partial, actor, graph, _first_meta(session_id, title, area, code, settings)
                )
                os.replace(partial, path)
            except BaseException:
                _remove(partial)
                raise
        return Session(path)

    @staticmethod
    def _build(partial: Path, actor: str, graph, meta: dict) -> None:
        _remove(partial)
        os.close(os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        with Session(partial) as session:
            session._init_meta(actor, meta)
            if graph is not None:
                session.import_graph(graph, actor=actor)
            # Fold the WAL into the file, so the rename moves one complete file.
            session.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    def open(self, session_id: str) -> Session:
        """Open an existing session (the caller closes it); ``NotFound`` if there is none."""
        path = self.path(session_id)
        if not path.is_file():
            raise NotFound(
                Problem("session", "セッションが見つかりません", f"no session {session_id!r}")
            )
        try:
            return Session(path)
        except sqlite3.DatabaseError as e:
            if _is_busy(e):
                raise
            if disk_nearly_full(self.root):
                # SQLite says "disk I/O error" when it cannot even make its -shm file.
                raise sqlite3.OperationalError("database or disk is full") from e
            raise damaged_error(path.name, e) from e

    def list(self) -> list[dict]:
        """Every readable session, newest first (see :meth:`damaged` for the others).

        Each is ``{"id", "title", "area", "created", "code", "stage", "closed", "nodes",
        "ties", "last_change"}`` (``last_change`` is the time of the latest event).
        """
        return self.scan()[0]

    def damaged(self) -> list[dict]:
        """The session files that cannot be read: ``{"id", "file", "problem"}`` each.

        One broken file (a cut copy, a disk error) breaks only its own session: every other
        session is listed, joined and created as usual.
        """
        return self.scan()[1]

    def scan(self) -> tuple[list[dict], list[dict]]:
        """``(list(), damaged())`` in one pass over the folder."""
        sessions, damaged = [], []
        for session_id in self.ids():
            try:
                row = self._summary(session_id)
            except sqlite3.DatabaseError as e:
                if disk_nearly_full(self.root):
                    raise sqlite3.OperationalError("database or disk is full") from e
                if _is_busy(e):
                    if "locked" in str(e) or "busy" in str(e):
                        continue  # another writer holds it right now; not damage
                    raise  # a full disk or read-only folder: answered as such
                damaged.append(
                    {"id": session_id, "file": self.path(session_id).name, "problem": str(e)}
                )
                continue
            if row is not None:
                sessions.append(row)
        return sorted(sessions, key=lambda s: s["created"], reverse=True), damaged

    def _summary(self, session_id: str) -> dict | None:
        with Session(self.path(session_id)) as session, session._snapshot():
            meta = session.meta()
            if "code" not in meta:
                return None  # a file whose creation never finished
            q = session.db.execute
            return {
                "id": session_id,
                "title": meta["title"],
                "area": meta["area"],
                "created": meta["created"],
                "code": meta["code"],
                "stage": meta["stage"],
                "closed": bool(meta.get("closed")),
                "nodes": q("SELECT count(*) FROM nodes").fetchone()[0],
                "ties": q("SELECT count(*) FROM ties").fetchone()[0],
                "last_change": q("SELECT time FROM events ORDER BY seq DESC LIMIT 1").fetchone()[
                    0
                ],
            }

    def find_by_code(self, code: str) -> str | None:
        """The id of the session whose join code is ``code`` (any case), or ``None``."""
        if not isinstance(code, str):
            return None
        code = code.strip().upper()
        if len(code) != CODE_LENGTH:
            return None
        for session_id in self.ids():
            try:
                with Session(self.path(session_id)) as session:
                    if session.meta().get("code") == code:
                        return session_id
            except sqlite3.DatabaseError:
                continue  # a damaged file is nobody's workshop (see damaged())
        return None


def damaged_error(name: str, error: Exception) -> Damaged:
    """The domain error of a session file that cannot be read."""
    return Damaged(
        Problem(
            name,
            "このセッションのファイルは壊れていて開けません。バックアップから戻してください",
            f"this session's file is damaged and cannot be opened ({error}); "
            "restore it from a backup",
        )
    )


def _first_meta(session_id: str, title: str, area: str, code: str, settings: dict) -> dict:
    return {
        "id": session_id,
        "title": title,
        "area": area,
        "created": utc_now(),
        "code": code,
        "stage": "notes",
        "auto_approve": False,
        "closed": False,
        "closed_at": None,
        "settings": settings,
    }


def _remove(path: Path) -> None:
    """Remove a session file with SQLite's companions (-wal, -shm, -journal)."""
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)


def disk_nearly_full(folder: Path) -> bool:
    """Whether the disk of ``folder`` has (almost) no room left: SQLite's "disk I/O error"
    then means a full disk, not a damaged file."""
    try:
        return shutil.disk_usage(folder).free < 256 * 1024
    except OSError:
        return False


def _is_busy(error: sqlite3.DatabaseError) -> bool:
    """Whether ``error`` says nothing about the file itself: another writer holds it, the disk
    is full or the folder read-only. Those are answered as such, never as damage."""
    text = str(error).lower()
    return any(
        word in text
        for word in ("locked", "busy", "full", "readonly", "read-only", "unable to open")
    )
