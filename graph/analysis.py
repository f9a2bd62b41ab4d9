"""Flags (気づき) and what-if questions over a session graph: hints, never labels."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .errors import NotFound, Problem
from .model import is_active
from .vocabulary import (
    DIRECTED_SUPPORT,
    INFORMAL,
    OLDER_AGE_BANDS,
    PARTICIPATION,
    SUPPORT_CATEGORIES,
    TIE_KINDS,
)

__all__ = [
    "DEFAULT_SETTINGS",
    "FLAG_KINDS",
    "Flag",
    "Units",
    "analyse",
    "flags",
    "whatif",
]

#: Per-session thresholds of the structural flags (DESIGN.md §4 gives no published numbers).
DEFAULT_SETTINGS: dict[str, int] = {
    "overload_households": 5,
    "overload_roles": 3,
    "overload_sole": 2,
}

#: Flag ids with their Japanese and English titles, in the order they are listed.
FLAG_KINDS: dict[str, tuple[str, str]] = {
    "isolated_household": ("つながり要確認", "Connections to check"),
    "single_supporter": ("支え手が1人だけ", "A single supporter"),
    "winter_risk": ("冬の孤立リスク", "Winter isolation risk"),
    "overloaded_person": ("担い手集中", "Helper carrying a heavy load"),
    "no_participation": ("参加の場なし", "No place to take part"),
    "succession_risk": ("後継リスク", "Succession risk"),
    "resource_gap": ("資源の空白", "Resource gap"),
}

_HONORIFICS = ("さん", "様", "さま", "氏", "宅", "家", "ちゃん", "くん", "君")


@dataclass(frozen=True)
class Flag:
    """A prompt for follow-up about one node (or the whole session when ``node`` is None)."""

    flag: str
    node: str | None
    label: str | None
    reason_ja: str
    reason_en: str
    category: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict, compare=False)

    def to_dict(self, lang: str = "ja") -> dict[str, Any]:
        """The JSON form: ``flag``, ``node``, ``label``, ``reason`` (in ``lang``), both reasons."""
        data = {
            "flag": self.flag,
            "title": FLAG_KINDS[self.flag][0 if lang == "ja" else 1],
            "node": self.node,
            "label": self.label,
            "reason": self.reason_ja if lang == "ja" else self.reason_en,
            "reason_ja": self.reason_ja,
            "reason_en": self.reason_en,
            **dict(self.details),
        }
        if self.flag == "resource_gap":
            data["category"] = self.category
        return data


@dataclass
class Units:
    """The structure every flag reads, computed in one pass over the approved graph.

    A unit is a household with the persons living in it, or a person living in no recorded
    household (identified by the person's id).
    """

    unit_of: dict[str, str]
    members: dict[str, list[str]]
    contact: dict[str, int]
    winter_contact: dict[str, int]
    supporters: dict[str, set[str]]
    formal: dict[str, int]
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
        return not (self.winter_contact if winter else self.contact).get(unit)

    def label(self, node: str) -> str:
        """The label of ``node``."""
        return str(self.nodes[node].get("label", node))


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
    O(n + m): one pass over the nodes and two over the ties. No betweenness.
    """
    nodes = {n: a for n, a in G.nodes(data=True) if n not in exclude and is_active(a)}
    kind = {n: a.get("kind") for n, a in nodes.items()}
    ties = [
        (u, v, d) for u, v, d in G.edges(data=True) if u in nodes and v in nodes and is_active(d)
    ]

    home: dict[str, str] = {}
    for u, v, d in ties:
        if d.get("kind") == "lives_in" and kind[v] == "household":
            if u not in home or v < home[u]:
                home[u] = v
    unit_of: dict[str, str] = {}
    members: dict[str, list[str]] = {}
    for n, k in kind.items():
        if k == "household":
            unit_of[n] = n
            members.setdefault(n, []).insert(0, n)
        elif k == "person":
            unit = home.get(n, n)
            unit_of[n] = unit
            members.setdefault(unit, []).append(n)

    contact: dict[str, int] = defaultdict(int)
    winter_contact: dict[str, int] = defaultdict(int)
    supporters: dict[str, set[str]] = defaultdict(set)
    formal: dict[str, int] = defaultdict(int)
    load: dict[str, set[str]] = defaultdict(set)
    roles: dict[str, set[str]] = defaultdict(set)
    organisers: dict[str, set[str]] = defaultdict(set)
    participates: set[str] = set()
    snow_into: set[str] = set()
    snow_need: set[str] = set()
    kinds_present: set[str] = set()

    for u, v, d in ties:
        k = d.get("kind")
        kinds_present.add(k)
        uu, uv = unit_of.get(u), unit_of.get(v)
        if k in INFORMAL or k in PARTICIPATION:
            summer_only = d.get("season") == "not_in_winter"
            for unit, other, other_unit in ((uu, v, uv), (uv, u, uu)):
                if unit is not None and other_unit != unit and kind[other] != "institution":
                    contact[unit] += 1
                    if not summer_only:
                        winter_contact[unit] += 1
            if k in PARTICIPATION:
                participates.add(u)
                if k == "role":
                    roles[u].add(v)
                    organisers[v].add(u)
            elif k in DIRECTED_SUPPORT:
                if uv is not None and uu != uv and kind[u] != "institution":
                    supporters[uv].add(u)
                    if kind[u] == "person":
                        load[u].add(uv)
            else:  # MUTUAL: either way
                if uv is not None and uu != uv and kind[u] != "institution":
                    supporters[uv].add(u)
                if uu is not None and uu != uv and kind[v] != "institution":
                    supporters[uu].add(v)
        elif k == "care" and uv is not None:
            formal[uv] += 1
        elif k == "has_need" and uu is not None and nodes[v].get("category") == "snow":
            snow_need.add(uu)
        if k == "snow" and uv is not None:
            snow_into.add(uv)
    return Units(
        unit_of=unit_of,
        members=members,
        contact=contact,
        winter_contact=winter_contact,
        supporters=supporters,
        formal=formal,
        load=load,
        roles=roles,
        organisers=organisers,
        participates=participates,
        snow_into=snow_into,
        snow_need=snow_need,
        kinds_present=kinds_present,
        nodes=nodes,
    )


def _san(label: str) -> str:
    """「佐藤」→「佐藤さん」; labels that already carry an honorific stay as they are."""
    return label if label.endswith(_HONORIFICS) else f"{label}さん"


def _settings(settings: Mapping[str, Any] | None) -> dict[str, int]:
    merged = dict(DEFAULT_SETTINGS)
    for key, value in (settings or {}).items():
        if key in merged:
            merged[key] = int(value)
    return merged


def _unit_flags(U: Units) -> list[Flag]:
    out: list[Flag] = []
    for unit in U.members:
        name = _san(U.label(unit))
        isolated = U.isolated(unit)
        helpers = U.supporters.get(unit, set())
        if isolated:
            care = U.formal.get(unit, 0)
            out.append(
                Flag(
                    "isolated_household",
                    unit,
                    U.label(unit),
                    f"{name}には、世帯の外との支え合いや参加のつながりがまだ見えていません"
                    + ("（専門職の支援のみ）。" if care else "。"),
                    f"No informal support, group membership or role from outside the "
                    f"household is recorded for {U.label(unit)}"
                    + (" (formal care only)." if care else "."),
                )
            )
        elif len(helpers) == 1:
            (helper,) = helpers
            out.append(
                Flag(
                    "single_supporter",
                    unit,
                    U.label(unit),
                    f"{name}を支えているのは{_san(U.label(helper))}だけです。",
                    f"{U.label(unit)} is supported by {U.label(helper)} alone.",
                    details={"supporter": helper},
                )
            )
        summer_only = not isolated and U.isolated(unit, winter=True)
        snow_gap = unit in U.snow_need and unit not in U.snow_into
        if summer_only or snow_gap:
            ja, en = [], []
            if summer_only:
                ja.append(
                    f"冬になると{name}の外とのつながりが途切れます（雪のない季節だけのつながりです）"
                )
                en.append(f"{U.label(unit)} loses every outside contact in winter")
            if snow_gap:
                ja.append(f"{name}には雪の困りごとがありますが、除雪のつながりがありません")
                en.append(f"{U.label(unit)} has a snow need but no snow-clearing tie")
            out.append(
                Flag(
                    "winter_risk",
                    unit,
                    U.label(unit),
                    "。".join(ja) + "。",
                    "; ".join(en) + ".",
                    details={"summer_only": summer_only, "snow_gap": snow_gap},
                )
            )
    return out


def _person_flags(U: Units, limits: dict[str, int]) -> list[Flag]:
    out: list[Flag] = []
    sole: dict[str, int] = defaultdict(int)
    for unit in U.members:
        helpers = U.supporters.get(unit)
        if helpers and len(helpers) == 1:
            sole[next(iter(helpers))] += 1
    for node, attrs in U.nodes.items():
        if attrs.get("kind") != "person":
            continue
        load = len(U.load.get(node, ()))
        roles = len(U.roles.get(node, ()))
        only = sole.get(node, 0)
        name = _san(U.label(node))
        if (
            load >= limits["overload_households"]
            or roles >= limits["overload_roles"]
            or only >= limits["overload_sole"]
        ):
            ja = f"{name}は{load}世帯を支えています"
            en = f"{U.label(node)} supports {load} households"
            if only:
                ja += f"（うち{only}世帯は{name}だけが支え手）"
                en += f" ({only} of them have no other supporter)"
            if roles:
                ja += f"。世話役を{roles}つ担っています"
                en += f"; organiser of {roles} groups or activities"
            out.append(
                Flag(
                    "overloaded_person",
                    node,
                    U.label(node),
                    ja + "。",
                    en + ".",
                    details={"load": load, "roles": roles, "sole": only},
                )
            )
        if attrs.get("age_band") in OLDER_AGE_BANDS and node not in U.participates:
            out.append(
                Flag(
                    "no_participation",
                    node,
                    U.label(node),
                    f"{name}（{attrs['age_band']}歳）の、団体や活動への参加がまだ見えていません。",
                    f"{U.label(node)} (aged {attrs['age_band']}) takes part in no group "
                    f"or activity yet.",
                )
            )
    for node, attrs in U.nodes.items():
        if attrs.get("kind") in ("group", "activity"):
            persons = {p for p in U.organisers.get(node, ()) if U.nodes[p].get("kind") == "person"}
            if len(persons) == 1:
                (organiser,) = persons
                out.append(
                    Flag(
                        "succession_risk",
                        node,
                        U.label(node),
                        f"{U.label(node)}の世話役は{_san(U.label(organiser))}だけです。",
                        f"{U.label(organiser)} is the only organiser of {U.label(node)}.",
                        details={"organiser": organiser},
                    )
                )
    return out


def flags(G: nx.MultiDiGraph, settings: Mapping[str, Any] | None = None) -> list[Flag]:
    """Every flag of the approved part of ``G``, by flag kind then node.

    Parameters
    ----------
    G : MultiDiGraph
        A session graph.
    settings : mapping, optional
        Thresholds ``overload_households`` (5), ``overload_roles`` (3), ``overload_sole`` (2).

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
    U = analyse(G)
    found = _unit_flags(U) + _person_flags(U, _settings(settings))
    for category in SUPPORT_CATEGORIES:
        if category not in U.kinds_present:
            tk = TIE_KINDS[category]
            found.append(
                Flag(
                    "resource_gap",
                    None,
                    None,
                    f"この集まりには「{tk.ja}」のつながりがまだひとつもありません。",
                    f"No {tk.en.lower()} tie has been recorded in this session.",
                    category=category,
                )
            )
    order = {name: i for i, name in enumerate(FLAG_KINDS)}
    found.sort(key=lambda f: (order[f.flag], f.node or ""))
    return found


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
