"""The community-building tree (地域づくりの木): node positions computed in Python.

Bands, bottom to top on screen: roots (households and residents), soil (places and stories on
the ground line), trunk (the key connectors), branches (groups and activities), leaves
(institutions) and fruit (ideas). Screen coordinates: x to the right, y downwards, the ground
line at y = 0, as vis-network draws them.
"""

from __future__ import annotations

import functools
import math
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .analysis import Units, analyse

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
    "network_layout",
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
    "trunk": Slot(18, 6.0, 1, 136, 42),
    "person": Slot(8, 5.6, 2, 52, 32),
    "need": Slot(16, 8.0, 3, 156, 78),
}
#: Margins of the label inside its box, as drawn (vis-network ``margin``).
BOX_MARGIN = {"x": 8, "y": 6}
#: Height of a line of text, in units of the font size (vis-network draws ≈ 1.1).
LINE_HEIGHT = 1.2
#: Size of a resident's dot.
PERSON_DOT = 4
#: The farthest one insertion moves any other node: about one slot.
MAX_SHIFT = 420
#: Kept for callers that size things by a root cell.
ROOT_CELL_WIDTH = MAX_SHIFT

_GAP = 40  # between the parts of the picture (roots, needs, loose roots)
_CROWN_ROW = (7, 9, 9, 7, 5, 3)  # notes per row of the crown, bottom to top, then 3 each
_SOIL_ROW = 9
_ROOT_ROWS = ((24, 3), (60, 4), (150, 7))  # (up to n units, units per column); then 12


@functools.lru_cache(maxsize=8192)
def _char_width(ch: str) -> float:
    """The width of one character in ems (see :func:`text_width`)."""
    if unicodedata.combining(ch) or ch in "\u200d\ufe0f":
        return 0.0
    if ord(ch) > 0x1F000 or unicodedata.category(ch) == "So":
        return 1.3  # drawn as an emoji
    if unicodedata.east_asian_width(ch) in "WFA":  # ①② are drawn full-width
        return 1.0
    return 0.62


def text_width(text: str) -> float:
    """The width of one line of ``text`` in ems: full-width (and ambiguous) 1, emoji 1.3,
    others 0.62 (a little more than most Latin letters take).

    >>> text_width("佐藤 A.")
    3.86
    """
    total = 0.0
    for ch in text:
        total += _char_width(ch)
    return round(total, 2)


def wrap_label(text: str, slot: Slot) -> list[str]:
    """``text`` broken into the lines of ``slot`` (cut with … when it needs more).

    >>> wrap_label("移動販売車の停留所（旧駅前）", SLOTS["note"])
    ['移動販売車の停留', '所（旧駅前）']

    Notes
    -----
    O(n) in the length of ``text``: the width of the line is kept as it grows (the same sums,
    in the same order, as :func:`text_width` of the line).
    """
    lines: list[str] = []
    line = ""
    width = 0.0
    for ch in " ".join(str(text).split()):
        grown = width + _char_width(ch)
        if line and round(grown, 2) > slot.width:
            lines.append(line.rstrip())
            line = ch.lstrip()
            width = _char_width(line) if line else 0.0
        else:
            line += ch
            width = grown
    if line:
        lines.append(line)
    if len(lines) > slot.lines:
        lines = lines[: slot.lines]
        last = lines[-1]
        while last and text_width(last + "…") > slot.width:
            last = last[:-1]
        lines[-1] = last + "…"
    return lines or [""]


def label_box(lines: list[str], slot: Slot) -> tuple[float, float]:
    """The width and height of a box holding ``lines`` at ``slot``'s font, margins included."""
    width = max(text_width(line) for line in lines) * slot.font + 2 * BOX_MARGIN["x"]
    height = len(lines) * slot.font * LINE_HEIGHT + 2 * BOX_MARGIN["y"]
    return width, height


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
    ``scene`` what the screen draws under the notes (:func:`tree_scene`).
    """

    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    band: dict[str, str] = field(default_factory=dict)
    trunk: list[str] = field(default_factory=list)
    loose: list[str] = field(default_factory=list)
    weight: dict[str, float] = field(default_factory=dict)
    scene: dict[str, Any] = field(default_factory=dict)


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


def _unit_district(U: Units, unit: str, nodes: Mapping[str, Mapping[str, Any]]) -> str:
    for member in U.members.get(unit, ()):
        district = nodes[member].get("district")
        if district:
            return str(district)
    return ""


def _rows_for(n: int) -> int:
    # Few size classes, so that one insertion almost never changes the number of rows.
    for limit, rows in _ROOT_ROWS:
        if n <= limit:
            return rows
    return 12


def _place_cluster(
    out: TreeLayout, x: float, top: float, drawn: list[str], head: str | None
) -> float:
    """A household's note with its residents' dots beneath; returns the height used."""
    house, person = SLOTS["household"], SLOTS["person"]
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
    return y - top + math.ceil(len(residents) / per_row) * person.h


def _root_columns(
    out: TreeLayout,
    cells: list[tuple[str | None, list[str]]],
    rows: int,
    left: float,
    top: float,
) -> float:
    """Clusters in columns of ``rows`` from ``left``; returns the x after the last column."""
    width = SLOTS["household"].w
    for start in range(0, len(cells), rows):
        y = top
        for head, drawn in cells[start : start + rows]:
            y += _place_cluster(out, left + width / 2, y, drawn, head) + 8
        left += width
    return left


def _place_roots(out: TreeLayout, U: Units, nodes: Mapping, top: float) -> None:
    """The root system: households by district in columns, the needs' list on the left,
    the loose roots apart on the right."""
    trunk = set(out.trunk)
    rooted: list[tuple[str, str, str | None, list[str]]] = []
    loose: list[tuple[str, str | None, list[str]]] = []
    for unit, members in U.members.items():
        drawn = [m for m in members if m not in trunk]
        if not drawn:
            continue
        head = unit if unit in drawn and nodes[unit].get("kind") == "household" else None
        if U.isolated(unit):
            loose.append((unit, head, drawn))
        else:
            rooted.append((_unit_district(U, unit, nodes), unit, head, drawn))
    rooted.sort(key=lambda item: (item[0], item[1]))
    loose.sort(key=lambda item: item[0])
    out.loose = [unit for unit, _, _ in loose]
    rows = _rows_for(len(rooted) + len(loose))
    columns = math.ceil(len(rooted) / rows)
    left = -columns * SLOTS["household"].w / 2
    right = _root_columns(out, [(h, d) for _, _, h, d in rooted], rows, left, top)
    _root_columns(out, [(h, d) for _, h, d in loose], rows, right + _GAP, top)
    needs = sorted(n for n, a in nodes.items() if a.get("kind") == "need")
    need = SLOTS["need"]
    per_column = max(1, int(rows * 100 // need.h))
    for i, node in enumerate(needs):
        column, row = divmod(i, per_column)
        x = left - _GAP - need.w / 2 - column * need.w
        out.positions[node] = (x, top + row * need.h + need.h / 2)
    for node in out.positions:
        out.band.setdefault(node, "roots")


def _rows_of(n: int, pattern: tuple[int, ...], rest: int) -> list[int]:
    """How many notes each row takes for ``n`` notes, first row first."""
    counts, i = [], 0
    while n > 0:
        take = min(n, pattern[i] if i < len(pattern) else rest)
        counts.append(take)
        n -= take
        i += 1
    return counts


def _place_rows(
    out: TreeLayout,
    items: list[tuple[str, str]],
    start: float,
    pattern: tuple[int, ...],
    up: bool = True,
) -> float:
    """Notes in centred rows from ``start`` (upwards, or downwards when not ``up``); every
    other row runs the other way, so one insertion moves each later note by about one slot.
    Returns the far edge of the last row."""
    slot = SLOTS["note"]
    step = -slot.h if up else slot.h
    y = start
    i = 0
    for row, count in enumerate(_rows_of(len(items), pattern, pattern[-1])):
        order = range(count) if row % 2 == 0 else range(count - 1, -1, -1)
        for k in order:
            node, band = items[i]
            out.positions[node] = ((k - (count - 1) / 2) * slot.w, y + step / 2)
            out.band[node] = band
            i += 1
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
    soil_bottom = _place_rows(out, _bands_of(nodes, "soil"), -note.h / 2, (_SOIL_ROW,), False)
    _place_roots(out, U, nodes, max(soil_bottom, note.h / 2) + 24)
    crown_bottom = _place_trunk(out, -note.h / 2 - 8) - 12
    crown = _bands_of(nodes, "branches") + _bands_of(nodes, "leaves") + _bands_of(nodes, "fruit")
    _place_rows(out, crown, crown_bottom, _CROWN_ROW)
    for node, xy in (pinned or {}).items():
        if node in out.positions:
            out.positions[node] = (float(xy[0]), float(xy[1]))
    out.scene = tree_scene(nodes, out)
    return out


def tree_scene(nodes: Mapping[str, Mapping[str, Any]], out: TreeLayout) -> dict[str, Any]:
    """What the screen draws under the notes, in canvas coordinates.

    ``ground`` (the soil line), ``trunk`` (base, top and widths by the load it carries),
    ``limbs`` (to each branch), ``canopy`` (circles behind the crown), ``roots`` (to each
    household that is rooted; loose roots get none) and ``needs`` (the top left of the
    room's list of difficulties).
    """
    pos = out.positions
    if not pos:
        return {}
    xs = [x for x, _ in pos.values()]
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
        "needs": (
            {"x": round(min(x for x, _ in needs), 1), "y": round(min(y for _, y in needs), 1)}
            if needs
            else None
        ),
    }


def network_layout(G: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """The plain network view: concentric rings around the key connectors.

    Trunk persons in the middle, then groups and activities, institutions, places and
    stories, ideas, and households with their residents and needs on the outer ring,
    each ring ordered by district and id so the same graph always gives the same picture
    and one new node only nudges its ring.

    Examples
    --------
    >>> from graph.model import build_graph
    >>> G = build_graph([{"id": "h1", "kind": "household", "label": "A"}], [])
    >>> network_layout(G)["h1"]
    (0.0, -260.0)
    """
    tree = tree_layout(G)
    rings: dict[int, list[str]] = {}
    order = {"trunk": 0, "branches": 1, "leaves": 2, "soil": 3, "fruit": 4, "roots": 5}
    for node, band in tree.band.items():
        rings.setdefault(order[band], []).append(node)
    positions: dict[str, tuple[float, float]] = {}
    radius = 0.0
    for level in sorted(rings):
        members = sorted(rings[level], key=lambda n: (tree.positions[n][0], n))
        if level == 0 and len(members) == 1:
            positions[members[0]] = (0.0, 0.0)
            continue
        radius = max(radius + 260, len(members) * 70 / (2 * math.pi))
        for i, node in enumerate(members):
            angle = -math.pi / 2 + 2 * math.pi * i / len(members)
            positions[node] = (
                round(radius * math.cos(angle), 1),
                round(radius * math.sin(angle), 1),
            )
    return positions
