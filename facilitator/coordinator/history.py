"""A session's event log, with the graph replayed to any point of it."""

from __future__ import annotations

from flask import url_for
from flask_babel import gettext as _

from .. import web
from ..auth import facilitator_required
from ..localtime import local_datetime
from ..storage import Session
from ._common import _seq_arg, bp, counts

__all__ = ["history"]


def _who(session: Session, actor: str) -> str:
    if actor in ("facilitator", "cli", "demo"):
        return {"facilitator": _("Facilitator"), "cli": _("Command line"), "demo": _("Demo")}[
            actor
        ]
    row = session.db.execute(
        "SELECT nickname FROM participants WHERE token_hash = ?", [actor]
    ).fetchone()
    if row is not None:
        return row[0] or _("A participant")
    return actor[:24]


def _what(event: dict) -> str:
    """A short description of one event: its node and tie labels, where there are any."""
    payload = event["payload"]
    if event["type"] == "export":
        names = _("with real names") if payload.get("real_names") else _("pseudonymised")
        return f"{str(payload.get('format', '')).upper()}（{names}）"
    parts = []
    for change in event["payload"].get("changes", [])[:3]:
        row = change["after"] or change["before"] or {}
        text = row.get("label") or row.get("text") or row.get("nickname")
        if text and change["table"] in ("nodes", "notes"):
            parts.append(str(text))
        elif change["table"] == "ties":
            parts.append(web.kind_name(str(row.get("kind", ""))))
    more = len(event["payload"].get("changes", [])) - 3
    if more > 0:
        parts.append(_("and %(n)s more", n=more))
    return "、".join(parts)


@bp.get("/<session_id>/history")
@facilitator_required
def history(session_id: str):
    """The event log with a slider: the graph as it stood after any event (``?seq=N``)."""
    session = web.open_session(session_id)
    meta = session.meta()
    events = session.events()
    last = session.last_seq()
    first = events[0]["seq"] if events else 0
    seq = _seq_arg()
    seq = last if seq is None else min(max(seq, first), last)
    G = session.replay(seq)
    c = counts(G, meta.get("settings"))
    rows = [
        {
            "seq": e["seq"],
            "time": local_datetime(e["time"]),
            "who": _who(session, e["actor"]),
            "type": e["type"],
            "what": _what(e),
        }
        for e in events
    ]
    return web.render(
        "coordinator/_history.html",
        "coordinator/history.html",
        meta=meta,
        events=rows,
        seq=seq,
        first=first,
        last=last,
        c=c,
        json_url=url_for("coordinator.tree_json", session_id=session_id, seq=seq),
    )
