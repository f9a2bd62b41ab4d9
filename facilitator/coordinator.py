"""The coordinator's review: archive, history, compare, merge, printable report, export/import."""

from __future__ import annotations

import io
import math
import tempfile
from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import networkx as nx
from flask import (
    Blueprint,
    Response,
    abort,
    g,
    jsonify,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from werkzeug.utils import secure_filename

from graph.analysis import FLAG_KINDS, flags
from graph.compare import diff, summary
from graph.errors import GraphError, NotFound, Problem, ValidationError
from graph.io import FORMATS, read_graph, write_graph
from graph.layout import tree_layout
from graph.merge import candidates, merge
from graph.model import active_graph
from graph.privacy import UNIT_FLAGS, pseudonymise
from graph.vocabulary import DIRECTED_SUPPORT, MUTUAL, NODE_KINDS, TIE_KINDS

from . import web
from .auth import facilitator_required
from .storage import MAX_TITLE, Session
from .tree import KIND_STYLE, tree_payload

__all__ = [
    "bp",
    "STALE_AFTER",
    "IMPORT_SUFFIXES",
    "counts",
    "support_counts",
    "diff_tables",
    "highlight",
    "report_svg",
]

bp = Blueprint("coordinator", __name__, url_prefix="/archive")

ACTOR = "facilitator"
#: Support maps go stale: a session older than this carries the "review yearly" reminder.
STALE_AFTER = timedelta(days=365)
#: What the upload form takes (the CLI's readers; .zip is the CSV pair).
IMPORT_SUFFIXES = (".graphml", ".xml", ".json", ".gexf", ".zip")
#: The ties counted as everyday support in the report, in its chart's order.
SUPPORT_KINDS = ("watch", "snow", "ride", "errand", "share", "talk", "kin", "care")
_EXPORT_TYPES = {
    "graphml": ("graphml", "application/graphml+xml"),
    "gexf": ("gexf", "application/gexf+xml"),
    "json": ("json", "application/json"),
    "csv": ("zip", "application/zip"),
}
#: Colour and width of a tie that is new in the compared session (also marked "★" in text).
_NEW_TIE = {"color": {"color": "#d50000", "opacity": 1.0}, "width": 6}
_SORTS = ("date", "title", "area")


# -- small helpers ------------------------------------------------------------------------------


def _flag_title(flag: str) -> str:
    return FLAG_KINDS[flag][0 if web.lang() == "ja" else 1]


def _created(meta_or_row: dict) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(meta_or_row.get("created")))
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _stale(row: dict) -> bool:
    created = _created(row)
    return created is not None and datetime.now(UTC) - created > STALE_AFTER


def _problems(error: GraphError) -> list[str]:
    return [p.message(web.lang()) for p in error.problems]


def _flag_on() -> bool:
    return request.values.get("names") in ("1", "on", "true")


def counts(G: nx.MultiDiGraph, settings: dict | None = None) -> dict[str, Any]:
    """Nodes and ties of the approved part of ``G`` by kind, and flags by kind."""
    A = active_graph(G)
    found = flags(A, settings)
    return {
        "nodes": Counter(kind for _, kind in A.nodes(data="kind")),
        "ties": Counter(kind for _, _, kind in A.edges(data="kind")),
        "flags": Counter(f.flag for f in found),
        "n_nodes": A.number_of_nodes(),
        "n_ties": A.number_of_edges(),
        "found": found,
    }


def support_counts(G: nx.MultiDiGraph) -> list[tuple[str, int]]:
    """``(tie kind, count)`` of the approved everyday-support ties, in chart order."""
    tally = Counter(kind for _, _, kind in active_graph(G).edges(data="kind"))
    return [(kind, tally.get(kind, 0)) for kind in SUPPORT_KINDS]


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


def _parse_ref(ref: str | None, field: str) -> tuple[str, int | None]:
    """``"id"`` or ``"id@seq"``; NotFound (404) for anything else."""
    ref = (ref or "").strip()
    session_id, _sep, seq = ref.partition("@")
    web.store().path(session_id)  # NotFound unless it looks like a session id
    if seq:
        try:
            return session_id, int(seq)
        except ValueError:
            raise NotFound(
                Problem(field, "時点が読めません", f"bad point in time {seq!r}")
            ) from None
    return session_id, None


def _graph_at(ref: tuple[str, int | None]) -> tuple[Session, nx.MultiDiGraph]:
    session = web.open_session(ref[0])
    return session, (session.graph() if ref[1] is None else session.replay(ref[1]))


def _seq_arg() -> int | None:
    raw = request.args.get("seq")
    if raw in (None, ""):
        return None
    try:
        return max(int(raw), 0)
    except ValueError:
        abort(400)


# -- archive ------------------------------------------------------------------------------------


@bp.get("")
@facilitator_required
def archive():
    """Every saved session with its counts and flags; sort and filter by area and year."""
    rows = [_row(item) for item in web.store().list()]
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
        areas=areas,
        years=years,
        area=area,
        year=year,
        sort=sort,
        flag_kinds=FLAG_KINDS,
        flag_title=_flag_title,
    )


def _flag_items(found: list, lang: str) -> list[dict]:
    return [f.to_dict(lang) for f in found]


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


def _payload(G: nx.MultiDiGraph, meta: dict, private: bool) -> dict:
    layout = request.args.get("layout", "tree")
    if layout not in ("tree", "network"):
        abort(400)
    data = tree_payload(
        G,
        meta.get("settings"),
        private=private,
        layout=layout,
        winter=request.args.get("winter") == "1",
        expand=request.args.get("expand") or None,
        lang=web.lang(),
    )
    data["title"] = meta["title"]
    return data


# -- history ------------------------------------------------------------------------------------


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
            "time": e["time"][:16].replace("T", " "),
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


# -- compare ------------------------------------------------------------------------------------


def _diff_for(a_ref, b_ref) -> tuple[Any, dict, dict, nx.MultiDiGraph, nx.MultiDiGraph]:
    a_session, A = _graph_at(a_ref)
    b_session, B = _graph_at(b_ref)
    b_meta = b_session.meta()
    return diff(A, B, b_meta.get("settings")), a_session.meta(), b_meta, A, B


def _ref_label(meta: dict, ref: tuple[str, int | None]) -> str:
    if ref[1] is None:
        return meta["title"]
    return _("%(title)s (after event %(seq)s)", title=meta["title"], seq=ref[1])


def _which_node(item: dict) -> str:
    return f"{item.get('label') or item.get('id')}（{web.kind_name(str(item.get('kind', '')))}）"


def _which_tie(item: dict) -> str:
    return (
        f"{item.get('source_label') or item.get('source')} → "
        f"{item.get('target_label') or item.get('target')}（{web.kind_name(str(item.get('kind', '')))}）"
    )


def _which_load(item: dict) -> str:
    return f"{item.get('label') or item.get('id')}（{item.get('before')} → {item.get('after')}）"


def _which_flag(item: dict) -> str:
    title = _flag_title(item["flag"]) if item.get("flag") in FLAG_KINDS else item.get("flag")
    who = item.get("label")
    if item.get("flag") == "resource_gap" and item.get("category"):
        who = web.kind_name(str(item["category"]))
    return f"{title}: {who}" if who else str(title)


def diff_tables(d: Any) -> list[dict]:
    """The compare page's tables: each ``{"title", "rows": [{"name", "count", "which"}]}``."""

    def rows(*entries):
        return [
            {"name": name, "count": len(items), "which": [fmt(i) for i in items]}
            for name, items, fmt in entries
        ]

    return [
        {
            "title": _("Items"),
            "rows": rows(
                (_("＋ Added"), d.nodes_added, _which_node),
                (_("− Removed"), d.nodes_removed, _which_node),
                (_("✎ Changed"), d.nodes_changed, _which_node),
            ),
        },
        {
            "title": _("Ties"),
            "rows": rows(
                (_("＋ Added"), d.ties_added, _which_tie),
                (_("− Removed"), d.ties_removed, _which_tie),
                (_("✎ Changed"), d.ties_changed, _which_tie),
            ),
        },
        {
            "title": _("Flag changes"),
            "rows": rows(
                (_("✓ No longer isolated"), d.no_longer_isolated, _which_node),
                (_("⚑ Newly isolated"), d.newly_isolated, _which_node),
                (_("▲ Helpers whose load went up"), d.load_up, _which_load),
                (_("▼ Helpers whose load went down"), d.load_down, _which_load),
                (_("✓ Other flags resolved"), d.flags_resolved, _which_flag),
                (_("⚑ Other flags new"), d.flags_added, _which_flag),
            ),
        },
    ]


@bp.get("/compare")
@facilitator_required
def compare():
    """What changed from A to B (``id`` or ``id@seq`` each): summary, tables, B's tree."""
    sessions = web.store().list()
    a, b = request.args.get("a"), request.args.get("b")
    names = _flag_on()
    ctx: dict[str, Any] = {"sessions": sessions, "a": a or "", "b": b or "", "names": names}
    if a and b:
        a_ref, b_ref = _parse_ref(a, "a"), _parse_ref(b, "b")
        d, a_meta, b_meta, _A, _B = _diff_for(a_ref, b_ref)
        ctx.update(
            tables=diff_tables(d),
            text=summary(d, lang=web.lang(), names=names),
            a_label=_ref_label(a_meta, a_ref),
            b_label=_ref_label(b_meta, b_ref),
            json_url=url_for(
                "coordinator.compare_json", a=a, b=b, view="private" if names else "projector"
            ),
            b_meta=b_meta,
        )
    return render_template("coordinator/compare.html", **ctx)


def _added_tie_ids(d: Any) -> set[str]:
    return {str(t["id"]) for t in d.ties_added if t.get("id") is not None}


def _resolved_nodes(d: Any) -> set[str]:
    resolved = {str(u["id"]) for u in d.no_longer_isolated}
    resolved |= {
        str(f["node"]) for f in d.flags_resolved if f.get("node") and f.get("flag") in UNIT_FLAGS
    }
    return resolved


def highlight(payload: dict, added_ties: set[str], resolved: set[str]) -> dict:
    """Mark new ties (bright, wide, ★ in their tooltip) and resolved households (✓) in place."""
    for edge in payload["edges"]:
        if str(edge.get("id")) in added_ties:
            edge.update(_NEW_TIE)
            edge["title"] = f"★ {edge.get('title') or ''}"
            edge["new"] = True
    for node in payload["nodes"]:
        if str(node.get("id")) in resolved:
            node["label"] = f"✓ {node.get('label', '')}"
            node["resolved"] = True
            node["borderWidth"] = 5
    return payload


@bp.get("/compare/tree.json")
@facilitator_required
def compare_json():
    """B's tree with the ties new since A highlighted and the resolved flags marked ✓."""
    a_ref, b_ref = _parse_ref(request.args.get("a"), "a"), _parse_ref(request.args.get("b"), "b")
    d, _a_meta, b_meta, _A, B = _diff_for(a_ref, b_ref)
    payload = _payload(B, b_meta, private=request.args.get("view") != "projector")
    payload["seq"] = web.open_session(b_ref[0]).last_seq()
    return jsonify(highlight(payload, _added_tie_ids(d), _resolved_nodes(d)))


# -- merge --------------------------------------------------------------------------------------


def _merge_ctx(chosen: list[str], **extra) -> dict:
    sessions = web.store().list()
    known = {s["id"] for s in sessions}
    chosen = [c for c in dict.fromkeys(chosen) if c in known]
    found = []
    if len(chosen) >= 2:
        sources = {sid: web.open_session(sid).graph() for sid in chosen}
        found = [c.to_dict() for c in candidates(sources)]
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
    """Create the merged session from the confirmed candidates; the sources stay untouched."""
    chosen = request.form.getlist("s")
    form = {"title": request.form.get("title", ""), "area": request.form.get("area", "")}
    ctx = _merge_ctx(chosen, form=form)
    if len(ctx["chosen"]) < 2:
        ctx["error"] = _("Choose at least two sessions to merge.")
        return web.render("coordinator/_merge.html", "coordinator/merge.html", 422, **ctx)
    accepted = {c["id"] for c in ctx["candidates"] if request.form.get(f"c_{c['id']}") == "same"}
    sources = {sid: web.open_session(sid).graph() for sid in ctx["chosen"]}
    try:
        G = merge(sources, accepted, title=form["title"].strip(), area=form["area"].strip())
        session = web.store().create(form["title"], area=form["area"], actor=ACTOR)
    except ValidationError as e:
        ctx["error"] = "\n".join(_problems(e))
        return web.render("coordinator/_merge.html", "coordinator/merge.html", 422, **ctx)
    try:
        session.import_graph(G, actor=ACTOR)
    except GraphError as e:
        session.delete()
        ctx["error"] = "\n".join(_problems(e))
        return web.render("coordinator/_merge.html", "coordinator/merge.html", 422, **ctx)
    session.close()
    return _go(url_for("coordinator.view", session_id=session.id))


def _go(target: str):
    if web.is_htmx():
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target, 303)


# -- report -------------------------------------------------------------------------------------


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
        svg=report_svg(G if names else pseudonymise(G), meta.get("settings")),
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


# -- export -------------------------------------------------------------------------------------


def _export_bytes(G: nx.MultiDiGraph, fmt: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="tsunagari-export-") as tmp:
        path = Path(tmp) / ("export.zip" if fmt == "csv" else f"export.{fmt}")
        write_graph(G, path, fmt)
        return path.read_bytes()


@bp.get("/<session_id>/export")
@facilitator_required
def export_form(session_id: str):
    """The export form: format, and the opt-in to real names (personal data)."""
    meta = web.open_session(session_id).meta()
    formats = [f for f in ("gexf", "graphml", "json", "csv") if f in FORMATS]
    return render_template("coordinator/export.html", meta=meta, formats=formats)


@bp.post("/<session_id>/export")
@facilitator_required
def export(session_id: str):
    """Download the session's graph, pseudonymised unless ``real_names=1``; logged."""
    session = web.open_session(session_id)
    fmt = request.form.get("format", "")
    if fmt not in FORMATS or fmt not in _EXPORT_TYPES:
        abort(400)
    real_names = request.form.get("real_names") in ("1", "on", "true")
    G = session.graph()
    if not real_names:
        G = pseudonymise(G)
    data = _export_bytes(G, fmt)
    ext, mimetype = _EXPORT_TYPES[fmt]
    name = f"tsunagari-{session_id}-{'real-names' if real_names else 'pseudonymised'}.{ext}"
    session.log_export(actor=ACTOR, fmt=fmt, real_names=real_names, path=name)
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


# -- import -------------------------------------------------------------------------------------


def _import_ctx(**extra) -> dict:
    return {"sessions": web.store().list(), "max_title": MAX_TITLE, "form": {}, **extra}


@bp.get("/import")
@facilitator_required
def import_form():
    """Upload a .graphml, .gexf, .json or CSV zip into a new or an existing session."""
    return web.render("coordinator/_import.html", "coordinator/import.html", **_import_ctx())


def _read_upload(upload) -> nx.MultiDiGraph:
    """The uploaded file read like the CLI does (ValidationError naming file and line)."""
    name = secure_filename(upload.filename or "") or "upload"
    suffix = Path(name).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise ValidationError(
            Problem(
                upload.filename or name,
                "読み込めない種類のファイルです（.graphml .gexf .json .zip）",
                "cannot read this kind of file (use .graphml, .gexf, .json or a .zip of CSV)",
            )
        )
    with tempfile.TemporaryDirectory(prefix="tsunagari-import-") as tmp:
        path = Path(tmp) / name
        upload.save(path)
        return read_graph(path)


@bp.post("/import")
@facilitator_required
def import_upload():
    """Check the whole file first; on any problem answer 422 listing them, write nothing."""
    form = {
        "title": request.form.get("title", ""),
        "area": request.form.get("area", ""),
        "target": request.form.get("target", ""),
    }
    upload = request.files.get("file")

    def refuse(problems: list[str]):
        return web.render(
            "coordinator/_import.html",
            "coordinator/import.html",
            422,
            **_import_ctx(form=form, problems=problems),
        )

    if upload is None or not upload.filename:
        return refuse([_("Choose a file to import.")])
    try:
        G = _read_upload(upload)
    except ValidationError as e:
        return refuse(_problems(e))
    if form["target"]:
        session = web.open_session(form["target"])
        try:
            session.import_graph(G, actor=ACTOR)
        except GraphError as e:
            return refuse(_problems(e))
        web.changed(session.id)
        return _go(url_for("coordinator.view", session_id=session.id))
    title = form["title"].strip() or str(G.graph.get("title") or "") or Path(upload.filename).stem
    area = form["area"].strip() or str(G.graph.get("area") or "")
    try:
        session = web.store().create(title[:MAX_TITLE], area=area[:MAX_TITLE], actor=ACTOR)
    except ValidationError as e:
        return refuse(_problems(e))
    try:
        session.import_graph(G, actor=ACTOR)
    except GraphError as e:
        session.delete()
        return refuse(_problems(e))
    session.close()
    return _go(url_for("coordinator.view", session_id=session.id))


# -- retention ----------------------------------------------------------------------------------


@bp.get("/<session_id>/delete")
@facilitator_required
def delete_form(session_id: str):
    """Confirm the deletion: the page names the session and asks for its title."""
    meta = web.open_session(session_id).meta()
    return render_template("coordinator/delete.html", meta=meta)


@bp.post("/<session_id>/delete")
@facilitator_required
def delete(session_id: str):
    """Delete the session's file once its title was typed; 422 with the form otherwise."""
    meta = web.open_session(session_id).meta()
    typed = (request.form.get("confirm_title") or "").strip()
    if typed != meta["title"]:
        error = _("Type the title of the session exactly to delete it.")
        return render_template("coordinator/delete.html", meta=meta, error=error), 422
    # Close this request's handle before the file goes.
    g.sessions.pop(session_id).delete()  # the handle open_session cached above
    return _go(url_for("coordinator.archive", deleted=meta["title"]))
