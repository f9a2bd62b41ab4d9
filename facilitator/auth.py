"""Who may do what: the facilitator key, participant tokens, CSRF and join rate limits."""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import threading
import time
from collections import OrderedDict
from functools import wraps
from pathlib import Path

from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    make_response,
    redirect,
    request,
    session,
    url_for,
)
from flask.sessions import SecureCookieSessionInterface
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFProtect
from itsdangerous import BadSignature

from .errors import error_response
from .keyfile import kept_secret
from .limits import BucketLimiter, FailureLimiter

__all__ = [
    "bp",
    "csrf",
    "init_app",
    "is_facilitator",
    "facilitator_required",
    "require_facilitator",
    "client_address",
    "refuse_too_many",
    "limit_phone",
    "participant_cookie",
    "bearer_token",
    "join_limiter",
    "current_participant",
]

bp = Blueprint("auth", __name__)
csrf = CSRFProtect()


#: Signed cookies whose signature was checked, kept by their text (see below).
_READ_KEPT = 512


def _lifetime(app: Flask) -> int:
    return int(app.permanent_session_lifetime.total_seconds())


class _PageRefreshedSessions(SecureCookieSessionInterface):
    """Signed cookie sessions whose expiry is pushed back by pages, not by live refreshes.

    Flask signs and sends the permanent cookie again on every request; a screen's region and
    tree refreshes (htmx, JSON) are most requests of a workshop, and a new signature each was
    a fifth of their cost. A changed session is always sent.

    A cookie's signature is checked once: what a signed cookie says is kept by its text (and
    the key it was checked with), and its age is checked again at every request. Every
    refresh of a screen and every picture its live stream brings along (stream_push.py) send
    the same cookie, and checking it again was a third of a pushed picture's request.
    """

    def __init__(self) -> None:
        self._read: OrderedDict[tuple[str, str], tuple[int, dict]] = OrderedDict()
        self._lock = threading.Lock()

    def open_session(self, app: Flask, request):
        value = request.cookies.get(self.get_cookie_name(app))
        if not value or not app.secret_key or app.config.get("SECRET_KEY_FALLBACKS"):
            return super().open_session(app, request)
        key = (str(app.secret_key), value)
        with self._lock:
            read = self._read.get(key)
        if read is None:
            try:
                data, signed = self.get_signing_serializer(app).loads(
                    value, max_age=_lifetime(app), return_timestamp=True
                )
            except BadSignature:
                return self.session_class()
            read = (int(signed.timestamp()), data)
            with self._lock:
                self._read[key] = read
                while len(self._read) > _READ_KEPT:
                    self._read.popitem(last=False)
        signed_at, data = read
        if not 0 <= int(time.time()) - signed_at <= _lifetime(app):
            return self.session_class()  # expired since it was first read
        return self.session_class(data)

    def should_set_cookie(self, app: Flask, session) -> bool:
        if session.modified:
            return True
        background = request.headers.get("HX-Request") == "true" or (
            request.accept_mimetypes.best == "application/json"
        )
        return not background and super().should_set_cookie(app, session)


def init_app(app: Flask) -> None:
    """Fill in the keys (from the environment, else kept in the data folder) and CSRF."""
    data = app.config["DATA"]
    if not app.config.get("FACILITATOR_KEY"):
        app.config["FACILITATOR_KEY"] = kept_secret(data, ".facilitator_key")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = kept_secret(data, ".secret_key")
    csrf.init_app(app)
    app.session_interface = _PageRefreshedSessions()
    config = app.config
    app.extensions["tsunagari_join_limiter"] = FailureLimiter(
        lambda: config["JOIN_LIMIT_PER_MINUTE"]
    )
    app.extensions["tsunagari_key_limiter"] = FailureLimiter(
        lambda: config["KEY_LIMIT_PER_MINUTE"]
    )
    app.extensions["tsunagari_phone_limiter"] = BucketLimiter(
        lambda: config["PHONE_BURST"], lambda: config["PHONE_PER_MINUTE"]
    )
    app.extensions["tsunagari_logouts"] = Logouts(data / ".facilitator_logouts")


class Logouts:
    """The login marks ended by a logout, kept in the data folder so a restart keeps them."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        try:
            self._ended = set(path.read_text(encoding="ascii").split())
        except (OSError, UnicodeDecodeError):
            self._ended = set()

    def ended(self, nonce: str) -> bool:
        """Whether the login ``nonce`` was logged out."""
        return nonce in self._ended

    def end(self, nonce: str) -> None:
        """End the login ``nonce`` for good."""
        with self._lock:
            if nonce in self._ended:
                return
            self._ended.add(nonce)
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600)
            with os.fdopen(fd, "a", encoding="ascii") as out:
                out.write(nonce + "\n")


def _mark(nonce: str) -> str:
    """The login mark of ``nonce``: salted with it, keyed by the facilitator key and secret.

    A new key (rotation) changes every mark, so old cookies stop working; the cookie never
    carries anything from which the key could be guessed offline without the secret key.
    """
    config = current_app.config
    secret = f"{config['SECRET_KEY']}\0{config['FACILITATOR_KEY']}".encode()
    digest = hmac.new(secret, b"facilitator-login\0" + nonce.encode(), hashlib.sha256)
    return f"{nonce}.{digest.hexdigest()[:32]}"


def _mark_valid(mark: object) -> bool:
    if not isinstance(mark, str) or mark.count(".") != 1:
        return False
    nonce = mark.partition(".")[0]
    if not hmac.compare_digest(mark.encode(), _mark(nonce).encode()):
        return False
    return not current_app.extensions["tsunagari_logouts"].ended(nonce)


def client_address() -> str:
    """The caller's address (what wrong guesses are counted by)."""
    return request.remote_addr or "?"


def refuse_too_many(retry_after: int, message: str | None = None):
    """Answer 429 with ``Retry-After``, and ``message`` (a kind default otherwise)."""
    response = make_response(
        *error_response(
            429, "too_many", message or _("Too many tries. Please wait a minute and try again.")
        )
    )
    response.headers["Retry-After"] = str(retry_after)
    abort(response)


def limit_phone(session_id: str, participant_id: str) -> None:
    """Spend one of this phone's sends (a note or a tie): after a short burst (``PHONE_BURST``)
    a few a minute (``PHONE_PER_MINUTE``); beyond that 429 with ``Retry-After`` and a kind
    word. Other phones are not affected."""
    limiter = current_app.extensions["tsunagari_phone_limiter"]
    if wait := limiter.take(f"{session_id}:{participant_id}"):
        refuse_too_many(
            wait,
            _(
                "Thank you for sending so many! Please wait about %(seconds)s seconds, "
                "then send the next one.",
                seconds=wait,
            ),
        )


def _key_failed() -> None:
    """Count a wrong facilitator key from this address; 429 once there were too many."""
    limiter = current_app.extensions["tsunagari_key_limiter"]
    limiter.failed(client_address())


def _check_key_limit() -> None:
    limiter = current_app.extensions["tsunagari_key_limiter"]
    if wait := limiter.retry_after(client_address()):
        refuse_too_many(wait)


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
    return _mark_valid(session.get("facilitator"))


def require_facilitator() -> None:
    """Answer 401 unless the request is the facilitator's.

    A wrong bearer key counts against the address like a wrong login: after
    ``KEY_LIMIT_PER_MINUTE`` in a minute, 429 with ``Retry-After``.
    """
    if bearer_token() is not None:
        _check_key_limit()
    if not is_facilitator():
        if bearer_token() is not None:
            _key_failed()
        abort(401)


def facilitator_required(view):
    """Answer 401 unless the request is the facilitator's."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        require_facilitator()
        return view(*args, **kwargs)

    return wrapped


def participant_cookie(session_id: str) -> str:
    """The name of the cookie holding a phone's token for one session."""
    return f"tp_{session_id}"


def join_limiter() -> FailureLimiter:
    """This app's limiter of wrong join codes (one per app, so tests stay apart)."""
    return current_app.extensions["tsunagari_join_limiter"]


@bp.get("/login")
def login():
    """The facilitator URL printed by `tsunagari serve`: checks the key, sets the cookie."""
    _check_key_limit()
    if not _key_matches(request.args.get("key")):
        _key_failed()
        abort(
            403,
            description=_(
                "This facilitator link is not valid. Use the URL printed by tsunagari serve."
            ),
        )
    session.clear()
    session["facilitator"] = _mark(secrets.token_urlsafe(12))
    session.permanent = True
    return redirect(url_for("facilitation.sessions"))


@bp.post("/logout")
def logout():
    """End the facilitator's login on this browser: its mark is refused from now on, even if
    a copy of the cookie was kept."""
    mark = session.pop("facilitator", None)
    if _mark_valid(mark):
        current_app.extensions["tsunagari_logouts"].end(mark.partition(".")[0])
    return redirect(url_for("participant.join"))


def current_participant(session) -> dict | None:
    """The phone behind this request in ``session``: its bearer token or its session cookie.

    A token of another session, or a forged one, gives ``None``.
    """
    token = bearer_token() or request.cookies.get(participant_cookie(session.id))
    return session.participant(token) if token else None
