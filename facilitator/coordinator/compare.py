"""What changed from one session (or point in time) to another, with B's tree."""

from __future__ import annotations

from typing import Any

import networkx as nx
from flask import jsonify, render_template, request, url_for
from flask_babel import gettext as _

from graph.analysis import FLAG_KINDS
from graph.compare import diff, summary
from graph.privacy import UNIT_FLAGS
from graph.pseudonym import public_labels

from .. import web
from ..auth import facilitator_required
from ._common import _flag_on, _flag_title, _graph_at, _parse_ref, _payload, bp

__all__ = ["diff_tables", "highlight", "compare", "compare_json"]

#: Colour and width of a tie that is new in the compared session (also marked "★" in text).
_NEW_TIE = {"color": {"color": "#d50000", "opacity": 1.0}, "width": 6}


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
    private = request.args.get("view") != "projector"
    payload = _payload(B, b_meta, private=private)
    b_session = web.open_session(b_ref[0])
    if not private:
        # Names not ticked: the tree is labelled as a pseudonymised export would be.
        labels = public_labels(B, b_session.pseudonyms(B))
        for node in payload["nodes"]:
            if node.get("id") in labels:
                node["label"] = node["name"] = labels[node["id"]]
    payload["seq"] = b_session.last_seq()
    return jsonify(highlight(payload, _added_tie_ids(d), _resolved_nodes(d)))
