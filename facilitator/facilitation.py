"""The facilitator's screens: sessions, the live dashboard, the projector wall and the stream."""

from __future__ import annotations

import io
import time
from collections import Counter
from typing import Any
from urllib.parse import urlsplit

import segno
from flask import (
    Blueprint,
    Response,
    current_app,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _

from graph.errors import NotFound, ValidationError
from graph.model import is_active
from graph.vocabulary import TIE_KINDS

from . import web
from .auth import facilitator_required
from .backup import backup_closed
from .curation_api import undo_answer
from .flags_panel import flags_ctx as _flags_ctx
from .heavy import heavy_if_large
from .live import sse_stream
from .localtime import local_hhmm
from .node_list import nodes_ctx, page_number
from .present import present_event
from .queue_panel import queue_ctx
from .regions import LIVE_EVENTS, touched, untouched
from .storage import MAX_TITLE, STAGES, Session
from .stream_push import ENDED, tree_pusher, wall_pusher
from .ties_panel import tie_form_ctx, ties_ctx
from .wall_groups import Wall, carry_wall, delta_html

__all__ = ["bp", "joined_count"]

bp = Blueprint("facilitation", __name__)

ACTOR = "facilitator"
#: How many of the latest notes the live feed shows.
FEED_LENGTH = 30


# -- small read-only helpers ----------------------------------------------------------------


def joined_count(session: Session) -> int:
    """How many phones have joined ``session``."""
    return session.db["participants"].count


def _note_counts(session: Session) -> Counter:
    return Counter(
        {
            row["status"]: row["n"]
            for row in session.db.query("SELECT status, count(*) AS n FROM notes GROUP BY status")
        }
    )


def _approved_nodes(session: Session) -> list[dict]:
    """Approved nodes as ``{"id", "kind", "label", **attrs}``, oldest first."""
    G = web.session_graph(session)
    return [{"id": n, **data} for n, data in G.nodes(data=True) if is_active(data)]


def _nicknames(session: Session) -> dict[str, str]:
    return {
        row["token_hash"]: row["nickname"]
        for row in session.db.query("SELECT token_hash, nickname FROM participants")
    }


def _join_url(code: str) -> str:
    """The URL the phones open: the participant's join page with the code filled in.

    ``PUBLIC_URL`` (say ``http://192.168.1.5:8000``), when set, replaces the address this
    page was opened with, so the QR works even on a laptop browsing ``localhost``.
    """
    path = url_for("participant.join_code", code=code)
    base = current_app.config.get("PUBLIC_URL") or request.host_url
    return base.rstrip("/") + path


def _loopback() -> bool:
    """Whether the join URL points at this laptop only (phones cannot reach it)."""
    host = urlsplit(_join_url("X")).hostname or ""
    return host in ("localhost", "::1") or host.startswith("127.")


def _stage_labels() -> dict[str, str]:
    return {"closed": _("Closed"), "notes": _("Notes only"), "ties": _("Notes and ties")}


# -- context for each region ------------------------------------------------------------------


def _feed_ctx(session: Session) -> dict:
    nicknames = _nicknames(session)
    feed = [
        {
            **note,
            "time": local_hhmm(note["created"]),
            "nickname": nicknames.get(note["participant"], ""),
        }
        for note in session.newest_notes(FEED_LENGTH)
    ]
    return {"feed": feed}


def _counts_ctx(session: Session) -> dict:
    return {"joined": joined_count(session), "note_counts": _note_counts(session)}


def _controls_ctx(session: Session) -> dict:
    return {"stage_labels": _stage_labels()}


def _dashboard_ctx(session: Session) -> dict:
    query = (request.args.get("q") or "")[:100]
    return {
        **nodes_ctx(session, query, page_number(request.args.get("page"))),
        **queue_ctx(session),
        **_feed_ctx(session),
        **_counts_ctx(session),
        **_controls_ctx(session),
        **ties_ctx(session),
    }  # the flags only when their fold is opened: GET /sessions/<id>/flags


def _base_ctx(session: Session) -> dict:
    meta = session.meta()
    return {
        "session_id": session.id,
        "meta": meta,
        "join_url": _join_url(meta["code"]),
        "loopback": _loopback(),
        "last_seq": session.last_seq(),
        "live_events": LIVE_EVENTS,
    }


REGIONS = {
    "queue": ("facilitation/_queue.html", queue_ctx),
    "feed": ("facilitation/_feed.html", _feed_ctx),
    "counts": ("facilitation/_counts.html", _counts_ctx),
    "controls": ("facilitation/_controls.html", _controls_ctx),
    "ties": ("facilitation/_ties.html", ties_ctx),
    "tie_results": ("facilitation/_tie_results.html", ties_ctx),
    "tie_form": ("facilitation/_tie_form.html", tie_form_ctx),
    "flags": ("facilitation/_flags.html", _flags_ctx),
}


def _region(session_id: str, region: str, status: int = 200, **extra):
    """Answer an action: the region's fragment for htmx, else the dashboard (303 on success)."""
    session = web.open_session(session_id)
    if not web.is_htmx() and status < 400:
        return redirect(url_for("facilitation.dashboard", session_id=session_id), 303)
    template, build = REGIONS[region]
    extra["error_region"] = region
    ctx = {**_base_ctx(session), **build(session), **extra}
    if web.is_htmx():
        return web.render(template, template, status, **ctx)
    return web.render(
        template,
        "facilitation/dashboard.html",
        status,
        **{**ctx, **_dashboard_ctx(session), **extra},
    )


def _act(session_id: str, region: str, action) -> Any:
    """Run a change, wake the live streams, answer with ``region``; 422 with the message on a
    ``ValidationError`` (nothing was written)."""
    session = web.open_session(session_id)
    try:
        action(session)
    except ValidationError as e:
        return _region(session_id, region, 422, error=e.message(web.lang()))
    web.changed(session_id)
    return _region(session_id, region)


# -- sessions -----------------------------------------------------------------------------------


def _session_rows() -> list[dict]:
    rows = []
    for item in web.store().list():
        session = web.open_session(item["id"])
        rows.append({**item, "notes": _note_counts(session), "joined": joined_count(session)})
    return rows


@bp.get("/sessions")
@facilitator_required
def sessions():
    """The facilitator's sessions: every session with its counts, and a form to start one."""
    return web.render(
        "facilitation/_sessions.html",
        "facilitation/sessions.html",
        sessions=_session_rows(),
        stage_labels=_stage_labels(),
        form={},
        max_title=MAX_TITLE,
    )


@bp.post("/sessions")
@facilitator_required
def create():
    """Start a session from the form (title required, area optional) and open its dashboard."""
    form = {"title": request.form.get("title", ""), "area": request.form.get("area", "")}
    try:
        session = web.store().create(form["title"], area=form["area"], actor=ACTOR)
    except ValidationError as e:
        return web.render(
            "facilitation/_sessions.html",
            "facilitation/sessions.html",
            422,
            sessions=_session_rows(),
            stage_labels=_stage_labels(),
            form=form,
            error=web.problem_text(e),
            max_title=MAX_TITLE,
        )
    session.close()
    target = url_for("facilitation.dashboard", session_id=session.id)
    if web.is_htmx():
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target, 303)


@bp.post("/sessions/<session_id>/close")
@facilitator_required
def close(session_id: str):
    """Close a session: no more notes or joins; a backup of its file goes into
    ``<data>/backups/``. From the list, answer with the list."""
    session = web.open_session(session_id)
    session.set_meta(ACTOR, stage="closed", closed=True)
    web.changed(session_id)
    if backup_closed(session, current_app.config["DATA"]) is None:
        current_app.logger.warning("could not write the backup of session %s", session_id)
    from_list = (
        request.headers.get("HX-Target") == "sessions" or request.form.get("back") == "list"
    )
    if not from_list:
        return _region(session_id, "controls")
    if not web.is_htmx():
        return redirect(url_for("facilitation.sessions"), 303)
    return web.render(
        "facilitation/_sessions.html",
        "facilitation/sessions.html",
        sessions=_session_rows(),
        stage_labels=_stage_labels(),
        form={},
        max_title=MAX_TITLE,
    )


# -- the dashboard and its regions ------------------------------------------------------------


@bp.get("/sessions/<session_id>")
@facilitator_required
def dashboard(session_id: str):
    """The facilitator's live dashboard: join QR, queue, feed, ties, flags."""
    session = web.open_session(session_id)
    heavy_if_large(session)  # the whole page of a town-sized session
    return web.render(
        "facilitation/_dashboard.html",
        "facilitation/dashboard.html",
        **_base_ctx(session),
        **_dashboard_ctx(session),
    )


@bp.get("/sessions/<session_id>/qr.svg")
@facilitator_required
def qr(session_id: str):
    """The join QR code as an SVG image (made here from the join URL only)."""
    code = web.open_session(session_id).meta()["code"]
    out = io.BytesIO()
    segno.make(_join_url(code), micro=False).save(
        out, kind="svg", scale=10, dark="#000", light="#fff", border=4, omitsize=True
    )
    return Response(out.getvalue(), mimetype="image/svg+xml")


@bp.get(
    "/sessions/<session_id>/<any(queue, feed, counts, controls, ties, tie_results, tie_form):region>"
)
@facilitator_required
def region(session_id: str, region: str):
    """One live region of the dashboard, refreshed after a ``changed`` event: 204 when no
    change since ``?since=<seq>`` touched it."""
    session = web.open_session(session_id)
    if web.is_htmx() and untouched(session, region, request.args.get("since")):
        return Response(status=204)
    template, build = REGIONS[region]
    return web.render(
        template,
        "facilitation/dashboard.html",
        **_base_ctx(session),
        **(_dashboard_ctx(session) if not web.is_htmx() else build(session)),
    )


@bp.get("/sessions/<session_id>/flags")
@facilitator_required
def flags_panel(session_id: str):
    """The private flags panel; ``?person=<id>`` adds the what-if for that helper."""
    session = web.open_session(session_id)
    if web.is_htmx() and untouched(session, "flags", request.args.get("since")):
        return Response(status=204)
    person = request.args.get("person") or None
    # The fragment needs only the flags; the whole dashboard only for a page load.
    rest = {} if web.is_htmx() else _dashboard_ctx(session)
    ctx = {**_base_ctx(session), **rest, **_flags_ctx(session, person)}
    return web.render("facilitation/_flags.html", "facilitation/dashboard.html", **ctx)


# -- actions on notes -----------------------------------------------------------------------------


@bp.post("/sessions/<session_id>/notes/<note_id>/approve")
@facilitator_required
def approve(session_id: str, note_id: str):
    """Put a note on the map, with its label corrected if the form sends one."""
    label = (request.form.get("label") or "").strip() or None
    return _act(session_id, "queue", lambda s: s.approve_note(note_id, ACTOR, label=label))


@bp.post("/sessions/<session_id>/notes/<note_id>/hide")
@facilitator_required
def hide(session_id: str, note_id: str):
    """Hide a note (it stays in the log, off the map)."""
    return _act(session_id, "queue", lambda s: s.hide_note(note_id, ACTOR))


@bp.post("/sessions/<session_id>/notes/<note_id>/merge")
@facilitator_required
def merge(session_id: str, note_id: str):
    """Mark a note as the same as an existing node."""
    node = request.form.get("node", "")
    if not node:
        return _region(session_id, "queue", 422, error=_("Choose the note it is the same as."))
    return _act(session_id, "queue", lambda s: s.merge_note(note_id, node, ACTOR))


# -- session controls -----------------------------------------------------------------------------


@bp.post("/sessions/<session_id>/stage")
@facilitator_required
def stage(session_id: str):
    """Switch the stage: closed, notes only, notes and ties."""
    value = request.form.get("stage", "")
    if value not in STAGES:
        return _region(session_id, "controls", 422, error=_("Choose a stage."))
    return _act(session_id, "controls", lambda s: s.set_meta(ACTOR, stage=value))


@bp.post("/sessions/<session_id>/auto-approve")
@facilitator_required
def auto_approve(session_id: str):
    """Turn auto-approval of new notes on (``on=1``) or off."""
    on = request.form.get("on") in ("1", "true", "on")
    return _act(session_id, "controls", lambda s: s.set_meta(ACTOR, auto_approve=on))


@bp.post("/sessions/<session_id>/undo")
@facilitator_required
def undo(session_id: str):
    """Take back the latest change not yet undone (again: the one before), saying which."""
    session = web.open_session(session_id)
    try:
        event = session.undo(ACTOR)
    except NotFound:
        return _region(session_id, "controls", 422, error=_("There is nothing to undo."))
    except ValidationError as e:
        return _region(session_id, "controls", 422, error=web.problem_text(e))
    web.changed(session_id)
    if not web.is_htmx():
        return _region(session_id, "controls")
    return _region(session_id, "controls", notice=undo_answer(session, event)["message"])


# -- ties -------------------------------------------------------------------------------------------


@bp.post("/sessions/<session_id>/ties")
@facilitator_required
def add_tie(session_id: str):
    """Draw a tie between two approved nodes."""
    form = request.form
    source, target, kind = form.get("source", ""), form.get("target", ""), form.get("kind", "")
    if kind not in TIE_KINDS:
        return _region(session_id, "ties", 422, error=_("Choose the kind of tie."))
    attrs = {k: form[k] for k in ("season", "frequency") if form.get(k)}
    return _act(session_id, "ties", lambda s: s.add_tie(source, target, kind, ACTOR, **attrs))


@bp.post("/sessions/<session_id>/ties/<tie_id>")
@facilitator_required
def edit_tie(session_id: str, tie_id: str):
    """Approve a phone's tie (``approve=1``), change its kind (``kind``) or take it off the
    map (``hide=1``)."""
    if request.form.get("approve"):
        return _act(session_id, "ties", lambda s: s.edit_tie(tie_id, ACTOR, status="approved"))
    if request.form.get("hide"):
        return _act(session_id, "ties", lambda s: s.edit_tie(tie_id, ACTOR, status="hidden"))
    kind = request.form.get("kind", "")
    if kind not in TIE_KINDS:
        return _region(session_id, "ties", 422, error=_("Choose the kind of tie."))
    return _act(session_id, "ties", lambda s: s.edit_tie(tie_id, ACTOR, kind=kind))


# -- projector ----------------------------------------------------------------------------------------


def _wall_groups(session: Session) -> Wall:
    """The wall's groups at the live seq, with projector-safe labels (the room labels:
    unique, consent-aware, never a flag — graph.privacy), carried on from the version before
    (``wall_groups.py``)."""
    live = web.live_version(session)

    def groups() -> Wall:
        carried = live.carried("wall_groups")
        return carry_wall(live.room_labels(), live.G._node, carried, live.seq)

    return live.memo("wall_groups", groups)


def _wall(session: Session) -> dict:
    """The wall's template context: approved nodes grouped by kind, in vocabulary order,
    and the seq they are of."""
    wall = _wall_groups(session)
    return {"wall": wall.shown(), "wall_seq": wall.seq}


def wall_pushed(session: Session) -> str:
    """What the projector's wall stream brings (stream_push.py): what the wall gained since
    the wall before (``wall_groups.delta_html``), else the whole fragment."""
    return delta_html(_wall_groups(session)) or wall_fragment(session)


@bp.get("/sessions/<session_id>/projector")
@facilitator_required
def projector(session_id: str):
    """The shared screen: join code and QR, the community tree and the note wall, live.

    Projector-safe: consented names only, no flags. It opens on the note wall while the
    room writes notes and on the tree once ties are drawn; ``?view=tree|wall`` chooses.
    """
    session = web.open_session(session_id)
    meta = session.meta()
    view = request.args.get("view")
    if view not in ("tree", "wall"):
        view = "tree" if meta.get("stage") == "ties" else "wall"
    return web.render(
        "facilitation/_projector.html",
        "facilitation/projector.html",
        **_base_ctx(session),
        **_wall(session),
        view=view,
        private=False,
    )


@bp.get("/sessions/<session_id>/projector/wall")
@facilitator_required
def wall(session_id: str):
    """The note wall alone, refreshed after a ``changed`` event: 204 when no change since
    ``?since=<seq>`` touched the approved notes. The fragment is rendered once per seq and
    language and shared by every projector showing it."""
    session = web.open_session(session_id)
    if not web.is_htmx():
        return web.render(
            "facilitation/_wall.html",
            "facilitation/projector.html",
            **_base_ctx(session),
            **_wall(session),
        )
    if untouched(session, "wall", request.args.get("since")):
        return Response(status=204)
    return wall_fragment(session)


def wall_fragment(session: Session) -> str:
    """The wall's fragment at the live seq, once per seq and language, shared by every
    projector: the ones asking and the ones the stream brings it to (stream_push.py)."""
    live = web.live_version(session)

    def fragment() -> str:
        heavy_if_large(session, live.G.number_of_nodes())
        ctx = {**_base_ctx(session), "last_seq": live.seq}
        return render_template("facilitation/_wall.html", **ctx, **_wall(session))

    return live.memo(("wall", web.lang()), fragment)


# -- live stream ----------------------------------------------------------------------------------------


@bp.get("/sessions/<session_id>/stream")
@facilitator_required
def stream(session_id: str):
    """Server-Sent Events: ``changed`` with the newest seq after every committed change,
    after a ``region-<name>`` event for each region the change touched.

    ``Last-Event-ID`` (or ``?after=``) resumes after a reconnect; ``?once=1`` ends the stream
    after the first ``changed`` event (for tests). ``?tree=projector|private`` brings that
    tree along before each ``changed`` that touched it, ``?wall=1`` the note wall
    (stream_push.py).
    """
    web.open_session(session_id)  # 404 before the stream starts
    raw = request.headers.get("Last-Event-ID") or request.args.get("after")
    after = web.seq_number(raw, "after") or 0
    once = request.args.get("once") == "1"
    store = web.store()
    broker = current_app.extensions["tsunagari_broker"]
    slots = current_app.extensions["tsunagari_streams"]
    app = current_app._get_current_object()  # the generator runs outside the app context
    # A stream ends after STREAM_SECONDS (the browser reconnects in 2 s): a screen that
    # vanished without closing its connection never holds a thread for longer.
    deadline = time.monotonic() + app.config["STREAM_SECONDS"]
    gone = request.environ.get("waitress.client_disconnected", lambda: False)

    def view(app):
        return present_event(app, session_id)

    pushers = {
        "tree": tree_pusher(app, request.environ, session_id, request.args.get("tree")),
        "wall": wall_pusher(app, request.environ, session_id, wall_pushed)
        if request.args.get("wall") == "1"
        else None,
    }

    def along(seen: int, touched: frozenset[str]) -> bytes | None:
        # Not on a screen's first catching up from 0: it loads its picture itself then.
        if seen == 0:
            return b""
        messages = [push() for name, push in pushers.items() if push and name in touched]
        return None if ENDED in messages else b"".join(messages)

    def generate():
        number, ended = slots.open()
        # The request's Session is closed at teardown and tied to its thread: open our own.
        session = store.open(session_id)

        def stop() -> bool:
            return ended.is_set() or gone() or time.monotonic() > deadline

        try:
            for message in sse_stream(
                broker,
                session_id,
                session.last_seq,
                after,
                stop,
                present=lambda: view(app),
                regions=lambda seen, newest: touched(session, seen, newest),
                along=along,
            ):
                yield message
                if (
                    once
                    and ("event: changed" if isinstance(message, str) else b"event: changed")
                    in message
                ):
                    return
        finally:
            session.close()
            slots.close(number)

    return Response(
        generate(),
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
