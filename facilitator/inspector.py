"""The inspector: one approved node on the facilitator's screens — edit its label, kind and
attributes (consent too), hide or remove it, edit its ties, merge it with a duplicate or say
that a person lives in a household.

Every form calls the same storage methods as the JSON API
(:class:`~facilitator.storage.curation.Curation`). For htmx the answer is the inspector
fragment (422 with the message on bad input, nothing changed); a plain form is answered with
a redirect to the inspector on the dashboard (303), or the dashboard with the message (422).
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, request, url_for
from flask_babel import gettext as _

from graph.errors import NotFound, Problem, ValidationError
from graph.model import is_active
from graph.names import likely_duplicates
from graph.vocabulary import KIND_ATTRIBUTES, NODE_ATTRIBUTES, NODE_KINDS, TIE_KINDS, tie_allowed

from . import facilitation, web
from .auth import facilitator_required
from .curation_api import undo_answer
from .curation_words import attribute_names, value_labels
from .storage import Session

__all__ = ["bp", "inspector_ctx", "MAX_CANDIDATES"]

bp = Blueprint("inspector", __name__)

ACTOR = facilitation.ACTOR
#: How many other nodes of the kind a merge or lives-here choice lists (duplicates always).
MAX_CANDIDATES = 200
_TIE_ATTRS = ("season", "frequency", "origin")


# -- what the inspector shows -----------------------------------------------------------------


def _fields(kind: str, data: dict[str, Any]) -> list[dict[str, Any]]:
    """The attribute fields of a node: those of its kind, then any other it carries."""
    names = attribute_names()
    labels = value_labels()
    wanted = list(KIND_ATTRIBUTES.get(kind, ()))
    wanted += [a for a in NODE_ATTRIBUTES if a in data and a not in wanted and a != "status"]
    fields = []
    for name in wanted:
        allowed = NODE_ATTRIBUTES[name]
        field = {"name": name, "title": names.get(name, name), "value": data.get(name)}
        if allowed is bool:
            field["type"] = "bool"
        elif isinstance(allowed, tuple):
            field["type"] = "choice"
            field["options"] = [(v, labels.get(name, {}).get(v, v)) for v in allowed]
        else:
            field["type"] = "text"
        fields.append(field)
    return fields


def _ties(G, node_id: str) -> tuple[list[dict], list[str]]:
    """The node's ties (other end, kinds its ends allow) and the node kinds they allow."""
    kinds = {n: d.get("kind") for n, d in G.nodes(data=True)}
    ties, node_kinds = [], []
    edges = [
        *G.out_edges(node_id, keys=True, data=True),
        *G.in_edges(node_id, keys=True, data=True),
    ]
    for u, v, key, d in edges:
        if d.get("status") == "hidden":
            continue
        ku, kv = kinds[u], kinds[v]
        ties.append(
            {
                "id": key,
                "outgoing": u == node_id,
                "other": v if u == node_id else u,
                "other_label": G.nodes[v if u == node_id else u].get("label", ""),
                **d,
                "kinds": [k for k in TIE_KINDS if tie_allowed(k, ku, kv)],
            }
        )
    for kind in NODE_KINDS:
        if all(
            tie_allowed(
                d.get("kind"),
                kind if u == node_id else kinds[u],
                kind if v == node_id else kinds[v],
            )
            for u, v, _, d in edges
        ):
            node_kinds.append(kind)
    return ties, node_kinds


def _candidates(G, node_id: str, label: str, kind: str) -> dict[str, list[dict]]:
    """Nodes of ``kind`` other than ``node_id``: likely duplicates first, then the rest."""
    others = [
        (n, d.get("label", n))
        for n, d in G.nodes(data=True)
        if n != node_id and d.get("kind") == kind and is_active(d)
    ]
    dupes = set(likely_duplicates(label, others)) if others else set()
    return {
        "duplicates": [{"id": n, "label": t} for n, t in others if n in dupes],
        "others": [{"id": n, "label": t} for n, t in others if n not in dupes][:MAX_CANDIDATES],
    }


def inspector_ctx(session: Session, node_id: str) -> dict[str, Any]:
    """Everything the inspector shows about ``node_id``; ``NotFound`` if there is no such node."""
    _kind(session, node_id)
    G = web.session_graph(session)
    data = dict(G.nodes[node_id])
    ties, node_kinds = _ties(G, node_id)
    ctx: dict[str, Any] = {
        "inspected": {"id": node_id, **data},
        "fields": _fields(data["kind"], data),
        "node_kinds_allowed": node_kinds,
        "node_ties": ties,
        "merge": _candidates(G, node_id, data.get("label", ""), data["kind"]),
        "value_labels": value_labels(),
        "attribute_names": attribute_names(),
        "icon": web.KIND_ICONS.get(data["kind"], ""),
    }
    lives = {"person": "household", "household": "person"}.get(data["kind"])
    if lives:
        ctx["lives_in"] = {"kind": lives, **_candidates(G, node_id, data.get("label", ""), lives)}
    return ctx


# -- answering ----------------------------------------------------------------------------------


def _page(session: Session, status: int, **ctx: Any):
    """The dashboard with the inspector open (a plain form's answer, or a reload)."""
    full = {**facilitation._base_ctx(session), **facilitation._dashboard_ctx(session), **ctx}
    return web.render(
        "facilitation/_inspector.html", "facilitation/dashboard.html", status, **full
    )


def _render(session: Session, node_id: str, status: int = 200, **extra: Any):
    ctx = {"session_id": session.id, **inspector_ctx(session, node_id), **extra}
    if web.is_htmx():
        name = "facilitation/_inspector.html"
        return web.render(name, name, status, **ctx)
    return _page(session, status, **ctx)


def _show(session_id: str, node_id: str, status: int = 200, **extra: Any):
    """After an action: the inspector again (htmx), a redirect to it, or the page with the
    message."""
    if not web.is_htmx() and status < 400:
        return redirect(url_for("inspector.inspect", session_id=session_id, node_id=node_id), 303)
    return _render(web.open_session(session_id), node_id, status, **extra)


def _kind(session: Session, node_id: str) -> str:
    G = web.session_graph(session)
    if node_id not in G:
        raise NotFound(
            Problem(f"node {node_id!r}", "ノードが見つかりません", "node does not exist")
        )
    return G.nodes[node_id]["kind"]


def _act(session_id: str, node_id: str, action, **extra: Any):
    """Run a storage call, wake the screens and show the node again; 422 with the message."""
    session = web.open_session(session_id)
    try:
        result = action(session)
    except ValidationError as e:
        return _show(session_id, node_id, 422, error=web.problem_text(e))
    web.changed(session_id)
    if callable(extra.get("notice")):
        extra["notice"] = extra["notice"](result)
    return _show(session_id, node_id, **extra)


def _form_changes(verbatim: tuple[str, ...], attrs) -> dict[str, Any]:
    """The fields of the form that are there: ``verbatim`` as typed, ``attrs`` stripped (an
    empty one is ``None``: the attribute is removed)."""
    changes: dict[str, Any] = {n: request.form[n] for n in verbatim if n in request.form}
    for name in attrs:
        if name in request.form:
            changes[name] = request.form[name].strip() or None
    return changes


def _save(session_id: str, node_id: str, action):
    """An edit of the form: ``action`` run, then the node again with 「保存しました」."""
    return _act(session_id, node_id, action, notice=_("Saved."))


# -- routes ---------------------------------------------------------------------------------------


@bp.get("/sessions/<session_id>/nodes/<node_id>")
@facilitator_required
def inspect(session_id: str, node_id: str):
    """The inspector of one node (the fragment for htmx, else the dashboard with it open)."""
    return _render(web.open_session(session_id), node_id)


@bp.post("/sessions/<session_id>/nodes/<node_id>")
@facilitator_required
def edit(session_id: str, node_id: str):
    """Save the node's label, kind and attributes (an empty field removes the attribute)."""
    kind = _kind(web.open_session(session_id), node_id)
    names = set(KIND_ATTRIBUTES.get(kind, ())) | (set(NODE_ATTRIBUTES) - {"status"})
    changes = _form_changes(("label", "kind"), sorted(names))
    return _save(session_id, node_id, lambda s: s.edit_node(node_id, ACTOR, **changes))


@bp.post("/sessions/<session_id>/nodes/<node_id>/status")
@facilitator_required
def status(session_id: str, node_id: str):
    """Hide the node from every screen (``status=hidden``) or show it again (``approved``)."""
    value = request.form.get("status", "")
    notice = _("Hidden from the map.") if value == "hidden" else _("Back on the map.")
    return _act(
        session_id, node_id, lambda s: s.edit_node(node_id, ACTOR, status=value), notice=notice
    )


@bp.post("/sessions/<session_id>/nodes/<node_id>/remove")
@facilitator_required
def remove(session_id: str, node_id: str):
    """Remove the node and its ties (undoable); the inspector then offers the undo."""
    session = web.open_session(session_id)
    row = session.remove_node(node_id, ACTOR)
    web.changed(session_id)
    if not web.is_htmx():
        return redirect(url_for("facilitation.dashboard", session_id=session_id), 303)
    return web.render(
        "facilitation/_inspector.html",
        "facilitation/_inspector.html",
        session_id=session_id,
        removed=row,
    )


def _merge_choice(session: Session, node_id: str, drop: str):
    """``(where drop and the node disagree, None)``, or ``(None, the 422 answer)`` when
    ``drop`` is missing or unknown."""
    if not drop:
        return None, _render(session, node_id, 422, error=_("Choose the note it is the same as."))
    try:
        return session.merge_conflicts(node_id, drop), None
    except NotFound as e:
        return None, _render(session, node_id, 422, error=web.problem_text(e))


@bp.get("/sessions/<session_id>/nodes/<node_id>/merge")
@facilitator_required
def merge_preview(session_id: str, node_id: str):
    """Before merging ``?drop=<node>`` into this node: where the two disagree, choose."""
    session = web.open_session(session_id)
    drop = request.args.get("drop", "")
    conflicts, refused = _merge_choice(session, node_id, drop)
    if refused is not None:
        return refused
    label = web.session_graph(session).nodes[drop].get("label", drop)
    return _render(session, node_id, merging={"id": drop, "label": label, "conflicts": conflicts})


@bp.post("/sessions/<session_id>/nodes/<node_id>/merge")
@facilitator_required
def merge(session_id: str, node_id: str):
    """Merge ``drop`` into this node; ``choose_<field>=drop`` takes the dropped node's value."""
    session = web.open_session(session_id)
    drop = request.form.get("drop", "")
    conflicts, refused = _merge_choice(session, node_id, drop)
    if refused is not None:
        return refused
    choose: dict[str, Any] = {}
    for name, (_keep, theirs) in conflicts.items():
        if request.form.get(f"choose_{name}") == "drop":
            choose[name] = theirs
    return _act(
        session_id,
        node_id,
        lambda s: s.merge_nodes(node_id, drop, ACTOR, **choose),
        notice=_("Merged."),
    )


@bp.post("/sessions/<session_id>/nodes/<node_id>/lives-in")
@facilitator_required
def lives_in(session_id: str, node_id: str):
    """Say that a person lives in a household (a ``lives_in`` tie) instead of merging them."""
    other = request.form.get("other", "")
    kind = _kind(web.open_session(session_id), node_id)
    person, household = (node_id, other) if kind == "person" else (other, node_id)
    return _act(
        session_id,
        node_id,
        lambda s: s.add_tie(person, household, "lives_in", ACTOR),
        notice=_("Saved: lives here."),
    )


@bp.post("/sessions/<session_id>/nodes/<node_id>/ties/<tie_id>")
@facilitator_required
def edit_tie(session_id: str, node_id: str, tie_id: str):
    """Save a tie's kind, season, frequency and origin, or remove it (``remove=1``)."""
    if request.form.get("remove"):
        return _act(
            session_id,
            node_id,
            lambda s: s.remove_tie(tie_id, ACTOR),
            notice=_("The tie was removed."),
        )
    changes = _form_changes(("kind",), _TIE_ATTRS)
    if request.form.get("approve"):
        changes["status"] = "approved"
    return _save(session_id, node_id, lambda s: s.edit_tie(tie_id, ACTOR, **changes))


@bp.post("/sessions/<session_id>/nodes/<node_id>/undo")
@facilitator_required
def undo(session_id: str, node_id: str):
    """Take back the latest change (the removal just made, say; again: the one before) and
    show the node again, or the dashboard when the undo took the node away."""
    session = web.open_session(session_id)
    try:
        event = session.undo(ACTOR)
    except NotFound:
        return _closed(session, 422, error=_("There is nothing to undo."))
    except ValidationError as e:
        return _closed(session, 422, error=web.problem_text(e))
    web.changed(session_id)
    notice = undo_answer(session, event)["message"]
    if node_id in web.session_graph(session):
        return _show(session_id, node_id, notice=notice)
    if not web.is_htmx():
        return redirect(url_for("facilitation.dashboard", session_id=session_id), 303)
    return _closed(session, notice=notice)


def _closed(session: Session, status: int = 200, **ctx: Any):
    """The inspector with no node in it, saying ``error`` or ``notice``."""
    if web.is_htmx():
        name = "facilitation/_inspector.html"
        return web.render(name, name, status, session_id=session.id, **ctx)
    return _page(session, status, removed=None, **ctx)
