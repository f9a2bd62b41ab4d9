"""The community-building tree (地域づくりの木): node positions computed in Python.

Bands, bottom to top on screen: roots (households and residents), soil (places and stories on
the ground line), trunk (the key connectors), branches (groups and activities), leaves
(institutions) and fruit (ideas). Screen coordinates: x to the right, y downwards, the ground
line at y = 0, as vis-network draws them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .analysis import Units, analyse
from .note_text import BOX_MARGIN, LINE_HEIGHT, label_box, text_width, wrap_label
from .privacy import placelike
from .root_shapes import root_extents

__all__ = [
    "BANDS",
    "BAND_KINDS",
    "BOX_MARGIN",
    "LINE_HEIGHT",
    "MAX_SHIFT",
    "ROOT_CELL_WIDTH",
    "SLOTS",
    "Slot",
    "TreeLayout",
    "label_box",
    "note_width",
    "slot_of",
    "text_width",
    "tree_layout",
    "tree_scene",
    "trunk_scores",
    "wrap_label",
]

#: Bands from the bottom of the picture to the top, with their Japanese and English names.
BANDS: dict[str, tuple[str, str]] = {
    "roots": ("根", "roots"),
    "soil": ("土", "soil"),
    "trunk": ("幹", "trunk"),
    "branches": ("枝", "branches"),
    "leaves": ("葉", "leaves"),
    "fruit": ("実", "fruit"),
}

#: The band each node kind belongs to (persons go to the trunk when they carry the load).
BAND_KINDS: dict[str, str] = {
    "household": "roots",
    "person": "roots",
    "need": "roots",
    "place": "soil",
    "story": "soil",
    "group": "branches",
    "activity": "branches",
    "institution": "leaves",
    "idea": "fruit",
}

#: A person is part of the trunk from this score on (support given + 2 × roles).
TRUNK_MIN_SCORE = 3
TRUNK_MAX = 8


@dataclass(frozen=True)
class Slot:
    """The room a kind's sticky note takes on the canvas (px at zoom 1).

    ``font`` is the label's size, ``width`` the widest line of text in ems (full-width
    characters are one em), ``lines`` the most lines; ``w`` × ``h`` is the slot, which every
    label box of that kind fits (:func:`label_box`), so no two drawn labels overlap.
    """

    font: int
    width: float
    lines: int
    w: float
    h: float


#: The slot of each kind of note. A 1920×1080 projector shows the demo (≈170 nodes) at
#: zoom ≥ 0.91, so notes of 22 px are drawn at 20 px or more; residents (8 px) and
#: difficulties (16 px) are read when zoomed in.
SLOTS: dict[str, Slot] = {
    "household": Slot(22, 4.8, 2, 126, 70),
    "note": Slot(22, 8.0, 2, 204, 74),
    "trunk": Slot(18, 8.0, 1, 170, 42),
    "person": Slot(8, 5.6, 2, 52, 32),
    "need": Slot(16, 8.0, 3, 156, 78),
}
#: Size of a resident's dot.
PERSON_DOT = 4
#: The farthest one insertion moves any other node: about one slot.
MAX_SHIFT = 420
#: Kept for callers that size things by a root cell.
ROOT_CELL_WIDTH = MAX_SHIFT


def slot_of(kind: str, trunk: bool = False) -> Slot:
    """The slot a node of ``kind`` is drawn in (trunk persons have their own)."""
    if trunk:
        return SLOTS["trunk"]
    if kind in ("person", "need", "household"):
        return SLOTS[kind]
    return SLOTS["note"]


@dataclass
class TreeLayout:
    """Positions and the band of every approved node, and the drawing under them.

    ``trunk`` lists the trunk persons bottom to top; ``loose`` the isolated units drawn apart
    from the root system; ``weight`` the load each node carries (trunk width);
    ``scene`` what the screen draws under the notes (:func:`tree_scene` of ``nodes``, made
    when first asked for: a town's folded overview never draws it); ``districts`` the
    rooted notes of each district (the presenter remote focuses on one).
    """

    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    band: dict[str, str] = field(default_factory=dict)
    trunk: list[str] = field(default_factory=list)
    loose: list[str] = field(default_factory=list)
    weight: dict[str, float] = field(default_factory=dict)
    districts: dict[str, list[str]] = field(default_factory=dict)
    nodes: Mapping[str, Mapping[str, Any]] = field(default_factory=dict, repr=False, compare=False)
    _scene: dict[str, Any] | None = field(default=None, repr=False, compare=False)

    @property
    def scene(self) -> dict[str, Any]:
        """What the screen draws under the notes (:func:`tree_scene`)."""
        if self._scene is None:
            self._scene = tree_scene(self.nodes, self)
        return self._scene


def trunk_scores(U: Units) -> dict[str, int]:
    """Support given to other units + 2 × roles held, for every person who gives any.

    A linear-time stand-in for "the people through whom most households reach groups"
    (exact betweenness is cubic-ish and would stall the projector on a town graph).
    """
    scores: dict[str, int] = {}
    for person in U.persons:
        score = len(U.load.get(person, ())) + 2 * len(U.roles.get(person, ()))
        if score:
            scores[person] = score
    return scores


_GAP = 40  # between the parts of the picture (roots, needs, loose roots)
_CELL_GAP = 8  # between two households' clusters in a column of roots
#: The screen the picture is shaped for: a 16:9 projector less the fitting margin.
SCREEN = (1888.0, 1048.0)
#: Notes in a full row of the crown (the soil takes as many): the layout takes the width
#: that lets the picture fill :data:`SCREEN` best, so a crown of many notes grows wide, not
#: into a tower.
CROWN_WIDTHS = (9, 10, 11, 12, 13, 15, 17, 19)
#: How tall a column of roots may grow (canvas px): chosen with the crown's width.
ROOT_HEIGHTS = (260, 300, 340, 390, 440, 500, 560, 640, 720, 820, 920, 1040, 1180)


def _unit_district(U: Units, unit: str, nodes: Mapping[str, Mapping[str, Any]]) -> str:
    for member in U.members.get(unit, ()):
        district = nodes[member].get("district")
        if district:
            return str(district)
    return ""


_Cell = tuple[str | None, list[str]]  # a unit's household note (or None) and what is drawn


def _cell_size(cell: _Cell) -> tuple[float, float]:
    """The width and height a household's cluster takes (its note, its residents' dots)."""
    house, person = SLOTS["household"], SLOTS["person"]
    head, drawn = cell
    residents = len(drawn) - (head is not None)
    per_row = max(1, int(house.w // person.w))
    height = (house.h + 2 if head is not None else 0) + math.ceil(residents / per_row) * person.h
    width = house.w if head is not None else max(1, min(residents, per_row)) * person.w
    return width, height


def _place_cluster(out: TreeLayout, x: float, top: float, cell: _Cell) -> None:
    """A household's note with its residents' dots beneath."""
    house, person = SLOTS["household"], SLOTS["person"]
    head, drawn = cell
    residents = [n for n in drawn if n != head]
    y = top
    if head is not None:
        out.positions[head] = (x, top + house.h / 2)
        y = top + house.h + 2
    per_row = max(1, int(house.w // person.w))
    for j, node in enumerate(residents):
        row, column = divmod(j, per_row)
        count = min(per_row, len(residents) - row * per_row)
        dx = (column - (count - 1) / 2) * person.w
        out.positions[node] = (x + dx, y + row * person.h + PERSON_DOT + 1)


def _columns(sizes: list[tuple[float, float]], limit: float) -> list[list[int]]:
    """The cells (by index) of each column, filled in order up to ``limit`` px tall."""
    columns: list[list[int]] = []
    height = 0.0
    for i, (_, h) in enumerate(sizes):
        if not columns or (columns[-1] and height + h > limit):
            columns.append([])
            height = 0.0
        columns[-1].append(i)
        height += h + _CELL_GAP
    return columns


def _root_columns(
    out: TreeLayout | None,
    cells: list[_Cell],
    limit: float,
    left: float,
    top: float,
    sizes: list[tuple[float, float]] | None = None,
) -> tuple[float, float]:
    """Clusters in columns up to ``limit`` tall from ``left``; every other column runs
    upwards from the bottom, so one insertion moves each later cluster by about one cell.
    Places them in ``out`` (unless None); returns the x after the last column and the
    height of the tallest."""
    sizes = [_cell_size(cell) for cell in cells] if sizes is None else sizes
    tallest = 0.0
    for c, column in enumerate(_columns(sizes, limit)):
        width = max(sizes[i][0] for i in column)
        used = sum(sizes[i][1] + _CELL_GAP for i in column) - _CELL_GAP
        tallest = max(tallest, used)
        y = top if c % 2 == 0 else top + max(0.0, limit - used)
        for i in column if c % 2 == 0 else reversed(column):
            if out is not None:
                _place_cluster(out, left + width / 2, y, cells[i])
            y += sizes[i][1] + _CELL_GAP
        left += width
    return left, tallest


@dataclass
class _Roots:
    """The root system's parts: households by district, the loose ones, the needs."""

    rooted: list[_Cell]
    loose: list[_Cell]
    loose_units: list[str]
    needs: list[str]
    districts: list[str] = field(default_factory=list)  # of each rooted cell
    sizes: dict[str, list[tuple[float, float]]] = field(default_factory=dict)

    def sized(self, part: str) -> list[tuple[float, float]]:
        """The sizes of the ``rooted`` or ``loose`` clusters (:func:`_cell_size`), once."""
        if part not in self.sizes:
            self.sizes[part] = [_cell_size(cell) for cell in getattr(self, part)]
        return self.sizes[part]


def _roots_of(out: TreeLayout, U: Units, nodes: Mapping) -> _Roots:
    trunk = set(out.trunk)
    rooted: list[tuple[str, str, _Cell]] = []
    loose: list[tuple[str, _Cell]] = []
    for unit, members in U.members.items():
        drawn = [m for m in members if m not in trunk]
        if not drawn:
            continue
        head = unit if unit in drawn and nodes[unit].get("kind") == "household" else None
        if U.isolated(unit):
            loose.append((unit, (head, drawn)))
        else:
            rooted.append((_unit_district(U, unit, nodes), unit, (head, drawn)))
    rooted.sort(key=lambda item: (item[0], item[1]))
    loose.sort(key=lambda item: item[0])
    needs = sorted(n for n, a in nodes.items() if a.get("kind") == "need")
    return _Roots(
        [c for _, _, c in rooted],
        [c for _, c in loose],
        [u for u, _ in loose],
        needs,
        [d for d, _, _ in rooted],
    )


def _place_roots(
    out: TreeLayout | None, roots: _Roots, limit: float, top: float
) -> tuple[float, float, float]:
    """The root system: households by district in columns, the needs' list on the left,
    the loose roots apart on the right. Returns its left and right edges and its height."""
    rooted, loose = roots.sized("rooted"), roots.sized("loose")
    width, _ = _root_columns(None, roots.rooted, limit, 0.0, top, rooted)
    left = -width / 2
    right, tall = _root_columns(out, roots.rooted, limit, left, top, rooted)
    far, tall_loose = _root_columns(out, roots.loose, limit, right + _GAP, top, loose)
    need = SLOTS["need"]
    per_column = max(1, int(limit // need.h))
    columns = math.ceil(len(roots.needs) / per_column)
    for i, node in enumerate(roots.needs):
        column, row = divmod(i, per_column)
        if out is not None:
            x = left - _GAP - need.w / 2 - column * need.w
            out.positions[node] = (x, top + row * need.h + need.h / 2)
    height = max(tall, tall_loose, min(len(roots.needs), per_column) * need.h)
    edge = left - (_GAP + columns * need.w if columns else 0.0)
    return edge, far if roots.loose else right, height


def _crown_rows(n: int, width: int) -> list[int]:
    """Notes per row of a crown of ``n`` notes ``width`` wide, bottom to top: a row a little
    narrower, full rows, then narrower rows to the top (a dome)."""
    top = [c for c in (width - 2, width - 4, width - 6) if c >= 3]
    full = 0
    while width - 2 + full * width + sum(top) < n:
        full += 1
    return _rows_of(n, tuple([width - 2] + [width] * full + top), 3)


def _rows_of(n: int, pattern: tuple[int, ...], rest: int) -> list[int]:
    """How many notes each row takes for ``n`` notes, first row first."""
    counts, i = [], 0
    while n > 0:
        take = min(n, pattern[i] if i < len(pattern) else rest)
        counts.append(take)
        n -= take
        i += 1
    return counts


#: What the screens may put before or after a note's label: its kind's symbol (1.3 em), a
#: room label's number (「②」) and, on the facilitator's tree, a group's 「⚑ 」.
_LABEL_EXTRA = {"group": 3.9, "activity": 3.9}
_NOTE_GAP = 12  # between two notes of a row


def note_width(attrs: Mapping[str, Any]) -> float:
    """The width a note of the crown or the soil takes in its row (box and gap): as wide as
    its label, up to the slot's (a long label wraps into the slot's lines).

    >>> note_width({"kind": "group", "label": "会1"})
    149.4
    >>> note_width({"kind": "place", "label": "北海道空知郡茶志内町字東三線北十二号の集会所"})
    204.0
    """
    slot = SLOTS["note"]
    ems = text_width(str(attrs.get("label") or "")) + _LABEL_EXTRA.get(attrs.get("kind"), 2.3)
    if ems > slot.width:
        return float(slot.w)
    return round(min(slot.w, ems * slot.font + 2 * BOX_MARGIN["x"] + _NOTE_GAP), 1)


def _row_widths(widths: list[float], counts: list[int]) -> list[float]:
    """How wide each row of ``counts`` notes of these ``widths`` is."""
    out, i = [], 0
    for count in counts:
        out.append(sum(widths[i : i + count]))
        i += count
    return out


def _place_rows(
    out: TreeLayout,
    items: list[tuple[str, str]],
    widths: list[float],
    start: float,
    counts: list[int],
    up: bool = True,
) -> float:
    """Notes of ``widths`` in centred rows of ``counts`` from ``start`` (upwards, or downwards
    when not ``up``); every other row runs the other way, so one insertion moves each later
    note by about one slot. Returns the far edge of the last row."""
    slot = SLOTS["note"]
    step = -slot.h if up else slot.h
    y = start
    i = 0
    for row, count in enumerate(counts):
        members = list(range(i, i + count))
        if row % 2:
            members.reverse()
        x = -sum(widths[j] for j in members) / 2
        for j in members:
            node, band = items[j]
            out.positions[node] = (x + widths[j] / 2, y + step / 2)
            out.band[node] = band
            x += widths[j]
        i += count
        y += step
    return y


def _place_trunk(out: TreeLayout, base: float) -> float:
    """The trunk persons two by two up the trunk, heaviest at the base; returns its top."""
    slot = SLOTS["trunk"]
    half = 22 + slot.w / 2  # beside the drawn trunk
    for i, person in enumerate(out.trunk):
        row, side = divmod(i, 2)
        out.positions[person] = (half if side else -half, base - row * slot.h - slot.h / 2)
        out.band[person] = "trunk"
    rows = math.ceil(len(out.trunk) / 2)
    return base - max(rows, 2) * slot.h


def _bands_of(nodes: Mapping[str, Mapping[str, Any]], band: str) -> list[tuple[str, str]]:
    kinds = [k for k, b in BAND_KINDS.items() if b == band]
    chosen = (n for n, a in nodes.items() if a.get("kind") in kinds)
    return [(n, band) for n in sorted(chosen, key=lambda n: (nodes[n].get("kind"), n))]


def _shape(
    crown_widths: list[float], soil_widths: list[float], trunk_top: float, roots: _Roots
) -> tuple[int, float]:
    """The crown's width and the roots' column height that let the whole picture fill
    :data:`SCREEN` at the largest scale (the first such, so the same graph always gets the
    same shape). O(len(ROOT_HEIGHTS) × units + len(CROWN_WIDTHS))."""
    note = SLOTS["note"]
    # As _place_roots(None, roots, limit, 0.0) for each limit, each cluster sized once.
    extents = root_extents(
        roots.sized("rooted"),
        roots.sized("loose"),
        len(roots.needs),
        ROOT_HEIGHTS,
        gap=_GAP,
        cell_gap=_CELL_GAP,
        need_size=(SLOTS["need"].w, SLOTS["need"].h),
    )
    root_shapes = list(zip(ROOT_HEIGHTS, extents, strict=True))
    best: tuple[float, int, float] | None = None
    for width in CROWN_WIDTHS:
        crown = _crown_rows(len(crown_widths), width)
        soil = _rows_of(len(soil_widths), (width,), width)
        top = trunk_top - len(crown) * note.h
        rows = _row_widths(crown_widths, crown) + _row_widths(soil_widths, soil)
        wide = max(rows + [0.0]) / 2
        roots_top = max(len(soil) * note.h - note.h / 2, note.h / 2) + 24
        for limit, (left, right, height) in root_shapes:
            w = max(right, wide) - min(left, -wide, -SLOTS["trunk"].w - 22)
            h = roots_top + height - top
            scale = round(min(SCREEN[0] / max(w, 1.0), SCREEN[1] / max(h, 1.0)), 3)
            if best is None or scale > best[0]:
                best = (scale, width, limit)
    assert best is not None
    return best[1], best[2]


def tree_layout(
    G: nx.MultiDiGraph,
    units: Units | None = None,
    pinned: Mapping[str, tuple[float, float]] | None = None,
) -> TreeLayout:
    """Lay the approved part of ``G`` out as a community-building tree of sticky notes.

    Parameters
    ----------
    G : MultiDiGraph
        A session graph; pending and hidden elements are left out.
    units : Units, optional
        ``graph.analysis.analyse(G)``, when the caller already has it.
    pinned : mapping, optional
        node → (x, y) where the facilitator put it; those nodes stay there.

    Returns
    -------
    TreeLayout

    Examples
    --------
    >>> from graph.model import build_graph
    >>> G = build_graph(
    ...     [{"id": "h1", "kind": "household", "label": "佐藤さん宅"},
    ...      {"id": "x1", "kind": "place", "label": "福祉会館"},
    ...      {"id": "g1", "kind": "group", "label": "サロン"},
    ...      {"id": "p1", "kind": "person", "label": "田中"}],
    ...     [{"source": "p1", "target": "g1", "kind": "member"},
    ...      {"source": "p1", "target": "h1", "kind": "snow"}])
    >>> L = tree_layout(G)
    >>> L.band["h1"], L.band["x1"], L.band["g1"]
    ('roots', 'soil', 'branches')
    >>> L.positions["h1"][1] > L.positions["x1"][1] > L.positions["g1"][1]
    True

    Notes
    -----
    O(n log n + m). Deterministic. Every node has a slot of its kind (:data:`SLOTS`) and no
    two slots overlap, so no two drawn labels do (pinned nodes aside). Stable: a new node
    moves the others of its band by about one slot (:data:`MAX_SHIFT`), except when the root
    system passes a size class or a person's score makes them join the trunk.
    """
    U = units if units is not None else analyse(G)
    nodes = U.nodes
    out = TreeLayout()
    scores = trunk_scores(U)
    ranked = sorted(
        (p for p, s in scores.items() if s >= TRUNK_MIN_SCORE), key=lambda p: (-scores[p], p)
    )
    out.trunk = ranked[:TRUNK_MAX]
    out.weight = {p: float(s) for p, s in scores.items()}
    note = SLOTS["note"]
    soil = _bands_of(nodes, "soil")
    crown = _bands_of(nodes, "branches") + _bands_of(nodes, "leaves") + _bands_of(nodes, "fruit")
    roots = _roots_of(out, U, nodes)
    out.loose = roots.loose_units
    for district, (_, drawn) in zip(roots.districts, roots.rooted, strict=True):
        if district:
            out.districts.setdefault(district, []).extend(drawn)
    crown_bottom = _place_trunk(out, -note.h / 2 - 8) - 12
    crown_w = [note_width(nodes[n]) for n, _ in crown]
    soil_w = [note_width(nodes[n]) for n, _ in soil]
    width, limit = _shape(crown_w, soil_w, crown_bottom, roots)
    soil_rows = _rows_of(len(soil), (width,), width)
    soil_bottom = _place_rows(out, soil, soil_w, -note.h / 2, soil_rows, False)
    _place_roots(out, roots, limit, max(soil_bottom, note.h / 2) + 24)
    for node in out.positions:
        out.band.setdefault(node, "roots")
    _place_rows(out, crown, crown_w, crown_bottom, _crown_rows(len(crown), width))
    for node, xy in (pinned or {}).items():
        if node in out.positions:
            out.positions[node] = (float(xy[0]), float(xy[1]))
    out.nodes = nodes
    return out


def tree_scene(nodes: Mapping[str, Mapping[str, Any]], out: TreeLayout) -> dict[str, Any]:
    """What the screen draws under the notes, in canvas coordinates.

    ``ground`` (the soil line), ``trunk`` (base, top and widths by the load it carries),
    ``limbs`` (to each branch), ``canopy`` (circles behind the crown), ``roots`` (to each
    household that is rooted; loose roots get none) and ``needs`` (the top left of the
    room's list of difficulties).
    """
    pos = out.positions
    xs = [x for x, _ in pos.values()] or [0.0]  # an empty workshop: the bare tree, waiting
    crown = [n for n, b in out.band.items() if b in ("branches", "leaves", "fruit")]
    note = SLOTS["note"]
    top = max((pos[n][1] for n in crown), default=-160.0) + note.h / 2
    load = sum(out.weight.get(p, 0.0) for p in out.trunk)
    base_width = min(30 + 4 * math.sqrt(load), 96)
    loose = set(out.loose)

    def at(node: str, dy: float = 0.0) -> list[float]:
        return [round(pos[node][0], 1), round(pos[node][1] + dy, 1)]

    kind = {n: nodes[n].get("kind") for n in pos}
    needs = [pos[n] for n in pos if kind[n] == "need"]
    household = -SLOTS["household"].h / 2
    return {
        "ground": {
            "y": 0,
            "left": round(min(min(xs) - 160, -900), 1),
            "right": round(max(max(xs) + 160, 900), 1),
        },
        "trunk": {
            "x": 0,
            "base": 40,
            "top": round(top, 1),
            "base_width": round(base_width, 1),
            "top_width": round(base_width * 0.5, 1),
        },
        "limbs": [at(n) for n in crown if out.band[n] == "branches"],
        "canopy": [at(n) + [note.w * 0.62] for n in crown],
        "roots": [at(n, household) for n in pos if kind[n] == "household" and n not in loose],
        "districts": _district_boxes(out),
        "needs": (
            {"x": round(min(x for x, _ in needs), 1), "y": round(min(y for _, y in needs), 1)}
            if needs
            else None
        ),
    }


def _district_boxes(out: TreeLayout) -> list[dict[str, Any]]:
    """Where each district's households are (canvas box), for a district that reads as a
    place (:func:`graph.privacy.placelike`): the remote focuses the projector on one."""
    boxes = []
    house = SLOTS["household"]
    for name, members in sorted(out.districts.items()):
        if not placelike(name):
            continue
        xs = [out.positions[n][0] for n in members if n in out.positions]
        ys = [out.positions[n][1] for n in members if n in out.positions]
        if xs:
            box = [min(xs) - house.w / 2, min(ys) - house.h / 2, max(xs) + house.w / 2]
            boxes.append({"name": name, "box": [round(v, 1) for v in [*box, max(ys) + 40]]})
    return boxes
