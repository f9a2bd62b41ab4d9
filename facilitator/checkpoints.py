"""A session file complete on its own: the WAL checkpointed after a quiet minute.

SQLite in WAL mode keeps recent commits in ``<id>.sqlite-wal`` until a checkpoint, and while a
screen is open there is always a connection, so the usual checkpoint at the last close never
comes. Whoever copies only ``<id>.sqlite`` (as one hands a session over) would miss them. So
every write request arms a timer for its sessions; when no write came for
``QUIET_CHECKPOINT_SECONDS`` (60 by default), the WAL is written into the file.
"""

from __future__ import annotations

import sqlite3
import threading
from pathlib import Path

__all__ = ["QuietCheckpoints", "checkpoint_file"]


def checkpoint_file(path: Path, timeout: float = 5.0) -> bool:
    """Checkpoint the WAL of the SQLite file at ``path`` into it; whether it was complete."""
    try:
        conn = sqlite3.connect(path, timeout=timeout, isolation_level=None)
    except sqlite3.Error:
        return False
    try:
        busy, _log, _done = conn.execute("PRAGMA wal_checkpoint(TRUNCATE)").fetchone()
        return not busy
    except sqlite3.Error:
        return False  # a damaged or vanished file: the next write arms the timer again
    finally:
        conn.close()


class QuietCheckpoints:
    """One pending checkpoint per session file, pushed back by every new write."""

    def __init__(self, seconds: float = 60.0):
        self.seconds = seconds
        self._timers: dict[Path, threading.Timer] = {}
        self._lock = threading.Lock()

    def touch(self, path: Path) -> None:
        """A write reached ``path``: checkpoint it once ``seconds`` pass without another."""
        with self._lock:
            old = self._timers.pop(path, None)
            if old is not None:
                old.cancel()
            timer = threading.Timer(self.seconds, self._run, args=(path,))
            timer.daemon = True
            self._timers[path] = timer
            timer.start()

    def _run(self, path: Path) -> None:
        me = threading.current_thread()
        with self._lock:
            if self._timers.get(path) is not me:
                return  # pushed back meanwhile
        if path.exists():
            checkpoint_file(path)
        with self._lock:
            # Pending until the checkpoint is done, so pending() == 0 means the files are whole.
            if self._timers.get(path) is me:
                del self._timers[path]

    def pending(self) -> int:
        """How many session files wait for (or are in) their checkpoint."""
        with self._lock:
            return len(self._timers)
