"""Backups of session files: beside the data when a session is closed, or where the CLI says."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

from .storage import Session

__all__ = ["BACKUP_FOLDER", "backup_path", "backup_closed"]

#: The folder inside the data folder that keeps the backups written when sessions close.
BACKUP_FOLDER = "backups"


def backup_path(data: Path | str, session_id: str, when: datetime | None = None) -> Path:
    """``<data>/backups/<id>-<UTC time>.sqlite``, the backup file of a session closing now.

    >>> backup_path("sessions", "ab12cd34", datetime(2026, 11, 27, 9, 30, tzinfo=UTC)).as_posix()
    'sessions/backups/ab12cd34-20261127T093000Z.sqlite'
    """
    when = (when or datetime.now(UTC)).astimezone(UTC)
    return Path(data) / BACKUP_FOLDER / f"{session_id}-{when:%Y%m%dT%H%M%SZ}.sqlite"


def backup_closed(session: Session, data: Path | str) -> Path | None:
    """Write the backup of a session just closed; ``None`` if it could not be written.

    The close itself is already committed, so a full disk must not undo it or fail the page:
    the caller logs the ``None``.
    """
    try:
        return session.backup(backup_path(data, session.id))
    except (OSError, sqlite3.Error):
        return None
