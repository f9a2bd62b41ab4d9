"""The live stream brings the tree and the wall along: a screen showing one needs no request
per change.

Each change used to cost a tree screen two round trips: the stream's ``changed``, then a
``GET tree.json`` with its login check, its session file, its locale — about as much CPU as
the picture itself, now that the picture is built once per seq and shared. A stream opened
with ``?tree=projector`` (the projector's tree) or ``?tree=private`` (the facilitator's own
tree) carries, before each ``changed`` that touched the tree, a ``tree`` event whose data is
what changed in the screen's default view since the picture it last had (a delta,
tree_delta.py), or the same answer ``tree.json`` gives for that view when no earlier picture
is known (the same bytes, shared with every screen at that seq). A screen showing another
view (winter, a what-if, a district opened, the network) or still loading ignores it and
asks as before (static/js/tree.js).
The projector opened on its note wall likewise gets ``?wall=1``: a ``wall`` event with the
wall's fragment (the same one ``GET …/projector/wall`` gives), swapped in where the wall is
on screen (static/js/facilitation.js).

Each picture is made as for a request of its own, from the stream's request (its login
cookie, its language, nothing of its query): the facilitator's login is checked again for
every picture, so a stream whose facilitator logged out meanwhile ends instead of carrying
on; the projector's picture is the projector-safe payload (graph/privacy.py), as tree.json's.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any

from flask import Flask
from werkzeug.exceptions import HTTPException

from . import web
from .auth import require_facilitator
from .tree import payload_of
from .tree_delta import delta_answer

__all__ = ["VIEWS", "tree_pusher", "wall_pusher", "ENDED"]

#: The views a stream may carry: ``?tree=<name>`` → private or not.
VIEWS: dict[str, bool] = {"projector": False, "private": True}

#: What a pusher answers when the stream must end (the facilitator is no longer logged in).
ENDED = object()

#: The request's environ keys a picture's own request keeps (who asks, in which language).
_KEPT = ("HTTP_COOKIE", "HTTP_ACCEPT_LANGUAGE", "HTTP_HOST", "REMOTE_ADDR", "SERVER_NAME")


def _environ(environ: Mapping[str, Any], session_id: str) -> dict[str, Any]:
    kept = {k: environ[k] for k in _KEPT if k in environ}
    return {
        **kept,
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": environ.get("SCRIPT_NAME", ""),
        "PATH_INFO": f"/sessions/{session_id}/tree.json",
        "QUERY_STRING": "",
        "SERVER_NAME": environ.get("SERVER_NAME", "localhost"),
        "SERVER_PORT": environ.get("SERVER_PORT", "80"),
        "SERVER_PROTOCOL": "HTTP/1.1",
        "wsgi.url_scheme": environ.get("wsgi.url_scheme", "http"),
        "wsgi.errors": environ.get("wsgi.errors"),
        "wsgi.multithread": True,
        "wsgi.multiprocess": False,
        "wsgi.run_once": False,
        "wsgi.version": (1, 0),
    }


def _pusher(
    app: Flask, environ: Mapping[str, Any], session_id: str, event: str, make: Callable
) -> Callable[[], Any]:
    """A function giving the SSE message ``event`` whose data is ``make(session)`` (bytes,
    each line its own ``data:``) made as for a request of its own (see the module's text)."""
    base = _environ(environ, session_id)
    head = f"event: {event}\n".encode()

    def push() -> Any:
        with app.request_context({**base, "wsgi.input": io.BytesIO(b"")}):
            try:
                require_facilitator()
            except HTTPException:
                return ENDED
            try:
                data = make(web.open_session(session_id))
            except Exception:  # noqa: BLE001 — the screen asks for it itself then
                app.logger.exception("could not bring the %s along the stream", event)
                return b""
        data = data if isinstance(data, bytes) else data.encode()
        # Each line its own ``data:`` (a town's wall is thousands of lines): one replace.
        return head + b"data: " + data.replace(b"\n", b"\ndata: ") + b"\n\n"

    return push


def tree_pusher(
    app: Flask, environ: Mapping[str, Any], session_id: str, view: str | None
) -> Callable[[], Any] | None:
    """For a stream asking for ``view`` (see :data:`VIEWS`), a function giving the SSE
    ``tree`` message at the live seq (bytes) — or :data:`ENDED` once the facilitator is
    logged out, or ``b""`` when no picture can be made now (the screen then asks, as without
    a push). ``None`` for a stream asking for no tree."""
    if view not in VIEWS:
        return None
    private = VIEWS[view]

    def make(session) -> bytes:
        options = {"private": private, "layout": "tree", "winter": False, "away": None}
        found = payload_of(session, {**options, "expand": None, "lang": web.lang()})
        return delta_answer(found)  # what changed since the screen's picture (tree_delta.py)

    return _pusher(app, environ, session_id, "tree", make)


def wall_pusher(
    app: Flask, environ: Mapping[str, Any], session_id: str, fragment: Callable
) -> Callable[[], Any]:
    """A function giving the SSE ``wall`` message: the note wall's ``fragment(session)``
    (facilitation.wall_fragment, projector-safe), as :func:`tree_pusher` gives the tree."""
    return _pusher(app, environ, session_id, "wall", fragment)
