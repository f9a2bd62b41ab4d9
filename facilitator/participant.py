"""The participant screens: join by code on a phone, post sticky notes, say who helps whom."""

from __future__ import annotations

import hashlib
import json
import secrets
import unicodedata

from flask import (
    Blueprint,
    abort,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from graph.errors import NotFound, ValidationError
from graph.model import is_active
from graph.names import matches
from graph.privacy import offered_on_phones, shared_label
from graph.vocabulary import NODE_KINDS, TIE_KINDS, tie_allowed

from . import web
from .auth import current_participant, join_limiter, limit_phone, participant_cookie
from .phone_words import (
    ALL_ATTRIBUTES,
    DIAGNOSIS_WORDS,
    GRID_BREAKS,
    KIND_ATTRIBUTES,
    KIND_EXAMPLES,
    PHONE_TIE_KINDS,
    PRIVATE_KINDS,
    choices,
    diagnosis_words,
    status_labels,
)
from .storage import MAX_NICKNAME, MAX_NOTE

__all__ = [
    "bp",
    "DIAGNOSIS_WORDS",
    "diagnosis_words",
    "public_name",
    "KIND_EXAMPLES",
    "KIND_ATTRIBUTES",
    "PHONE_TIE_KINDS",
]

bp = Blueprint("participant", __name__)

#: How long a phone stays joined (a workshop is an afternoon).
COOKIE_MAX_AGE = 24 * 3600
SEARCH_LIMIT = 10


def public_name(label: str, attrs: dict) -> str | None:
    """The name a phone may show for a node (graph.privacy rules); ``None``: not offered."""
    if not offered_on_phones(attrs):
        return None
    return shared_label({**attrs, "label": label})


# -- plumbing ---------------------------------------------------------------------------------


def _is_closed(meta: dict) -> bool:
    return bool(meta.get("closed")) or meta.get("stage") == "closed"


def _closed_message() -> str:
    return _("This session has ended. Thank you very much for taking part.")


def _normalise_code(code: str) -> str:
    return "".join(unicodedata.normalize("NFKC", code or "").split()).upper()


def _phone(session_id: str):
    """The open session and this phone's participant, or a redirect to the join page."""
    try:
        session = web.open_session(session_id)
    except NotFound:
        session = None
    participant = current_participant(session) if session is not None else None
    if participant is None:
        message = _("Please join with the code shown on the screen.")
        if web.is_htmx():
            response = make_response("", 401)
            response.headers["HX-Redirect"] = url_for(".join")
        else:
            flash(message, "error")
            response = redirect(url_for(".join"), 303)
        abort(response)
    return session, participant


def _require_stage(meta: dict, *stages: str) -> None:
    if _is_closed(meta):
        abort(403, description=_closed_message())
    if meta.get("stage") not in stages:
        abort(
            403, description=_("This step has not started yet. Please wait for the facilitator.")
        )


def _after_post(session_id: str, message: str, fragment: str, /, **context):
    """htmx: the fresh fragment with the message; a plain form: back to the phone page."""
    if web.is_htmx():
        return render_template(fragment, message=message, **context), 200
    flash(message, "ok")
    return redirect(url_for(".phone", session_id=session_id), 303)


def _attrs_from(form, kind: str) -> dict:
    """The attributes ``kind`` takes, read from the form; the others are ignored."""
    attrs = {}
    for name in KIND_ATTRIBUTES.get(kind, ()):
        if name == "lives_alone":
            if form.get(name):
                attrs[name] = True
        elif form.get(name, "").strip():
            attrs[name] = form[name].strip()
    return attrs


def _new_key() -> str:
    """A fresh idempotency key for a form (the page's script keeps its own with the draft)."""
    return secrets.token_hex(16)


def _shown_names(session) -> dict:
    """node → the room label (graph.privacy.room_labels) of every approved node: unique in
    the session and the same as on the projector and the wall."""
    return web.live_version(session).room_labels()


def _my_ties(session, participant) -> list[dict]:
    """The ties this phone sent, newest first, with the names the room sees at both ends."""
    names = _shown_names(session)
    return [
        {
            "id": tie["id"],
            "source": names.get(tie["source"], "—"),
            "target": names.get(tie["target"], "—"),
            "kind": tie["kind"],
            "status": tie["status"],
        }
        for tie in reversed(session.ties_by(participant["id"]))
    ]


def _phone_context(session, participant, **extra) -> dict:
    meta = session.meta()
    context = {
        "session_id": session.id,
        "meta": meta,
        "stage": meta.get("stage"),
        "closed": _is_closed(meta),
        "phase": "closed" if _is_closed(meta) else meta.get("stage"),
        "participant": participant,
        "mine": session.notes(participant=participant["id"]),
        "my_ties": _my_ties(session, participant),
        "choices": choices(),
        "status_labels": status_labels(),
        "examples": KIND_EXAMPLES,
        "kind_icons": web.KIND_ICONS,
        "grid_breaks": GRID_BREAKS,
        "kind_attributes": KIND_ATTRIBUTES,
        "phone_tie_kinds": PHONE_TIE_KINDS,
        "max_note": MAX_NOTE,
        "form": {},
        "tie_form": {},
        "edit_errors": {},
        "names": {},
        "note_key": _new_key(),
        "tie_key": _new_key(),
    }
    context.update(extra)
    return context


# -- joining ----------------------------------------------------------------------------------


def _join_page(status: int = 200, **context):
    context.setdefault("code", "")
    context.setdefault("nickname", "")
    context.setdefault("max_nickname", MAX_NICKNAME)
    return render_template("participant/join.html", **context), status


@bp.get("/j")
def join():
    """The join page: type the 6-character code shown on the projector, and a nickname."""
    return _join_page()


@bp.get("/j/<code>")
def join_code(code: str):
    """The QR code's target: the code is filled in, one tap joins."""
    address = request.remote_addr or ""
    if join_limiter().blocked(address):
        return _join_page(
            429, error=_("Too many wrong codes. Please wait a minute and try again.")
        )
    code = _normalise_code(code)
    session_id = web.store().find_by_code(code)
    if session_id is None:
        join_limiter().failed(address)
        return _join_page(
            404, error=_("This code was not found. Please check it and type it again.")
        )
    session = web.open_session(session_id)
    meta = session.meta()
    if _is_closed(meta):
        return _join_page(ended=_closed_message(), title=meta.get("title"))
    joined = current_participant(session) is not None
    return _join_page(code=code, title=meta.get("title"), joined_id=session_id if joined else None)


@bp.post("/j")
def join_submit():
    """Check the code, register this phone and set its cookie; then go to the phone page."""
    address = request.remote_addr or ""
    typed = request.form.get("code", "")[:40]
    nickname = request.form.get("nickname", "")
    if join_limiter().blocked(address):
        return _join_page(
            429,
            code=typed,
            nickname=nickname,
            error=_("Too many wrong codes. Please wait a minute and try again."),
        )
    session_id = web.store().find_by_code(_normalise_code(typed))
    if session_id is None:
        join_limiter().failed(address)
        return _join_page(
            422,
            code=typed,
            nickname=nickname,
            error=_("This code was not found. Please check it and type it again."),
        )
    session = web.open_session(session_id)
    meta = session.meta()
    if _is_closed(meta):
        return _join_page(403, ended=_closed_message(), title=meta.get("title"))
    try:
        token = session.add_participant(nickname)
    except ValidationError as e:
        return _join_page(
            422, code=typed, nickname=nickname, nickname_error=web.problem_text(e), title=None
        )
    web.changed(session_id)
    response = redirect(url_for(".phone", session_id=session_id), 303)
    response.set_cookie(
        participant_cookie(session_id),
        token,
        max_age=COOKIE_MAX_AGE,
        httponly=True,
        samesite="Lax",
    )
    return response


# -- the phone page ---------------------------------------------------------------------------


@bp.get("/s/<session_id>")
def phone(session_id: str):
    """This phone's page: the note form, the tie form (ties stage) and "my notes"."""
    session, participant = _phone(session_id)
    return render_template("participant/phone.html", **_phone_context(session, participant)), 200


@bp.post("/s/<session_id>/notes")
def add_note(session_id: str):
    """Post a sticky note (pending unless the session approves automatically).

    The form carries an idempotency key (``idempotency_key``): a repeat of a key this phone
    already used (a retry after a lost answer, a double tap) is answered as sent, once.
    """
    session, participant = _phone(session_id)
    form = request.form
    kind, text, key = form.get("kind", ""), form.get("text", ""), form.get("idempotency_key")
    typed = {"kind": kind, "text": text, **{k: form.get(k, "") for k in ALL_ATTRIBUTES}}

    def again(**errors):
        context = _phone_context(session, participant, form=typed, note_key=key, **errors)
        return web.render("participant/_note_form.html", "participant/phone.html", 422, **context)

    try:
        sent = session.keyed_note(participant["id"], key)
    except ValidationError as e:
        return again(text_error=web.problem_text(e))
    if sent is None:
        _require_stage(session.meta(), "notes", "ties")
        if kind not in NODE_KINDS:
            return again(kind_error=_("Please choose what kind of note this is."))
        if not text.strip():
            return again(text_error=_("Please write a few words."))
        if len(text.strip()) > MAX_NOTE:
            return again(
                text_error=_(
                    "Please keep it to %(max)s characters (now %(n)s).",
                    max=MAX_NOTE,
                    n=len(text.strip()),
                )
            )
        words = diagnosis_words(text) if kind in PRIVATE_KINDS else []
        if words and not form.get("send_anyway"):
            return again(diagnosis=words)
        limit_phone(session_id, participant["id"])
        try:
            session.add_note(
                participant["id"], kind, text, client_key=key, **_attrs_from(form, kind)
            )
        except ValidationError as e:
            return again(text_error=web.problem_text(e))
        web.changed(session_id)
    context = _phone_context(session, participant, form={"kind": kind}, oob=True)
    return _after_post(
        session_id,
        _("Sent. The facilitator will check it."),
        "participant/_note_sent.html",
        **context,
    )


@bp.post("/s/<session_id>/check")
def check(session_id: str):
    """The live diagnosis hint while typing (an empty answer when all is well)."""
    _phone(session_id)
    kind = request.form.get("kind", "")
    words = diagnosis_words(request.form.get("text", "")) if kind in PRIVATE_KINDS else []
    return web.render(
        "participant/_diagnosis_hint.html",
        "participant/diagnosis_hint.html",
        diagnosis=words,
        session_id=session_id,
    )


# -- my notes ---------------------------------------------------------------------------------


@bp.get("/s/<session_id>/mine")
def mine(session_id: str):
    """This phone's notes with their status; also tells a waiting phone that the stage moved."""
    session, participant = _phone(session_id)
    context = _phone_context(session, participant)
    # The phone asks with the phase it shows; when the facilitator moved the stage, the
    # sections that depend on it follow (the note form only when it was closed before).
    shown = request.args.get("stage")
    context["stage_changed"] = shown not in (None, context["phase"])
    context["reopened"] = shown == "closed" and not context["closed"]
    return web.render("participant/_mine_poll.html", "participant/mine.html", **context)


@bp.get("/s/<session_id>/poll")
def poll(session_id: str):
    """What a phone checks every second: ``{"phase", "mine"}``, the stage (``closed`` once the
    session ended) and a fingerprint of the phone's notes and ties.

    Cheap and conditional: the answer carries an ETag, and a phone sending it back in
    ``If-None-Match`` gets 304 and no body while nothing changed.
    """
    session, participant = _phone(session_id)
    meta = session.meta()
    mine = [(n["id"], n["status"]) for n in session.notes(participant=participant["id"])]
    mine += [(t["id"], t["status"]) for t in session.ties_by(participant["id"])]
    state = {
        "phase": "closed" if _is_closed(meta) else meta.get("stage"),
        "mine": hashlib.sha256(json.dumps(mine).encode()).hexdigest()[:16],
    }
    response = jsonify(state)
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:20])
    response.headers["Cache-Control"] = "no-cache, private"
    return response.make_conditional(request)


@bp.post("/s/<session_id>/notes/<note_id>")
def edit_note(session_id: str, note_id: str):
    """Change one of this phone's pending notes (another phone's note is 404)."""
    session, participant = _phone(session_id)
    _require_stage(session.meta(), "notes", "ties")
    note = session.note(note_id)
    if note is None or note["participant"] != participant["id"]:
        abort(404)
    form = request.form
    kind = form.get("kind", note["kind"])
    text = form.get("text", "")
    words = diagnosis_words(text) if kind in PRIVATE_KINDS else []
    error = None
    if words and not form.get("send_anyway"):
        error = {"text": text, "diagnosis": words}
    else:
        changes = {
            name: None for name in ALL_ATTRIBUTES if name not in KIND_ATTRIBUTES.get(kind, ())
        }
        try:
            session.update_note(
                note_id, participant["id"], participant["id"], kind=kind, text=text, **changes
            )
        except ValidationError as e:
            error = {"text": text, "message": web.problem_text(e)}
    if error is not None:
        context = _phone_context(session, participant, edit_errors={note_id: error})
        return web.render("participant/_mine.html", "participant/mine.html", 422, **context)
    web.changed(session_id)
    return _after_post(
        session_id,
        _("Your note was changed."),
        "participant/_mine.html",
        **_phone_context(session, participant),
    )


@bp.post("/s/<session_id>/notes/<note_id>/delete")
def delete_note(session_id: str, note_id: str):
    """Take back one of this phone's pending notes (another phone's note is 404)."""
    session, participant = _phone(session_id)
    _require_stage(session.meta(), "notes", "ties")
    session.withdraw_note(note_id, participant["id"], participant["id"])
    web.changed(session_id)
    return _after_post(
        session_id,
        _("Your note was taken back."),
        "participant/_mine.html",
        **_phone_context(session, participant),
    )


# -- who helps whom ---------------------------------------------------------------------------


def _offered_nodes(session) -> list[tuple[str, str, str, str]]:
    """``(id, shown name, kind, label)`` of every approved node a phone may pick; the shown
    name is the one the room sees on the projector and the wall."""
    G = web.session_graph(session)
    room = _shown_names(session)
    offered = []
    for node, data in G.nodes(data=True):
        if is_active(data) and offered_on_phones(data):
            offered.append((node, room[node], data.get("kind", ""), data.get("label", "")))
    return offered


@bp.get("/s/<session_id>/search")
def search(session_id: str):
    """Active search over the approved names: かな, カナ, ｶﾅ and 漢字 all find 佐藤."""
    session, _participant = _phone(session_id)
    query = request.args.get("q", "").strip()[:40]
    field = request.args.get("field", "source")
    if field not in ("source", "target"):
        field = "source"
    results = []
    if query:
        for node, name, kind, label in _offered_nodes(session):
            if matches(query, label):
                results.append({"id": node, "name": name, "kind": kind})
                if len(results) == SEARCH_LIMIT:
                    break
    return web.render(
        "participant/_search_results.html",
        "participant/search.html",
        results=results,
        field=field,
        query=query,
        session_id=session_id,
        kind_icons=web.KIND_ICONS,
    )


@bp.post("/s/<session_id>/ties")
def add_tie(session_id: str):
    """Say who helps whom: a tie between two approved names (pending unless auto-approve).

    Like a note, the form carries an idempotency key: a repeat is answered as sent, once.
    """
    session, participant = _phone(session_id)
    form = request.form
    source, target = form.get("source", ""), form.get("target", "")
    kind, season = form.get("kind", ""), form.get("season", "").strip()
    key = form.get("idempotency_key")
    names = {node: (name, k) for node, name, k, _label in _offered_nodes(session)}
    typed = {
        "source": source if source in names else "",
        "target": target if target in names else "",
        "kind": kind,
        "season": season,
    }

    def again(message):
        context = _phone_context(
            session, participant, tie_form=typed, names=names, tie_error=message, tie_key=key
        )
        return web.render("participant/_tie_form.html", "participant/phone.html", 422, **context)

    try:
        sent = session.keyed_tie(participant["id"], key)
    except ValidationError as e:
        return again(web.problem_text(e))
    if sent is None:
        meta = session.meta()
        _require_stage(meta, "ties")
        problem = _tie_problem(source, target, kind, names)
        if problem:
            return again(problem)
        attrs = {"season": season} if season else {}
        status = "approved" if meta.get("auto_approve") else "pending"
        limit_phone(session_id, participant["id"])
        try:
            session.add_tie(
                source,
                target,
                kind,
                actor=participant["id"],
                status=status,
                client_key=key,
                **attrs,
            )
        except ValidationError as e:
            return again(web.problem_text(e))
        web.changed(session_id)
    return _after_post(
        session_id,
        _("Sent. The facilitator will check it."),
        "participant/_tie_sent.html",
        **_phone_context(session, participant, names=names, oob=True),
    )


def _tie_problem(source: str, target: str, kind: str, names: dict) -> str | None:
    """Why the tie a phone chose cannot be sent, in the phone's language (``None``: it can)."""
    if source not in names or target not in names:
        return _("Please choose both names from the list.")
    if source == target:
        return _("Please choose two different names.")
    if kind not in PHONE_TIE_KINDS:
        return _("Please choose what kind of help it is.")
    if tie_allowed(kind, names[source][1], names[target][1]):
        return None
    lang = web.lang()
    label = TIE_KINDS[kind].ja if lang == "ja" else TIE_KINDS[kind].en
    src, dst = (
        (NODE_KINDS[names[end][1]].ja if lang == "ja" else NODE_KINDS[names[end][1]].en)
        for end in (source, target)
    )
    return _(
        "“%(tie)s” cannot go from a %(source)s to a %(target)s.",
        tie=label,
        source=src,
        target=dst,
    )
