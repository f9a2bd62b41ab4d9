"""Shared web plumbing: per-request storage handles, htmx rendering, security headers."""

from __future__ import annotations

import networkx as nx
from flask import Flask, abort, current_app, g, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_htmx import HTMX

from graph.errors import GraphError
from graph.vocabulary import NODE_KINDS, TIE_KINDS

from . import kept_sessions, localtime
from .checkpoints import QuietCheckpoints
from .heavy import heavy_if_large
from .live_model import LiveModels, Version
from .storage import Session, Store

__all__ = [
    "init_app",
    "store",
    "open_session",
    "session_graph",
    "live_version",
    "changed",
    "seq_number",
    "MAX_SEQ",
    "render",
    "is_htmx",
    "lang",
    "kind_name",
    "problem_text",
    "KIND_ICONS",
]

htmx = HTMX()

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; font-src 'self'; connect-src 'self'; object-src 'none'; "
    "base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
)


def store() -> Store:
    """The data folder of this app."""
    if "store" not in g:
        g.store = Store(current_app.config["DATA"])
    return g.store


def open_session(session_id: str) -> Session:
    """The session ``session_id``, opened once per request and closed at teardown.

    Raises ``graph.errors.NotFound`` (→ 404) when there is no such session.
    """
    sessions = g.setdefault("sessions", {})
    if session_id not in sessions:
        if request.method in ("GET", "HEAD"):
            # A reading request reuses the file this thread's last one opened (kept_sessions).
            session, mark = kept_sessions.take(store(), session_id)
            g.setdefault("kept", {})[session_id] = mark
            sessions[session_id] = session
        else:
            sessions[session_id] = store().open(session_id)
    return sessions[session_id]


def live_version(session: Session) -> Version:
    """The live model's :class:`~facilitator.live_model.Version` of ``session`` at its newest
    seq: the graph and everything screens derive from it, computed once per seq and shared.

    Leased for this request (released at teardown), so the model never updates a graph in
    place while this request reads it. The graph is frozen: a caller that needs to change it
    copies it.
    """
    leases = g.setdefault("live_leases", {})
    version = leases.get(session.path)
    newest = session.last_seq()
    if version is not None and version.seq == newest:
        return version
    models: LiveModels = current_app.extensions["tsunagari_live"]
    model = models.model(session)
    current = model.current
    if current is None or current.seq != newest:
        # Bringing a town-sized graph up to date takes CPU: a heavy slot. Reading the
        # version every screen already shares does not.
        heavy_if_large(session)
    version = model.acquire(session)
    g.setdefault("live_held", []).append((model, version))
    leases[session.path] = version
    return version


def session_graph(session: Session) -> nx.MultiDiGraph:
    """The session's graph as of its latest event, from the live model (see
    :func:`live_version`); frozen."""
    return live_version(session).G


#: The largest sequence number SQLite can hold (a signed 64-bit integer).
MAX_SEQ = 2**63 - 1


def seq_number(raw: str | None, name: str = "seq") -> int | None:
    """A sequence number from a query (``seq``, ``after``, ``Last-Event-ID``): ``None`` when
    absent, else a whole number from 0 to :data:`MAX_SEQ`; anything else is 400 in Japanese
    (a 30-digit number used to reach SQLite and end in 500)."""
    if raw is None or raw.strip() == "":
        return None
    text = raw.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 19 or int(text) > MAX_SEQ:
        abort(
            400,
            description=_(
                "%(name)s must be a whole number from 0 to %(max)s.", name=name, max=MAX_SEQ
            ),
        )
    return int(text)


def changed(session_id: str) -> None:
    """Tell the live streams of ``session_id`` that a change was committed."""
    current_app.extensions["tsunagari_broker"].notify(session_id)


def is_htmx() -> bool:
    """An htmx request asking for a fragment (a history restore wants the whole page)."""
    return bool(htmx) and not htmx.history_restore_request


def render(fragment: str, page: str, status: int = 200, **context):
    """The fragment for htmx, the full page otherwise; the page includes the fragment."""
    return render_template(fragment if is_htmx() else page, **context), status


def _close_sessions(_exc: BaseException | None) -> None:
    for model, version in g.pop("live_held", []):
        model.release(version)
    g.pop("live_leases", None)
    kept = g.pop("kept", {})
    for session_id, session in g.pop("sessions", {}).items():
        if session_id in kept:
            kept_sessions.give_back(session, kept[session_id], failed=_exc is not None)
        else:
            session.close()


def _arm_checkpoints(response):
    """After a write, the sessions it touched get their WAL checkpointed once quiet."""
    if request.method not in ("GET", "HEAD", "OPTIONS") and g.get("sessions"):
        quiet = current_app.extensions["tsunagari_checkpoints"]
        for session in g.sessions.values():
            quiet.touch(session.path)
    return response


def _headers(response):
    response.headers.add("Vary", "HX-Request")
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "no-referrer")
    response.headers.setdefault("X-Frame-Options", "DENY")
    if request.endpoint != "static":
        response.headers.setdefault("Cache-Control", "no-store")
    return response


#: One symbol per node kind, on every screen, so kinds are never told apart by colour alone.
KIND_ICONS: dict[str, str] = {
    "person": "👤",
    "household": "🏠",
    "group": "👥",
    "place": "📍",
    "institution": "🏥",
    "activity": "🤸",
    "story": "📜",
    "need": "🤲",
    "idea": "🍎",
}


def lang() -> str:
    """The language of this request: "ja" (the default) or "en"."""
    return str(get_locale() or "ja")


def kind_name(kind: str, language: str | None = None) -> str:
    """The Japanese or English name of a node or tie kind (the id itself if unknown)."""
    item = NODE_KINDS.get(kind) or TIE_KINDS.get(kind)
    if item is None:
        return kind
    return item.ja if (language or lang()) == "ja" else item.en


def problem_text(error: GraphError) -> str:
    """The problems of a domain error in the user's language, without the technical place."""
    language = lang()
    return "\n".join(p.ja if language == "ja" else p.en for p in error.problems)


def _globals() -> dict:
    language = lang()
    return {
        "lang": language,
        "node_kinds": NODE_KINDS,
        "tie_kinds": TIE_KINDS,
        "kind_label": lambda kind: kind_name(kind, language),
    }


def init_app(app: Flask) -> None:
    """Register htmx, teardown, headers and template globals."""
    htmx.init_app(app)
    app.extensions["tsunagari_live"] = LiveModels()
    app.teardown_appcontext(_close_sessions)
    app.after_request(_headers)
    app.extensions["tsunagari_checkpoints"] = QuietCheckpoints(
        float(app.config.get("QUIET_CHECKPOINT_SECONDS", 60))
    )
    app.after_request(_arm_checkpoints)
    app.context_processor(_globals)
    localtime.install(app)
