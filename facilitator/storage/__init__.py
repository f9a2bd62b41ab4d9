"""Session storage: one SQLite file per workshop, an append-only event log, undo and replay."""

from .quick_import import import_sqlite_utils

import_sqlite_utils()  # before any module below imports it (quick_import.py)

# ruff: noqa: E402

from .demo import DEMO_TITLE, demo_session
from .log import UNDOABLE
from .meta import DEFAULT_SETTINGS, MAX_TITLE, STAGES
from .notes import MAX_NICKNAME, MAX_NOTE, NOTE_STATUSES
from .schema import MIGRATIONS
from .session import BUSY_TIMEOUT, Session
from .store import CODE_ALPHABET, CODE_LENGTH, Store

__all__ = [
    "Store",
    "Session",
    "MIGRATIONS",
    "STAGES",
    "NOTE_STATUSES",
    "DEFAULT_SETTINGS",
    "CODE_ALPHABET",
    "CODE_LENGTH",
    "UNDOABLE",
    "MAX_NOTE",
    "MAX_TITLE",
    "MAX_NICKNAME",
    "BUSY_TIMEOUT",
    "DEMO_TITLE",
    "demo_session",
]
