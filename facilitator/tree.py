"""The community-building tree on screen: vis-network payloads built with pyvis, live."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import networkx as nx
from flask import Blueprint, abort, jsonify, render_template, request
from flask_babel import gettext as _
from pyvis.edge import Edge
from pyvis.network import Network
from pyvis.node import Node

from graph.analysis import FLAG_KINDS, analyse, flags, whatif
from graph.errors import GraphError
from graph.layout import BAND_KINDS, BANDS, network_layout, tree_layout
from graph.model import active_graph
from graph.privacy import UNIT_FLAGS, room_labels
from graph.vocabulary import DIRECTED_SUPPORT, INFORMAL

from .auth import facilitator_required
from .web import KIND_ICONS, kind_name, lang, open_session, session_graph

__all__ = ["bp", "tree_payload", "KIND_STYLE", "OVERVIEW_NODES"]

bp = Blueprint("tree", __name__)

#: Above this many approved nodes the tree opens as an overview: households, residents and
#: needs are folded into one root per district until the facilitator expands it.
OVERVIEW_NODES = 1200

#: Shape, fill, border and symbol of each kind: the shape and symbol say the kind, so
#: colour is never the only cue (DESIGN.md §5, issue 3 accessibility).
KIND_STYLE: dict[str, tuple[str, str, str, str]] = {
    kind: (shape, fill, border, KIND_ICONS[kind])
    for kind, (shape, fill, border) in {
        "household": ("square", "#c98b5a", "#6b3a16"),
        "person": ("dot", "#e0b48a", "#6b3a16"),
        "need": ("box", "#fff3c4", "#9a5b00"),
        "place": ("triangle", "#b9a58a", "#5a4a33"),
        "story": ("star", "#d9b77a", "#6a4a10"),
        "group": ("diamond", "#6fbf73", "#1b5e20"),
        "activity": ("triangleDown", "#9ccc65", "#33691e"),
        "institution": ("hexagon", "#a5d6a7", "#1b5e20"),
        "idea": ("star", "#ef5350", "#8e0000"),
    }.items()
}
_TRUNK = ("dot", "#7b4a21", "#3e2410")
_TIE_COLOURS = {
    "watch": "#1565c0",
    "snow": "#00838f",
    "ride": "#6a1b9a",
    "errand": "#ef6c00",
    "share": "#c2185b",
    "talk": "#5d4037",
    "kin": "#795548",
    "care": "#2e7d32",
}


def _tie_title(d: Mapping[str, Any], lang: str) -> str:
    parts = [kind_name(d.get("kind", ""), lang)]
    for key in ("season", "frequency"):
        if d.get(key):
            parts.append(str(d[key]))
    return " · ".join(parts)


def _edge_options(kind: str, d: Mapping[str, Any], lang: str) -> dict[str, Any]:
    colour = _TIE_COLOURS.get(kind, "#9e9e9e")
    options: dict[str, Any] = {
        "kind": kind,
        "title": _tie_title(d, lang),
        "color": {"color": colour, "opacity": 0.75 if kind in _TIE_COLOURS else 0.45},
        "width": 2.5 if kind in INFORMAL else 1.2,
        "dashes": d.get("season") == "not_in_winter",
    }
    if kind not in DIRECTED_SUPPORT and kind != "care":
        options["arrows"] = ""
    return options


class _Builder:
    """Collects vis nodes and edges through pyvis's Node and Edge option builders."""

    def __init__(self, lang: str):
        self.lang = lang
        self.nodes: list[dict] = []
        self.edges: list[dict] = []

    def node(self, node_id: str, label: str, kind: str, xy: tuple[float, float], **extra) -> None:
        shape, fill, border, _symbol = KIND_STYLE.get(kind, KIND_STYLE["household"])
        if extra.pop("trunk", False):
            shape, fill, border = _TRUNK
        # Every toggled option is always sent, so a live update also switches it back off.
        extra.setdefault("color", {"background": fill, "border": border})
        extra.setdefault("borderWidth", 2)
        extra.setdefault("shapeProperties", {"borderDashes": False})
        extra.setdefault("opacity", 1)
        extra.setdefault("title", None)
        extra.setdefault("kind", kind)
        options = Node(
            node_id, shape, label, x=round(xy[0], 1), y=round(xy[1], 1), **extra
        ).options
        self.nodes.append(options)

    def edge(self, edge_id: str, source: str, target: str, **options) -> None:
        self.edges.append(Edge(source, target, directed=True, id=edge_id, **options).options)


#: Kinds whose labels show only when zoomed in: the picture opens on households and groups.
_DETAIL_KINDS = {"person", "need"}


def _short(label: str, width: int = 12, lines: int = 3) -> str:
    """A label in lines short enough to read from the back of the hall.

    Wrapped, not cut, so two room labels that differ only at the end stay different; only a
    label longer than ``lines`` lines is cut (the tooltip has it whole).
    """
    if len(label) <= width:
        return label
    rows = [label[i : i + width] for i in range(0, len(label), width)]
    if len(rows) > lines:
        rows = rows[:lines]
        rows[-1] = rows[-1][: width - 1] + "…"
    return "\n".join(rows)


def _options() -> dict[str, Any]:
    net = Network(directed=True, cdn_resources="local")
    net.toggle_physics(False)
    net.set_edge_smooth("continuous")
    options = json.loads(net.options.to_json())
    options["interaction"] = {"hover": True, "tooltipDelay": 150, "multiselect": False}
    options["nodes"] = {
        "font": {"size": 20, "face": "sans-serif", "strokeWidth": 5, "strokeColor": "#ffffff"},
        "size": 16,
        # Residents' and needs' labels are drawn smaller and appear once the view is zoomed
        # in: at the opening zoom only labels of 18 px and more are drawn.
        "scaling": {"min": 12, "max": 42, "label": {"enabled": False, "drawThreshold": 15}},
    }
    options["edges"] = {"smooth": False, "selectionWidth": 2}
    return options


def _district_of(G: nx.MultiDiGraph, U, unit: str) -> str:
    for member in U.members.get(unit, ()):
        district = G.nodes[member].get("district")
        if district:
            return str(district)
    return ""


def tree_payload(
    G: nx.MultiDiGraph,
    settings: Mapping[str, Any] | None = None,
    *,
    private: bool,
    layout: str = "tree",
    winter: bool = False,
    away: str | None = None,
    expand: str | None = None,
    lang: str = "ja",
) -> dict[str, Any]:
    """The vis-network data of a session graph: nodes, edges, options, legend, flags.

    ``private`` is the facilitator's own screen (names, flags, reasons); otherwise the
    projector-safe picture. ``winter`` drops ties that stop in snow and marks the units
    that become isolated. ``away`` is a person for the what-if. A large graph opens folded
    into districts unless ``expand`` names one.
    """
    A = active_graph(G)
    year = analyse(A)  # the whole year, to tell who is cut off only in winter
    U = year
    if winter:
        A.remove_edges_from(
            [(u, v, k) for u, v, k, s in A.edges(keys=True, data="season") if s == "not_in_winter"]
        )
        U = analyse(A)
    found = flags(A, settings, units=U)
    flagged: dict[str, list] = defaultdict(list)
    for f in found:
        if f.node is not None:
            flagged[f.node].append(f)
    shape = tree_layout(A, units=U)
    positions = shape.positions if layout == "tree" else network_layout(A)
    affected = {}
    if away:
        affected = {item["unit"]: item["effect"] for item in whatif(A, away)}

    fold: dict[str, str] = {}
    if A.number_of_nodes() > OVERVIEW_NODES:
        for unit, members in U.members.items():
            district = _district_of(A, U, unit) or "—"
            if district != expand:
                for member in members:
                    if shape.band.get(member) == "roots":
                        fold[member] = f"district:{district}"

    shown = {} if private else room_labels(A)
    b = _Builder(lang)
    for node, xy in positions.items():
        if node in fold:
            continue
        attrs = A.nodes[node]
        kind = attrs.get("kind", "")
        unit_flags = [f for f in flagged.get(node, []) if f.flag in UNIT_FLAGS]
        cut_off = winter and node in year.members and year.isolated(node, True)
        marked = bool(unit_flags) or cut_off
        label = attrs.get("label", node) if private else shown[node]
        # No vis "group": group styling overrides node colours (vis issues #3713, #111).
        extra: dict[str, Any] = {"band": shape.band.get(node, "roots")}
        if kind in _DETAIL_KINDS and node not in shape.trunk:
            extra["detail"] = True
        if private:
            reasons = [f.reason_ja if lang == "ja" else f.reason_en for f in flagged.get(node, [])]
            extra["title"] = "\n".join([f"{label}（{kind_name(kind, lang)}）", *reasons])
            extra["flags"] = [f.flag for f in flagged.get(node, [])]
            if reasons:
                label = f"⚑ {label}"
        # Markers are for the facilitator's own screen: the room never sees a flag.
        if marked and private:
            extra["shapeProperties"] = {"borderDashes": [6, 4]}
            extra["borderWidth"] = 4
        if private and cut_off and not year.isolated(node):
            label = f"❄ {label}"
        if node in affected:
            extra["color"] = {"background": "#ffe082", "border": "#b71c1c"}
            label = f"⚠ {label}"
        if node == away:
            extra["opacity"] = 0.35
        weight = shape.weight.get(node)
        if weight:
            extra["value"] = weight
        b.node(node, _short(label), kind, xy, trunk=node in shape.trunk, **extra)

    # Folded districts: one root each, where the district's strands are, sized by count.
    folded: dict[str, list[str]] = defaultdict(list)
    for member, district in fold.items():
        folded[district].append(member)
    for district_id, members in sorted(folded.items()):
        xs = [positions[m][0] for m in members]
        ys = [positions[m][1] for m in members]
        households = sum(1 for m in members if A.nodes[m].get("kind") == "household")
        name = district_id.split(":", 1)[1]
        label = (
            _("%(district)s · %(n)s households", district=name, n=households)
            if households
            else name
        )
        b.node(
            district_id,
            label,
            "district",
            (sum(xs) / len(xs), sum(ys) / len(ys)),
            band="roots",
            value=len(members),
            district=name,
            title=_("Click to open this district"),
        )

    seen: dict[tuple[str, str, str], int] = defaultdict(int)
    for u, v, key, d in A.edges(keys=True, data=True):
        if d.get("kind") == "has_need" and not private:
            continue  # the room sees its list of difficulties, never whose they are
        fu, fv = fold.get(u, u), fold.get(v, v)
        if fu == fv:
            continue
        if u in fold or v in fold:
            seen[(fu, fv, d.get("kind", ""))] += 1
            continue
        b.edge(str(key), u, v, **_edge_options(d.get("kind", ""), d, lang))
    for (fu, fv, kind), count in sorted(seen.items()):
        options = _edge_options(kind, {"kind": kind}, lang)
        options["width"] = min(1 + count / 4, 12)
        options["title"] = f"{options['title']} × {count}"
        b.edge(f"agg:{fu}:{fv}:{kind}", fu, fv, **options)

    # The trunk: a thick line from the ground through the key connectors, as wide as the load.
    trunk = [p for p in shape.trunk if p in positions and p not in fold]
    if layout == "tree" and trunk:
        b.nodes.append(
            {
                "id": "_ground",
                "x": 0,
                "y": 0,
                "shape": "dot",
                "size": 2,
                "label": " ",
                "band": "trunk",
                "kind": "trunk",
                "color": {"background": "#7b4a21", "border": "#7b4a21"},
            }
        )
        below = "_ground"
        for person in trunk:
            width = 6 + 1.5 * shape.weight.get(person, 0)
            b.edge(
                f"_trunk:{person}",
                below,
                person,
                width=min(width, 40),
                arrows="",
                color={"color": "#7b4a21", "opacity": 0.9},
                kind="trunk",
                title="",
            )
            below = person

    return {
        "nodes": b.nodes,
        "edges": b.edges,
        "options": _options(),
        "overview": bool(fold),
        "legend": legend(lang),
        "flags": [f.to_dict(lang) for f in found] if private else [],
        "whatif": [{"unit": unit, "effect": effect} for unit, effect in sorted(affected.items())],
    }


def legend(lang: str) -> dict[str, Any]:
    """The legend: the tree's parts and the kinds that grow there, with their symbols."""
    explain_ja = {
        "roots": "根：世帯と住民、ふだんの支え合い。つながりの見えない世帯は、離れた根として描かれます",
        "soil": "土：場所や歴史・文化。地域の土台です",
        "trunk": "幹：多くの世帯と団体をつなぐ人。太さは担っている支え合いの量です",
        "branches": "枝：団体・グループと活動",
        "leaves": "葉：機関・事業所、専門職の支援",
        "fruit": "実：これからの取り組み案",
    }
    explain_en = {
        "roots": "Roots: households and residents with their everyday support; a household with no visible tie lies apart as a loose root",
        "soil": "Soil: places, stories and customs, the ground of the community",
        "trunk": "Trunk: the people through whom many households reach groups; its width is the support they carry",
        "branches": "Branches: groups and activities",
        "leaves": "Leaves: institutions and professional services",
        "fruit": "Fruit: ideas for the future",
    }
    bands = []
    for band, (ja, en) in BANDS.items():
        kinds = [k for k, b in BAND_KINDS.items() if b == band]
        bands.append(
            {
                "band": band,
                "name": ja if lang == "ja" else en,
                "text": explain_ja[band] if lang == "ja" else explain_en[band],
                "kinds": [
                    {
                        "kind": k,
                        "name": kind_name(k, lang),
                        "symbol": KIND_STYLE[k][3],
                        "shape": KIND_STYLE[k][0],
                    }
                    for k in kinds
                ],
            }
        )
    ties = [{"kind": k, "name": kind_name(k, lang), "color": c} for k, c in _TIE_COLOURS.items()]
    return {"bands": bands, "ties": ties}


def _payload_for(session_id: str, private: bool):
    session = open_session(session_id)
    meta = session.meta()
    layout = request.args.get("layout", "tree")
    if layout not in ("tree", "network"):
        abort(400)
    try:
        data = tree_payload(
            session_graph(session),
            meta.get("settings"),
            private=private,
            layout=layout,
            winter=request.args.get("winter") == "1",
            away=(request.args.get("away") or None) if private else None,
            expand=request.args.get("expand") or None,
            lang=lang(),
        )
    except GraphError:
        raise
    data["seq"] = session.last_seq()
    data["title"] = meta["title"]
    return data


@bp.get("/sessions/<session_id>/tree")
@facilitator_required
def tree(session_id: str):
    """The facilitator's own tree: names, flags with reasons, what-if and winter view."""
    meta = open_session(session_id).meta()
    return render_template("tree/tree.html", meta=meta, private=True, flag_kinds=FLAG_KINDS)


@bp.get("/sessions/<session_id>/tree.json")
@facilitator_required
def tree_json(session_id: str):
    """The vis-network payload; ``view=projector`` gives the projector-safe picture."""
    private = request.args.get("view", "private") != "projector"
    return jsonify(_payload_for(session_id, private))


@bp.get("/sessions/<session_id>/projector/tree")
@facilitator_required
def projector_tree(session_id: str):
    """The projector-safe tree: consented names only, no flags, gentle markers."""
    meta = open_session(session_id).meta()
    return render_template("tree/tree.html", meta=meta, private=False, flag_kinds=FLAG_KINDS)
