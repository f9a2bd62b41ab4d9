"""The archive of saved sessions and one session's read-only view with its tree."""

from __future__ import annotations

from flask import jsonify, render_template, request, url_for

from graph.analysis import FLAG_KINDS

from .. import web
from ..auth import facilitator_required
from ._common import _flag_items, _flag_title, _payload, _seq_arg, _stale, bp, counts

__all__ = ["archive", "view", "tree_json"]

_SORTS = ("date", "title", "area")


def _row(item: dict) -> dict:
    """One archive row: the list entry with its counts, year and reminder."""
    session = web.open_session(item["id"])
    meta = session.meta()
    c = counts(session.graph(), meta.get("settings"))
    return {
        **item,
        "year": str(item.get("created") or "")[:4],
        "stale": _stale(item),
        "node_counts": c["nodes"],
        "tie_counts": c["ties"],
        "flag_counts": c["flags"],
        "n_nodes": c["n_nodes"],
        "n_ties": c["n_ties"],
    }


@bp.get("")
@facilitator_required
def archive():
    """Every saved session with its counts and flags; sort and filter by area and year."""
    sessions, damaged = web.store().scan()
    rows = [_row(item) for item in sessions]
    areas = sorted({r["area"] for r in rows if r["area"]})
    years = sorted({r["year"] for r in rows if r["year"]}, reverse=True)
    area, year = request.args.get("area", ""), request.args.get("year", "")
    sort = request.args.get("sort", "date")
    if sort not in _SORTS:
        sort = "date"
    if area:
        rows = [r for r in rows if r["area"] == area]
    if year:
        rows = [r for r in rows if r["year"] == year]
    if sort == "title":
        rows.sort(key=lambda r: r["title"])
    elif sort == "area":
        rows.sort(key=lambda r: (r["area"], r["created"]))
    return web.render(
        "coordinator/_archive.html",
        "coordinator/archive.html",
        rows=rows,
        damaged=damaged,
        areas=areas,
        years=years,
        area=area,
        year=year,
        sort=sort,
        flag_kinds=FLAG_KINDS,
        flag_title=_flag_title,
    )


@bp.get("/<session_id>")
@facilitator_required
def view(session_id: str):
    """One session read-only: tree (projector-safe toggle), flags with reasons, notes, counts."""
    session = web.open_session(session_id)
    meta = session.meta()
    c = counts(session.graph(), meta.get("settings"))
    projector = request.args.get("view") == "projector"
    return render_template(
        "coordinator/view.html",
        meta=meta,
        c=c,
        flag_items=_flag_items(c["found"], web.lang()),
        notes=session.notes(),
        stale=_stale(meta),
        projector=projector,
        json_url=url_for(
            "coordinator.tree_json",
            session_id=session_id,
            view="projector" if projector else "private",
        ),
        flag_title=_flag_title,
    )


@bp.get("/<session_id>/tree.json")
@facilitator_required
def tree_json(session_id: str):
    """The vis-network payload of the session, or of its state after event ``seq``."""
    session = web.open_session(session_id)
    meta = session.meta()
    seq = _seq_arg()
    G = session.graph() if seq is None else session.replay(seq)
    data = _payload(G, meta, private=request.args.get("view") != "projector")
    data["seq"] = session.last_seq()
    return jsonify(data)
