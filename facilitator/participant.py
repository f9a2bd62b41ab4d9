"""The participant screens: join by code on a phone, post sticky notes, say who helps whom."""

from __future__ import annotations

import re
import unicodedata

from flask import (
    Blueprint,
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from graph.errors import NotFound, ValidationError
from graph.model import is_active
from graph.names import matches
from graph.privacy import offered_on_phones, shared_label
from graph.vocabulary import NODE_KINDS, TIE_KINDS, tie_allowed

from . import web
from .auth import current_participant, join_limiter, participant_cookie
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

#: Diagnosis words that do not belong on a sticky note about a neighbour (DESIGN.md §6).
#: 病 alone is checked too, but not in 病院/病棟/病室 (a place, not a diagnosis).
DIAGNOSIS_WORDS = (
    "認知症",
    "アルツハイマー",
    "がん",
    "癌",
    "障害",
    "障がい",
    "麻痺",
    "うつ",
    "鬱",
    "統合失調",
    "糖尿病",
    "脳梗塞",
    "脳卒中",
    "パーキンソン",
    "透析",
    "病",
)
_DIAGNOSIS_RE = re.compile(
    "|".join(re.escape(w) if w != "病" else "病(?![院棟室])" for w in DIAGNOSIS_WORDS)
)
#: The kinds whose notes describe a particular person, so the diagnosis check applies.
_PRIVATE_KINDS = ("person", "household", "need")

#: Treasure-hunt prompts under each kind button (the six ABCD asset categories).
KIND_EXAMPLES = {
    "person": (
        _l("Tanaka-san who brings vegetables from her field"),
        _l("Someone good at shogi"),
        _l("The neighbour who clears snow early"),
    ),
    "household": (_l("The Sato home, living alone"), _l("The elderly couple up the hill")),
    "group": (_l("Kurinoki salon"), _l("Seniors' club"), _l("Neighbourhood association")),
    "place": (_l("Welfare hall"), _l("Mobile shop stop"), _l("The shrine grounds")),
    "institution": (_l("Community support centre"), _l("Post office"), _l("Clinic")),
    "activity": (_l("Morning radio exercises"), _l("Snow-clearing team"), _l("Tea club")),
    "story": (_l("Lion dance at the autumn festival"), _l("When this was a coal town")),
    "need": (_l("Taking out the rubbish is hard"), _l("No way to get to the clinic")),
    "idea": (_l("A snow-clearing rota"), _l("Rides to the salon")),
}

#: The optional attributes a phone may send with each kind; anything else is ignored.
KIND_ATTRIBUTES = {
    "person": ("age_band",),
    "household": ("lives_alone",),
    "need": ("category",),
    "activity": ("category", "season"),
}
_ALL_ATTRIBUTES = ("age_band", "lives_alone", "category", "season")

#: The tie kinds a phone can choose ("who helps whom"), in button order.
PHONE_TIE_KINDS = ("watch", "snow", "ride", "errand", "share", "talk", "member", "role", "kin")


def _choices():
    """Labels of the attribute values offered on the phone, in the user's language."""
    return {
        "age_band": (
            ("under-65", _("Under 65")),
            ("65-74", _("65 to 74")),
            ("75-84", _("75 to 84")),
            ("85+", _("85 or older")),
        ),
        "category": (
            ("watch", _("Watching over")),
            ("snow", _("Snow clearing")),
            ("ride", _("Rides")),
            ("errand", _("Shopping and rubbish")),
            ("share", _("Sharing food")),
            ("talk", _("Someone to talk to")),
            ("other", _("Other help")),
        ),
        "season": (
            ("all_year", _("All year")),
            ("winter_only", _("Winter only")),
            ("not_in_winter", _("Not in winter")),
        ),
    }


def _status_labels():
    return {
        "pending": _("Waiting for the facilitator"),
        "approved": _("On the map"),
        "merged": _("On the map"),
        "hidden": _("Not shown"),
    }


def diagnosis_words(text: str) -> list[str]:
    """The diagnosis words in ``text``, in order of appearance, without repeats.

    >>> diagnosis_words("母が認知症で、ゴミ出しが大変")
    ['認知症']
    >>> diagnosis_words("病院へ行く足がない")
    []
    >>> diagnosis_words("糖尿病")
    ['糖尿病']
    """
    text = unicodedata.normalize("NFKC", text or "")
    return list(dict.fromkeys(m.group(0) for m in _DIAGNOSIS_RE.finditer(text)))


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


def _phone_context(session, participant, **extra) -> dict:
    meta = session.meta()
    context = {
        "session_id": session.id,
        "meta": meta,
        "stage": meta.get("stage"),
        "closed": _is_closed(meta),
        "participant": participant,
        "mine": session.notes(participant=participant["id"]),
        "choices": _choices(),
        "status_labels": _status_labels(),
        "examples": KIND_EXAMPLES,
        "kind_attributes": KIND_ATTRIBUTES,
        "phone_tie_kinds": PHONE_TIE_KINDS,
        "max_note": MAX_NOTE,
        "form": {},
        "tie_form": {},
        "edit_errors": {},
        "names": {},
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
    """Post a sticky note (pending unless the session approves automatically)."""
    session, participant = _phone(session_id)
    meta = session.meta()
    _require_stage(meta, "notes", "ties")
    form = request.form
    kind = form.get("kind", "")
    text = form.get("text", "")
    typed = {"kind": kind, "text": text, **{k: form.get(k, "") for k in _ALL_ATTRIBUTES}}

    def again(**errors):
        context = _phone_context(session, participant, form=typed, **errors)
        return web.render("participant/_note_form.html", "participant/phone.html", 422, **context)

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
    words = diagnosis_words(text) if kind in _PRIVATE_KINDS else []
    if words and not form.get("send_anyway"):
        return again(diagnosis=words)
    try:
        session.add_note(participant["id"], kind, text, **_attrs_from(form, kind))
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
    words = diagnosis_words(request.form.get("text", "")) if kind in _PRIVATE_KINDS else []
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
    # The phone polls this; when the facilitator moves the stage, the tie section follows.
    context["stage_changed"] = request.args.get("stage") not in (None, context["stage"])
    return web.render("participant/_mine_poll.html", "participant/mine.html", **context)


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
    words = diagnosis_words(text) if kind in _PRIVATE_KINDS else []
    error = None
    if words and not form.get("send_anyway"):
        error = {"text": text, "diagnosis": words}
    else:
        changes = {
            name: None for name in _ALL_ATTRIBUTES if name not in KIND_ATTRIBUTES.get(kind, ())
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
    """``(id, shown name, kind, label)`` of every approved node a phone may pick."""
    offered = []
    for node, data in web.session_graph(session).nodes(data=True):
        if not is_active(data):
            continue
        name = public_name(data.get("label", ""), data)
        if name is not None:
            offered.append((node, name, data.get("kind", ""), data.get("label", "")))
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
    )


@bp.post("/s/<session_id>/ties")
def add_tie(session_id: str):
    """Say who helps whom: a tie between two approved names (pending unless auto-approve)."""
    session, participant = _phone(session_id)
    meta = session.meta()
    _require_stage(meta, "ties")
    form = request.form
    source, target = form.get("source", ""), form.get("target", "")
    kind, season = form.get("kind", ""), form.get("season", "").strip()
    names = {node: (name, k) for node, name, k, _label in _offered_nodes(session)}
    typed = {
        "source": source if source in names else "",
        "target": target if target in names else "",
        "kind": kind,
        "season": season,
    }

    def again(message):
        context = _phone_context(
            session, participant, tie_form=typed, names=names, tie_error=message
        )
        return web.render("participant/_tie_form.html", "participant/phone.html", 422, **context)

    if source not in names or target not in names:
        return again(_("Please choose both names from the list."))
    if source == target:
        return again(_("Please choose two different names."))
    if kind not in PHONE_TIE_KINDS:
        return again(_("Please choose what kind of help it is."))
    if not tie_allowed(kind, names[source][1], names[target][1]):
        lang = web.lang()
        label = TIE_KINDS[kind].ja if lang == "ja" else TIE_KINDS[kind].en
        src, dst = (
            (NODE_KINDS[names[end][1]].ja if lang == "ja" else NODE_KINDS[names[end][1]].en)
            for end in (source, target)
        )
        return again(
            _(
                "“%(tie)s” cannot go from a %(source)s to a %(target)s.",
                tie=label,
                source=src,
                target=dst,
            )
        )
    attrs = {"season": season} if season else {}
    status = "approved" if meta.get("auto_approve") else "pending"
    try:
        session.add_tie(source, target, kind, actor=participant["id"], status=status, **attrs)
    except ValidationError as e:
        return again(web.problem_text(e))
    web.changed(session_id)
    return _after_post(
        session_id,
        _("Sent. The facilitator will check it."),
        "participant/_tie_form.html",
        **_phone_context(session, participant, names=names),
    )
