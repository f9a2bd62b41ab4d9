"""One workshop session: the SQLite file, its connection, and the facade over its concerns."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from sqlite_utils import Database

from .curation import Curation
from .notes import NoteWorkflow
from .phones import PhoneModeration
from .positions import Positions
from .pseudonyms import Pseudonyms
from .schema import MIGRATIONS
from .screens import ScreenState
from .updates import FileUpdates

__all__ = ["BUSY_TIMEOUT", "Session"]

#: Seconds a writer waits for another writer before giving up.
BUSY_TIMEOUT = 30.0


#: Files this process has seen in WAL mode and fully migrated: the main file's modification
#: time by device and inode (one entry per file). Every request opens its session, and the
#: journal-mode and migration checks were most of that open's cost (0.8 of 1.4 ms). A file
#: replaced or restored under the same name has another inode or time, and is checked again.
_READY: dict[tuple[int, int], int] = {}


def _file_mark(path: Path) -> tuple[tuple[int, int], int] | None:
    try:
        st = path.stat()
    except OSError:
        return None  # not there yet
    return (st.st_dev, st.st_ino), st.st_mtime_ns


def _is_ready(path: Path) -> bool:
    mark = _file_mark(path)
    return mark is not None and _READY.get(mark[0]) == mark[1]


class Session(
    Curation, NoteWorkflow, Positions, Pseudonyms, FileUpdates, PhoneModeration, ScreenState
):
    """One workshop session: an SQLite file holding its event log and current state.

    Open it through :meth:`Store.open` (or :meth:`Store.create`). A ``Session`` owns one
    SQLite connection, which must stay in the thread that opened it: keep one ``Session`` per
    thread or request and :meth:`close` it (or use ``with``).

    Each concern lives in its own base class: the event log, transactions, replay and undo
    (:class:`~facilitator.storage.log.EventLog`), the map's nodes and ties
    (:class:`~facilitator.storage.graph_state.GraphState`), the metadata
    (:class:`~facilitator.storage.meta.Metadata`) and the participants' notes
    (:class:`~facilitator.storage.notes.NoteWorkflow`) and where the facilitator put notes on
    the tree (:class:`~facilitator.storage.positions.Positions`), the facilitator's
    corrections after approval (:class:`~facilitator.storage.curation.Curation`), the
    pseudonyms its nodes are exported under
    (:class:`~facilitator.storage.pseudonyms.Pseudonyms`) and a file exported from the session
    brought back (:class:`~facilitator.storage.updates.FileUpdates`). This class opens and
    closes the file.

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
            # synchronous is per connection; FULL so an acknowledged change survives power loss.
            conn.execute("PRAGMA synchronous = FULL")
            if not _is_ready(self.path):
                self.db.enable_wal()  # kept in the file itself
                if MIGRATIONS.pending(self.db):
                    # Under the write lock, so two processes opening an old file migrate it once.
                    with self._transaction():
                        MIGRATIONS.apply(self.db)
                if (mark := _file_mark(self.path)) is not None:
                    _READY[mark[0]] = mark[1]
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
