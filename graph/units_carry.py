"""The analysis carried on per event: the tie facts of the touched units only.

:func:`graph.analysis.analyse` reads every tie of the approved graph; on a town that is
25,000 ties per event while an approved note touches one node. :func:`carry_units` keeps
the analysis of the graph before and reads again only the ties that can change a fact:
those of the *affected* nodes (touched, their neighbours, and the neighbours of every node
whose unit changed) and of the members of their units. The units themselves (cheap: one
pass over the nodes) are made again in full, so their order is the same as afresh. The
result equals ``analyse`` of the new graph (``tests/graph/test_units_carry.py``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Mapping
from typing import Any

import networkx as nx

from .analysis import Units, _read_ties, _TieFacts, analyse
from .units_order import carry_order

__all__ = ["carry_units"]

#: Above this share of the nodes affected, reading every tie again is as quick.
_AFRESH_SHARE = 0.3
#: Facts that are sets of units, dicts by unit, sets of nodes, dicts by node.
_UNIT_SETS = ("contact", "winter_contact", "frequent_contact", "formal", "snow_into", "snow_need")
_NODE_DICTS = ("load", "roles", "organisers")


class _Sources(dict):
    """The node kinds (every ``get`` answers) whose ``items`` are the sources to read."""

    def __init__(self, kind: Mapping[str, Any], sources: Collection[str]):
        super().__init__(kind)
        self.sources = [n for n in kind if n in sources]

    def items(self):  # noqa: D102 - read by _read_ties as its outer loop
        return ((n, self[n]) for n in self.sources)


def _home(person: str, kind: Mapping[str, Any], succ: Mapping[str, Any]) -> str | None:
    """The smallest household ``person`` lives in (an approved ``lives_in``), as analyse."""
    home = None
    for h, keyed in succ[person].items():
        if kind.get(h) != "household" or (home is not None and h >= home):
            continue
        for d in keyed.values():
            if d.get("kind") == "lives_in" and d.get("status", "approved") == "approved":
                home = h
                break
    return home


def _around(G: nx.MultiDiGraph, nodes: Collection[str]) -> set[str]:
    """``nodes`` and every node with a tie to or from one of them in ``G``."""
    out = set(nodes)
    pred, succ = G._pred, G._succ
    for n in nodes:
        if n in pred:
            out.update(pred[n])
            out.update(succ[n])
    return out


def _units_again(old: Units, kind: Mapping[str, Any], succ, near: Collection[str]):
    """unit_of, members and persons as ``analyse`` orders them; homes read only for
    ``near``."""
    unit_of: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    persons: list[str] = []
    previous = old.unit_of
    for n, k in kind.items():
        if k == "household":
            unit_of[n] = n
            members.setdefault(n, []).insert(0, n)
        elif k == "person":
            if n in near or n not in previous:
                unit = _home(n, kind, succ) or n
            else:
                unit = previous[n]
            persons.append(n)
            unit_of[n] = unit
            members.setdefault(unit, []).append(n)
    return unit_of, members, persons


def carry_units(
    A: nx.MultiDiGraph,
    G: nx.MultiDiGraph | None = None,
    carried: tuple[Units, Collection] | None = None,
) -> Units:
    """``graph.analysis.analyse(A)``, reading again only what the touched nodes may change.

    ``carried`` is the analysis of ``A`` before some events and the nodes they touched
    (changed nodes, both ends of changed ties); ``G`` the whole session graph (every tie
    row, approved or not), to find the neighbours of a node no longer approved.

    Notes
    -----
    Afresh O(n + m); carried on, O(n) plus the ties of the affected units.
    """
    if carried is None:
        return analyse(A)
    old, touched = carried
    G = A if G is None else G
    nodes = _approved(A, old, touched)
    near = _around(G, touched)
    if len(near) > _AFRESH_SHARE * max(len(nodes), 1):
        return analyse(A)
    succ = A._succ
    found = carry_order(old, nodes, touched, near, lambda p, kind: _home(p, kind, succ))
    if found is not None:
        kind, labels, unit_of, members, persons, order = found
    else:  # the units read again in full
        kind = {n: a.get("kind") for n, a in nodes.items()}
        labels = {n: str(a.get("label", n)) for n, a in nodes.items()}
        unit_of, members, persons = _units_again(old, kind, succ, near)
        order = None
    moved = [n for n in near if old.unit_of.get(n) != unit_of.get(n)]
    affected = near | _around(G, moved)
    units = {old.unit_of.get(n) for n in affected} | {unit_of.get(n) for n in affected}
    units.discard(None)
    sources = set(affected)
    for unit in units:
        sources.update(members.get(unit, ()))
    sources = {n for n in _around(A, sources) if n in kind}
    if len(sources) > _AFRESH_SHARE * max(len(nodes), 1):
        return analyse(A)
    part = _TieFacts()
    _read_ties(part, _Sources(kind, sources), unit_of, nodes, succ)
    facts: dict[str, Any] = {}
    for name in _UNIT_SETS:
        kept = getattr(old, name) - units
        facts[name] = kept | (getattr(part, name) & units)
    facts["participates"] = (old.participates - affected) | (part.participates & affected)
    facts["supporters"] = _redone(old.supporters, part.supporters, units)
    for name in _NODE_DICTS:
        facts[name] = _redone(getattr(old, name), getattr(part, name), affected)
    facts["kinds_present"] = _kinds_present(old, part, A, kind, sources)
    U = Units(
        unit_of=unit_of, members=members, persons=persons, labels=labels, nodes=nodes, **facts
    )
    if order is not None:
        U.__dict__["_order"] = order  # for the next event (graph.units_order)
    return U


def _redone(old: Mapping[str, set], part: Mapping[str, set], again: Collection) -> defaultdict:
    """``old`` with the entries of ``again`` as ``part`` read them again (in the order
    ``{k: v for k, v in old.items() if k not in again}`` then ``part``'s would give):
    copied whole in C and only the few read again taken out, not a pass over a town's
    thousands of entries."""
    value = defaultdict(set, old)
    for key in again:
        value.pop(key, None)
    value.update((key, found) for key, found in part.items() if key in again)
    return value


def _approved(A: nx.MultiDiGraph, old: Units, touched: Collection[str]) -> dict:
    """The approved nodes of ``A`` (with their attributes), in its order: ``A``'s nodes
    copied whole when only touched ones may not be approved (so on the live model's
    approved graph), else each node's status read."""
    nodes = dict(A._node)
    count = len(old.nodes)
    for n in touched:
        attrs = nodes.get(n)
        now = attrs is not None and attrs.get("status", "approved") == "approved"
        if attrs is not None and not now:
            del nodes[n]
        count += now - (n in old.nodes)
    if len(nodes) == count:
        return nodes
    return {n: a for n, a in A._node.items() if a.get("status", "approved") == "approved"}


def _kinds_present(
    old: Units, part: _TieFacts, A: nx.MultiDiGraph, kind: Mapping[str, Any], sources: set
) -> set[str]:
    """The support kinds present: those the sources' ties show, and each other kind of
    before that a tie of another source still shows (a tie not read again is unchanged)."""
    present = set(part.kinds_present)
    missing = old.kinds_present - present
    for u, nbrs in A._succ.items():
        if not missing:
            break
        if u in sources or u not in kind:
            continue
        for v, keyed in nbrs.items():
            if v not in kind:
                continue
            for d in keyed.values():
                k = d.get("kind")
                status = d.get("status")
                if k in missing and (status is None or status == "approved"):
                    missing.discard(k)
                    present.add(k)
    return present
