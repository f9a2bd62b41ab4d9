"""The printable report of a session and the SVG picture of its tree."""

from __future__ import annotations

import math
from datetime import datetime

import networkx as nx
from flask import render_template, request

from graph.analysis import FLAG_KINDS, flags
from graph.errors import NotFound, Problem
from graph.layout import tree_layout
from graph.model import active_graph
from graph.privacy import UNIT_FLAGS
from graph.vocabulary import DIRECTED_SUPPORT, MUTUAL, NODE_KINDS, TIE_KINDS

from .. import web
from ..auth import facilitator_required
from ..tree import KIND_STYLE
from ._common import _flag_items, _flag_on, _flag_title, bp, counts, support_counts

__all__ = ["report_svg", "report"]


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


#: The SVG's drawn shape of each node kind (the tree's shapes, in print).
_SVG_SHAPE = {
    "square": "rect",
    "dot": "circle",
    "box": "rect",
    "triangle": "triangle",
    "star": "star",
    "diamond": "diamond",
    "triangleDown": "triangleDown",
    "hexagon": "hexagon",
}
_SVG_WIDTH = 1600


def _points(shape: str, x: float, y: float, r: float) -> str:
    """The ``points`` of an SVG polygon for the polygon shapes (empty for circle and rect)."""
    if shape == "triangle":
        corners = [(0, -r), (-r, r * 0.8), (r, r * 0.8)]
    elif shape == "triangleDown":
        corners = [(0, r), (-r, -r * 0.8), (r, -r * 0.8)]
    elif shape == "diamond":
        corners = [(0, -r), (r, 0), (0, r), (-r, 0)]
    elif shape == "hexagon":
        corners = [(r * math.cos(a), r * math.sin(a)) for a in (i * math.pi / 3 for i in range(6))]
    elif shape == "star":
        corners = [
            (
                (r if i % 2 == 0 else r * 0.45) * math.sin(i * math.pi / 5),
                -(r if i % 2 == 0 else r * 0.45) * math.cos(i * math.pi / 5),
            )
            for i in range(10)
        ]
    else:
        return ""
    return " ".join(f"{x + dx:.1f},{y + dy:.1f}" for dx, dy in corners)


def report_svg(G: nx.MultiDiGraph, settings: dict | None = None) -> dict:
    """Shapes of the tree picture for the printed report, in SVG user units.

    Returns ``{"width", "height", "nodes": [...], "edges": [...]}``; each node has ``x``,
    ``y``, ``r``, ``shape``, ``fill``, ``stroke``, ``label``, ``kind`` and ``flagged``. The
    template draws them (so every label is escaped).
    """
    A = active_graph(G)
    shape = tree_layout(A)
    pos = shape.positions
    if not pos:
        return {"width": _SVG_WIDTH, "height": 200, "nodes": [], "edges": []}
    xs = [p[0] for p in pos.values()]
    ys = [p[1] for p in pos.values()]
    pad = 60
    span_x = max(max(xs) - min(xs), 1)
    scale = (_SVG_WIDTH - 2 * pad) / span_x
    height = (max(ys) - min(ys)) * scale + 2 * pad

    def at(node):
        x, y = pos[node]
        return round((x - min(xs)) * scale + pad, 1), round((y - min(ys)) * scale + pad, 1)

    marked = {f.node for f in flags(A, settings) if f.flag in UNIT_FLAGS and f.node}
    nodes = []
    for node in pos:
        attrs = A.nodes[node]
        kind = attrs.get("kind", "")
        vis_shape, fill, stroke, symbol = KIND_STYLE.get(kind, KIND_STYLE["household"])
        x, y = at(node)
        detail = kind in ("person", "need") and node not in shape.trunk
        r = 7 if detail else 11
        svg_shape = _SVG_SHAPE.get(vis_shape, "circle")
        nodes.append(
            {
                "id": node,
                "x": x,
                "y": y,
                "r": r,
                "shape": svg_shape,
                "points": _points(svg_shape, x, y, r),
                "fill": fill,
                "stroke": stroke,
                "label": ("⚑ " if node in marked else "") + str(attrs.get("label") or node),
                "small": detail,
                "kind": kind,
                "symbol": symbol,
                "flagged": node in marked,
            }
        )
    edges = []
    for u, v, kind in A.edges(data="kind"):
        if u in pos and v in pos:
            (x1, y1), (x2, y2) = at(u), at(v)
            edges.append(
                {
                    "x1": x1,
                    "y1": y1,
                    "x2": x2,
                    "y2": y2,
                    "kind": kind,
                    "support": kind in MUTUAL | DIRECTED_SUPPORT,
                }
            )
    return {"width": _SVG_WIDTH, "height": round(height, 1), "nodes": nodes, "edges": edges}


def _bars(items: list[tuple[str, int]]) -> dict:
    top = max([n for _, n in items] + [1])
    return {"items": [{"name": name, "n": n, "w": round(300 * n / top, 1)} for name, n in items]}


@bp.get("/<session_id>/report")
@facilitator_required
def report(session_id: str):
    """The printable report (A4 portrait, ``?paper=a3`` landscape); names only with names=1."""
    session = web.open_session(session_id)
    meta = session.meta()
    G = session.graph()
    names = _flag_on()
    c = counts(G, meta.get("settings"))
    before_row = _before_session(meta)
    before = None
    if before_row is not None:
        b_session = web.open_session(before_row["id"])
        bG = b_session.graph()
        before = {"row": before_row, "c": counts(bG, b_session.meta().get("settings")), "G": bG}
    support = [(web.kind_name(k), n) for k, n in support_counts(G)]
    flag_pairs = [
        {
            "name": _flag_title(f),
            "now": c["flags"].get(f, 0),
            "then": before["c"]["flags"].get(f, 0) if before else None,
        }
        for f in FLAG_KINDS
    ]
    top = max([p["now"] for p in flag_pairs] + [p["then"] or 0 for p in flag_pairs] + [1])
    paper = "a3" if request.args.get("paper") == "a3" else "a4"
    return render_template(
        "coordinator/report.html",
        meta=meta,
        c=c,
        names=names,
        paper=paper,
        svg=report_svg(G if names else session.pseudonymised(G), meta.get("settings")),
        support=_bars(support),
        flag_pairs=flag_pairs,
        flag_top=top,
        before=before,
        node_kinds_order=list(NODE_KINDS),
        tie_kinds_order=list(TIE_KINDS),
        flag_items=_flag_items(c["found"], web.lang()) if names else [],
        flag_title=_flag_title,
        printed=datetime.now().astimezone().strftime("%Y-%m-%d"),
    )
