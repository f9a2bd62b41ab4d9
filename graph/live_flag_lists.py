"""The live flags' lists, kept per flag kind in node order and worded again node by node.

:class:`graph.live_flags.LiveFlags` notes, as it brings its counts up to date, every node
whose flags a change may have changed (its *dirty* nodes: a unit whose contact, supporters
or members changed, a person whose load, roles, sole-supporter count or participation
changed, a group whose organisers changed, any node changed itself). :class:`FlagLists`
keeps each kind's flags by node, in the order ``graph.analysis.flags`` lists them (by node
id), and words again only the dirty nodes' flags, each by the same rule as
``graph.analysis`` words it for every node; a kind none of whose flags changed keeps its
list. The thresholds of ``overloaded_person`` may differ from call to call: its flags are
kept per thresholds, for the few last asked for.

Node ids are strings, as a flag's ``node`` is: the order by id is the order of ``sorted``.
"""

from __future__ import annotations

from bisect import bisect_left
from collections.abc import Callable, Mapping
from typing import Any

from .analysis import _node_of, _overloaded, _person_flags, _unit_flags
from .flag import FLAG_KINDS, Flag
from .vocabulary import OLDER_AGE_BANDS, SUPPORT_CATEGORIES

__all__ = ["FlagLists"]

#: How many sets of thresholds keep their ``overloaded_person`` flags between calls.
KEPT_THRESHOLDS = 4

Limits = tuple[int, int, int]  # overload_households, overload_roles, overload_sole


# -- each kind's flag of one node, as graph.analysis words it ----------------------------


def _isolated(U, u: Any) -> Flag | None:
    if u in U.members and u not in U.contact:
        return Flag("isolated_household", u, U.labels[u], {"formal_care": u in U.formal})
    return None


def _single(U, u: Any) -> Flag | None:
    helpers = U.supporters.get(u)
    if helpers is not None and len(helpers) == 1 and u in U.contact:
        (helper,) = helpers
        details = {"supporter": helper, "supporter_label": U.labels[helper]}
        return Flag("single_supporter", u, U.labels[u], details)
    return None


def _winter(U, u: Any) -> Flag | None:
    summer_only = u in U.contact and u not in U.winter_contact
    snow_gap = u in U.snow_need and u not in U.snow_into
    if summer_only or snow_gap:
        details = {"summer_only": summer_only, "snow_gap": snow_gap}
        return Flag("winter_risk", u, U.labels[u], details)
    return None


def _infrequent(U, u: Any) -> Flag | None:
    if u in U.contact and u not in U.frequent_contact:
        return Flag("infrequent_contact", u, U.labels[u], {})
    return None


def _no_participation(U, n: Any) -> Flag | None:
    if n in U.persons and n not in U.participates:
        band = U.nodes[n].get("age_band")
        if band in OLDER_AGE_BANDS:
            return Flag("no_participation", n, U.labels[n], {"age_band": band})
    return None


def _succession(U, v: Any) -> Flag | None:
    organisers = U.organisers.get(v)
    if not organisers:
        return None
    persons = [p for p in organisers if U.nodes[p].get("kind") == "person"]
    if len(persons) != 1:
        return None
    (organiser,) = persons
    details = {"organiser": organiser, "organiser_label": U.labels[organiser]}
    return Flag("succession_risk", v, U.labels[v], details)


def _overloaded_one(U, sole: Mapping[Any, int], p: Any, limits: Limits) -> Flag | None:
    """``graph.analysis._overloaded`` for one node: a person at or over a threshold (with a
    threshold of 0 or less, every person is)."""
    if p not in U.persons:
        return None
    load, roles = len(U.load.get(p, ())), len(U.roles.get(p, ()))
    only = sole.get(p, 0)
    if load >= limits[0] or roles >= limits[1] or only >= limits[2]:
        details = {"load": load, "roles": roles, "sole": only}
        return Flag("overloaded_person", p, U.labels[p], details)
    return None


#: The kinds whose flags do not depend on the thresholds, with the rule of each.
_BY_NODE: dict[str, Callable[[Any, Any], Flag | None]] = {
    "isolated_household": _isolated,
    "single_supporter": _single,
    "winter_risk": _winter,
    "infrequent_contact": _infrequent,
    "no_participation": _no_participation,
    "succession_risk": _succession,
}


class _Kind:
    """The flags of one kind in node order: ``nodes`` sorted, ``found`` the flag of each
    (both changed in place, never handed out), ``version`` counting the changes."""

    __slots__ = ("found", "nodes", "version")

    def __init__(self, found: list[Flag]) -> None:
        self.found = found
        self.nodes = [f.node for f in found]
        self.version = 0

    def put(self, node: Any, flag: Flag | None) -> None:
        """``flag`` as the flag of ``node`` now (None: no flag)."""
        nodes = self.nodes
        i = bisect_left(nodes, node)
        here = i < len(nodes) and nodes[i] == node
        if flag is None:
            if here:
                del nodes[i], self.found[i]
                self.version += 1
        elif not here:
            nodes.insert(i, node)
            self.found.insert(i, flag)
            self.version += 1
        elif self.found[i] != flag:
            self.found[i] = flag
            self.version += 1


class _Overloads:
    """The ``overloaded_person`` flags for one set of thresholds, the nodes dirty since they
    were last brought up to date, and the last list of every flag given with them."""

    __slots__ = ("kind", "last", "pending")

    def __init__(self, found: list[Flag]) -> None:
        self.kind = _Kind(found)
        self.pending: set = set()
        self.last: tuple[tuple, list[Flag]] | None = None


class FlagLists:
    """Every flag of a :class:`graph.live_flags.LiveFlags`, kept per kind.

    Parameters
    ----------
    U : Units
        The live flags' :meth:`~graph.live_flags.LiveFlags.units` (live views).
    limits : tuple of int
        The first thresholds asked for (``overload_households``, ``overload_roles``,
        ``overload_sole``).

    Notes
    -----
    Made in O(n) by ``graph.analysis``'s own functions; :meth:`flags` then costs O(d log f)
    for the d dirty nodes and the f flags, plus one concatenation of the lists when a
    flag changed.
    """

    def __init__(self, U, limits: Limits) -> None:
        settings = dict(zip(_LIMIT_NAMES, limits, strict=True))
        by_kind = {**_unit_flags(U), **_person_flags(U, settings)}
        for name in ("no_participation", "succession_risk"):
            by_kind[name].sort(key=_node_of)
        self._kinds = {name: _Kind(by_kind[name]) for name in _BY_NODE}
        self._overloads = {limits: _Overloads(by_kind["overloaded_person"])}
        self._gap: tuple[tuple, list[Flag]] = ((), [])
        self._gap_version = 0

    def flags(self, U, sole: Mapping[Any, int], dirty: set, limits: Limits) -> list[Flag]:
        """Every flag, as ``graph.analysis.flags`` lists them, after the nodes ``dirty``
        (since the last call) may have changed; ``sole`` counts, per helper, the units it
        alone supports. The list is new when a flag changed, else the one given before
        (never changed afterwards)."""
        kinds = self._kinds
        dirty.discard(None)  # "no unit" (NetworkX has no node None)
        if dirty:
            for name, rule in _BY_NODE.items():
                put = kinds[name].put
                for n in dirty:
                    put(n, rule(U, n))
        kept = self._thresholds(U, dirty, limits)
        for n in kept.pending:
            kept.kind.put(n, _overloaded_one(U, sole, n, limits))
        kept.pending = set()
        gap = self._resource_gap(U)
        stamp = (*(kinds[name].version for name in _BY_NODE), kept.kind.version, gap)
        if kept.last is not None and kept.last[0] == stamp:
            return kept.last[1]
        lists = {name: kind.found for name, kind in kinds.items()}
        lists["overloaded_person"] = kept.kind.found
        lists["resource_gap"] = self._gap[1]
        found: list[Flag] = []
        for name in FLAG_KINDS:
            found += lists[name]
        kept.last = (stamp, found)
        return found

    def _thresholds(self, U, dirty: set, limits: Limits) -> _Overloads:
        """The overloads kept for ``limits`` (made afresh if none are), every kept set told
        of ``dirty``; only the last :data:`KEPT_THRESHOLDS` used are kept."""
        overloads = self._overloads
        for other in overloads.values():
            other.pending |= dirty
        kept = overloads.pop(limits, None)
        if kept is None:
            settings = dict(zip(_LIMIT_NAMES, limits, strict=True))
            kept = _Overloads(_overloaded(U, settings))
        overloads[limits] = kept  # the last used comes last
        while len(overloads) > KEPT_THRESHOLDS:
            del overloads[next(iter(overloads))]
        return kept

    def _resource_gap(self, U) -> int:
        """The ``resource_gap`` flags brought up to date (a handful of categories: checked
        on every call); the version of their list."""
        missing = tuple(c for c in SUPPORT_CATEGORIES if c not in U.kinds_present)
        if missing != self._gap[0] or not self._gap_version:
            found = [Flag("resource_gap", None, None, {"category": c}) for c in missing]
            self._gap = (missing, found)
            self._gap_version += 1
        return self._gap_version


_LIMIT_NAMES = ("overload_households", "overload_roles", "overload_sole")
