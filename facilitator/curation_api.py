"""The JSON API of curating the map (issue 10): edit, remove and merge nodes and ties, undo
step by step, change the session's settings. Facilitator only; routes on ``api.bp``.

Each call is one storage call of :class:`~facilitator.storage.curation.Curation` (the same the
dashboard's forms make), so a 2xx answer is one committed event and wakes every live screen.
"""

from __future__ import annotations

from typing import Any

from flask import jsonify
from flask_babel import gettext as _

from graph.errors import NotFound, Problem, ValidationError

from . import web
from .api import FACILITATOR, Refusal, _body, _facilitator_of, bp
from .storage import Session
from .undo_words import undone_text

__all__ = ["undo_answer"]

#: What ``PATCH /sessions/<id>`` may change; other keys are flag settings (overload_…).
_META_FIELDS = ("title", "area", "stage", "auto_approve", "closed")


def _node_json(row: dict) -> dict:
    return {
        "id": row["id"],
        "kind": row["kind"],
        "label": row["label"],
        "status": row["status"],
        **row["attrs"],
    }


def _tie_json(row: dict) -> dict:
    return {
        "id": row["id"],
        "source": row["source"],
        "target": row["target"],
        "kind": row["kind"],
        "status": row["status"],
        **row["attrs"],
    }


def _answer(session: Session, **body: Any):
    web.changed(session.id)
    return jsonify(**body, seq=session.last_seq())


@bp.patch("/sessions/<session_id>")
def patch_session(session_id: str):
    """Change ``stage``, ``auto_approve``, ``closed``, ``title``, ``area`` and the flag
    ``settings`` (an object, or its keys at the top level): 200 with the metadata."""
    session = web.open_session(session_id)
    _facilitator_of(session)
    body = _body()
    changes = {k: body.pop(k) for k in _META_FIELDS if k in body}
    settings = body.pop("settings", {})
    if not isinstance(settings, dict):
        raise ValidationError(
            Problem("settings", "設定の形が違います", "settings must be an object")
        )
    settings = {**settings, **body}  # the rest: settings given at the top level
    if settings:
        changes["settings"] = settings
    if not changes:
        raise ValidationError(Problem("", "変更する項目がありません", "nothing to change"))
    before = session.last_seq()
    session.set_meta(FACILITATOR, **changes)
    if session.last_seq() != before:
        web.changed(session_id)
    return jsonify(session.meta())


#: What the API changes and removes: (edit, remove, the row as JSON, the answer's key).
_ROWS = {
    "nodes": ("edit_node", "remove_node", _node_json, "node"),
    "ties": ("edit_tie", "remove_tie", _tie_json, "tie"),
}


@bp.patch("/sessions/<session_id>/<any(nodes, ties):table>/<row_id>")
def patch_row(session_id: str, table: str, row_id: str):
    """Change a node ``{"label"?, "kind"?, "status"?, attrs…}`` or a tie ``{"kind"?,
    "status"?, "season"?, "frequency"?, "origin"?}`` (``null`` removes an attribute):
    200 ``{"node"|"tie", "seq"}``."""
    edit, _remove, to_json, key = _ROWS[table]
    session = web.open_session(session_id)
    _facilitator_of(session)
    body = _body()
    _refuse_empty(body)
    row = getattr(session, edit)(row_id, FACILITATOR, **body)
    return _answer(session, **{key: to_json(row)})


@bp.delete("/sessions/<session_id>/<any(nodes, ties):table>/<row_id>")
def delete_row(session_id: str, table: str, row_id: str):
    """Remove a node with its ties, or a tie (one undoable event): 200 ``{"removed",
    "seq"}``."""
    _edit, remove, to_json, _key = _ROWS[table]
    session = web.open_session(session_id)
    _facilitator_of(session)
    return _answer(session, removed=to_json(getattr(session, remove)(row_id, FACILITATOR)))


@bp.post("/sessions/<session_id>/nodes/<node_id>/merge")
def merge_node(session_id: str, node_id: str):
    """Merge ``{"drop": "<node>"}`` into this node (same kind; ``label`` and attributes in
    the body choose where the two disagree): 200 ``{"node", "seq"}``. A person and a
    household answer 422 with the advice to draw a ``lives_in`` tie instead."""
    session = web.open_session(session_id)
    _facilitator_of(session)
    body = _body()
    drop = body.pop("drop", None)
    if not isinstance(drop, str) or not drop:
        raise ValidationError(
            Problem(
                "drop",
                "統合するノードを drop で指定してください",
                "give the node to merge as drop",
            )
        )
    row = session.merge_nodes(node_id, drop, FACILITATOR, **body)
    return _answer(session, node=_node_json(row))


def undo_answer(session: Session, event: dict) -> dict:
    """What an undo took back: ``{"seq", "type", "message"}`` of the event undone."""
    seq = event["payload"]["undoes"]
    original = session.events(after=seq - 1, limit=1)[0]
    kind = event["payload"]["undone_type"]
    return {
        "seq": seq,
        "type": kind,
        "message": undone_text(kind, original["payload"], web.lang()),
    }


@bp.post("/sessions/<session_id>/undo")
def undo(session_id: str):
    """Take back the latest change not yet undone (each call one step further back; each
    undo is an event): 200 ``{"undone": {"seq", "type", "message"}, "seq"}``; 404 when
    there is nothing left, 422 when a later change overlaps."""
    session = web.open_session(session_id)
    _facilitator_of(session)
    _body()
    try:
        event = session.undo(FACILITATOR)
    except NotFound:
        raise Refusal(404, "nothing_to_undo", _("There is nothing to undo.")) from None
    return _answer(session, undone=undo_answer(session, event))


def _refuse_empty(body: dict) -> None:
    if not body:
        raise ValidationError(Problem("", "変更する項目がありません", "nothing to change"))
