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
from typing import Any

from graph.analysis import Units
from graph.layout_carry import LayoutState

__all__ = ["Folds", "folds_of", "folds_from"]


@dataclass
class Folds:
    """``fold``: each folded member → ``"district:<name>"``; ``groups``: the members of each
    folded district, unit by unit, in the order of ``fold``; ``households`` in each."""

    fold: dict[str, str] = field(default_factory=dict)
    groups: dict[str, list[list[str]]] = field(default_factory=dict)
    households: dict[str, int] = field(default_factory=dict)

    def members(self, district_id: str) -> list[str]:
        """The folded members of one district, in the order of ``fold``."""
        return list(chain.from_iterable(self.groups[district_id]))


def folds_of(U: Units, state: LayoutState, expand: str | None) -> Folds:
    """The folds of the layout ``state`` of ``U``: every drawn member of each unit (the
    roots: households and residents, not the trunk persons) whose district is not
    ``expand`` (units with no district under ``"—"``), in ``U.members``' order."""
    out = Folds()
    fold, groups, households = out.fold, out.groups, out.households
    tags: dict[str, str] = {}
    units = state.unit
    for name in U.members:
        unit = units.get(name)
        if unit is None:
            continue
        district = unit.district or "—"
        if district == expand:
            continue
        tag = tags.get(district)
        if tag is None:
            tag = tags[district] = f"district:{district}"
            groups[tag], households[tag] = [], 0
        drawn = unit.cell[1]
        for member in drawn:
            fold[member] = tag
        groups[tag].append(drawn)
        if unit.cell[0] is not None:
            households[tag] += 1
    return out


def folds_from(fold: dict[str, str], nodes: Mapping[str, Mapping[str, Any]]) -> Folds:
    """:class:`Folds` of a ``fold`` made member by member (the winter view's own units)."""
    out = Folds(fold)
    for member, tag in fold.items():
        out.groups.setdefault(tag, []).append([member])
        house = nodes[member].get("kind") == "household"
        out.households[tag] = out.households.get(tag, 0) + house
    return out
