"""The presenter remote: the facilitator switches what the projector shows, over the stream.

The projector shows only the picture; its view — the wall or the tree, the winter view, the
step-by-step reveal, a note to focus on, a fit — is set from the facilitator's own tree and
sent to every screen of the session as the live stream's ``present`` event. The running
server holds it, so a projector that reloads comes back to the current view, and the session
keeps it (storage/screens.py) before the facilitator is answered, so a restarted server does.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable
from typing import Any

from flask import Blueprint, Flask, current_app, jsonify, request
from flask_babel import gettext as _

from graph.errors import GraphError, Problem, ValidationError

from . import web
from .auth import facilitator_required
from .storage import Store

__all__ = ["bp", "Presenter", "DEFAULT_VIEW", "init_app", "present_event"]

bp = Blueprint("present", __name__)

#: What a projector shows until the facilitator says otherwise (``view`` None: by stage).
DEFAULT_VIEW: dict[str, Any] = {
    "view": None,
    "winter": False,
    "reveal": None,
    "focus": None,
    "fit": 0,
}
_REVEAL_STEPS = 6  # the bands of the tree, roots first


class Presenter:
    """The projector view of every session, and a version that grows with each change.

    ``load`` reads the view a session kept (None: none kept), once per session and process;
    ``update`` keeps each new view through ``keep`` before it is shown anywhere.
    """

    def __init__(self, load: Callable[[str], dict[str, Any] | None] = lambda _sid: None) -> None:
        self._lock = threading.Lock()
        self._load = load
        self._views: dict[str, tuple[int, dict[str, Any]]] = {}

    def _current(self, session_id: str) -> tuple[int, dict[str, Any]]:
        if session_id not in self._views:  # the lock is held
            kept = self._load(session_id)
            self._views[session_id] = (1, {**DEFAULT_VIEW, **kept}) if kept else (0, DEFAULT_VIEW)
        return self._views[session_id]

    def get(self, session_id: str) -> tuple[int, dict[str, Any]]:
        """``(version, view)`` of ``session_id``; version 0 is the default view."""
        with self._lock:
            version, view = self._current(session_id)
            return version, dict(view)

    def update(
        self,
        session_id: str,
        changes: dict[str, Any],
        keep: Callable[[dict[str, Any]], None] = lambda _view: None,
    ) -> dict[str, Any]:
        """Apply checked ``changes``; ``fit`` asks every projector to fit the picture again.
        The new view is given to ``keep`` first: if keeping it fails, nothing changes."""
        with self._lock:
            version, view = self._current(session_id)
            view = {**view, **{k: v for k, v in changes.items() if k != "fit"}}
            if changes.get("fit"):
                view["fit"] = int(view.get("fit", 0)) + 1
            keep(view)
            self._views[session_id] = (version + 1, view)
            return dict(view)


def init_app(app: Flask) -> None:
    """Give the app its presenter (one process serves the whole workshop)."""

    def load(session_id: str) -> dict[str, Any] | None:
        try:
            with Store(app.config["DATA"]).open(session_id) as session:
                return session.screen_state("present")
        except (GraphError, OSError, sqlite3.Error):  # gone, or damaged: the default view
            return None

    app.extensions["tsunagari_presenter"] = Presenter(load)


def present_event(app: Flask, session_id: str) -> tuple[int, str]:
    """``(version, JSON)`` of the session's projector view, for the live stream."""
    version, view = app.extensions["tsunagari_presenter"].get(session_id)
    return version, json.dumps(view, ensure_ascii=False)


def _checked(body: dict[str, Any]) -> dict[str, Any]:
    """The changes of a request, or ``ValidationError`` (in Japanese and English)."""
    problems = []
    unknown = sorted(set(body) - set(DEFAULT_VIEW))
    if unknown:
        problems.append(
            Problem("", f"{'、'.join(unknown)} は使えません", f"unknown: {', '.join(unknown)}")
        )
    view = body.get("view", "tree")
    if view not in ("tree", "wall"):
        problems.append(Problem("view", "view は tree か wall です", "view is tree or wall"))
    for name in ("winter", "fit"):
        if name in body and not isinstance(body[name], bool):
            problems.append(Problem(name, "true か false です", "must be true or false"))
    reveal = body.get("reveal")
    if reveal is not None and (
        isinstance(reveal, bool) or not isinstance(reveal, int) or not 0 <= reveal < _REVEAL_STEPS
    ):
        problems.append(Problem("reveal", "0〜5 か null です", "must be 0 to 5 or null"))
    focus = body.get("focus")
    if focus is not None and (not isinstance(focus, str) or not 0 < len(focus) <= 100):
        problems.append(Problem("focus", "付箋の id か null です", "a node id or null"))
    if problems:
        raise ValidationError(problems)
    return body


@bp.get("/sessions/<session_id>/present")
@facilitator_required
def present(session_id: str):
    """The projector's current view: ``{"view", "winter", "reveal", "focus", "fit"}``."""
    web.open_session(session_id)
    return jsonify(current_app.extensions["tsunagari_presenter"].get(session_id)[1])


@bp.post("/sessions/<session_id>/present")
@facilitator_required
def set_present(session_id: str):
    """Switch what the projector shows (JSON, any of the keys of :data:`DEFAULT_VIEW`);
    every projector of the session follows within a second."""
    session = web.open_session(session_id)
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify(error={"code": "bad_json", "message": _("Send the view as JSON.")}), 400
    view = current_app.extensions["tsunagari_presenter"].update(
        session_id, _checked(body), lambda view: session.keep_screen_state("present", view)
    )
    web.changed(session_id)  # wakes the streams, which send the new view as "present"
    return jsonify(view)
