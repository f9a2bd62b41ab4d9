"""The tree layout carried on per event: only the parts of the picture an event changed are
placed again.

:func:`graph.layout.tree_layout` sorts and places every household's cluster, every note of
the crown and the soil, and searches the picture's 16:9 shape again; on a town that is
~9,000 positions per event while an approved note is one more loose root. :func:`carry_layout`
keeps what the layout of the version before was made of (:class:`LayoutState`): the trunk
scores, each unit's cluster (its household note and residents, its district, whether it is
rooted), the sorted rooted and loose parts, the crown's, the soil's and the needs' lists, and
each placed column of roots. After an event it recomputes the clusters of the units the
touched nodes may change (their units, the units whose contact or trunk persons changed), keeps
every other cluster object as it was, and places again only what moved: a column of roots is
kept when it holds the same clusters at the same place, the crown, the soil and the needs when
their lists and frame are the same. The positions are then put together in the order
``tree_layout`` gives them, so the result equals ``tree_layout`` of the new graph — the
positions and bands in the same order, the trunk, the loose roots, the weights, the districts
and the scene (``tests/graph/test_layout_carry.py``). When an event touches a large share of
the graph, the state is made again afresh.
"""

from __future__ import annotations

import bisect
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field, replace
from types import SimpleNamespace
from typing import Any

import networkx as nx

from .analysis import Units
from .layout import (
    _CELL_GAP,
    _GAP,
    BAND_KINDS,
    CROWN_WIDTHS,
    ROOT_HEIGHTS,
    SCREEN,
    SLOTS,
    TRUNK_MAX,
    TRUNK_MIN_SCORE,
    TreeLayout,
    _cell_size,
    _columns,
    _crown_rows,
    _place_cluster,
    _place_rows,
    _place_trunk,
    _Roots,
    _row_widths,
    _rows_of,
    _unit_district,
    note_width,
    trunk_scores,
)
from .root_shapes import root_extents
from .units_carry import _around

__all__ = ["LayoutState", "carry_layout", "layout_state"]

#: Above this share of the nodes affected, making the layout afresh is as quick.
_AFRESH_SHARE = 0.3
#: The crown's bands, bottom to top (as ``tree_layout`` lists them).
_CROWN = ("branches", "leaves", "fruit")


@dataclass
class _Unit:
    """What the layout draws of one unit: its cluster (household note or None, the members
    drawn), its cluster's size, its district and whether it is rooted. Never changed."""

    cell: tuple[str | None, list[str]]
    size: tuple[float, float]
    district: str
    rooted: bool


@dataclass
class _Column:
    """One placed column of clusters: the clusters, where, and the positions it gave."""

    cells: list
    x: float
    y: float
    odd: bool
    pos: dict[str, tuple[float, float]]


@dataclass
class _Part:
    """The rooted clusters (sorted by district and unit) or the loose ones (by unit), with
    their placed columns. Shared with the version before: copied before it changes."""

    keys: list = field(default_factory=list)
    cells: list = field(default_factory=list)
    sizes: list = field(default_factory=list)
    breaks: tuple | None = None  # (limit, columns, widths, heights used)
    # A cache any state sharing the part may reuse, each set in one go (two versions may
    # place the same part at once): the frame (cells, limit, left, top), the columns placed
    # in it and the x after the last one.
    placing: tuple = (None, (), 0.0)

    @property
    def placed(self) -> list[_Column]:
        """The columns placed last."""
        return list(self.placing[1])

    def copy(self) -> _Part:
        """A copy to change (its placed columns kept to compare with)."""
        return _Part(list(self.keys), list(self.cells), list(self.sizes), None, self.placing)


@dataclass
class LayoutState:
    """What a tree layout was made of, to carry on to the next event (never changed once
    made; a carried state is copied where it changes)."""

    units: Units
    layout: TreeLayout
    scores: dict[str, int]
    strong: dict[str, int]  # the scores that may join the trunk
    unit: dict[str, _Unit]
    rooted: _Part
    loose: _Part
    bands: dict[str, list[str]]  # soil, crown bands and needs: the nodes, sorted
    band_of: dict[str, str]  # which of those each is in
    widths: dict[str, float]  # the note width of each soil and crown note
    placed: dict[str, tuple] = field(default_factory=dict)  # part → (key, what it gave)

    def pinned(self, pins: Mapping[str, tuple[float, float]] | None) -> TreeLayout:
        """The layout with the facilitator's pins (as ``tree_layout(pinned=…)``)."""
        pins = {n: xy for n, xy in (pins or {}).items() if n in self.layout.positions}
        if not pins:
            return self.layout
        positions = dict(self.layout.positions)
        for node, xy in pins.items():
            positions[node] = (float(xy[0]), float(xy[1]))
        return replace(self.layout, positions=positions, _scene=None)


def _trunk(strong: Mapping[str, int]) -> list[str]:
    return sorted(strong, key=lambda p: (-strong[p], p))[:TRUNK_MAX]


def _unit_of(U: Units, unit: str, trunk: Collection[str]) -> _Unit | None:
    """The unit as ``graph.layout._roots_of`` draws it, or None when nothing is drawn."""
    drawn = [m for m in U.members.get(unit, ()) if m not in trunk]
    if not drawn:
        return None
    head = unit if unit in drawn and U.nodes[unit].get("kind") == "household" else None
    cell = (head, drawn)
    district = _unit_district(U, unit, U.nodes)
    return _Unit(cell, _cell_size(cell), district, not U.isolated(unit))


def _band_order(nodes: Mapping[str, Mapping[str, Any]], members: Collection[str]) -> list[str]:
    return sorted(members, key=lambda n: (nodes[n].get("kind"), n))


def layout_state(U: Units) -> LayoutState:
    """The layout of the analysed graph ``U`` afresh, with what it was made of.

    Notes
    -----
    O(n log n), as ``tree_layout``.
    """
    nodes = U.nodes
    scores = trunk_scores(U)
    strong = {p: s for p, s in scores.items() if s >= TRUNK_MIN_SCORE}
    trunk = _trunk(strong)
    units: dict[str, _Unit] = {}
    in_trunk = set(trunk)
    for unit in U.members:
        drawn = _unit_of(U, unit, in_trunk)
        if drawn is not None:
            units[unit] = drawn
    rooted = sorted((u.district, name) for name, u in units.items() if u.rooted)
    loose = sorted(name for name, u in units.items() if not u.rooted)
    found: dict[str, list[str]] = {b: [] for b in ("soil", *_CROWN)}
    found["need"] = []
    for n, attrs in nodes.items():
        kind = attrs.get("kind")
        band = "need" if kind == "need" else BAND_KINDS.get(kind)
        if band in found:
            found[band].append(n)
    bands = {band: _band_order(nodes, members) for band, members in found.items()}
    bands["need"] = sorted(found["need"])
    band_of = {n: band for band, members in bands.items() for n in members}
    widths = {n: note_width(nodes[n]) for b in ("soil", *_CROWN) for n in bands[b]}
    state = LayoutState(
        U,
        TreeLayout(),
        scores,
        strong,
        units,
        _Part(rooted, [units[u].cell for _, u in rooted], [units[u].size for _, u in rooted]),
        _Part(loose, [units[u].cell for u in loose], [units[u].size for u in loose]),
        bands,
        band_of,
        widths,
    )
    state.layout = _place(state, None, trunk, {p: float(s) for p, s in scores.items()})
    return state


def carry_layout(
    A: nx.MultiDiGraph,
    U: Units,
    G: nx.MultiDiGraph | None = None,
    carried: tuple[LayoutState, Collection] | None = None,
) -> LayoutState:
    """The layout of ``A`` (analysed as ``U``) as :func:`layout_state` makes it, placing
    again only what the nodes touched since ``carried`` was made may move.

    ``carried`` is the state of the graph before some events and the nodes they touched
    (changed nodes, both ends of changed ties); ``G`` the whole session graph (every tie
    row, approved or not), to find the neighbours of a node no longer approved.

    Notes
    -----
    O(touched units + columns + crown + soil) and putting the positions together, O(n),
    against ``tree_layout``'s O(n log n) with the placing of every node.
    """
    if carried is None:
        return layout_state(U)
    old, touched = carried
    G = A if G is None else G
    before = old.units
    near = _around(G, touched)
    moved = [n for n in near if before.unit_of.get(n) != U.unit_of.get(n)]
    affected = near | _around(G, moved)
    if len(affected) > _AFRESH_SHARE * max(len(U.nodes), 1):
        return layout_state(U)
    scores, strong, trunk, weight = _carry_trunk(old, U, affected)
    changed = {before.unit_of.get(n) for n in near} | {U.unit_of.get(n) for n in near}
    changed |= before.contact ^ U.contact
    for person in set(trunk) ^ set(old.layout.trunk):
        changed |= {before.unit_of.get(person), U.unit_of.get(person)}
    changed.discard(None)
    state = replace(old, units=U, scores=scores, strong=strong, placed={})
    _carry_units(state, U, changed, set(trunk))
    _carry_bands(state, U, touched)
    state.layout = _place(state, old, trunk, weight)
    return state


def _carry_trunk(old: LayoutState, U: Units, affected: Collection[str]):
    """The trunk scores with those of the ``affected`` persons again, the trunk and the
    weights (the old ones when no score that counts changed)."""
    scores, strong = old.scores, old.strong
    copied = False
    for p in affected:
        was = old.scores.get(p, 0)
        score = 0
        if p in U.nodes and U.nodes[p].get("kind") == "person":
            score = len(U.load.get(p, ())) + 2 * len(U.roles.get(p, ()))
        if not (was or score):
            continue
        if not copied:
            scores, strong, copied = dict(scores), dict(strong), True
        # Even an equal score is put back in order: the person may have come back.
        scores.pop(p, None)
        strong.pop(p, None)
        if score:
            scores[p] = score
        if score >= TRUNK_MIN_SCORE:
            strong[p] = score
    if not copied:
        return scores, strong, old.layout.trunk, old.layout.weight
    trunk = _trunk(strong) if strong != old.strong else old.layout.trunk
    weight = {p: float(scores[p]) for p in U.persons if p in scores}
    return scores, strong, trunk, weight


def _carry_units(state: LayoutState, U: Units, changed: Collection[str], trunk) -> None:
    """The clusters of the ``changed`` units again, in place of the old ones in their part
    (each part copied before its first change)."""
    units = state.unit
    copied: set[str] = set()

    def part(name: str) -> _Part:
        if name not in copied:
            setattr(state, name, getattr(state, name).copy())
            copied.add(name)
        return getattr(state, name)

    def key(name: str, u: _Unit):
        return (u.district, name) if u.rooted else name

    for name in sorted(changed):
        was = units.get(name)
        now = _unit_of(U, name, trunk)
        if now is not None and was is not None:
            if (now.cell, now.district, now.rooted) == (was.cell, was.district, was.rooted):
                continue
        if units is state.unit:
            units = state.unit = dict(units)
        if was is not None:
            p = part("rooted" if was.rooted else "loose")
            i = bisect.bisect_left(p.keys, key(name, was))
            del p.keys[i], p.cells[i], p.sizes[i]
            del units[name]
        if now is not None:
            p = part("rooted" if now.rooted else "loose")
            k = key(name, now)
            i = bisect.bisect_left(p.keys, k)
            p.keys.insert(i, k)
            p.cells.insert(i, now.cell)
            p.sizes.insert(i, now.size)
            units[name] = now


def _carry_bands(state: LayoutState, U: Units, touched: Collection[str]) -> None:
    """The soil's, the crown's and the needs' lists and note widths, made again for a band
    that a touched node joined or left, or whose note changed its width."""
    nodes = state.units.nodes
    dirty: set[str] = set()
    band_of, widths = state.band_of, state.widths
    for n in touched:
        attrs = nodes.get(n)
        kind = attrs.get("kind") if attrs is not None else None
        now = "need" if kind == "need" else BAND_KINDS.get(kind)
        now = now if now in state.bands else None
        was = band_of.get(n)
        width = note_width(attrs) if now not in (None, "need") else None
        if was == now and widths.get(n) == width:
            continue
        if band_of is state.band_of:
            band_of, widths = dict(band_of), dict(widths)
        dirty.update(b for b in (was, now) if b is not None)
        band_of.pop(n, None)
        widths.pop(n, None)
        if now is not None:
            band_of[n] = now
        if width is not None:
            widths[n] = width
    if not dirty:
        return
    bands = dict(state.bands)
    for band in dirty:
        members = set(bands[band])
        members = {n for n in members if band_of.get(n) == band}
        members.update(n for n in touched if band_of.get(n) == band)
        bands[band] = sorted(members) if band == "need" else _band_order(nodes, members)
    state.bands, state.band_of, state.widths = bands, band_of, widths


def _kept(state: LayoutState, old: LayoutState | None, name: str, key: tuple, make):
    """``make()``, or what the state before made under ``name`` from the same ``key``
    (compared item by item: the same objects, or equal numbers)."""
    found = old.placed.get(name) if old is not None else None
    if found is not None and len(found[0]) == len(key):
        if all(a is b or a == b for a, b in zip(found[0], key, strict=True)):
            state.placed[name] = found
            return found[1]
    value = make()
    state.placed[name] = (key, value)
    return value


def _lists(state: LayoutState) -> tuple[list, list, list, list]:
    """The soil's and the crown's notes (with their bands) and widths, as placed."""
    bands, widths = state.bands, state.widths
    soil = [(n, "soil") for n in bands["soil"]]
    crown = [(n, band) for band in _CROWN for n in bands[band]]
    return soil, [widths[n] for n, _ in soil], crown, [widths[n] for n, _ in crown]


def _rows(items, widths, start, counts, up) -> tuple[dict, dict, float]:
    out = SimpleNamespace(positions={}, band={})
    end = _place_rows(out, items, widths, start, counts, up)
    return out.positions, out.band, end


def _needs(needs: list[str], left: float, limit: float, top: float) -> dict:
    """The needs' list on the left, as ``graph.layout._place_roots`` places it."""
    need = SLOTS["need"]
    per_column = max(1, int(limit // need.h))
    pos = {}
    for i, node in enumerate(needs):
        column, row = divmod(i, per_column)
        x = left - _GAP - need.w / 2 - column * need.w
        pos[node] = (x, top + row * need.h + need.h / 2)
    return pos


def _breaks(part: _Part, limit: float) -> tuple:
    """The part's columns at ``limit`` (the cells of each, its width and height used)."""
    breaks = part.breaks  # read once: another version may set it meanwhile
    if breaks is None or breaks[0] != limit:
        sizes = part.sizes
        columns = _columns(sizes, limit)
        widths = [max(sizes[i][0] for i in column) for column in columns]
        used = [sum(sizes[i][1] + _CELL_GAP for i in column) - _CELL_GAP for column in columns]
        breaks = part.breaks = (limit, columns, widths, used)
    return breaks


def _width(part: _Part, limit: float) -> float:
    left = 0.0
    for width in _breaks(part, limit)[2]:
        left += width
    return left


def _place_part(part: _Part, limit: float, left: float, top: float) -> tuple[float, tuple]:
    """The part's clusters in columns from ``left``, as ``graph.layout._root_columns``
    places them; a column holding the same clusters at the same place as before keeps its
    positions. Returns the x after the last column and the columns."""
    frame = (part.cells, limit, left, top)
    was_frame, before, was_right = part.placing
    if was_frame is not None and was_frame[0] is part.cells and was_frame[1:] == frame[1:]:
        return was_right, before
    _, columns, widths, used = _breaks(part, limit)
    cells, sizes = part.cells, part.sizes
    placed = []
    for c, column in enumerate(columns):
        width, odd = widths[c], c % 2 == 1
        x = left + width / 2
        y = top + max(0.0, limit - used[c]) if odd else top
        members = [cells[i] for i in column]
        was = before[c] if c < len(before) else None
        if was is not None and (was.x, was.y, was.odd) == (x, y, odd) and was.cells == members:
            placed.append(was)
        else:
            pos = {}
            at = y
            for i in reversed(column) if odd else column:
                for node, dx, dy in _offsets(cells[i]):
                    pos[node] = (x + dx, at + dy)
                at += sizes[i][1] + _CELL_GAP
            placed.append(_Column(members, x, y, odd, pos))
        left += width
    placed = tuple(placed)
    part.placing = (frame, placed, left)
    return left, placed


#: Each cluster's notes and where they are from its top middle, by cluster (id → (cluster,
#: offsets): the cluster is kept with them, so its id is not another's).
_OFFSETS: dict[int, tuple] = {}
_OFFSETS_KEPT = 50_000


def _offsets(cell) -> list[tuple[str, float, float]]:
    """Where ``graph.layout._place_cluster`` puts each note of ``cell`` from the cluster's
    top middle. Every figure of the root system is a multiple of 0.5 far below 2**52, so
    x + dx and top + dy are exact and equal ``_place_cluster``'s sums."""
    found = _OFFSETS.get(id(cell))
    if found is not None and found[0] is cell:
        return found[1]
    out = SimpleNamespace(positions={})
    _place_cluster(out, 0.0, 0.0, cell)
    offsets = [(node, dx, dy) for node, (dx, dy) in out.positions.items()]
    if len(_OFFSETS) > _OFFSETS_KEPT:
        _OFFSETS.clear()
    _OFFSETS[id(cell)] = (cell, offsets)
    return offsets


def _frames(crown_w: list[float], soil_w: list[float], trunk_top: float) -> list[tuple]:
    """For each crown width ``graph.layout._shape`` tries: the crown's top, its half width
    and the roots' top (they do not depend on the roots)."""
    note = SLOTS["note"]
    frames = []
    for width in CROWN_WIDTHS:
        crown = _crown_rows(len(crown_w), width)
        soil = _rows_of(len(soil_w), (width,), width)
        top = trunk_top - len(crown) * note.h
        rows = _row_widths(crown_w, crown) + _row_widths(soil_w, soil)
        wide = max(rows + [0.0]) / 2
        roots_top = max(len(soil) * note.h - note.h / 2, note.h / 2) + 24
        frames.append((width, top, wide, roots_top))
    return frames


def _fit(frames: list[tuple], roots: _Roots) -> tuple[int, float]:
    """``graph.layout._shape``: the crown's width and the roots' column height that fill
    :data:`~graph.layout.SCREEN` best (the first such), from the crown's ``frames``."""
    extents = root_extents(
        roots.sized("rooted"),
        roots.sized("loose"),
        len(roots.needs),
        ROOT_HEIGHTS,
        gap=_GAP,
        cell_gap=_CELL_GAP,
        need_size=(SLOTS["need"].w, SLOTS["need"].h),
    )
    shapes = list(zip(ROOT_HEIGHTS, extents, strict=True))
    narrowest = -SLOTS["trunk"].w - 22
    best: tuple[float, int, float] | None = None
    for width, top, wide, roots_top in frames:
        for limit, (left, right, height) in shapes:
            w = max(right, wide) - min(left, -wide, narrowest)
            h = roots_top + height - top
            scale = round(min(SCREEN[0] / max(w, 1.0), SCREEN[1] / max(h, 1.0)), 3)
            if best is None or scale > best[0]:
                best = (scale, width, limit)
    assert best is not None
    return best[1], best[2]


def _prefix(trunk: TreeLayout, soil_pos: dict, soil_band: dict, rooted: tuple[_Column, ...]):
    """The positions and bands of the trunk, the soil and the rooted clusters, in order."""
    positions, band = dict(trunk.positions), dict(trunk.band)
    positions.update(soil_pos)
    band.update(soil_band)
    roots: dict[str, tuple[float, float]] = {}
    for column in rooted:
        roots.update(column.pos)
    positions.update(roots)
    band.update(dict.fromkeys(roots, "roots"))  # no trunk person nor soil note among them
    return positions, band


def _place(
    state: LayoutState, old: LayoutState | None, trunk: list[str], weight: dict[str, float]
) -> TreeLayout:
    """Place the state's parts as ``tree_layout`` does, keeping what did not move."""
    note = SLOTS["note"]
    out = TreeLayout(trunk=trunk, weight=weight, loose=state.loose.keys)
    out.nodes = state.units.nodes
    crown_bottom = _place_trunk(out, -note.h / 2 - 8) - 12
    bands = state.bands
    lists = (bands["soil"], *(bands[b] for b in _CROWN), state.widths)
    soil, soil_w, crown, crown_w = _kept(state, old, "lists", lists, lambda: _lists(state))
    rooted, loose = state.rooted, state.loose
    needs = bands["need"]
    roots = _Roots(rooted.cells, loose.cells, loose.keys, needs)
    roots.sizes = {"rooted": rooted.sizes, "loose": loose.sizes}
    frames = _kept(
        state,
        old,
        "frames",
        (crown_w, soil_w, crown_bottom),
        lambda: _frames(crown_w, soil_w, crown_bottom),
    )
    key = (frames, rooted.sizes, loose.sizes, len(needs))
    width, limit = _kept(state, old, "shape", key, lambda: _fit(frames, roots))
    soil_pos, soil_band, soil_bottom = _kept(
        state,
        old,
        "soil",
        (soil, soil_w, width),
        lambda: _rows(soil, soil_w, -note.h / 2, _rows_of(len(soil), (width,), width), False),
    )
    top = max(soil_bottom, note.h / 2) + 24
    left = -_width(rooted, limit) / 2
    right, rooted_columns = _place_part(rooted, limit, left, top)
    _, loose_columns = _place_part(loose, limit, right + _GAP, top)
    need_pos = _kept(
        state, old, "needs", (needs, left, limit, top), lambda: _needs(needs, left, limit, top)
    )
    crown_pos, crown_band, _ = _kept(
        state,
        old,
        "crown",
        (crown, crown_w, crown_bottom, width),
        lambda: _rows(crown, crown_w, crown_bottom, _crown_rows(len(crown), width), True),
    )
    # The trunk, the soil and the rooted clusters first: kept whole when none of them moved
    # (an approved note with no tie yet is one more loose root).
    key = (tuple(out.positions.items()), soil_pos, soil_band, rooted_columns)
    prefix = _kept(
        state, old, "prefix", key, lambda: _prefix(out, soil_pos, soil_band, rooted_columns)
    )
    out.positions, out.band = dict(prefix[0]), dict(prefix[1])
    rest: dict[str, tuple[float, float]] = {}
    for column in loose_columns:
        rest.update(column.pos)
    rest.update(need_pos)
    out.positions.update(rest)
    out.band.update(dict.fromkeys(rest, "roots"))
    out.positions.update(crown_pos)
    out.band.update(crown_band)
    if old is not None and rooted is old.rooted:
        out.districts = old.layout.districts
    else:
        for (district, _), (_, drawn) in zip(rooted.keys, rooted.cells, strict=True):
            if district:
                out.districts.setdefault(district, []).extend(drawn)
    return out
