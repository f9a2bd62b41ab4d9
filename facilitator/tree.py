"""The community-building tree on screen: vis-network payloads built with pyvis, live."""

from __future__ import annotations

import functools
import json
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import filterfalse
from operator import itemgetter
from typing import Any

import networkx as nx
from flask import Blueprint, Response, abort, render_template, request
from flask_babel import gettext as _

from graph.analysis import FLAG_KINDS, Units, flags, whatif
from graph.layout import (
    BAND_KINDS,
    BANDS,
    BOX_MARGIN,
    PERSON_DOT,
    TreeLayout,
    slot_of,
    wrap_label,
)
from graph.network_layout import network_layout
from graph.privacy import UNIT_FLAGS

from . import live_model
from .auth import facilitator_required
from .flags_panel import FLAGS_SHOWN
from .heavy import heavy_if_large
from .live_model import Version
from .regions import untouched
from .tree_delta import PayloadParts, payload_parts, remember
from .tree_edges import PROJECTOR_TIES, TIE_COLOURS, edge_parts
from .tree_folds import Folds, folds_from, folds_of
from .web import KIND_ICONS, kind_name, lang, live_version, open_session

__all__ = [
    "bp",
    "tree_payload",
    "payload_answer",
    "KIND_STYLE",
    "OVERVIEW_NODES",
    "PROJECTOR_TIES",
]

bp = Blueprint("tree", __name__)

#: Above this many approved nodes the tree opens as an overview: households, residents and
#: needs are folded into one root per district until the facilitator expands it.
OVERVIEW_NODES = 1200

#: Shape, fill, border and symbol of each kind: sticky notes in the kind's colour with its
#: symbol; residents are small dots. The symbol says the kind, so colour is never the only cue.
KIND_STYLE: dict[str, tuple[str, str, str, str]] = {
    kind: (shape, fill, border, KIND_ICONS[kind])
    for kind, (shape, fill, border) in {
        "household": ("box", "#f6dfb8", "#8a5a2b"),
        "person": ("dot", "#e0b48a", "#6b3a16"),
        "need": ("box", "#fff3c4", "#9a5b00"),
        "place": ("box", "#e6dccf", "#5a4a33"),
        "story": ("box", "#f9e4c0", "#6a4a10"),
        "group": ("box", "#cfeccf", "#1b5e20"),
        "activity": ("box", "#e3f2c8", "#33691e"),
        "institution": ("box", "#c9ebe6", "#00695c"),
        "idea": ("box", "#ffd3d0", "#b71c1c"),
    }.items()
}
_TRUNK = ("box", "#ead2b5", "#5d3a1a")
_FONT_FACE = "'Noto Sans CJK JP', 'Noto Sans JP', 'Hiragino Sans', 'Yu Gothic', sans-serif"


class _Builder:
    """Collects vis nodes through pyvis's Node option builder (edges: ``tree_edges.py``)."""

    def __init__(self, lang: str):
        # pyvis is imported on the first tree, not at start-up: it brings IPython along.
        from pyvis.node import Node

        self._node = Node
        self.lang = lang
        self.nodes: list[dict] = []

    def node(self, node_id: str, label: str, kind: str, xy: tuple[float, float], **extra) -> None:
        shape, fill, border, _symbol = KIND_STYLE.get(kind, KIND_STYLE["household"])
        trunk = extra.pop("trunk", False)
        if trunk:
            shape, fill, border = _TRUNK
        slot = slot_of(kind, trunk)
        # Every toggled option is always sent, so a live update also switches it back off.
        extra.setdefault("color", {"background": fill, "border": border})
        extra.setdefault("borderWidth", 2)
        extra.setdefault("shapeProperties", {"borderDashes": False, "borderRadius": 4})
        extra.setdefault("opacity", 1)
        extra.setdefault("title", None)
        extra.setdefault("kind", kind)
        extra.setdefault("font", {"size": slot.font})
        if shape == "dot":
            extra.setdefault("size", PERSON_DOT)
        options = self._node(
            node_id, shape, label, x=round(xy[0], 1), y=round(xy[1], 1), **extra
        ).options
        self.nodes.append(options)


#: Kinds whose labels show only when zoomed in: the picture opens on households and groups.
_DETAIL_KINDS = {"person", "need"}


@functools.lru_cache(maxsize=32768)
def _note_text(label: str, kind: str, trunk: bool = False, marks: str = "") -> str:
    """The label as drawn: the facilitator's markers, the kind's symbol on a note, then the
    name, wrapped into its slot's lines."""
    if kind in KIND_STYLE and KIND_STYLE[kind][0] == "box" and not trunk:
        label = KIND_STYLE[kind][3] + label
    if marks:
        label = f"{marks} {label}"
    return "\n".join(wrap_label(label, slot_of(kind, trunk)))


def _options() -> dict[str, Any]:
    """vis-network's options (a fresh copy each time: payloads are shared, never changed)."""
    return json.loads(_options_json())


@functools.cache
def _options_json() -> str:
    from pyvis.network import Network

    net = Network(directed=True, cdn_resources="local")
    net.toggle_physics(False)
    net.set_edge_smooth("continuous")
    options = json.loads(net.options.to_json())
    options["interaction"] = {"hover": True, "tooltipDelay": 150, "multiselect": False}
    options["nodes"] = {
        "font": {"size": 22, "face": _FONT_FACE, "color": "#1d1d1b", "multi": False},
        "margin": {
            "top": BOX_MARGIN["y"],
            "bottom": BOX_MARGIN["y"],
            "left": BOX_MARGIN["x"],
            "right": BOX_MARGIN["x"],
        },
        "size": PERSON_DOT,
        # Residents' labels (8 px) appear once the view is zoomed in: at
        # the opening zoom labels under 9 px on screen are not drawn.
        "scaling": {"min": 4, "max": 4, "label": {"enabled": False, "drawThreshold": 9}},
    }
    options["edges"] = {"smooth": False, "selectionWidth": 2}
    return json.dumps(options)


def _district_of(G: nx.MultiDiGraph, U, unit: str) -> str:
    for member in U.members.get(unit, ()):
        district = G.nodes[member].get("district")
        if district:
            return str(district)
    return ""


@dataclass
class _View:
    """What one payload shows: the graph (winter ties dropped), its units and flags."""

    A: nx.MultiDiGraph
    year: Units
    U: Units
    shape: TreeLayout
    positions: dict[str, tuple[float, float]]
    private: bool
    winter: bool
    away: str | None
    lang: str
    flagged: dict[str, list] = field(default_factory=dict)
    affected: dict[str, str] = field(default_factory=dict)
    fold: dict[str, str] = field(default_factory=dict)
    shown: dict[str, str] = field(default_factory=dict)


def _view(live: Version, settings, private, layout, winter, away, lang, pinned):
    """The view of one payload, from the live version's shared analysis and layout."""
    A = live.active()
    year = live.units()  # the whole year, to tell who is cut off only in winter
    # The layout is the year's, so the winter view drops ties without moving a note.
    shape = live.layout(pinned)
    U = year
    if winter:
        A, U = live.winter_units()
    if not private:
        found = []  # the room never sees a flag: none is looked for
    elif winter:
        found = live.memo(("winter_flags", _key(settings)), lambda: flags(A, settings, units=U))
    else:
        found = live.flags(settings)
    positions = (
        shape.positions if layout == "tree" else live.memo("network", lambda: network_layout(A))
    )
    v = _View(A, year, U, shape, positions, private, winter, away, lang)
    v.flagged = defaultdict(list)
    for f in found:
        if f.node is not None:
            v.flagged[f.node].append(f)
    if away:
        effects = whatif(A, away) if winter else live.whatif(away)
        v.affected = {item["unit"]: item["effect"] for item in effects}
    v.shown = {} if private else live.room_labels()
    return v, found


def _key(settings: Mapping[str, Any] | None) -> tuple:
    return tuple(sorted((settings or {}).items()))


def _folds(v: _View, expand: str | None, live: Version, key: tuple) -> Folds:
    """Above :data:`OVERVIEW_NODES`, the roots of every district but ``expand`` fold
    (``key``: the live version's key for them, to carry them on)."""
    if v.A.number_of_nodes() <= OVERVIEW_NODES:
        return Folds()
    if not v.winter:  # the year's units: their clusters in the layout say it all
        carried = live.carried(key)
        old = carried[0] if carried is not None else None
        return folds_of(v.U, live.layout_state(), expand, old)
    fold: dict[str, str] = {}
    for unit, members in v.U.members.items():
        district = _district_of(v.A, v.U, unit) or "—"
        if district != expand:
            for member in members:
                if v.shape.band.get(member) == "roots":
                    fold[member] = f"district:{district}"
    return folds_from(fold, v.A._node)


def _add_node(b: _Builder, v: _View, node: str, xy: tuple[float, float]) -> None:
    """One node as the screen may show it: names and markers only on the private screen."""
    attrs = v.A.nodes[node]
    kind = attrs.get("kind", "")
    trunk = node in v.shape.trunk
    unit_flags = [f for f in v.flagged.get(node, []) if f.flag in UNIT_FLAGS]
    cut_off = v.winter and node in v.year.members and v.year.isolated(node, True)
    label = attrs.get("label", node) if v.private else v.shown[node]
    # No vis "group": group styling overrides node colours (vis issues #3713, #111).
    extra: dict[str, Any] = {"band": v.shape.band.get(node, "roots"), "name": label}
    if kind in _DETAIL_KINDS and not trunk:
        extra["detail"] = True
    marks = ""
    if v.private:
        found = v.flagged.get(node, [])
        reasons = [f.reason_ja if v.lang == "ja" else f.reason_en for f in found]
        extra["title"] = "\n".join([f"{label}（{kind_name(kind, v.lang)}）", *reasons])
        extra["flags"] = [f.flag for f in found]
        if reasons:
            marks = "⚑"
        # Markers are for the facilitator's own screen: the room never sees a flag.
        if unit_flags or cut_off:
            extra["shapeProperties"] = {"borderDashes": [6, 4], "borderRadius": 4}
            extra["borderWidth"] = 4
        if cut_off and not v.year.isolated(node):
            marks = "❄" + marks
        if node in v.affected:
            extra["color"] = {"background": "#ffe082", "border": "#b71c1c"}
            marks = "⚠" + marks
        if node == v.away:
            extra["opacity"] = 0.35
    b.node(node, _note_text(label, kind, trunk, marks), kind, xy, trunk=trunk, **extra)


def _node_key(v: _View, node: str, xy: tuple[float, float]) -> tuple:
    """Everything :func:`_add_node` reads of ``node``: equal keys, equal notes."""
    attrs = v.A._node[node]
    common = (attrs.get("kind", ""), xy, v.shape.band.get(node), node in v.shape.trunk)
    if not v.private:
        return (*common, v.shown[node])
    # The flags themselves, not their reasons worded again: a reason is made of the flag's
    # kind, label and details (and the language, which is the payload's), and the live
    # flags hand out the same Flag objects while they stay the same (cheap to compare).
    found = tuple(v.flagged.get(node, ()))
    cut_off = v.winter and node in v.year.members and v.year.isolated(node, True)
    snowed = cut_off and not v.year.isolated(node)
    marked = (node in v.affected, node == v.away)
    return (*common, attrs.get("label", node), found, cut_off, snowed, *marked)


def _json(data: Any) -> str:
    """``data`` as the payload's JSON text."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _add_nodes(v: _View, carried) -> tuple[list[dict], dict[str, tuple], list[str]]:
    """The vis nodes of the unfolded notes, in the layout's order, what each was made of
    and its JSON text; a note whose key (:func:`_node_key`) is as ``carried`` had it is
    taken from there."""
    before = carried[0][1] if carried is not None else {}
    b = _Builder(v.lang)
    made: dict[str, tuple] = {}
    texts: list[str] = []
    positions = v.positions
    # The folded notes (most of a town's overview) skipped without a Python loop over them.
    for node in filterfalse(v.fold.__contains__, positions):
        xy = positions[node]
        key = _node_key(v, node, xy)
        kept = before.get(node)
        if kept is not None and kept[0] == key:
            b.nodes.append(kept[1])
            text = kept[2]
        else:
            _add_node(b, v, node, xy)
            text = _json(b.nodes[-1])
        made[node] = (key, b.nodes[-1], text)
        texts.append(text)
    return b.nodes, made, texts


def _add_folded(b: _Builder, v: _View, folds: Folds) -> None:
    """Folded districts: one root each, where the district's strands are, sized by count."""
    # Translated once, not per district (a town has ~20; each look-up costs ~50 us).
    counted = _("%(district)s · %(n)s households")
    title = _("Click to open this district")
    for district_id in sorted(folds.groups):
        # Summed in the members' order, as a list comprehension would, without one.
        places = list(map(v.positions.__getitem__, folds.members(district_id)))
        x = sum(map(itemgetter(0), places)) / len(places)
        y = sum(map(itemgetter(1), places)) / len(places)
        households = folds.households[district_id]
        name = district_id.split(":", 1)[1]
        label = counted % {"district": name, "n": households} if households else name
        b.node(
            district_id,
            label,
            "district",
            (x, y),
            band="roots",
            district=name,
            title=title,
        )


def _from(live: Version, key: tuple, overview: tuple) -> tuple | None:
    """What ``key`` carries on from the version before; for a district opened for the first
    time, the overview's of this seq (``overview``'s key): the same notes and ties but the
    district's, which are made again (a note's key and a tie's fold tell)."""
    carried = live.carried(key)
    if carried is None and key != overview:
        found = live.peek(overview)
        carried = None if found is None else (found, frozenset())
    return carried


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
    pinned: Mapping[str, tuple[float, float]] | None = None,
    live: Version | None = None,
    raw: dict[str, list[str]] | None = None,
) -> dict[str, Any]:
    """The vis-network data of a session graph: nodes, edges, options, scene, legend, flags.

    ``private`` is the facilitator's own screen (names, flags, reasons); otherwise the
    projector-safe picture (room labels, no flag, no need beside a household). ``winter``
    drops ties that stop in snow (and, privately, marks the units that become isolated).
    ``away`` is a person for the what-if. A large graph opens folded into districts unless
    ``expand`` names one. ``pinned`` are the places the facilitator dragged notes to.
    ``live`` is the live model's version of ``G`` when there is one: its analysis, flags and
    layout are shared with every other screen. ``raw``, when given, gets each node's and
    edge's JSON text as well, kept with it from version to version
    (``tree_delta.PayloadParts``).
    """
    if live is None:
        live = Version(-1, G)
    v, found = _view(live, settings, private, layout, winter, away, lang, pinned)
    # The folds and the folded districts' roots are the same for the facilitator's and the
    # projector's picture: made once per seq and shared.
    pins = _key(pinned)
    at = ("folds", expand, winter, pins)
    folds = live.memo(at, lambda: _folds(v, expand, live, at))
    v.fold = folds.fold
    b = _Builder(lang)
    # The unfolded notes: each made again only when what it shows changed since a version
    # before (a town's overview keeps ~800 notes, one approved note changes a few).
    key = ("notes", private, layout, winter, away, expand, lang, pins)
    overview = (*key[:5], None, *key[6:])
    notes, _, notes_json = live.memo(key, lambda: _add_nodes(v, _from(live, key, overview)))
    b.nodes = list(notes)

    def folded() -> tuple[list[dict], list[str]]:
        roots = _Builder(lang)
        _add_folded(roots, v, folds)
        return roots.nodes, [_json(n) for n in roots.nodes]

    roots, roots_json = live.memo(("folded", expand, winter, pins, layout, lang), folded)
    b.nodes.extend(roots)
    # The ties, counted again only where the events since the version before touched them.
    key = ("edges", private, lang, expand, winter, pins)
    overview = (*key[:3], None, *key[4:])
    parts = live.memo(
        key,
        lambda: edge_parts(
            v.A, live.G, v.fold, private, lang, _from(live, key, overview), folds.groups
        ),
    )
    edges = parts.edges
    if raw is not None:
        raw["nodes"], raw["edges"] = [*notes_json, *roots_json], parts.json
    return {
        "nodes": b.nodes,
        "edges": edges,
        "options": _options(),
        "scene": v.shape.scene if layout == "tree" and not v.fold else None,
        "pinned": sorted(n for n in (pinned or {}) if n in v.positions)
        if layout == "tree"
        else [],
        "overview": bool(v.fold),
        "winter": winter,
        "legend": legend(lang),
        "flags": _flag_dicts(live, found, settings, winter, lang) if private else [],
        "flags_total": len(found) if private else 0,
        "whatif": [{"unit": u, "effect": e} for u, e in sorted(v.affected.items())],
    }


def _flag_dicts(live: Version, found: list, settings, winter: bool, lang: str) -> list[dict]:
    """The flags the private payload lists, once per seq (every view shares them): the first
    :data:`~facilitator.flags_panel.FLAGS_SHOWN`, as the dashboard's panel does (a town has
    thousands; each note carries its own in its title), with what the list shows (kind,
    title, reason in the screen's language, node, label)."""
    key = ("flag_dicts", _key(settings), winter, lang)
    kept = ("flag", "title", "reason", "node", "label")

    def compute() -> list[dict]:
        first = (f.to_dict(lang) for f in found[:FLAGS_SHOWN])
        return [{k: d[k] for k in kept if k in d} for d in first]

    return live.memo(key, compute)


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
    ties = [{"kind": k, "name": kind_name(k, lang), "color": c} for k, c in TIE_COLOURS.items()]
    return {"bands": bands, "ties": ties}


def _payload_json(session_id: str, private: bool) -> Response:
    """The payload of this request's view at the live seq, as JSON bytes built once per seq
    and view and shared by every screen asking for it."""
    session = open_session(session_id)
    layout = request.args.get("layout", "tree")
    if layout not in ("tree", "network"):
        abort(400)
    newest = session.last_seq()
    if untouched(session, "tree", request.args.get("since")):
        # Nothing the tree shows changed since the screen's picture (a note was written, a
        # phone joined): the screen keeps its picture and only learns the seq.
        return Response(json.dumps({"seq": newest, "same": True}), mimetype="application/json")
    options = {
        "private": private,
        "layout": layout,
        "winter": request.args.get("winter") == "1",
        "away": (request.args.get("away") or None) if private else None,
        "expand": request.args.get("expand") or None,
        "lang": lang(),
    }
    return Response(payload_answer(session, options), mimetype="application/json")


def payload_answer(session, options: Mapping[str, Any]) -> bytes:
    """The tree's answer (``{"seq", "title", …}`` of :func:`tree_payload`) for ``options``
    (``private``, ``layout``, ``winter``, ``away``, ``expand``, ``lang``) at the live seq, as
    JSON bytes: the payload is built once per seq and view and shared by every screen, the
    ones asking (tree.json) and the ones the live stream brings it to (stream_push.py)."""
    return payload_of(session, options).answer()


@dataclass
class Payload:
    """One view's payload at one seq: its answer's head (``{"seq":…,"title":…`` without the
    closing brace) and its parts, which ``tree_delta.py`` compares with a later seq's."""

    live: Version
    key: tuple
    head: bytes
    parts: PayloadParts

    def answer(self) -> bytes:
        """The whole answer, its body joined once per seq and view (a screen the stream
        brings a delta to never needs it)."""
        body = self.live.memo(("body", self.key), self.parts.body)
        return self.head + b"," + body[1:]


def payload_of(session, options: Mapping[str, Any]) -> Payload:
    """:func:`payload_answer`'s payload at the live seq (built once per seq and view)."""
    meta = session.meta()
    # The seq is the one the live graph is at: a change committed meanwhile makes the
    # payload look older than the log, so the screen loads again (never newer).
    live = live_version(session)
    seq = live.seq
    settings = meta.get("settings")
    pinned = session.positions()
    key = ("payload", tuple(options.items()), _key(settings), tuple(sorted(pinned.items())))

    def compute() -> PayloadParts:
        # The first screen at this seq builds it for the others.
        heavy_if_large(session, live.G.number_of_nodes())
        live_model.count("payload")
        raw: dict[str, list[str]] = {}
        data = tree_payload(live.G, settings, pinned=pinned, live=live, raw=raw, **options)
        parts = payload_parts(data, raw)
        remember(live, key, parts)
        return parts

    # Every screen showing the same view at this seq gets the same bytes, built once.
    parts = live.memo(key, compute)
    head = json.dumps({"seq": seq, "title": meta["title"]}, ensure_ascii=False)[:-1].encode()
    return Payload(live, key, head, parts)


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
    return _payload_json(session_id, private)


@bp.get("/sessions/<session_id>/projector/tree")
@facilitator_required
def projector_tree(session_id: str):
    """The projector-safe tree: consented names only, no flags, gentle markers."""
    meta = open_session(session_id).meta()
    return render_template("tree/tree.html", meta=meta, private=False, flag_kinds=FLAG_KINDS)
