"""Who may do what: the facilitator key, participant tokens, CSRF and join rate limits."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from collections import defaultdict, deque
from functools import wraps
from pathlib import Path

from flask import Blueprint, Flask, abort, current_app, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFProtect

__all__ = [
    "bp",
    "csrf",
    "init_app",
    "is_facilitator",
    "facilitator_required",
    "participant_cookie",
    "bearer_token",
    "join_limiter",
    "current_participant",
]

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()


def _kept_secret(data: Path, name: str) -> str:
    """A random secret generated on first start and kept in the data folder across restarts."""
    path = data / name
    try:
        return path.read_text(encoding="ascii").strip()
    except FileNotFoundError:
        secret = secrets.token_urlsafe(24)
        path.touch(mode=0o600)
        path.write_text(secret + "\n", encoding="ascii")
        return secret


def init_app(app: Flask) -> None:
    """Fill in the keys (from the environment, else kept in the data folder) and CSRF."""
    data = app.config["DATA"]
    if not app.config.get("FACILITATOR_KEY"):
        app.config["FACILITATOR_KEY"] = _kept_secret(data, ".facilitator_key")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _kept_secret(data, ".secret_key")
    csrf.init_app(app)
    app.extensions["tsunagari_join_limiter"] = JoinLimiter()


def _fingerprint(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()[:24]


def bearer_token() -> str | None:
    """The token of an ``Authorization: Bearer`` header, if any."""
    header = request.headers.get("Authorization", "")
    if header[:7].lower() == "bearer ":
        return header[7:].strip() or None
    return None


def _key_matches(candidate: str | None) -> bool:
    key = current_app.config["FACILITATOR_KEY"]
    return candidate is not None and hmac.compare_digest(candidate.encode(), key.encode())


def is_facilitator() -> bool:
    """Whether this request carries the facilitator key (bearer header or login cookie)."""
    token = bearer_token()
    if token is not None:
        return _key_matches(token)
    mark = session.get("facilitator")
    return isinstance(mark, str) and hmac.compare_digest(
        mark, _fingerprint(current_app.config["FACILITATOR_KEY"])
    )


def facilitator_required(view):
    """Answer 401 unless the request is the facilitator's."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not is_facilitator():
            abort(401)
        return view(*args, **kwargs)

    return wrapped


def participant_cookie(session_id: str) -> str:
    """The name of the cookie holding a phone's token for one session."""
    return f"tp_{session_id}"


class JoinLimiter:
    """Counts wrong join codes per client address; more than ``limit`` a minute gets 429."""

    def __init__(self) -> None:
        self._fails: dict[str, deque[float]] = defaultdict(deque)
        self._lock = threading.Lock()

    def _recent(self, address: str, now: float) -> deque[float]:
        fails = self._fails[address]
        while fails and now - fails[0] > 60:
            fails.popleft()
        return fails

    def blocked(self, address: str) -> bool:
        """Whether ``address`` has used up its wrong guesses for the minute."""
        with self._lock:
            limit = current_app.config["JOIN_LIMIT_PER_MINUTE"]
            return len(self._recent(address, time.monotonic())) >= limit

    def failed(self, address: str) -> None:
        """Record one wrong code from ``address``."""
        with self._lock:
            now = time.monotonic()
            self._recent(address, now).append(now)


def join_limiter() -> JoinLimiter:
    """This app's limiter of wrong join codes (one per app, so tests stay apart)."""
    return current_app.extensions["tsunagari_join_limiter"]


@bp.get("/login")
def login():
    """The facilitator URL printed by `tsunagari serve`: checks the key, sets the cookie."""
    if not _key_matches(request.args.get("key")):
        abort(
            403,
            description=_(
                "This facilitator link is not valid. Use the URL printed by tsunagari serve."
            ),
        )
    session.clear()
    session["facilitator"] = _fingerprint(current_app.config["FACILITATOR_KEY"])
    session.permanent = True
    return redirect(url_for("facilitation.sessions"))


@bp.post("/logout")
def logout():
    """Forget the facilitator cookie on this browser."""
    session.pop("facilitator", None)
    return redirect(url_for("participant.join"))


def current_participant(session) -> dict | None:
    """The phone behind this request in ``session``: its bearer token or its session cookie.

    A token of another session, or a forged one, gives ``None``.
    """
    token = bearer_token() or request.cookies.get(participant_cookie(session.id))
    return session.participant(token) if token else None
