"""Flags kept up to date per change: what each tie adds to the analysis, counted per unit.

``graph.analysis.flags`` reads every tie's attribute dict on every call — on a city-sized
graph (30,000 nodes, 80,000 ties) that read alone costs about one NetworkX
articulation-points pass. A session changes by one event at a time, so :class:`LiveFlags`
reads each tie once, keeps what it adds to the analysis (its *contribution*: "unit X has an
outside contact", "helper Y supports unit X", …) as counts, and after a change re-reads only
the ties around what changed: the changed ties, the ties of changed nodes and of persons
who moved to another household. As it counts, it notes the nodes whose flags a change may
have changed (a count leaving or reaching 0, a unit's sole supporter, a node or unit
changed); the flags are worded again only for those, each by the rule
``graph.analysis.flags`` words it by, and kept per kind in its order
(``graph.live_flag_lists``): the same flags, in the same order.

The rules of a contribution are ``graph.analysis._read_ties`` and ``_units`` tie by tie;
``tests/graph/test_live_flags_oracle.py`` checks the two agree after random changes.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from .analysis import _CODES, INFREQUENT, Flag, Units, _units
from .flag import merged_settings
from .live_flag_lists import FlagLists

__all__ = ["LiveFlags"]

Tie = tuple[Any, Any, Any]  # (source, target, key)

#: Counted per key: a unit (or node, or tie kind) is in the set while its count is above 0.
_SETS = (
    "contact",
    "winter_contact",
    "frequent_contact",
    "formal",
    "participates",
    "snow_into",
    "snow_need",
    "kinds_present",
)
#: Counted per key and item: the item is in the key's set while its count is above 0.
_MAPS = ("supporters", "load", "roles", "organisers")


#: The node attributes the flags read; each node keeps only these, in a dict shared by every
#: node with the same values (a city has a few hundred such dicts for 30,000 nodes).
_READ = ("kind", "age_band", "frequency", "category")


def _approved(attrs: Mapping[str, Any]) -> bool:
    return attrs.get("status", "approved") == "approved"


class LiveFlags:
    """The flags of one graph, brought up to date by :meth:`apply` after each change.

    Parameters
    ----------
    G : MultiDiGraph
        A session graph (usually its approved part); read once, O(n + m).

    Examples
    --------
    >>> from graph.model import build_graph
    >>> G = build_graph([{"id": "h1", "kind": "household", "label": "佐藤さん宅"}], [])
    >>> live = LiveFlags(G)
    >>> [f.flag for f in live.flags()][:1]
    ['isolated_household']
    >>> G.add_node("p1", kind="person", label="鈴木")
    >>> _ = G.add_edge("p1", "h1", key="t1", kind="snow")
    >>> live.apply(G, nodes=["p1"], ties=[("p1", "h1", "t1")])
    >>> "isolated_household" in [f.flag for f in live.flags()]
    False
    """

    def __init__(self, G: nx.MultiDiGraph) -> None:
        self._shared: dict[tuple, dict[str, Any]] = {}
        nodes = {n: self._read(a) for n, a in G._node.items() if _approved(a)}
        self._nodes = nodes
        self._kind = {n: a.get("kind") for n, a in nodes.items()}
        self._labels = {n: str(G._node[n].get("label", n)) for n in nodes}
        unit_of, members, persons = _units(self._kind, G._pred)
        self._unit_of = unit_of
        self._persons = dict.fromkeys(persons)
        self._members = {unit: len(m) for unit, m in members.items()}
        self._residents: dict[Any, set] = {}
        for p in persons:
            if unit_of[p] != p:
                self._residents.setdefault(unit_of[p], set()).add(p)
        self._sets: dict[str, dict[Any, int]] = {name: {} for name in _SETS}
        self._maps: dict[str, dict[Any, dict[Any, int]]] = {name: {} for name in _MAPS}
        self._ties: dict[Tie, tuple] = {}  # what each tie added, to take it back exactly
        self._at: dict[Any, set[Tie]] = {}  # the ties (with a contribution) at each node
        # Per helper, the units it alone supports (read by overloaded_person); the nodes
        # whose flags may have changed since the flags were last asked for; the flags.
        self._sole: dict[Any, int] = {}
        self._dirty: set = set()
        self._lists: FlagLists | None = None
        for u, nbrs in G._succ.items():
            if u in self._kind:
                for v, kd in nbrs.items():
                    for k, d in kd.items():
                        self._add((u, v, k), d)

    # -- what one tie adds -----------------------------------------------------------------

    def _contribution(self, u: Any, v: Any, d: Mapping[str, Any]) -> tuple:
        """What the tie ``u → v`` with data ``d`` adds, as ``graph.analysis._read_ties`` reads
        it: ``set, key`` and ``map, key, item`` entries one after the other in one flat tuple
        (a city holds 80,000 of them)."""
        kind = self._kind
        kv = kind.get(v)
        if kv is None or u not in kind:
            return ()
        tk = d.get("kind")
        code = _CODES.get(tk)
        if code is None:
            return ()
        status = d.get("status")
        if status is not None and status != "approved":
            return ()
        ku = kind[u]
        uu, uv = self._unit_of.get(u), self._unit_of.get(v)
        outside = uu != uv
        u_counts = ku != "institution"
        out: list = []
        if code <= 3:
            if outside:
                often = d.get("frequency") or (code == 2 and self._nodes[v].get("frequency"))
                reached = []
                if kv != "institution" and uu is not None:
                    reached.append(uu)
                if uv is not None and u_counts:
                    reached.append(uv)
                for unit in reached:
                    out += ("contact", unit)
                    if d.get("season") != "not_in_winter":
                        out += ("winter_contact", unit)
                    if often not in INFREQUENT:
                        out += ("frequent_contact", unit)
            if code == 1:
                out += ("kinds_present", tk)
                if uv is not None and outside and u_counts:
                    out += ("supporters", uv, u)
                    if ku == "person":
                        out += ("load", u, uv)
                if tk == "snow" and uv is not None:
                    out += ("snow_into", uv)
            elif code == 2:
                out += ("participates", u)
                if tk == "role":
                    out += ("roles", u, v, "organisers", v, u)
            elif outside:  # talk, kin: support either way
                if uv is not None and u_counts:
                    out += ("supporters", uv, u)
                if uu is not None and kv != "institution":
                    out += ("supporters", uu, v)
        elif code == 4:
            if uv is not None:
                out += ("formal", uv)
        elif uu is not None and self._nodes[v].get("category") == "snow":
            out += ("snow_need", uu)
        return tuple(out)

    def _add(self, tie: Tie, d: Mapping[str, Any]) -> None:
        found = self._contribution(tie[0], tie[1], d)
        self._ties[tie] = found
        self._at.setdefault(tie[0], set()).add(tie)
        self._at.setdefault(tie[1], set()).add(tie)
        sets, maps, dirty = self._sets, self._maps, self._dirty
        i, end = 0, len(found)
        while i < end:
            name, key = found[i], found[i + 1]
            if name in maps:
                by_key = maps[name]
                items = by_key.get(key)
                if items is None:
                    items = by_key[key] = {}
                item = found[i + 2]
                count = items.get(item, 0)
                items[item] = count + 1
                if not count:  # a new item: the key's flags may change
                    dirty.add(key)
                    if name == "supporters":
                        self._came(items, item)
                i += 3
            else:
                counts = sets[name]
                count = counts.get(key, 0)
                counts[key] = count + 1
                if not count:  # in the set now (a tie kind noted dirty is no node: no harm)
                    dirty.add(key)
                i += 2

    def _take_back(self, tie: Tie) -> None:
        found = self._ties.pop(tie, None)
        if found is None:
            return
        for end in (tie[0], tie[1]):
            at = self._at.get(end)
            if at is not None:
                at.discard(tie)
                if not at:
                    del self._at[end]
        sets, maps, dirty = self._sets, self._maps, self._dirty
        i, end = 0, len(found)
        while i < end:
            name, key = found[i], found[i + 1]
            if name in maps:
                by_key = maps[name]
                items = by_key[key]
                item = found[i + 2]
                if items[item] == 1:
                    del items[item]
                    dirty.add(key)
                    if name == "supporters":
                        self._went(items, item)
                    if not items:
                        del by_key[key]
                else:
                    items[item] -= 1
                i += 3
            else:
                counts = sets[name]
                if counts[key] == 1:
                    del counts[key]
                    dirty.add(key)
                else:
                    counts[key] -= 1
                i += 2

    def _came(self, helpers: dict, helper: Any) -> None:
        """``helper`` is now among a unit's ``helpers``: count the units each helper alone
        supports again (a helper alone, or no longer alone)."""
        if len(helpers) == 1:
            self._sole_by(helper, 1)
        elif len(helpers) == 2:
            for other in helpers:
                if other != helper:
                    self._sole_by(other, -1)

    def _went(self, helpers: dict, helper: Any) -> None:
        """``helper`` is no longer among a unit's ``helpers`` (see :meth:`_came`)."""
        if not helpers:
            self._sole_by(helper, -1)
        elif len(helpers) == 1:
            for other in helpers:
                self._sole_by(other, 1)

    def _sole_by(self, helper: Any, step: int) -> None:
        count = self._sole.get(helper, 0) + step
        if count:
            self._sole[helper] = count
        else:
            del self._sole[helper]
        self._dirty.add(helper)

    # -- nodes and units -------------------------------------------------------------------

    def _read(self, attrs: Mapping[str, Any]) -> dict[str, Any]:
        """What the flags read of a node's ``attrs`` (see :data:`_READ`)."""
        key = tuple(attrs.get(name) for name in _READ)
        try:
            found = self._shared.get(key)
        except TypeError:  # an unhashable value: kept apart
            return {name: v for name, v in zip(_READ, key, strict=True) if v is not None}
        if found is None:
            found = {name: v for name, v in zip(_READ, key, strict=True) if v is not None}
            self._shared[key] = found
        return found

    def _set_node(self, G: nx.MultiDiGraph, n: Any) -> None:
        self._dirty.add(n)
        attrs = G._node.get(n)
        if attrs is not None and _approved(attrs):
            self._nodes[n] = self._read(attrs)
            self._kind[n] = attrs.get("kind")
            self._labels[n] = str(attrs.get("label", n))
            if attrs.get("kind") == "person":
                self._persons.setdefault(n)
            else:
                self._persons.pop(n, None)
        else:
            for table in (self._nodes, self._kind, self._labels, self._persons):
                table.pop(n, None)

    def _unit(self, G: nx.MultiDiGraph, n: Any) -> Any:
        """The unit of ``n`` now, as ``graph.analysis._units`` finds it (None: no unit)."""
        kind = self._kind.get(n)
        if kind == "household" and n in self._kind:
            return n
        if kind != "person":
            return None
        home = None
        for h, kd in G._succ[n].items():
            if self._kind.get(h) == "household" and (home is None or h < home):
                for d in kd.values():
                    if d.get("kind") == "lives_in" and _approved(d):
                        home = h
                        break
        return n if home is None else home

    def _move(self, n: Any, unit: Any) -> None:
        old = self._unit_of.get(n)
        self._dirty.update((n, old, unit))  # units that come, go or change members
        if old is not None:
            self._unit_of.pop(n)
            self._members[old] -= 1
            if not self._members[old]:
                del self._members[old]
            if old != n:
                self._residents[old].discard(n)
                if not self._residents[old]:
                    del self._residents[old]
        if unit is not None:
            self._unit_of[n] = unit
            self._members[unit] = self._members.get(unit, 0) + 1
            if unit != n:
                self._residents.setdefault(unit, set()).add(n)

    # -- the public part -------------------------------------------------------------------

    def apply(self, G: nx.MultiDiGraph, nodes: Iterable[Any], ties: Iterable[Tie]) -> None:
        """Bring the flags up to date with ``G`` after ``nodes`` and ``ties`` changed in it.

        Parameters
        ----------
        G : MultiDiGraph
            The graph after the change (the one given to the constructor, changed in place,
            or an equal one).
        nodes : iterable of node ids
            Every node added, removed or whose attributes changed (its ties need not be
            named: a node removed takes the ties it had along).
        ties : iterable of (source, target, key)
            Every tie added, removed or changed, by its ends before and after the change.

        Notes
        -----
        O(d) in the ties at the changed nodes and at the persons whose unit changed.
        """
        nodes, ties = set(nodes), set(ties)
        for n in nodes:
            self._set_node(G, n)
        maybe_moved = set(nodes)
        for u, v, _ in ties:
            maybe_moved.update((u, v))
        for n in nodes:
            maybe_moved.update(self._residents.get(n, ()))
            if n in G:
                maybe_moved.update(G._pred[n])
        moved = set(nodes)
        for n in maybe_moved:
            unit = self._unit(G, n) if n in G else None
            if unit != self._unit_of.get(n):
                self._move(n, unit)
                moved.add(n)
        dirty = set(ties)
        for n in moved:
            dirty.update(self._at.get(n, ()))
            if n in G:
                dirty.update((n, v, k) for v, kd in G._succ[n].items() for k in kd)
                dirty.update((u, n, k) for u, kd in G._pred[n].items() for k in kd)
        # Every tie first taken back, then added again: what a changed node brings to a
        # key (a helper to a unit's supporters, an organiser to a group's) goes and comes
        # back, so the key is noted dirty and its flags worded again with the new label.
        for tie in dirty:
            self._take_back(tie)
        for tie in dirty:
            u, v, k = tie
            if u in self._kind:
                d = G._succ.get(u, {}).get(v, {}).get(k)
                if d is not None:
                    self._add(tie, d)
        if self._lists is None:
            self._dirty.clear()  # no flags asked for yet: all are made at the first ask

    def units(self) -> Units:
        """The analysis as the flags read it: the same sets and counts as
        ``graph.analysis.analyse`` gives, as live views in no particular order, and of each
        node only the attributes the flags read (the layout needs ``analyse``'s order and
        attributes; this is for :meth:`flags` and tests)."""
        sets, maps = self._sets, self._maps
        return Units(
            unit_of=self._unit_of,
            members=self._members,  # type: ignore[arg-type]  # only the units are read
            persons=self._persons.keys(),  # type: ignore[arg-type]
            labels=self._labels,
            nodes=self._nodes,
            **{name: sets[name].keys() for name in _SETS},  # type: ignore[arg-type]
            **{name: maps[name] for name in _MAPS},  # type: ignore[arg-type]
        )

    def flags(self, settings: Mapping[str, Any] | None = None) -> list[Flag]:
        """``graph.analysis.flags`` of the graph as of the last :meth:`apply`.

        The list is shared: read it, never change it. It is a new list when a flag changed
        since the last call with the same thresholds, else the same list again.

        Notes
        -----
        The first call O(n) in the units and persons, with no tie read; then O(d log f) in
        the d nodes the changes since touched and the f flags, plus one concatenation of
        the flag lists when a flag changed (``graph.live_flag_lists``).
        """
        merged = merged_settings(settings)
        limits = (
            merged["overload_households"],
            merged["overload_roles"],
            merged["overload_sole"],
        )
        U = self.units()
        dirty, self._dirty = self._dirty, set()
        if self._lists is None:
            self._lists = FlagLists(U, limits)
            dirty = set()
        return self._lists.flags(U, self._sole, dirty, limits)
