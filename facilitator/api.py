"""The JSON API v1: sessions, joining, notes and ties, and the approved graph for other tools.

Callers authenticate with ``Authorization: Bearer <key or token>``: the facilitator key, or the
participant token that ``POST /api/v1/join`` returns. A phone that joined through the web
pages may use its session cookie instead; such calls must carry the CSRF token
(``X-CSRFToken``), so a form on another site cannot post with the cookie. Bearer calls need no
CSRF token: another site cannot make a browser send the header.

Errors are ``{"error": {"code", "message"}}`` with a 4xx status and the message in the
Accept-Language language. A 2xx answer means the change is committed; on any error nothing is
stored.
"""

from __future__ import annotations

import json
import unicodedata
from typing import Any, NoReturn

from flask import Blueprint, abort, current_app, jsonify, request
from flask_babel import gettext as _

from graph.errors import GraphError, Problem, ValidationError
from graph.io import to_node_link
from graph.vocabulary import NODE_ATTRIBUTES, TIE_ATTRIBUTES

from . import auth, web
from .errors import error_response
from .storage import Session
from .storage.notes import FACILITATOR_ONLY

__all__ = ["bp", "FACILITATOR", "IDEMPOTENCY_HEADER", "NOTE_ATTRIBUTES", "TIE_ATTRIBUTE_NAMES"]

bp = Blueprint("api", __name__, url_prefix="/api/v1")
# Bearer calls cannot be forged cross-site; cookie calls are checked by hand in _check_csrf().
auth.csrf.exempt(bp)

#: The actor recorded for changes made with the facilitator key.
FACILITATOR = "facilitator"
#: Attributes a note (or an approval) may carry; ``status`` is the facilitator's to set.
NOTE_ATTRIBUTES = frozenset(NODE_ATTRIBUTES) - {"status"}
#: The header of a retry-safe call: the same key from the same caller answers the original.
IDEMPOTENCY_HEADER = "Idempotency-Key"
#: Attributes a tie may carry besides ``source``, ``target`` and ``kind``.
TIE_ATTRIBUTE_NAMES = frozenset(TIE_ATTRIBUTES) - {"status"}


class Refusal(Exception):
    """A request refused with an error code of its own (``closed``, ``bad_json``, …)."""

    def __init__(self, status: int, code: str, message: str):
        super().__init__(message)
        self.status, self.code, self.message = status, code, message


@bp.errorhandler(Refusal)
def _refused(e: Refusal):
    return error_response(e.status, e.code, e.message)


# -- reading requests -----------------------------------------------------------------------


def _no_constants(name: str) -> NoReturn:
    raise ValueError(f"{name} is not JSON")


def _body() -> dict[str, Any]:
    """The JSON object sent (``{}`` for an empty body); 400 for anything else."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        return {}
    try:
        data = json.loads(raw, parse_constant=_no_constants)
    except (ValueError, RecursionError):  # also UnicodeDecodeError; RecursionError: [[[[…
        raise Refusal(400, "bad_json", _("The request body is not valid JSON.")) from None
    if not isinstance(data, dict):
        raise Refusal(400, "bad_json", _("The request body must be a JSON object."))
    return data


def _split(
    body: dict[str, Any],
    fields: tuple[str, ...],
    attributes: frozenset[str] = frozenset(),
    unlisted: frozenset[str] = frozenset(),
) -> tuple[dict[str, str | None], dict[str, Any]]:
    """The text ``fields`` and the ``attributes`` of ``body``.

    Raises ``ValidationError`` (→ 422) for a name that is neither, or a field that is not text;
    its message lists the names the caller may use (not ``unlisted``: what the caller may not
    send, refused later with its own reason).
    """
    problems = []
    unknown = sorted(set(body) - set(fields) - attributes)
    if unknown:
        known = sorted({*fields, *attributes} - unlisted)
        problems.append(
            Problem(
                "",
                f"{'、'.join(unknown)} は使えない項目です（使える項目: {'、'.join(known)}）",
                f"unknown field {', '.join(unknown)} (known: {', '.join(known)})",
            )
        )
    for name in fields:
        if body.get(name) is not None and not isinstance(body[name], str):
            problems.append(Problem(name, "文字で入力してください", "must be text"))
    if problems:
        raise ValidationError(problems)
    return {name: body.get(name) for name in fields}, {
        name: value for name, value in body.items() if name in attributes
    }


# -- who is calling -------------------------------------------------------------------------


def _check_csrf() -> None:
    """A call authenticated by a cookie must prove it comes from our own pages."""
    if current_app.config.get("WTF_CSRF_ENABLED", True):
        auth.csrf.protect()


def _facilitator() -> None:
    """Answer 401 unless the facilitator is calling (429 after too many wrong keys)."""
    auth.require_facilitator()
    if auth.bearer_token() is None:
        _check_csrf()


def _joined_elsewhere(token: str, session_id: str) -> bool:
    """Whether ``token`` belongs to a phone of another session (a mix-up, not a forgery).

    A token names its session (``<session id>.<secret>``), so at most that one file is
    opened: an unknown token costs the same however many sessions the archive holds.
    """
    other = token.partition(".")[0]
    if other == session_id or "." not in token:
        return False
    store = web.store()
    try:
        with store.open(other) as session:
            return session.participant(token) is not None
    except GraphError:
        return False  # no such session (or a damaged one): a forgery, not a mix-up


def _caller(session: Session) -> dict | None:
    """``None`` for the facilitator, else the participant of ``session`` who is calling.

    No credential, or a token no session knows: 401. A token of another session: 403.
    """
    if auth.is_facilitator():
        if auth.bearer_token() is None:
            _check_csrf()
        return None
    token = auth.bearer_token()
    if token is None:
        token = request.cookies.get(auth.participant_cookie(session.id))
        if token is None:
            abort(401)
        _check_csrf()
    participant = session.participant(token)
    if participant is None:
        if _joined_elsewhere(token, session.id):
            abort(403, description=_("This phone joined another workshop."))
        abort(401, description=_("Please join the workshop again with its code."))
    return participant


def _facilitator_of(session: Session) -> None:
    """Answer 401 without a credential, 403 for a participant."""
    if _caller(session) is not None:
        abort(403)


def _closed(meta: dict) -> bool:
    return bool(meta.get("closed")) or meta.get("stage") == "closed"


def _refuse_closed(meta: dict) -> None:
    if _closed(meta):
        raise Refusal(403, "closed", _("This workshop is closed."))


# -- routes ---------------------------------------------------------------------------------


@bp.post("/sessions")
def create_session():
    """Create a session from ``{"title", "area"?}``: 201 with its metadata (facilitator)."""
    _facilitator()
    fields, _attrs = _split(_body(), ("title", "area"))
    with web.store().create(
        fields["title"], area=fields["area"] or "", actor=FACILITATOR
    ) as session:
        meta = session.meta()
    web.changed(meta["id"])
    return jsonify(meta), 201


@bp.get("/sessions")
def list_sessions():
    """Every session in the data folder, newest first (facilitator)."""
    _facilitator()
    return jsonify(web.store().list())


@bp.post("/join")
def join():
    """Join with ``{"code", "nickname"?}``: 201 ``{"token", "session"}`` (anyone).

    Wrong codes are counted per address; too many in a minute answer 429.
    """
    address = request.remote_addr or ""
    if auth.join_limiter().blocked(address):
        abort(429)
    fields, _attrs = _split(_body(), ("code", "nickname"))
    # Full-width letters typed with a Japanese IME count as the same code.
    code = unicodedata.normalize("NFKC", fields["code"] or "")
    session_id = web.store().find_by_code(code)
    if session_id is None:
        auth.join_limiter().failed(address)
        raise Refusal(
            404,
            "unknown_code",
            _("There is no workshop with this code. Please check the code on the screen."),
        )
    session = web.open_session(session_id)
    meta = session.meta()
    _refuse_closed(meta)
    token = session.add_participant(fields["nickname"] or "")
    web.changed(session_id)
    about = {key: meta[key] for key in ("id", "title", "area", "code", "stage")}
    return jsonify(token=token, session=about), 201


@bp.post("/sessions/<session_id>/notes")
def add_note(session_id: str):
    """Post a note ``{"kind", "text", attributes…}``: 201 ``{"id", "status", "node", "seq"}``.

    A participant of the session or the facilitator; not once the session is closed. A phone
    may not send ``consent`` (422: only the facilitator records whether a name may be shown)
    nor a ``district`` over 40 characters (422); nothing is stored then. With an
    ``Idempotency-Key`` header, a repeat of a key the caller already used answers 200 with
    the note that key made (as it is now) and stores nothing.
    """
    session = web.open_session(session_id)
    participant = _caller(session)
    actor = FACILITATOR if participant is None else participant["id"]
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if (made := session.keyed_note(actor, key)) is not None:
        return _note_answer(session, made, 200)
    _refuse_closed(session.meta())
    phone_may_not = frozenset(FACILITATOR_ONLY) if participant is not None else frozenset()
    fields, attrs = _split(_body(), ("kind", "text"), NOTE_ATTRIBUTES, phone_may_not)
    if participant is not None:
        auth.limit_phone(session_id, participant["id"])
    note = session.add_note(actor, fields["kind"], fields["text"], client_key=key, **attrs)
    if note.get("repeat"):  # the same key came in at the same time on another connection
        return _note_answer(session, note, 200)
    web.changed(session_id)
    return _note_answer(session, note, 201)


def _note_answer(session: Session, note: dict, status: int):
    # seq: the log's newest once the note is in; a live stream at or past it shows the note.
    body = {"id": note["id"], "status": note["status"], "node": note["node_id"]}
    return jsonify(**body, seq=session.last_seq()), status


@bp.post("/sessions/<session_id>/ties")
def add_tie(session_id: str):
    """Add a tie ``{"source", "target", "kind", attributes…}``: 201 ``{"id", "status"}``.

    The facilitator's ties are approved. A participant may add ties in the ``ties`` stage;
    they wait for approval unless the session approves automatically. A repeated
    ``Idempotency-Key`` answers 200 with the tie that key made.
    """
    session = web.open_session(session_id)
    participant = _caller(session)
    actor = FACILITATOR if participant is None else participant["id"]
    key = request.headers.get(IDEMPOTENCY_HEADER)
    if (made := session.keyed_tie(actor, key)) is not None:
        return jsonify(id=made["id"], status=made["status"]), 200
    meta = session.meta()
    if participant is not None:
        _refuse_closed(meta)
        if meta.get("stage") != "ties":
            raise Refusal(
                403, "stage", _("Ties can be added once the facilitator starts the ties stage.")
            )
    fields, attrs = _split(_body(), ("source", "target", "kind"), TIE_ATTRIBUTE_NAMES)
    if participant is not None:
        auth.limit_phone(session_id, participant["id"])
    if participant is None or meta.get("auto_approve"):
        status = "approved"
    else:
        status = "pending"
    tie_id, made_now = session.add_tie_once(
        fields["source"],
        fields["target"],
        fields["kind"],
        actor,
        status=status,
        client_key=key,
        **attrs,
    )
    if not made_now:  # the same key came in at the same time on another connection
        made = session.keyed_tie(actor, key)
        return jsonify(id=made["id"], status=made["status"]), 200
    web.changed(session_id)
    return jsonify(id=tie_id, status=status), 201


@bp.post("/sessions/<session_id>/notes/<note_id>/approve")
def approve_note(session_id: str, note_id: str):
    """Put a note on the map, optionally with a corrected ``label``: 200 ``{"node"}``."""
    session = web.open_session(session_id)
    _facilitator_of(session)
    fields, attrs = _split(_body(), ("label",), NOTE_ATTRIBUTES)
    node_id = session.approve_note(note_id, FACILITATOR, label=fields["label"], **attrs)
    web.changed(session_id)
    # The live model applies the approval to its graph in place (no rebuild from SQLite).
    return jsonify(node={"id": node_id, **web.session_graph(session).nodes[node_id]})


@bp.put("/sessions/<session_id>/nodes/<node_id>/position")
def put_position(session_id: str, node_id: str):
    """Pin a node where the facilitator put it on the tree: ``{"x", "y"}`` (canvas
    coordinates), or ``{"x": null, "y": null}`` to return it to its computed place.

    Facilitator only. 200 ``{"node", "x", "y", "seq"}`` once stored (an undoable
    ``move_node`` event); every open tree draws it there.
    """
    session = web.open_session(session_id)
    _facilitator_of(session)
    body = _body()
    if set(body) - {"x", "y"} or not {"x", "y"} <= set(body):
        raise Refusal(422, "position", _("Give the position as x and y (null to unpin)."))
    row = session.move_node(node_id, body.get("x"), body.get("y"), FACILITATOR)
    web.changed(session_id)
    x, y = (row["x"], row["y"]) if row else (None, None)
    return jsonify(node=node_id, x=x, y=y, seq=session.last_seq())


@bp.delete("/sessions/<session_id>/positions")
def reset_positions(session_id: str):
    """Reset the arrangement: every pinned node returns to its computed place (undoable).

    Facilitator only. 200 ``{"reset": <how many>, "seq"}``.
    """
    session = web.open_session(session_id)
    _facilitator_of(session)
    count = session.reset_positions(FACILITATOR)
    if count:
        web.changed(session_id)
    return jsonify(reset=count, seq=session.last_seq())


@bp.get("/sessions/<session_id>/graph")
def graph(session_id: str):
    """The approved nodes and ties as node-link JSON ``{"graph", "nodes", "edges"}``."""
    session = web.open_session(session_id)
    _facilitator_of(session)
    return jsonify(to_node_link(web.live_version(session).active()))


@bp.get("/sessions/<session_id>/flags")
def flags(session_id: str):
    """The flags (気づき), as ``tsunagari flags --json`` prints them, reasons in the UI language."""
    session = web.open_session(session_id)
    _facilitator_of(session)
    found = web.live_version(session).flags(session.meta()["settings"])
    return jsonify([f.to_dict(web.lang()) for f in found])


@bp.get("/sessions/<session_id>/events")
def events(session_id: str):
    """The event log after ``?after=N`` (default 0), oldest first."""
    session = web.open_session(session_id)
    _facilitator_of(session)
    after = request.args.get("after", "0").strip()
    if not (after.isascii() and after.isdigit()) or len(after) > 19 or int(after) > web.MAX_SEQ:
        raise Refusal(400, "bad_after", _("after must be a whole number, 0 or more."))
    return jsonify(session.events(after=int(after)))
