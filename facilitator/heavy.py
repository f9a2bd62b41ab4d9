"""Heavy pages share a few threads, so a huge session never starves the live workshop.

An archive summary, a report or the dashboard of a town-sized session can take seconds of
CPU. Each holds one of the server's threads; thirty impatient reloads held all of them and
the phones of another session waited for minutes (issue 13 row 13). At most ``HEAVY_PAGES``
such requests run at once; another one waits half a second for a slot, then gets 503 with
``Retry-After`` and a Japanese message, and its thread is free again for the phones.
"""

from __future__ import annotations

import threading

from flask import Flask, abort, current_app, g, make_response
from flask_babel import gettext as _

from .errors import error_response

__all__ = ["init_app", "heavy", "heavy_if_large"]

#: Seconds a heavy request waits for a slot before it is told to come back.
WAIT_SECONDS = 0.5
RETRY_AFTER = 5


def heavy() -> None:
    """Take a heavy slot for this request (once; released at teardown), or answer 503."""
    if g.get("tsunagari_heavy"):
        return
    slots: threading.BoundedSemaphore = current_app.extensions["tsunagari_heavy"]
    if not slots.acquire(timeout=WAIT_SECONDS):
        response = make_response(
            *error_response(
                503,
                "busy",
                _("Another large page is being prepared. Please try again in a few seconds."),
            )
        )
        response.headers["Retry-After"] = str(RETRY_AFTER)
        abort(response)
    g.tsunagari_heavy = True


def heavy_if_large(session, nodes: int | None = None) -> None:
    """:func:`heavy` when ``session`` has more than ``LARGE_SESSION_NODES`` nodes (``nodes``
    when the caller knows them, e.g. from the live graph: no count of the table then)."""
    limit = current_app.config["LARGE_SESSION_NODES"]
    if nodes is None:
        cursor = session.db.execute("SELECT count(*) FROM nodes")
        try:
            nodes = cursor.fetchone()[0]
        finally:
            cursor.close()  # end the read at once: an open statement would hold back checkpoints
    if nodes > limit:
        heavy()


def _release(_exc: BaseException | None) -> None:
    if g.pop("tsunagari_heavy", False):
        current_app.extensions["tsunagari_heavy"].release()


def init_app(app: Flask) -> None:
    """Give the app its heavy slots."""
    app.extensions["tsunagari_heavy"] = threading.BoundedSemaphore(
        max(1, int(app.config["HEAVY_PAGES"]))
    )
    app.teardown_request(_release)
