"""The units of the analysis carried on per event, in the order ``analyse`` gives them.

:func:`graph.units_carry.carry_units` read the units again in full per event (every node's
kind, label and unit: 9,000 nodes on a town). Here they are carried on instead: the approved
graph's node order only changes by removals and by nodes added at its end (a node approved
again comes last), so every dict of the analysis keyed by node (kinds, labels, units, persons)
is the one before with the touched nodes taken out, changed in place or added at the end; a
place number per node (``seq``, increasing along the graph's order) gives each changed unit
its members' order and tells whether the unit keeps its place among the units (that of its
first member). Whatever would need a node or a unit in the middle of an order (a node of a
kind now counted among the units that was not, a unit whose first member changed) returns
``None``, and the caller reads the units again in full.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

from .analysis import Units

__all__ = ["Order", "carry_order"]

_UNIT_KINDS = ("household", "person")


@dataclass
class Order:
    """The analysis's node order: each approved node's place (increasing along the graph's
    order), its kind, and the persons; kept on the :class:`Units` (never changed once made)."""

    seq: dict[str, int]
    top: int  # above every place given
    kind: dict[str, Any]
    persons: dict[str, None]


def order_of(U: Units) -> Order:
    """The order of an analysis made afresh (kept on it for the next event)."""
    found = U.__dict__.get("_order")
    if found is None:
        nodes = U.nodes
        seq = {n: i for i, n in enumerate(nodes)}
        kind = {n: a.get("kind") for n, a in nodes.items()}
        found = U.__dict__["_order"] = Order(seq, len(seq), kind, dict.fromkeys(U.persons))
    return found


def _tail(nodes: Mapping[str, Any], touched: Collection[str]) -> tuple[list[str], int]:
    """The touched nodes at the end of the graph's order, and the place of the node before."""
    tail = []
    before = None
    for n in reversed(nodes):
        if n not in touched:
            before = n
            break
        tail.append(n)
    tail.reverse()
    return tail, before


def carry_order(
    old: Units,
    nodes: Mapping[str, Mapping[str, Any]],
    touched: Collection[str],
    near: Collection[str],
    home,
) -> tuple | None:
    """``(kind, labels, unit_of, members, persons, order)`` of the approved ``nodes`` after
    events that touched ``touched`` (``near``: them and their neighbours), carried on from
    the analysis ``old``; ``home(person, kind)`` is the household a person lives in (or None).
    ``None`` where carrying on would put something in the middle of an order."""
    prev = order_of(old)
    tail, before = _tail(nodes, touched)
    last = prev.seq.get(before, -1) if before is not None else -1
    if before is not None and before not in prev.seq:
        return None
    seq, kind, persons = dict(prev.seq), dict(prev.kind), dict(prev.persons)
    labels, unit_of, members = dict(old.labels), dict(old.unit_of), dict(old.members)
    top = prev.top
    appended: list[str] = []  # nodes that come last now (new, or approved again)
    for n in tail:
        if n in prev.seq and prev.seq[n] > last:
            last = prev.seq[n]  # where it was: still after everything before it
        else:
            appended.append(n)
            last = top
    moved = set(appended)
    for n in touched:
        if n in moved or n not in nodes:
            for d in (seq, kind, persons, labels, unit_of):
                d.pop(n, None)
            continue
        if n not in prev.seq:
            return None  # in the middle of the order, but new there
        k = nodes[n].get("kind")
        if k in _UNIT_KINDS and n not in unit_of:
            return None
        if k == "person" and n not in persons:
            return None
        kind[n], labels[n] = k, str(nodes[n].get("label", n))
        if k not in _UNIT_KINDS:
            unit_of.pop(n, None)
        if k != "person":
            persons.pop(n, None)
    for n in appended:
        seq[n], top = top, top + 1
        k = kind[n] = nodes[n].get("kind")
        labels[n] = str(nodes[n].get("label", n))
        if k in _UNIT_KINDS:
            unit_of[n] = n  # its unit is found below (it is near)
        if k == "person":
            persons[n] = None
    # The units of the near nodes again (the others' homes cannot have changed).
    for n in near:
        k = kind.get(n)
        if k == "household":
            unit_of[n] = n
        elif k == "person":
            unit_of[n] = home(n, kind) or n
    if not _members_again(old, prev, members, seq, kind, unit_of, near):
        return None
    order = Order(seq, top, kind, persons)
    return kind, labels, unit_of, members, list(persons), order


def _members_again(old: Units, prev: Order, members, seq, kind, unit_of, near) -> bool:
    """The members of each unit a near node is or was in, again in ``members`` (in place,
    or new units at the end); False when a unit would move among the units."""
    changed = {old.unit_of.get(n) for n in near} | {unit_of.get(n) for n in near}
    changed.discard(None)
    new_units = []
    for unit in changed:
        was = old.members.get(unit, ())
        residents = {m for m in was if unit_of.get(m) == unit and kind.get(m) == "person"}
        residents.update(n for n in near if unit_of.get(n) == unit and kind.get(n) == "person")
        now = sorted(residents, key=seq.__getitem__)
        if kind.get(unit) == "household" and unit_of.get(unit) == unit:
            now.insert(0, unit)
        if not now:
            members.pop(unit, None)
            continue
        first = min(seq[m] for m in now)
        if was:
            if first != min(prev.seq[m] for m in was):
                return False  # the unit moves among the units
            members[unit] = now
        else:
            new_units.append((first, unit, now))
    if new_units:
        lastunit = next(reversed(members), None)
        floor = -1 if lastunit is None else min(seq[m] for m in members[lastunit])
        for first, unit, now in sorted(new_units):
            if first < floor:
                return False  # a new unit in the middle
            members[unit], floor = now, first
    return True
