"""Flags from scratch in one read of each tie, building only what a flag rule reads.

:func:`graph.analysis.analyse` gathers everything the layout, the tree view and what-if
read: every unit's members, a set of supporters per unit, every label, each person's home
found in a pass of its own over the households' ties. The flags need less, so
:func:`cold_flags` reads each tie once, persons first — a person's home is among their own
ties, so every home is known once the persons are read, and only the ties whose unit
cannot be told before (to another person, or the other ties to one's home) wait for it —
keeps a first supporter per unit and the units with more than one instead of sets, and
looks up the labels of the flagged nodes only. The rules are ``graph.analysis._units`` and
``_read_ties`` tie by tie; ``tests/graph/test_cold_flags_oracle.py`` checks the flags
against the plain reference on random graphs.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from itertools import compress, repeat
from operator import eq, ne
from typing import Any

import networkx as nx

from .flag import FLAG_KINDS, INFREQUENT, Flag, merged_settings
from .vocabulary import DIRECTED_SUPPORT, INFORMAL, OLDER_AGE_BANDS, SUPPORT_CATEGORIES

__all__ = ["cold_flags"]

#: Tie kinds as small codes, ordered so that one comparison picks a branch: 1 member and
#: 2 role (participation), 3 directed support, 4 snow, 5 talk and kin (these five reach
#: outside the unit), 6 formal care, 7 a need, 8 lives_in (a person's home).
_CODES = {
    "member": 1,
    "role": 2,
    **{k: 3 for k in DIRECTED_SUPPORT - {"snow"}},
    "snow": 4,
    **{k: 5 for k in INFORMAL - DIRECTED_SUPPORT},
    "care": 6,
    "has_need": 7,
    "lives_in": 8,
}


class _Facts:
    """What the ties say, in the form the flag rules read it.

    Every supporter kept in ``first`` and organiser in ``organiser`` is the graph's own node
    key (``canon``), so that "another supporter" is told by identity, without comparing
    strings.
    """

    __slots__ = (
        "kind",
        "canon",
        "home",
        "later",
        "mask",
        "first",
        "many",
        "load",
        "roles",
        "organiser",
        "organisers",
        "participates",
        "snow_into",
        "snow_need",
        "formal",
        "present",
    )

    def __init__(self, kind: dict[Any, Any]) -> None:
        self.kind = kind  # approved node → its kind
        self.canon: dict[Any, Any] | None = None  # node → the graph's key, made when needed
        self.home: dict[Any, Any] = {}  # person → the smallest household they live in
        self.later: list[tuple] = []  # (u, v, keyed ties) read once every home is known
        self.mask: dict[Any, int] = {}  # unit → 1 contact | 2 also in winter | 4 also weekly
        self.first: dict[Any, Any] = {}  # unit → its first supporter
        self.many: set = set()  # units with more than one supporter
        self.load: dict[Any, set] = {}  # person → the units they support
        self.roles: dict[Any, set] = {}  # node → the groups or activities it organises
        self.organiser: dict[Any, Any] = {}  # group or activity → its first person organiser
        self.organisers: set = set()  # … with more than one person organiser
        self.participates: set = set()
        self.snow_into: set = set()
        self.snow_need: set = set()
        self.formal: set = set()
        self.present: set = set()  # directed support kinds seen

    def key(self, n: Any) -> Any:
        """The graph's own key of node ``n`` (an equal string may be another object)."""
        if self.canon is None:
            self.canon = dict(zip(self.kind, self.kind, strict=True))
        return self.canon[n]


def _lives_in(keyed: Mapping[Any, Mapping[str, Any]]) -> bool:
    """Whether one of ``keyed`` is an approved ``lives_in`` tie (as ``analysis._units``)."""
    return any(
        d.get("kind") == "lives_in" and d.get("status", "approved") == "approved"
        for d in keyed.values()
    )


def _from_persons(facts: _Facts, persons: list, node, succ) -> None:
    """The ties from persons and their homes (the hot loop): a tie to a household not one's
    home or to a node of no unit reaches outside; the rest wait in ``facts.later``."""
    codes, infrequent, kind_get, later = _CODES, INFREQUENT, facts.kind.get, facts.later
    mask, first, home_of, load = facts.mask, facts.first, facts.home, facts.load
    mask_get, first_set, many_add = mask.get, first.setdefault, facts.many.add
    takes_part, present_add, snow_into_add = (
        facts.participates.add,
        facts.present.add,
        facts.snow_into.add,
    )
    for u in persons:
        nbrs = succ[u]
        if not nbrs:
            continue
        u_bits = 0  # the contacts of u's own unit
        helped, home, extra = set(), None, None  # the units u supports
        for v, kd in nbrs.items():
            kv = kind_get(v)
            if kv == "household":
                uv = v
                if len(kd) > 1 and _lives_in(kd):
                    if home is None or v < home:
                        home = v
                    later.append((u, v, kd))
                    continue
            elif kv == "person" or kv is None:
                if kv is not None:
                    later.append((u, v, kd))
                continue
            else:
                uv = None
            for d in kd.values():
                try:
                    code = codes[d["kind"]]
                except KeyError:  # no kind, or one that no flag reads
                    continue
                if "status" in d and (s := d["status"]) is not None and s != "approved":
                    continue
                if code <= 5:
                    often = d.get("frequency") or (code <= 2 and node[v].get("frequency"))
                    bits = (1 if "season" in d and d["season"] == "not_in_winter" else 3) | (
                        0 if often in infrequent else 4
                    )
                    if kv != "institution":
                        u_bits |= bits
                    if uv is not None:
                        mask[uv] = mask_get(uv, 0) | bits
                    if code <= 2:
                        takes_part(u)
                        if code == 2:
                            extra = [*(extra or ()), (code, v)]
                    elif code <= 4:
                        present_add(d["kind"])
                        if uv is not None:
                            if code == 4:
                                snow_into_add(uv)
                            if first_set(uv, u) is not u:
                                many_add(uv)
                            helped.add(uv)
                    else:  # talk, kin: support either way
                        if uv is not None and first_set(uv, u) is not u:
                            many_add(uv)
                        if kv != "institution":
                            extra = [*(extra or ()), (code, v)]
                elif code == 8:
                    if uv is not None and d.get("status", "approved") == "approved":
                        if home is None or v < home:  # lives_in: the smallest is u's home
                            home = v
                elif code == 6 or node[v].get("category") == "snow":
                    extra = [*(extra or ()), (code, uv)]
        if home is not None:
            home_of[u] = home
        uu = u if home is None else home
        if u_bits:
            mask[uu] = mask_get(uu, 0) | u_bits
        if helped:
            load[u] = helped
        if extra is not None:
            _extra(facts, u, uu, extra)


def _extra(facts: _Facts, u: Any, uu: Any, extra: list[tuple]) -> None:
    """The rarer facts of person ``u`` (of unit ``uu``) from ``_from_persons``: groups or
    activities organised, nodes supporting ``u``'s unit, formal care, a snow need."""
    for code, n in extra:
        if code == 2:
            facts.roles.setdefault(u, set()).add(n)
            if facts.organiser.setdefault(n, u) is not u:
                facts.organisers.add(n)
        elif code == 5:
            helper = facts.key(n)
            if facts.first.setdefault(uu, helper) is not helper:
                facts.many.add(uu)
        elif code == 6:
            if n is not None:
                facts.formal.add(n)
        else:
            facts.snow_need.add(uu)


def _from_pairs(facts: _Facts, pairs: Iterable[tuple], node) -> None:
    """The ties ``(u, v, keyed)`` from approved nodes ``u``, once every home is known: the
    rules of ``graph.analysis._read_ties`` as they stand, for the ties of non-persons and
    those ``_from_persons`` left for later."""
    kind, codes, infrequent, home_get = facts.kind, _CODES, INFREQUENT, facts.home.get
    mask, first_set, many_add, key = facts.mask, facts.first.setdefault, facts.many.add, facts.key
    kind_get, mask_get = kind.get, mask.get
    for u, v, kd in pairs:
        kv = kind_get(v)
        if kv is None:
            continue
        ku = kind[u]
        uu = u if ku == "household" else home_get(u, u) if ku == "person" else None
        uv = v if kv == "household" else home_get(v, v) if kv == "person" else None
        outside, u_counts = uu != uv, ku != "institution"
        for d in kd.values():
            code, status = codes.get(d.get("kind")), d.get("status")
            if code is None or code == 8 or (status is not None and status != "approved"):
                continue
            if code <= 5:
                if outside:
                    often = d.get("frequency") or (code <= 2 and node[v].get("frequency"))
                    bits = (1 if "season" in d and d["season"] == "not_in_winter" else 3) | (
                        0 if often in infrequent else 4
                    )
                    if uu is not None and kv != "institution":
                        mask[uu] = mask_get(uu, 0) | bits
                    if uv is not None and u_counts:
                        mask[uv] = mask_get(uv, 0) | bits
                if code <= 2:
                    facts.participates.add(u)
                    if code == 2:
                        facts.roles.setdefault(u, set()).add(v)
                        if ku == "person" and facts.organiser.setdefault(v, u) is not u:
                            facts.organisers.add(v)
                elif code <= 4:
                    facts.present.add(d["kind"])
                    if uv is not None:
                        if code == 4:
                            facts.snow_into.add(uv)
                        if outside and u_counts:
                            if first_set(uv, u) is not u:
                                many_add(uv)
                            if ku == "person":
                                facts.load.setdefault(u, set()).add(uv)
                elif outside:  # talk, kin: support either way
                    if uv is not None and u_counts and first_set(uv, u) is not u:
                        many_add(uv)
                    if uu is not None and kv != "institution":
                        helper = key(v)
                        if first_set(uu, helper) is not helper:
                            many_add(uu)
            elif code == 6:
                if uv is not None:
                    facts.formal.add(uv)
            elif uu is not None and node[v].get("category") == "snow":
                facts.snow_need.add(uu)


def cold_flags(G: nx.MultiDiGraph, settings: Mapping[str, Any] | None = None) -> list[Flag]:
    """``graph.analysis.flags(G, settings)`` from scratch: the same flags, in the same order.

    Notes
    -----
    O(n + m), each tie read once; the city benchmark is in the README (``bench/flags.py``).
    """
    node, succ = G._node, G._succ
    kind = {
        n: a.get("kind") for n, a in node.items() if "status" not in a or a["status"] == "approved"
    }
    kinds = kind.values()  # the kinds picked below without a Python loop over the nodes
    persons = list(compress(kind, map(eq, kinds, repeat("person"))))
    facts = _Facts(kind)
    _from_persons(facts, persons, node, succ)
    sources = filter(succ.__getitem__, compress(kind, map(ne, kinds, repeat("person"))))
    _from_pairs(facts, ((u, v, kd) for u in sources for v, kd in succ[u].items()), node)
    _from_pairs(facts, facts.later, node)
    units = set(compress(kind, map(eq, kinds, repeat("household"))))
    units.update(set(persons).difference(facts.home))
    found = _unit_flags(facts, units, node)
    found.append(_overloaded(facts, persons, node, merged_settings(settings)))
    found.extend(_person_flags(facts, persons, node))
    found.append(
        [
            Flag("resource_gap", None, None, {"category": category})
            for category in SUPPORT_CATEGORIES
            if category not in facts.present
        ]
    )
    by_kind = dict(zip(_ORDER, found, strict=True))
    return [f for name in FLAG_KINDS for f in by_kind[name]]


#: The order in which the helpers below give their lists of flags.
_ORDER = (
    "isolated_household",
    "infrequent_contact",
    "single_supporter",
    "winter_risk",
    "overloaded_person",
    "no_participation",
    "succession_risk",
    "resource_gap",
)


def _unit_flags(facts: _Facts, units: set, node) -> list[list[Flag]]:
    """isolated_household, infrequent_contact, single_supporter and winter_risk, by unit."""
    mask, formal, first, many = facts.mask, facts.formal, facts.first, facts.many
    out = [
        [
            Flag(
                "isolated_household", u, str(node[u].get("label", u)), {"formal_care": u in formal}
            )
            for u in sorted(units - mask.keys())
        ],
        [
            Flag("infrequent_contact", u, str(node[u].get("label", u)), {})
            for u in sorted([u for u, m in mask.items() if not m & 4])
        ],
    ]
    single = []
    for u in sorted([u for u in first.keys() - many if u in mask]):
        helper = first[u]
        details = {"supporter": helper, "supporter_label": str(node[helper].get("label", helper))}
        single.append(Flag("single_supporter", u, str(node[u].get("label", u)), details))
    out.append(single)
    summer_only = {u for u, m in mask.items() if not m & 2}
    snow_gaps = facts.snow_need - facts.snow_into
    winter = []
    for u in sorted(summer_only | snow_gaps):
        details = {"summer_only": u in summer_only, "snow_gap": u in snow_gaps}
        winter.append(Flag("winter_risk", u, str(node[u].get("label", u)), details))
    out.append(winter)
    return out


def _overloaded(facts: _Facts, persons: list, node, limits: dict[str, int]) -> list[Flag]:
    """Persons at or over a load, roles or sole-supporter threshold, by id."""
    first, many, load, roles, kind = facts.first, facts.many, facts.load, facts.roles, facts.kind
    sole = Counter([first[u] for u in first.keys() - many])
    max_load, max_roles, max_sole = (
        limits["overload_households"],
        limits["overload_roles"],
        limits["overload_sole"],
    )
    if min(max_load, max_roles, max_sole) <= 0:
        candidates: Any = sorted(persons)  # a threshold of 0 flags everyone
    else:
        candidates = {p for p, s in load.items() if len(s) >= max_load}
        candidates.update(p for p, s in roles.items() if len(s) >= max_roles)
        candidates.update(p for p, n in sole.items() if n >= max_sole)
        candidates = sorted(p for p in candidates if kind[p] == "person")
    out = []
    for p in candidates:
        n_load, n_roles, only = len(load.get(p, ())), len(roles.get(p, ())), sole.get(p, 0)
        if n_load >= max_load or n_roles >= max_roles or only >= max_sole:
            details = {"load": n_load, "roles": n_roles, "sole": only}
            out.append(Flag("overloaded_person", p, str(node[p].get("label", p)), details))
    return out


def _person_flags(facts: _Facts, persons: list, node) -> list[list[Flag]]:
    """no_participation and succession_risk, by node."""
    older, participates = OLDER_AGE_BANDS, facts.participates
    idle = sorted(
        [p for p in persons if p not in participates and node[p].get("age_band") in older]
    )
    out: list[list[Flag]] = [[]]
    for p in idle:
        a = node[p]
        out[0].append(
            Flag("no_participation", p, str(a.get("label", p)), {"age_band": a["age_band"]})
        )
    organiser, organisers = facts.organiser, facts.organisers
    succession = []
    for g in sorted(organiser.keys() - organisers):
        p = organiser[g]
        details = {"organiser": p, "organiser_label": str(node[p].get("label", p))}
        succession.append(Flag("succession_risk", g, str(node[g].get("label", g)), details))
    out.append(succession)
    return out
