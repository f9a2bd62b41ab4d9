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

__all__ = [
    "BANDS",
    "ROOT_CELL_WIDTH",
    "BAND_KINDS",
    "TreeLayout",
    "tree_layout",
    "network_layout",
    "trunk_scores",
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

# Geometry, in canvas pixels; a label of 18 px fits the spacings at zoom 1.
ROOT_CELL_WIDTH = 380  # width of one household's root strand (a label of 5 kanji)
_CELL_H = 170  # height of one row of root strands
_ROOT_TOP = 140  # depth of the first row of roots below the ground line
_BOWL = 0.08  # outer roots lie deeper: the root ball's curve
_LOOSE_GAP = 320  # distance between the root system and the loose roots beside it
_NEED_ROWS = 6  # the list of difficulties: rows per column
_NEED_STEP = 90
_SOIL_STEP = 420
_TRUNK_BASE = -100
_TRUNK_STEP = 100
_BRANCH_SLOT = 380  # arc length per branch (two staggered arcs)
_BRANCH_MIN_R = 380
_LEAF_GAP = 260
_FRUIT_GAP = 380
_CROWN_FLAT = 0.5
_BRANCH_STAGGER = 150


@dataclass
class TreeLayout:
    """Positions and the band of every approved node.

    ``trunk`` lists the trunk persons bottom to top; ``loose`` the isolated units drawn apart
    from the root system; ``weight`` the load each node carries (node size, trunk width).
    """

    positions: dict[str, tuple[float, float]] = field(default_factory=dict)
    band: dict[str, str] = field(default_factory=dict)
    trunk: list[str] = field(default_factory=list)
    loose: list[str] = field(default_factory=list)
    weight: dict[str, float] = field(default_factory=dict)


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


def _rows_for(n: int) -> int:
    # Few size classes so that one insertion almost never changes the number of rows.
    return 4 if n <= 60 else 6 if n <= 200 else 10


def _root_cell(i: int, rows: int, n: int) -> tuple[float, float]:
    columns = math.ceil(n / rows)
    column, row = divmod(i, rows)
    x = (column - (columns - 1) / 2) * ROOT_CELL_WIDTH + (row - (rows - 1) / 2) * (
        ROOT_CELL_WIDTH / rows
    )
    y = _ROOT_TOP + row * _CELL_H + _BOWL * abs(x)
    return x, y


def _unit_district(U: Units, unit: str, nodes: Mapping[str, Mapping[str, Any]]) -> str:
    for member in U.members.get(unit, ()):
        district = nodes[member].get("district")
        if district:
            return str(district)
    return ""


def _place_strand(out: TreeLayout, x: float, y: float, nodes: list[str]) -> None:
    """One root strand: the household (or lone person) on top, residents fanned beneath it."""
    for j, node in enumerate(nodes):
        if j == 0:
            out.positions[node] = (x, y)
        else:
            side = -1 if j % 2 else 1
            out.positions[node] = (x + side * 62 * ((j + 1) // 2), y + 70 + 24 * ((j - 1) // 2))


def tree_layout(G: nx.MultiDiGraph, units: Units | None = None) -> TreeLayout:
    """Lay the approved part of ``G`` out as a community-building tree.

    Parameters
    ----------
    G : MultiDiGraph
        A session graph; pending and hidden elements are left out.
    units : Units, optional
        ``graph.analysis.analyse(G)``, when the caller already has it.

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
    O(n log n + m). Deterministic. Stable: a new node only shifts the nodes after it in its
    band by about one slot (≤ ~1 root cell, 150 px), except when the root system passes a
    size class (60 or 200 units) or a person's score makes them join the trunk.
    """
    U = units if units is not None else analyse(G)
    nodes = U.nodes
    out = TreeLayout()

    scores = trunk_scores(U)
    ranked = sorted(
        (p for p, s in scores.items() if s >= TRUNK_MIN_SCORE), key=lambda p: (-scores[p], p)
    )
    out.trunk = ranked[:TRUNK_MAX]
    trunk = set(out.trunk)
    for p, s in scores.items():
        out.weight[p] = float(s)

    # Roots: one strand per unit, units of a district side by side.
    strands: list[tuple[str, str, list[str]]] = []
    loose: list[tuple[str, list[str]]] = []
    for unit, members in U.members.items():
        drawn = [m for m in members if m not in trunk]
        if not drawn:
            continue
        if U.isolated(unit):
            loose.append((unit, drawn))
        else:
            strands.append((_unit_district(U, unit, nodes), unit, drawn))
    strands.sort(key=lambda s: (s[0], s[1]))
    cells = [(unit, drawn) for _, unit, drawn in strands]
    rows = _rows_for(len(cells))
    right_edge = left_edge = 0.0
    for i, (_unit, drawn) in enumerate(cells):
        x, y = _root_cell(i, rows, len(cells))
        right_edge, left_edge = max(right_edge, x), min(left_edge, x)
        _place_strand(out, x, y, drawn)
    # Loose roots lie apart, to the right of the root system, just under the ground.
    loose.sort(key=lambda item: item[0])
    out.loose = [unit for unit, _ in loose]
    for i, (_unit, drawn) in enumerate(loose):
        column, row = divmod(i, 3)
        x = right_edge + _LOOSE_GAP + column * ROOT_CELL_WIDTH
        _place_strand(out, x, _ROOT_TOP + row * _CELL_H, drawn)
    # Needs: the room's list of difficulties (困りごと) to the left of the roots, never beside
    # the household that has them (DESIGN.md §6).
    needs = sorted(n for n, a in nodes.items() if a.get("kind") == "need")
    for i, need in enumerate(needs):
        column, row = divmod(i, _NEED_ROWS)
        x = left_edge - _LOOSE_GAP - column * ROOT_CELL_WIDTH
        out.positions[need] = (x, _ROOT_TOP + row * _NEED_STEP)
    for node in out.positions:
        out.band[node] = "roots"

    # Soil: places and stories along the ground line.
    soil = sorted(
        (n for n, a in nodes.items() if BAND_KINDS.get(a.get("kind")) == "soil"),
        key=lambda n: (nodes[n].get("kind"), n),
    )
    for i, node in enumerate(soil):
        # Every other label sits a line lower, so long names along the ground stay apart.
        out.positions[node] = ((i - (len(soil) - 1) / 2) * _SOIL_STEP, 70.0 * (i % 2))
        out.band[node] = "soil"

    # Trunk: the heaviest load at the base.
    for i, person in enumerate(out.trunk):
        out.positions[person] = (14.0 * (1 if i % 2 else -1), _TRUNK_BASE - i * _TRUNK_STEP)
        out.band[person] = "trunk"
    top = _TRUNK_BASE - max(len(out.trunk) - 1, 0) * _TRUNK_STEP

    # Branches fan out over the trunk on an upper arc; leaves at their tips; fruit above.
    branches = sorted(n for n, a in nodes.items() if BAND_KINDS.get(a.get("kind")) == "branches")
    span = math.radians(150)
    radius = max(_BRANCH_MIN_R, len(branches) * _BRANCH_SLOT / span)
    angle_of: dict[str, float] = {}
    for i, node in enumerate(branches):
        angle = math.radians(195) + (i + 0.5) / len(branches) * span
        angle_of[node] = angle
        # Every other branch reaches further out, so neighbouring labels do not collide.
        out.positions[node] = _polar(top, radius + _BRANCH_STAGGER * (i % 2), angle)
        out.band[node] = "branches"

    leaves = sorted(n for n, a in nodes.items() if a.get("kind") == "institution")
    per_branch: dict[str, int] = {}
    for i, node in enumerate(leaves):
        linked = sorted(
            b for b in nx.all_neighbors(G, node) if b in angle_of and _active_link(G, node, b)
        )
        if linked:
            k = per_branch.get(linked[0], 0)
            per_branch[linked[0]] = k + 1
            angle = angle_of[linked[0]] + math.radians(7) * (k - 0.5 * (k > 0))
        else:
            angle = _centred(i, len(leaves), radius + _BRANCH_STAGGER + _LEAF_GAP)
        out.positions[node] = _polar(
            top, radius + _BRANCH_STAGGER * (1 + i % 2) + _LEAF_GAP, angle
        )
        out.band[node] = "leaves"

    fruit = sorted(n for n, a in nodes.items() if a.get("kind") == "idea")
    for i, node in enumerate(fruit):
        reach = radius + _BRANCH_STAGGER * (1 + i % 2) + _FRUIT_GAP
        out.positions[node] = _polar(top, reach, _centred(i, len(fruit), reach))
        out.band[node] = "fruit"
    return out


def _centred(i: int, n: int, radius: float, step: float = 420.0) -> float:
    """The angle of item ``i`` of ``n`` spread ``step`` px apart around the top of an arc.

    A fixed arc length (not a share of the arc) keeps every item in place but a half step
    when one is added.
    """
    return math.radians(270) + (i - (n - 1) / 2) * step / radius


def _active_link(G: nx.MultiDiGraph, a: str, b: str) -> bool:
    data = list(G.get_edge_data(a, b, default={}).values())
    data += list(G.get_edge_data(b, a, default={}).values())
    return any(d.get("status", "approved") == "approved" for d in data)


def _polar(top: float, radius: float, angle: float) -> tuple[float, float]:
    # The crown is an ellipse, wider than tall, so the tree fits a 16:9 projector.
    return (radius * math.cos(angle), top + _CROWN_FLAT * radius * math.sin(angle))


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
