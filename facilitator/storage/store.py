"""The data folder: one file per session, their ids and join codes, creating and listing them."""

from __future__ import annotations

import re
import secrets
import threading
from pathlib import Path
from typing import Any

from graph.errors import NotFound, Problem

from .meta import DEFAULT_SETTINGS, MAX_TITLE, clean_settings
from .rows import clean_text, utc_now
from .session import Session

__all__ = ["CODE_ALPHABET", "CODE_LENGTH", "Store"]

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

    def create(self, title: str, area: str = "", actor: str = "cli", **settings: Any) -> Session:
        """Create a session and return it open (the caller closes it).

        ``settings`` override the flag thresholds of :data:`DEFAULT_SETTINGS`. The join code
        is unique among the sessions in the folder.
        """
        title = clean_text(title, "title", MAX_TITLE)
        area = clean_text(area, "area", MAX_TITLE, required=False)
        settings = clean_settings(settings, DEFAULT_SETTINGS)
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
                        "created": utc_now(),
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
