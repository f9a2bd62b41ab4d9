"""Merging two or more sessions into a new town-level session."""

from __future__ import annotations

from flask import request, url_for
from flask_babel import gettext as _

from graph.errors import GraphError
from graph.merge import candidates, merge

from .. import web
from ..auth import facilitator_required
from ..storage import MAX_TITLE
from ._common import ACTOR, _go, _problems, bp

__all__ = ["merge_page", "merge_create"]


def _readable(candidate: dict) -> dict:
    """Tie kinds in the reviewer's language (「除雪 ← 田中」)."""
    for node in candidate["nodes"]:
        node["ties"] = [
            f"{web.kind_name(kind)} {rest}"
            for kind, _, rest in (t.partition(" ") for t in node.get("ties", []))
        ]
    return candidate


def _merge_ctx(chosen: list[str], **extra) -> dict:
    sessions = web.store().list()
    known = {s["id"] for s in sessions}
    chosen = [c for c in dict.fromkeys(chosen) if c in known]
    found = []
    if len(chosen) >= 2:
        sources = {sid: web.open_session(sid).graph() for sid in chosen}
        found = [_readable(c.to_dict()) for c in candidates(sources)]
    titles = {s["id"]: s["title"] for s in sessions}
    return {
        "sessions": sessions,
        "chosen": chosen,
        "candidates": found,
        "titles": titles,
        "max_title": MAX_TITLE,
        **extra,
    }


@bp.get("/merge")
@facilitator_required
def merge_page():
    """Choose 2+ sessions, review the duplicate candidates, name the town-level session."""
    ctx = _merge_ctx(request.args.getlist("s"), form={"title": request.args.get("title", "")})
    return web.render("coordinator/_merge.html", "coordinator/merge.html", **ctx)


@bp.post("/merge")
@facilitator_required
def merge_create():
    """Create the merged session from the confirmed candidates; the sources stay untouched.

    Every candidate must be decided (422 listing how many are left, nothing created): the
    decisions are keyed by the two nodes, so a source changed since the page was shown can
    never make one join another pair."""
    chosen = request.form.getlist("s")
    form = {"title": request.form.get("title", ""), "area": request.form.get("area", "")}
    ctx = _merge_ctx(chosen, form=form)
    if len(ctx["chosen"]) < 2:
        ctx["error"] = _("Choose at least two sessions to merge.")
        return web.render("coordinator/_merge.html", "coordinator/merge.html", 422, **ctx)
    decided = {c["id"]: request.form.get(f"c_{c['id']}") for c in ctx["candidates"]}
    undecided = [c for c in ctx["candidates"] if decided[c["id"]] not in ("same", "different")]
    if undecided:
        # Nothing is pre-ticked: joining two people is always somebody's decision.
        ctx["error"] = _(
            "Decide for every pair whether it is the same (%(n)s left).", n=len(undecided)
        )
        ctx["undecided"] = {c["id"] for c in undecided}
        return web.render("coordinator/_merge.html", "coordinator/merge.html", 422, **ctx)
    accepted = {pair for pair, choice in decided.items() if choice == "same"}
    sources = {sid: web.open_session(sid).graph() for sid in ctx["chosen"]}
    try:
        G = merge(sources, accepted, title=form["title"].strip(), area=form["area"].strip())
        # Created and filled in one step: a failed import leaves no session behind.
        session = web.store().create(form["title"], area=form["area"], actor=ACTOR, graph=G)
    except GraphError as e:
        ctx["error"] = "\n".join(_problems(e))
        return web.render("coordinator/_merge.html", "coordinator/merge.html", 422, **ctx)
    session.close()
    return _go(url_for("coordinator.view", session_id=session.id))
