"""Flags (気づき) and what-if questions over a session graph: hints, never labels."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from .cold_flags import cold_flags
from .errors import NotFound, Problem
from .flag import DEFAULT_SETTINGS, FLAG_KINDS, INFREQUENT, Flag, merged_settings
from .model import is_active
from .vocabulary import (
    DIRECTED_SUPPORT,
    INFORMAL,
    OLDER_AGE_BANDS,
    PARTICIPATION,
    SUPPORT_CATEGORIES,
)

__all__ = [
    "DEFAULT_SETTINGS",
    "FLAG_KINDS",
    "INFREQUENT",
    "Flag",
    "Units",
    "analyse",
    "flags",
    "whatif",
]


@dataclass
class Units:
    """The structure every flag reads, computed in one pass over the approved graph.

    A unit is a household with the persons living in it, or a person living in no recorded
    household (identified by the person's id).
    """

    unit_of: dict[str, str]
    members: dict[str, list[str]]
    persons: list[str]
    labels: dict[str, str]
    contact: set[str]
    winter_contact: set[str]
    frequent_contact: set[str]
    supporters: dict[str, set[str]]
    formal: set[str]
    load: dict[str, set[str]]
    roles: dict[str, set[str]]
    organisers: dict[str, set[str]]
    participates: set[str]
    snow_into: set[str]
    snow_need: set[str]
    kinds_present: set[str]
    nodes: dict[str, Mapping[str, Any]]

    def isolated(self, unit: str, winter: bool = False) -> bool:
        """Whether ``unit`` has no outside contact (in winter: without not_in_winter ties)."""
        return unit not in (self.winter_contact if winter else self.contact)

    def label(self, node: str) -> str:
        """The label of ``node``."""
        return self.labels[node]


def analyse(G: nx.MultiDiGraph, exclude: frozenset[str] = frozenset()) -> Units:
    """Compute units, contacts, supporters and loads of the approved part of ``G``.

    Parameters
    ----------
    G : MultiDiGraph
        A session graph; pending and hidden elements (and ties of such nodes) are ignored.
    exclude : set of node ids
        Nodes treated as absent (used by :func:`whatif`).

    Returns
    -------
    Units

    Notes
    -----
    O(n + m): one pass over the nodes and one over the ties. No betweenness.
    """
    # Reads NetworkX's adjacency dicts directly, as its own algorithms do: the edge views
    # cost more than the whole analysis on a city-sized graph.
    nodes = {
        n: a
        for n, a in G._node.items()
        if a.get("status", "approved") == "approved" and n not in exclude
    }
    kind = {n: a.get("kind") for n, a in nodes.items()}
    unit_of, members, persons = _units(kind, G._pred)
    ties = _TieFacts()
    _read_ties(ties, kind, unit_of, nodes, G._succ)
    return Units(
        unit_of=unit_of,
        members=members,
        persons=persons,
        labels={n: str(a.get("label", n)) for n, a in nodes.items()},
        nodes=nodes,
        **{name: getattr(ties, name) for name in _TieFacts.__slots__},
    )


def _units(
    kind: Mapping[str, Any], pred: Mapping[str, Any]
) -> tuple[dict[str, str], dict[str, list[str]], list[str]]:
    """The unit of every household and person, each unit's members, and the persons.

    A person's unit is the (smallest id of the) household they live in, else themselves.
    Homes are read from the households' incoming ties: fewer than the persons' outgoing ones.
    """
    home: dict[str, str] = {}
    for h, k in kind.items():
        if k != "household":
            continue
        for p, kd in pred[h].items():
            if kind.get(p) == "person" and (p not in home or h < home[p]):
                for d in kd.values():
                    if d.get("kind") == "lives_in" and d.get("status", "approved") == "approved":
                        home[p] = h
                        break
    unit_of: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    persons: list[str] = []
    for n, k in kind.items():
        if k == "household":
            unit_of[n] = n
            members.setdefault(n, []).insert(0, n)
        elif k == "person":
            unit = home.get(n, n)
            persons.append(n)
            unit_of[n] = unit
            members.setdefault(unit, []).append(n)
    return unit_of, members, persons


class _TieFacts:
    """What the ties say about the units, gathered in one pass (see :func:`_read_ties`)."""

    __slots__ = (
        "contact",
        "winter_contact",
        "frequent_contact",
        "supporters",
        "formal",
        "load",
        "roles",
        "organisers",
        "participates",
        "snow_into",
        "snow_need",
        "kinds_present",
    )

    def __init__(self) -> None:
        for name in ("contact", "winter_contact", "frequent_contact", "formal"):
            setattr(self, name, set())
        for name in ("participates", "snow_into", "snow_need", "kinds_present"):
            setattr(self, name, set())
        for name in ("supporters", "load", "roles", "organisers"):
            setattr(self, name, defaultdict(set))


#: What each tie kind means to the analysis: 1 directed support, 2 participation, 3 mutual
#: support (these three reach outside the unit), 4 formal care, 5 a need.
_CODES = {
    **{k: 1 for k in DIRECTED_SUPPORT},
    **{k: 2 for k in PARTICIPATION},
    **{k: 3 for k in INFORMAL - DIRECTED_SUPPORT},
    "care": 4,
    "has_need": 5,
}


def _read_ties(
    facts: _TieFacts,
    kind: Mapping[str, Any],
    unit_of: Mapping[str, str],
    nodes: Mapping[str, Mapping[str, Any]],
    succ: Mapping[str, Any],
) -> None:
    """One pass over the approved ties between approved nodes, filling ``facts``.

    The hottest loop of every screen, kept to a few dict reads per tie: the tie kind becomes
    a small code once, and an outside contact is one bit mask per unit (1 contact, 2 also in
    winter, 4 also weekly or more often), turned into the three sets at the end.
    """
    codes, infrequent = _CODES, INFREQUENT
    mask: dict[str, int] = {}
    supporters, load, present = facts.supporters, facts.load, facts.kinds_present
    for u, ku in kind.items():
        nbrs = succ[u]
        if not nbrs:
            continue
        uu = unit_of.get(u)
        u_counts = ku != "institution"
        u_bits = 0  # the contacts of u's own unit, written once after its ties
        for v, kd in nbrs.items():
            kv = kind.get(v)
            if kv is None:
                continue
            uv = unit_of.get(v)
            outside = uu != uv
            for d in kd.values():
                code = codes.get(d.get("kind"))
                if code is None:
                    continue
                status = d.get("status")
                if status is not None and status != "approved":
                    continue
                if code <= 3:
                    if outside:
                        # A member meets as often as the group or activity meets.
                        often = d.get("frequency") or (code == 2 and nodes[v].get("frequency"))
                        bits = (1 if d.get("season") == "not_in_winter" else 3) | (
                            0 if often in infrequent else 4
                        )
                        if kv != "institution":
                            u_bits |= bits
                        if uv is not None and u_counts:
                            mask[uv] = mask.get(uv, 0) | bits
                    if code == 1:
                        k = d["kind"]
                        present.add(k)
                        if uv is not None and outside and u_counts:
                            supporters[uv].add(u)
                            if ku == "person":
                                load[u].add(uv)
                        if k == "snow" and uv is not None:
                            facts.snow_into.add(uv)
                    elif code == 2:
                        facts.participates.add(u)
                        if d["kind"] == "role":
                            facts.roles[u].add(v)
                            facts.organisers[v].add(u)
                    elif outside:  # talk, kin: support either way
                        if uv is not None and u_counts:
                            supporters[uv].add(u)
                        if uu is not None and kv != "institution":
                            supporters[uu].add(v)
                elif code == 4:
                    if uv is not None:
                        facts.formal.add(uv)
                elif uu is not None and nodes[v].get("category") == "snow":
                    facts.snow_need.add(uu)
        if u_bits and uu is not None:
            mask[uu] = mask.get(uu, 0) | u_bits
    facts.contact.update(mask)
    facts.winter_contact.update(unit for unit, m in mask.items() if m & 2)
    facts.frequent_contact.update(unit for unit, m in mask.items() if m & 4)


def _node_of(flag: Flag) -> str:
    return flag.node or ""


def _unit_flags(U: Units) -> dict[str, list[Flag]]:
    """The flags of the units, each kind by unit id: set operations pick the units flagged,
    so the loops run over the flags found rather than over every unit."""
    labels, contact, formal = U.labels, U.contact, U.formal
    out: dict[str, list[Flag]] = {
        "isolated_household": [
            Flag("isolated_household", unit, labels[unit], {"formal_care": unit in formal})
            for unit in sorted(U.members.keys() - contact)
        ],
        "infrequent_contact": [
            Flag("infrequent_contact", unit, labels[unit], {})
            for unit in sorted(contact - U.frequent_contact)
        ],
    }
    single = {u: h for u, h in U.supporters.items() if len(h) == 1 and u in contact}
    out["single_supporter"] = []
    for unit in sorted(single):
        (helper,) = single[unit]
        details = {"supporter": helper, "supporter_label": labels[helper]}
        out["single_supporter"].append(Flag("single_supporter", unit, labels[unit], details))
    summer_only, snow_gaps = contact - U.winter_contact, U.snow_need - U.snow_into
    out["winter_risk"] = [
        Flag(
            "winter_risk",
            u,
            labels[u],
            {"summer_only": u in summer_only, "snow_gap": u in snow_gaps},
        )
        for u in sorted(summer_only | snow_gaps)
    ]
    return out


def _overloaded(U: Units, limits: dict[str, int]) -> list[Flag]:
    """Persons at or over a load, roles or sole-supporter threshold, by id."""
    sole: dict[str, int] = defaultdict(int)
    for helpers in U.supporters.values():
        if len(helpers) == 1:
            for helper in helpers:
                sole[helper] += 1
    max_load, max_roles, max_sole = (
        limits["overload_households"],
        limits["overload_roles"],
        limits["overload_sole"],
    )
    if min(max_load, max_roles, max_sole) <= 0:
        candidates: Any = sorted(U.persons)  # a threshold of 0 flags everyone
    else:
        candidates = {p for p, s in U.load.items() if len(s) >= max_load}
        candidates.update(p for p, s in U.roles.items() if len(s) >= max_roles)
        candidates.update(p for p, n in sole.items() if n >= max_sole)
        candidates = sorted(p for p in candidates if U.nodes[p].get("kind") == "person")
    out = []
    for node in candidates:
        load = len(U.load.get(node, ()))
        roles = len(U.roles.get(node, ()))
        only = sole.get(node, 0)
        if load >= max_load or roles >= max_roles or only >= max_sole:
            details = {"load": load, "roles": roles, "sole": only}
            out.append(Flag("overloaded_person", node, U.labels[node], details))
    return out


def _person_flags(U: Units, limits: dict[str, int]) -> dict[str, list[Flag]]:
    labels, nodes, older, participates = U.labels, U.nodes, OLDER_AGE_BANDS, U.participates
    out: dict[str, list[Flag]] = {"overloaded_person": _overloaded(U, limits)}
    out["no_participation"] = [
        Flag("no_participation", node, labels[node], {"age_band": band})
        for node in U.persons
        if (band := nodes[node].get("age_band")) in older and node not in participates
    ]
    succession = []
    for node, organisers in U.organisers.items():
        persons = [p for p in organisers if nodes[p].get("kind") == "person"]
        if len(persons) == 1:
            (organiser,) = persons
            details = {"organiser": organiser, "organiser_label": labels[organiser]}
            succession.append(Flag("succession_risk", node, labels[node], details))
    out["succession_risk"] = succession
    return out


def flags(
    G: nx.MultiDiGraph,
    settings: Mapping[str, Any] | None = None,
    units: Units | None = None,
) -> list[Flag]:
    """Every flag of the approved part of ``G``, by flag kind then node.

    Parameters
    ----------
    G : MultiDiGraph
        A session graph.
    settings : mapping, optional
        Thresholds ``overload_households`` (5), ``overload_roles`` (3), ``overload_sole`` (2).
    units : Units, optional
        ``analyse(G)`` when the caller already has it (the tree view does); without it the
        flags are found from scratch by :func:`graph.cold_flags.cold_flags`, which reads
        each tie once and builds only what the flags read.

    Returns
    -------
    list of Flag

    Examples
    --------
    >>> from graph.model import build_graph
    >>> G = build_graph([{"id": "h1", "kind": "household", "label": "佐藤さん宅"}], [])
    >>> [(f.flag, f.node) for f in flags(G)][:1]
    [('isolated_household', 'h1')]
    >>> print(flags(G)[0].reason_ja)
    佐藤さん宅には、世帯の外との支え合いや参加のつながりがまだ見えていません。

    Notes
    -----
    O(n + m) in nodes and ties; the city benchmark (30,000 nodes, 80,000 ties) is in the README.
    """
    if units is None:
        return cold_flags(G, settings)
    U = units
    by_kind = {**_unit_flags(U), **_person_flags(U, merged_settings(settings))}
    by_kind["resource_gap"] = [
        Flag("resource_gap", None, None, {"category": category})
        for category in SUPPORT_CATEGORIES
        if category not in U.kinds_present
    ]
    for name in ("no_participation", "succession_risk"):
        by_kind[name].sort(key=_node_of)
    return [f for name in FLAG_KINDS for f in by_kind[name]]


def whatif(G: nx.MultiDiGraph, person: str) -> list[dict[str, Any]]:
    """The units that would become isolated, or lose their only supporter, without ``person``.

    Parameters
    ----------
    G : MultiDiGraph
    person : str
        The id of an approved person node ("what if this helper is in hospital?").

    Returns
    -------
    list of dict
        ``{"unit", "label", "effect"}`` with effect ``"isolated"`` (no outside contact left) or
        ``"no_supporter"`` (still has contact, but nobody supports it any more), by unit id.

    Raises
    ------
    NotFound
        If ``person`` is not an approved person of ``G``.

    Examples
    --------
    >>> from graph.model import build_graph
    >>> G = build_graph(
    ...     [{"id": "p1", "kind": "person", "label": "佐藤"},
    ...      {"id": "h1", "kind": "household", "label": "鈴木さん宅"}],
    ...     [{"source": "p1", "target": "h1", "kind": "snow"}])
    >>> whatif(G, "p1")
    [{'unit': 'h1', 'label': '鈴木さん宅', 'effect': 'isolated'}]

    Notes
    -----
    Two passes of :func:`analyse`, O(n + m).
    """
    if (
        person not in G
        or G.nodes[person].get("kind") != "person"
        or not is_active(G.nodes[person])
    ):
        raise NotFound(
            Problem(
                "",
                f"{person!r} という人は見つかりません",
                f"no approved person with id {person!r}",
            )
        )
    before = analyse(G)
    after = analyse(G, exclude=frozenset({person}))
    out = []
    for unit in sorted(before.members):
        if unit == person or unit not in after.members:
            continue
        if not before.isolated(unit) and after.isolated(unit):
            effect = "isolated"
        elif before.supporters.get(unit) and not after.supporters.get(unit):
            effect = "no_supporter"
        else:
            continue
        out.append({"unit": unit, "label": before.label(unit), "effect": effect})
    return out
