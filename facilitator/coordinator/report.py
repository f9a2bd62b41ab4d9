"""The printable report of a session (what a 協議体 meeting reads) and the tree poster."""

from __future__ import annotations

from datetime import datetime

import networkx as nx
from flask import Response, render_template, request

from graph.analysis import FLAG_KINDS
from graph.compare import diff, summary
from graph.errors import NotFound, Problem
from graph.print_tree import PT, print_tree
from graph.pseudonym import public_labels, public_text
from graph.report import TREASURE_KINDS, report_lists
from graph.scrub import NameFinder, name_words
from graph.vocabulary import NODE_KINDS, TIE_KINDS

from .. import web
from ..auth import facilitator_required
from ._common import _flag_on, _flag_title, bp, counts, support_counts

__all__ = ["report", "poster", "poster_svg", "PAPERS", "POSTERS"]

#: Printable width and height (mm) of each paper, margins taken off, and the report's
#: note size; posters print the same tree larger.
PAPERS = {"a4": (182.0, 269.0), "a3": (396.0, 273.0)}
POSTERS = {"a1": (564.0, 811.0), "a2": (390.0, 564.0)}
_STAGE = {"proposed": "案", "trial": "試行", "realised": "実現"}


def _local_date(iso: str) -> str:
    """The local date of an ISO time (the machine's zone), as a Japanese office reads it."""
    try:
        return datetime.fromisoformat(iso).astimezone().strftime("%Y-%m-%d")
    except (TypeError, ValueError):
        return str(iso)[:10]


def _before_session(meta: dict) -> dict | None:
    """``?before=<id>``, else the latest older session of the same area (or None)."""
    chosen = request.args.get("before")
    rows = web.store().list()
    if chosen:
        web.store().path(chosen)
        match = [r for r in rows if r["id"] == chosen]
        if not match:
            raise NotFound(
                Problem("before", "セッションが見つかりません", f"no session {chosen!r}")
            )
        return match[0]
    if not meta.get("area"):
        return None
    older = [
        r
        for r in rows
        if r["area"] == meta["area"] and r["id"] != meta["id"] and r["created"] < meta["created"]
    ]
    return max(older, key=lambda r: r["created"]) if older else None


def _labels(session, G: nx.MultiDiGraph, names: bool) -> dict:
    """Real labels when names were ticked, else pseudonyms and labels without names."""
    if names:
        return {n: str(G.nodes[n].get("label") or n) for n in G}
    return public_labels(G, session.pseudonyms(G), content=True)


def _bars(items: list[tuple[str, int]]) -> dict:
    top = max([n for _, n in items] + [1])
    return {"items": [{"name": name, "n": n, "w": round(300 * n / top, 1)} for name, n in items]}


def _changes(before: dict, G: nx.MultiDiGraph, labels: dict, names: bool) -> dict:
    """What changed since the last session of the area: the summary and the new treasures."""
    d = diff(before["G"], G, before["settings"])
    added = sorted(
        labels.get(item["id"], "")
        for item in d.nodes_added
        if item.get("kind") in TREASURE_KINDS + ("idea", "need")
    )
    return {"text": summary(d, lang=web.lang(), names=names), "added": added}


@bp.get("/<session_id>/report")
@facilitator_required
def report(session_id: str):
    """The printable report (A4 portrait, ``?paper=a3`` landscape); names only with names=1.

    The tree on its own page, readable in print, then the treasures by category, the needs
    heard, the ideas with their stage, the flags as counts, and what changed since the last
    session of the area.
    """
    session = web.open_session(session_id)
    meta = session.meta()
    G = session.graph()
    names = _flag_on()
    paper = "a3" if request.args.get("paper") == "a3" else "a4"
    labels = _labels(session, G, names)
    c = counts(G, meta.get("settings"))
    before = None
    before_row = _before_session(meta)
    if before_row is not None:
        b_session = web.open_session(before_row["id"])
        b_settings = b_session.meta().get("settings")
        bG = b_session.graph()
        before = {"row": before_row, "c": counts(bG, b_settings), "G": bG, "settings": b_settings}
        before["changes"] = _changes(before, G, labels, names)
        before["date"] = _local_date(before_row["created"])
    if not names:  # the title and area may name someone too (「渡辺さんの地区の集い」)
        finder = NameFinder(name_words(G) | (name_words(before["G"]) if before else set()))
        meta = {**meta, **{k: public_text(meta.get(k, ""), finder) for k in ("title", "area")}}
        if before:
            before["row"] = {**before["row"], "title": public_text(before["row"]["title"], finder)}
    flag_pairs = [
        {
            "name": _flag_title(f),
            "now": c["flags"].get(f, 0),
            "then": before["c"]["flags"].get(f, 0) if before else None,
            "labels": [labels.get(x.node, x.node) for x in c["found"] if x.flag == f]
            if names
            else [],
        }
        for f in FLAG_KINDS
    ]
    return render_template(
        "coordinator/report.html",
        meta=meta,
        c=c,
        names=names,
        paper=paper,
        tree=print_tree(G, labels, width=PAPERS[paper][0]),
        lists=report_lists(G, labels),
        treasure_kinds=TREASURE_KINDS,
        stage_names=_STAGE,
        support=_bars([(web.kind_name(k), n) for k, n in support_counts(G)]),
        flag_pairs=flag_pairs,
        before=before,
        node_kinds_order=list(NODE_KINDS),
        tie_kinds_order=list(TIE_KINDS),
        workshop_date=_local_date(meta.get("created", "")),
        printed=datetime.now().astimezone().strftime("%Y-%m-%d"),
    )


def _poster_tree(session_id: str):
    session = web.open_session(session_id)
    meta = session.meta()
    G = session.graph()
    names = _flag_on()
    size = request.args.get("paper", "a1")
    if size not in POSTERS:
        size = "a1"
    width = POSTERS[size][0]
    scale = width / PAPERS["a4"][0]
    tree = print_tree(
        G, _labels(session, G, names), width=width, font=8.5 * PT * scale, cell=30 * scale
    )
    if not names:
        finder = NameFinder(name_words(G))
        meta = {**meta, **{k: public_text(meta.get(k, ""), finder) for k in ("title", "area")}}
    return meta, names, size, tree


@bp.get("/<session_id>/poster")
@facilitator_required
def poster(session_id: str):
    """The tree alone on an A1 (``?paper=a2``: A2) portrait sheet, for the hall wall."""
    meta, names, size, tree = _poster_tree(session_id)
    return render_template(
        "coordinator/poster.html",
        meta=meta,
        names=names,
        paper=size,
        tree=tree,
        page=POSTERS[size],
    )


@bp.get("/<session_id>/poster.svg")
@facilitator_required
def poster_svg(session_id: str):
    """The poster's tree as a standalone vector SVG (sized in mm) to print at a shop."""
    meta, names, size, tree = _poster_tree(session_id)
    svg = render_template("coordinator/_tree_print.svg", meta=meta, tree=tree, standalone=True)
    name = f"tsunagari-{session_id}-poster-{size}.svg"
    return Response(
        svg,
        mimetype="image/svg+xml",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
