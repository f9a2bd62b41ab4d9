"""Session files kept open between reading requests, one small set per server thread.

Every screen asks again after each change (the trees, the wall, the dashboard's regions), and
opening a session's SQLite file for each request was about a millisecond of the answer: the
connection, its pragmas, the schema read again and, after any write, the migrations checked
again. A reading request (GET, HEAD) of a server thread now takes the connection the thread's
last reading request of that file left (:func:`take`), and gives it back at the end of the
request (:func:`give_back`). A write still opens the file afresh, as before.

Each kept connection belongs to one thread (SQLite's rule) and to one request at a time: it
leaves the thread's set while a request uses it. SQLite shows every statement the newest
committed state, so changes by other connections and processes (the CLI) are seen as before.
A file replaced or deleted meanwhile (another inode) is opened afresh, and a request that
ended in an error closes its connection instead of keeping it.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict

from .storage import Session, Store

__all__ = ["KEPT_PER_THREAD", "take", "give_back"]

#: Session files each thread keeps open (a workshop has one; a coordinator looks at a few).
#: None on Windows: there a file cannot be deleted or restored over while any connection
#: holds it open, and deleting a session must work whatever the threads last read.
KEPT_PER_THREAD = 0 if os.name == "nt" else 4

_local = threading.local()


def _kept() -> OrderedDict[tuple, Session]:
    kept = getattr(_local, "sessions", None)
    if kept is None:
        kept = _local.sessions = OrderedDict()
    return kept


def _mark(store: Store, session_id: str) -> tuple | None:
    """The file's identity: its path, device and inode (None when there is no such file)."""
    path = store.path(session_id)  # NotFound for anything that is not a session id
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (str(path), st.st_dev, st.st_ino)


def take(store: Store, session_id: str) -> tuple[Session, tuple | None]:
    """The session ``session_id`` for a reading request and the mark to give it back under:
    this thread's kept connection to its file if there is one, else a new one."""
    mark = _mark(store, session_id)
    session = _kept().pop(mark, None) if mark is not None else None
    if session is not None:
        if not session._conn.in_transaction:
            return session, mark
        session.close()  # never happens after a clean request: not worth reasoning about
    return store.open(session_id), mark


def give_back(session: Session, mark: tuple | None, failed: bool) -> None:
    """The reading request is done with ``session``: keep it for this thread's next one
    (at most :data:`KEPT_PER_THREAD` files), or close it after an error."""
    if failed or mark is None or session._conn.in_transaction or not KEPT_PER_THREAD:
        session.close()
        return
    kept = _kept()
    old = kept.pop(mark, None)
    if old is not None and old is not session:
        old.close()
    kept[mark] = session
    while len(kept) > KEPT_PER_THREAD:
        _mark_, oldest = kept.popitem(last=False)
        oldest.close()
