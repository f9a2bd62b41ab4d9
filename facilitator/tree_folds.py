"""The town overview's folds: above ``tree.OVERVIEW_NODES`` approved nodes, the roots of
every district but the open one fold into one root per district.

Made from the live model's layout state (``graph.layout_carry``): each unit's cluster there
already says which of its members are drawn and its district, so the folds are one pass over
the units instead of a look-up of every member's district and band, and each folded root
takes its members in the same order as the folds list them.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from itertools import chain
from operator import is_
from typing import Any

from graph.analysis import Units
from graph.layout_carry import LayoutState

__all__ = ["Folds", "folds_of", "folds_from"]


@dataclass
class Folds:
    """``fold``: each folded member → ``"district:<name>"``; ``groups``: the members of each
    folded district, unit by unit, in the order of ``fold``; ``households`` in each.

    ``names`` and ``clusters`` are what :func:`folds_of` made them of (the units in order
    and their clusters in the layout state), to carry them on; ``expand`` the district left
    open. Never changed once made.
    """

    fold: dict[str, str] = field(default_factory=dict)
    groups: dict[str, list[list[str]]] = field(default_factory=dict)
    households: dict[str, int] = field(default_factory=dict)
    names: list[str] = field(default_factory=list)
    clusters: list[Any] = field(default_factory=list)
    expand: str | None = None

    def members(self, district_id: str) -> list[str]:
        """The folded members of one district, in the order of ``fold``."""
        return list(chain.from_iterable(self.groups[district_id]))


def folds_of(
    U: Units, state: LayoutState, expand: str | None, carried: Folds | None = None
) -> Folds:
    """The folds of the layout ``state`` of ``U``: every drawn member of each unit (the
    roots: households and residents, not the trunk persons) whose district is not
    ``expand`` (units with no district under ``"—"``), in ``U.members``' order.

    ``carried``: the folds of a version before. When the units it was made of come first,
    in the same order and with the same clusters (a layout state never changes a cluster,
    it makes a new one), only the units after them are folded (an approved note is one
    more unit): the same folds as afresh, without a pass over a town's thousands.
    """
    names = list(U.members)
    clusters = list(map(state.unit.get, names))
    if carried is not None and carried.expand == expand:
        count = len(carried.names)
        if (
            len(names) >= count
            and names[:count] == carried.names
            and all(map(is_, clusters, carried.clusters))
        ):
            if len(names) == count:
                return carried
            out = Folds(dict(carried.fold), dict(carried.groups), dict(carried.households))
            _fold(out, clusters[count:], expand, set())
            out.names, out.clusters, out.expand = names, clusters, expand
            return out
    out = Folds(names=names, clusters=clusters, expand=expand)
    _fold(out, clusters, expand, None)
    return out


def _fold(out: Folds, clusters: list, expand: str | None, copied: set | None) -> None:
    """Fold the units of ``clusters`` into ``out`` after those already there (``copied``:
    the groups already copied from a carried ``out``, None when ``out`` is made afresh)."""
    fold, groups, households = out.fold, out.groups, out.households
    for unit in clusters:
        if unit is None:
            continue
        district = unit.district or "—"
        if district == expand:
            continue
        tag = f"district:{district}"
        if tag not in groups:
            groups[tag], households[tag] = [], 0
        elif copied is not None and tag not in copied:
            groups[tag] = list(groups[tag])  # the carried folds' list stays as it was
            copied.add(tag)
        drawn = unit.cell[1]
        for member in drawn:
            fold[member] = tag
        groups[tag].append(drawn)
        if unit.cell[0] is not None:
            households[tag] += 1


def folds_from(fold: dict[str, str], nodes: Mapping[str, Mapping[str, Any]]) -> Folds:
    """:class:`Folds` of a ``fold`` made member by member (the winter view's own units)."""
    out = Folds(fold)
    for member, tag in fold.items():
        out.groups.setdefault(tag, []).append([member])
        house = nodes[member].get("kind") == "household"
        out.households[tag] = out.households.get(tag, 0) + house
    return out
