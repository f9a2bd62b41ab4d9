"""What a merge review shows of two nodes side by side, and when a same name is not enough."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import networkx as nx

from .errors import Problem, ValidationError
from .model import is_active
from .names import normalise_name

__all__ = [
    "Evidence",
    "evidence",
    "exact_match",
    "differences",
    "pair_id",
    "Decisions",
    "read_decisions",
]

# Kinds whose same name may be two different residents: joined only when everything agrees.
_RESIDENTS = frozenset({"person", "household"})
_MAX_TIES = 8


@dataclass(frozen=True)
class Evidence:
    """What tells two residents apart: age band, district, household and ties."""

    age_band: str
    district: str
    household: str
    ties: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready."""
        return {
            "age_band": self.age_band,
            "district": self.district,
            "household": self.household,
            "ties": list(self.ties),
        }


def _label(G: nx.MultiDiGraph, n: Any) -> str:
    return str(G.nodes[n].get("label") or n)


def evidence(G: nx.MultiDiGraph, node: Any) -> Evidence:
    """The age band, district, household (lives_in) and approved ties of ``node``.

    >>> from graph.model import build_graph
    >>> G = build_graph([{"id": "p", "kind": "person", "label": "佐藤 花子", "age_band": "85+"},
    ...                  {"id": "h", "kind": "household", "label": "佐藤さん宅", "district": "1丁目"}],
    ...                 [{"id": "t", "source": "p", "target": "h", "kind": "lives_in"}])
    >>> evidence(G, "p")
    Evidence(age_band='85+', district='1丁目', household='佐藤さん宅', ties=('lives_in → 佐藤さん宅',))
    """
    attrs = G.nodes[node]
    homes = [
        v
        for _, v, d in G.out_edges(node, data=True)
        if d.get("kind") == "lives_in" and is_active(d) and is_active(G.nodes[v])
    ]
    district = str(attrs.get("district") or "")
    if not district and homes:
        district = str(G.nodes[homes[0]].get("district") or "")
    ties = []
    for u, v, d in [*G.out_edges(node, data=True), *G.in_edges(node, data=True)]:
        other = v if u == node else u
        if not is_active(d) or not is_active(G.nodes[other]):
            continue
        arrow = "→" if u == node else "←"
        ties.append(f"{d.get('kind')} {arrow} {_label(G, other)}")
    return Evidence(
        age_band=str(attrs.get("age_band") or ""),
        district=district,
        household="、".join(sorted(_label(G, h) for h in homes)),
        ties=tuple(sorted(ties)[:_MAX_TIES]),
    )


def exact_match(kind: str, labels: tuple[str, str], ev: tuple[Evidence, Evidence]) -> bool:
    """Whether two nodes may be joined without a person deciding (``merge(..., "auto")``).

    The normalised labels must be the same. For people and households that is not enough:
    their district must be known on both sides and agree, and for people also the age band
    and the household's name. Anything missing or different leaves the pair to a person.

    >>> a = Evidence("85+", "1丁目", "佐藤さん宅", ())
    >>> exact_match("person", ("佐藤 花子", "佐藤花子"), (a, a))
    True
    >>> exact_match("person", ("佐藤 花子", "佐藤花子"), (a, Evidence("under-65", "", "", ())))
    False
    >>> exact_match("group", ("老人クラブ", "老人クラブ"), (Evidence("", "", "", ()),) * 2)
    True
    """
    if normalise_name(labels[0]) != normalise_name(labels[1]):
        return False
    x, y = ev
    districts = normalise_name(x.district), normalise_name(y.district)
    if kind not in _RESIDENTS:
        return districts[0] == districts[1]
    if not districts[0] or districts[0] != districts[1]:
        return False
    if kind == "household":
        return True
    homes = normalise_name(x.household), normalise_name(y.household)
    return (
        bool(x.age_band) and x.age_band == y.age_band and bool(homes[0]) and homes[0] == homes[1]
    )


def differences(kind: str, ev: tuple[Evidence, Evidence]) -> list[str]:
    """Which of age band, district and household differ or are missing (for the review)."""
    if kind not in _RESIDENTS:
        return []
    out = []
    fields = ("age_band", "district", "household") if kind == "person" else ("district",)
    for field in fields:
        a, b = (normalise_name(getattr(e, field)) for e in ev)
        if not a or not b or a != b:
            out.append(field)
    return out


def pair_id(x: tuple[str, Any], y: tuple[str, Any]) -> str:
    """The id of a candidate: its two nodes and their sources, so it never points elsewhere.

    >>> pair_id(("東", "n12"), ("西", "n7"))
    '東:n12=西:n7'
    """
    return f"{x[0]}:{x[1]}={y[0]}:{y[1]}"


@dataclass(frozen=True)
class Decisions:
    """A decisions document: the pairs accepted and rejected, and the labels each was seen with."""

    accept: frozenset[str]
    reject: frozenset[str]
    labels: Mapping[str, tuple[str, ...]]

    def check(self, found: Iterable[Any]) -> None:
        """Refuse (``ValidationError`` listing them) decisions about pairs that are no longer
        candidates, or whose labels changed since they were decided."""
        by_id = {c.id: c for c in found}
        problems = []
        for pair in sorted(self.accept | self.reject):
            c = by_id.get(pair)
            if c is None:
                problems.append(
                    Problem(
                        pair,
                        "この組は候補にありません（ノードが消えたか、名前が変わりました）",
                        "not a candidate (a node is gone or its name changed)",
                    )
                )
            elif pair in self.labels and tuple(self.labels[pair]) != tuple(c.labels):
                problems.append(
                    Problem(
                        pair,
                        f"決めた後に名前が変わりました（{' / '.join(c.labels)}）",
                        f"the names changed since this was decided (now {' / '.join(c.labels)})",
                    )
                )
        if problems:
            raise ValidationError(problems)


def _entry(value: Any, problem: Problem) -> tuple[str, tuple[str, ...] | None]:
    """A decision: a pair id, or ``{"nodes": [{"source", "id", "label"}, {…}]}``."""
    if isinstance(value, str):
        return value, None
    nodes = value.get("nodes") if isinstance(value, Mapping) else None
    if not isinstance(nodes, list) or len(nodes) != 2:
        raise ValidationError(problem)
    if not all(isinstance(n, Mapping) and "source" in n and "id" in n for n in nodes):
        raise ValidationError(problem)
    pair = pair_id(
        (str(nodes[0]["source"]), nodes[0]["id"]), (str(nodes[1]["source"]), nodes[1]["id"])
    )
    labels = tuple(str(n["label"]) for n in nodes if "label" in n)
    return pair, (labels if len(labels) == 2 else None)


def read_decisions(data: Any) -> Decisions:
    """The decisions of a document ``{"accept": [...], "reject": [...]}`` (both optional).

    Each entry names a pair by its two nodes: the candidate's id (``"東:n12=西:n7"``), or
    ``{"nodes": [{"source": "東", "id": "n12", "label": "佐藤 花子"}, {…}]}`` as the
    candidate listing prints it (with labels, a pair renamed since is refused as stale).

    Examples
    --------
    >>> d = read_decisions({"accept": ["a:1=b:2"], "reject": ["a:3=b:4"]})
    >>> sorted(d.accept), sorted(d.reject)
    (['a:1=b:2'], ['a:3=b:4'])
    >>> read_decisions({"accept": "c1"})
    Traceback (most recent call last):
    ...
    graph.errors.ValidationError: decisions: accept and reject must be lists of pairs of nodes
    """
    problem = Problem(
        "decisions",
        "accept と reject は候補（2つのノード）のリストにしてください",
        "accept and reject must be lists of pairs of nodes",
    )
    if not isinstance(data, Mapping):
        raise ValidationError(problem)
    sets: list[set[str]] = []
    labels: dict[str, tuple[str, ...]] = {}
    for field in ("accept", "reject"):
        values = data.get(field, [])
        if not isinstance(values, list):
            raise ValidationError(problem)
        chosen = set()
        for value in values:
            pair, seen = _entry(value, problem)
            chosen.add(pair)
            if seen:
                labels[pair] = seen
        sets.append(chosen)
    both = sorted(sets[0] & sets[1])
    if both:
        raise ValidationError(
            Problem(
                "decisions",
                f"{'、'.join(both)} が accept と reject の両方にあります",
                f"{', '.join(both)} both accepted and rejected",
            )
        )
    return Decisions(frozenset(sets[0]), frozenset(sets[1]), labels)
