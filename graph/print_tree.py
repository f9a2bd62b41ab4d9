"""The community-building tree for paper: sticky notes packed in bands, sized in millimetres.

On paper there is no zoom: every note must be readable where it is printed (at least 7 pt)
and none may cover another. So the notes are packed row by row in the bands of the tree
(fruit, leaves, branches, trunk, soil, roots), each resident listed inside the note of their
household, and the picture is drawn under them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx

from .layout import text_width, tree_layout
from .model import active_graph

__all__ = ["PT", "print_tree"]

#: One typographic point in millimetres.
PT = 25.4 / 72
# The bands from the top of the picture down; the trunk and the roots are placed apart.
_CROWN = (("fruit", ("idea",)), ("leaves", ("institution",)), ("branches", ("group", "activity")))
_SOIL = ("place", "story")
_PAD = 1.2  # mm of paper inside a note
_GAP = 1.6  # mm between notes


def _wrap(text: str, ems: float) -> list[str]:
    lines, line = [], ""
    for ch in " ".join(str(text).split()):
        if line and text_width(line + ch) > ems:
            lines.append(line.rstrip())
            line = ch.lstrip()
        else:
            line += ch
    if line:
        lines.append(line)
    return lines or [""]


class _Packer:
    """Notes of one band in rows of fixed-width columns, centred, top to bottom."""

    def __init__(self, width: float, font: float, columns: int):
        self.width, self.font, self.columns = width, font, columns
        self.cell = (width - _GAP * (columns - 1)) / columns
        self.ems = (self.cell - 2 * _PAD) / font

    def note(self, node: Any, kind: str, title: str, body: str = "") -> dict:
        lines = _wrap(title, self.ems)
        small = _wrap(body, self.ems / 0.85) if body else []
        h = 2 * _PAD + self.font * 1.25 * len(lines) + self.font * 0.85 * 1.25 * len(small)
        return {"id": node, "kind": kind, "lines": lines, "small": small, "w": self.cell, "h": h}

    def rows(self, notes: list[dict], top: float) -> float:
        """Place ``notes`` from ``top``; return the bottom of the last row."""
        y = top
        for start in range(0, len(notes), self.columns):
            row = notes[start : start + self.columns]
            used = len(row) * self.cell + _GAP * (len(row) - 1)
            x = (self.width - used) / 2
            for note in row:
                note["x"], note["y"] = round(x, 2), round(y, 2)
                x += self.cell + _GAP
            y += max(n["h"] for n in row) + _GAP
        return y


def _residents(A: nx.MultiDiGraph) -> dict[Any, list[Any]]:
    homes: dict[Any, list[Any]] = {}
    for u, v, kind in A.edges(data="kind"):
        if kind == "lives_in" and A.nodes[v].get("kind") == "household":
            homes.setdefault(v, []).append(u)
    return homes


def print_tree(
    G: nx.MultiDiGraph,
    labels: Mapping[Any, str],
    width: float = 182.0,
    font: float = 8.5 * PT,
    cell: float = 30.0,
) -> dict[str, Any]:
    """The tree of ``G`` as notes on paper ``width`` mm wide, labelled with ``labels``.

    Parameters
    ----------
    G : MultiDiGraph
        A session graph; only approved elements are drawn.
    labels : mapping
        node → the text to print (names, or pseudonyms and public labels).
    width : float
        Printable width in mm.
    font : float
        Size of a note's text in mm (8.5 pt by default); residents inside a household's
        note are printed at 0.85 of it (7.2 pt at the default).
    cell : float
        Narrowest note in mm.

    Returns
    -------
    dict
        ``width``, ``height`` (mm), ``font``, ``notes`` (each ``id``, ``kind``, ``x``, ``y``,
        ``w``, ``h``, ``lines`` and ``small`` lines), ``ground`` (y), ``trunk`` (x, top,
        bottom, w), ``canopy`` (cx, cy, rx, ry), ``limbs`` and ``roots`` (x1, y1, x2, y2).

    Examples
    --------
    >>> from graph.model import build_graph
    >>> G = build_graph([{"id": "h", "kind": "household", "label": "佐藤さん宅"},
    ...                  {"id": "p", "kind": "person", "label": "佐藤 花子"},
    ...                  {"id": "g", "kind": "group", "label": "サロン"}],
    ...                 [{"source": "p", "target": "h", "kind": "lives_in"},
    ...                  {"source": "p", "target": "g", "kind": "member"}])
    >>> T = print_tree(G, {n: G.nodes[n]["label"] for n in G})
    >>> [(n["kind"], n["lines"], n["small"]) for n in T["notes"]]
    [('group', ['サロン'], []), ('household', ['佐藤さん宅'], ['佐藤 花子'])]

    Notes
    -----
    O(n + m) after :func:`graph.layout.tree_layout` chose the trunk. No two notes overlap:
    each band is a grid of equal cells and every note is as tall as its text.
    """
    A = active_graph(G)
    shape = tree_layout(A)
    columns = max(1, int((width + _GAP) // (cell + _GAP)))
    pack = _Packer(width, font, columns)
    kind = {n: A.nodes[n].get("kind") for n in A}
    notes: list[dict] = []
    crown_top = 4.0
    y = crown_top
    for _, kinds in _CROWN:
        band = [pack.note(n, kind[n], labels.get(n, str(n))) for n in A if kind[n] in kinds]
        if band:
            y = pack.rows(band, y) + _GAP
            notes += band
    crown_bottom = y
    trunk, y = _trunk(pack, shape.trunk, labels, width, cell, y)
    notes += trunk
    soil = [pack.note(n, kind[n], labels.get(n, str(n))) for n in A if kind[n] in _SOIL]
    y = pack.rows(soil, y + _GAP) if soil else y + 6
    notes += soil
    ground = y + _GAP
    roots = _roots(A, pack, labels, kind, shape)
    bottom = pack.rows(roots, ground + 8) if roots else ground + 8
    notes += roots
    loose = set(shape.loose)
    return {
        "width": width,
        "height": round(bottom + 2, 2),
        "font": round(font, 3),
        "notes": notes,
        **_scene(width, notes, roots, loose, crown_top, crown_bottom, ground),
    }


def _trunk(pack: _Packer, trunk_ids, labels, width: float, cell: float, y: float):
    """The key connectors in a narrow block over the middle of the trunk."""
    trunk_pack = _Packer(min(width, 4 * (cell + _GAP)), pack.font, min(4, pack.columns))
    trunk = [trunk_pack.note(n, "person", labels.get(n, str(n))) for n in trunk_ids]
    y = trunk_pack.rows(trunk, y + _GAP) + _GAP
    offset = (width - trunk_pack.width) / 2
    for note in trunk:
        note["x"] = round(note["x"] + offset, 2)
    return trunk, y


def _roots(A: nx.MultiDiGraph, pack: _Packer, labels, kind, shape) -> list[dict]:
    """Households by district, each with its residents, the loose ones last; then people
    who live nowhere on the map."""
    homes = _residents(A)
    housed = {p for members in homes.values() for p in members}
    loose = set(shape.loose)
    order = sorted(
        (n for n in A if kind[n] == "household"),
        key=lambda n: (n in loose, str(A.nodes[n].get("district") or ""), str(n)),
    )
    roots = [
        pack.note(
            n,
            "household",
            labels.get(n, str(n)),
            "・".join(labels.get(p, str(p)) for p in homes.get(n, [])),
        )
        for n in order
    ]
    roots += [
        pack.note(n, "person", labels.get(n, str(n)))
        for n in A
        if kind[n] == "person" and n not in housed and n not in shape.trunk
    ]
    return roots


def _scene(width, notes, roots, loose, crown_top, crown_bottom, ground) -> dict[str, Any]:
    """What is drawn under the notes: canopy, trunk, ground, limbs and roots."""
    middle = width / 2
    trunk_w = 10.0
    return {
        "ground": round(ground, 2),
        "trunk": {
            "x": round(middle - trunk_w / 2, 2),
            "w": trunk_w,
            "top": round(crown_bottom - 8, 2),
            "bottom": round(ground, 2),
        },
        "canopy": {
            "cx": round(middle, 2),
            "cy": round((crown_top + crown_bottom) / 2, 2),
            "rx": round(width / 2, 2),
            "ry": round((crown_bottom - crown_top) / 2 + 4, 2),
        },
        "limbs": [
            {
                "x1": middle,
                "y1": round(crown_bottom - 4, 2),
                "x2": round(n["x"] + n["w"] / 2, 2),
                "y2": round(n["y"] + n["h"], 2),
            }
            for n in notes
            if n["kind"] in ("group", "activity")
        ],
        "roots": [
            {
                "x1": middle,
                "y1": round(ground, 2),
                "x2": round(n["x"] + n["w"] / 2, 2),
                "y2": round(n["y"], 2),
            }
            for n in roots
            if n["kind"] == "household" and n["id"] not in loose
        ],
    }
