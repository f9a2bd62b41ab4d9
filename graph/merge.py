"""Merge several session graphs (neighbourhood maps) into one, joining the duplicates accepted."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

import networkx as nx

from .errors import Problem, ValidationError
from .merge_review import Evidence, differences, evidence, exact_match, pair_id, read_decisions
from .model import is_active, new_graph
from .names import name_keys, normalise_name

__all__ = ["Candidate", "candidates", "merge", "read_decisions", "PROVENANCE"]

_RESIDENTS = frozenset({"person", "household"})

#: Node and tie attributes recording where a merged element came from: the source key and the
#: element's id there (joined with "|" when several nodes or ties became one).
PROVENANCE = ("from_session", "from_id")


@dataclass(frozen=True)
class Candidate:
    """Two nodes of different sources that probably name the same thing.

    Attributes
    ----------
    id : str
        The two nodes and their sources (``"東:n12=西:n7"``,
        :func:`graph.merge_review.pair_id`): a decision about it can never point at another
        pair, however the sources change.
    kind : str
        The node kind both share.
    nodes : tuple of (source, node id)
    labels : tuple of str
        The labels, in the order of ``nodes``.
    exact : bool
        :func:`graph.merge_review.exact_match`: the same normalised label and, for people
        and households, the same known district (and for people age band and household);
        :func:`merge` joins these with ``accepted="auto"``.
    evidence : tuple of Evidence
        Age band, district, household and ties of each node, for the review.
    differences : tuple of str
        Which of ``age_band``, ``district``, ``household`` differ or are missing.
    """

    id: str
    kind: str
    nodes: tuple[tuple[str, str], ...]
    labels: tuple[str, ...]
    exact: bool
    evidence: tuple[Evidence, ...] = ()
    differences: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``{"id", "kind", "nodes": [{"source", "id", "label", …evidence}],
        "exact", "differences"}``."""
        return {
            "id": self.id,
            "kind": self.kind,
            "nodes": [
                {"source": s, "id": n, "label": label, **(ev.to_dict() if ev else {})}
                for (s, n), label, ev in zip(
                    self.nodes, self.labels, self.evidence or (None, None), strict=True
                )
            ],
            "exact": self.exact,
            "differences": list(self.differences),
        }


def _district(attrs: Mapping[str, Any]) -> str:
    value = attrs.get("district")
    return normalise_name(str(value)) if value else ""


def candidates(sources: Mapping[str, nx.MultiDiGraph]) -> list[Candidate]:
    """The likely duplicates across ``sources``: pairs of approved nodes of different sources.

    Two nodes are a candidate when they have the same kind, their labels share a name key
    (:func:`graph.names.name_keys`: NFKC, width, kana folding, spaces, honorifics and
    household suffixes such as さん, 様, 宅, 家, and the kanji reading, so 「佐藤さん宅」 meets
    「さとうさん宅」) and their districts agree when both have one — or, for people and
    households, their normalised names are the same whatever the districts say (a person
    decides whether two 佐藤 花子 are one).

    Parameters
    ----------
    sources : mapping of str to MultiDiGraph
        Source key (e.g. a session id) → graph; the order of the mapping is the order of
        the candidates' ids.

    Returns
    -------
    list of Candidate
        Ordered by source, then node id.

    Examples
    --------
    >>> from graph.model import build_graph
    >>> a = build_graph([{"id": "h1", "kind": "household", "label": "佐藤さん宅"}], [])
    >>> b = build_graph([{"id": "h7", "kind": "household", "label": "さとうさん宅"}], [])
    >>> [(c.id, c.nodes, c.exact) for c in candidates({"a": a, "b": b})]
    [('a:h1=b:h7', (('a', 'h1'), ('b', 'h7')), False)]

    Notes
    -----
    O(n · k) for n nodes and k nodes sharing a key, after the readings (cached) are made.
    """
    keys = list(sources)
    index: dict[tuple[str, str], list[tuple[int, str]]] = {}
    info: dict[tuple[int, str], tuple[str, str, str, str]] = {}
    for i, key in enumerate(keys):
        G = sources[key]
        for n in sorted(G, key=str):
            a = G.nodes[n]
            if not is_active(a):
                continue
            label = str(a.get("label", ""))
            kind = str(a.get("kind", ""))
            info[(i, n)] = (kind, label, normalise_name(label), _district(a))
            for name in name_keys(label):
                index.setdefault((kind, name), []).append((i, n))
    pairs: set[tuple[tuple[int, str], tuple[int, str]]] = set()
    for members in index.values():
        for x in members:
            for y in members:
                if x[0] < y[0]:
                    dx, dy = info[x][3], info[y][3]
                    same_name = info[x][2] == info[y][2] and info[x][0] in _RESIDENTS
                    if not dx or not dy or dx == dy or same_name:
                        pairs.add((x, y))
    out = []
    for x, y in sorted(pairs, key=lambda p: (p[0][0], str(p[0][1]), p[1][0], str(p[1][1]))):
        kind, label_x, _, _ = info[x]
        label_y = info[y][1]
        ev = (evidence(sources[keys[x[0]]], x[1]), evidence(sources[keys[y[0]]], y[1]))
        nodes = ((keys[x[0]], x[1]), (keys[y[0]], y[1]))
        out.append(
            Candidate(
                id=pair_id(*nodes),
                kind=kind,
                nodes=nodes,
                labels=(label_x, label_y),
                exact=exact_match(kind, (label_x, label_y), ev),
                evidence=ev,
                differences=tuple(differences(kind, ev)),
            )
        )
    return out


def _find(parent: dict, x: Any) -> Any:
    while parent[x] != x:
        parent[x] = parent[parent[x]]
        x = parent[x]
    return x


def _joined(values: Iterable[str]) -> str:
    return "|".join(values)


def merge(
    sources: Mapping[str, nx.MultiDiGraph],
    accepted: Iterable[str] | Literal["auto"] = frozenset(),
    *,
    title: str = "",
    area: str = "",
) -> nx.MultiDiGraph:
    """A new graph holding every node and tie of every source, accepted duplicates joined.

    Parameters
    ----------
    sources : mapping of str to MultiDiGraph
        Source key → graph. The graphs are not modified.
    accepted : set of candidate ids, or "auto"
        The ids of :func:`candidates` to join; ``"auto"`` joins only the exact ones
        (:func:`graph.merge_review.exact_match`: never two people whose age band, household
        or district differs or is unknown).
    title, area : str
        Graph attributes of the result.

    Returns
    -------
    MultiDiGraph
        Node ids are kept, prefixed ``<source>-`` only when the same id would name nodes of
        more than one source (likewise tie ids). Every node and tie has ``from_session`` (its
        source key) and ``from_id`` (its id there); a joined node takes the id, label and attributes of its first member (in
        source order), fills missing attributes from the others, and lists every member in
        ``from_session``/``from_id`` joined by ``|``. Ties follow their nodes; a tie that
        would join a node to itself is dropped and ties of the same kind between the same
        nodes become one.

    Raises
    ------
    ValidationError
        If ``accepted`` names an id that is not a candidate.

    Examples
    --------
    >>> from graph.model import build_graph
    >>> a = build_graph([{"id": "h1", "kind": "household", "label": "佐藤さん宅",
    ...                   "district": "1丁目"},
    ...                  {"id": "p1", "kind": "person", "label": "田中"}],
    ...                 [{"id": "t1", "source": "p1", "target": "h1", "kind": "watch"}])
    >>> b = build_graph([{"id": "h1", "kind": "household", "label": "佐藤さん宅",
    ...                   "district": "1丁目"}], [])
    >>> M = merge({"a": a, "b": b}, "auto", title="1丁目と2丁目")
    >>> sorted(M.nodes(data="from_id"))
    [('h1', 'h1|h1'), ('p1', 'p1')]
    >>> M.nodes["h1"]["from_session"], list(M.edges(keys=True))
    ('a|b', [('p1', 'h1', 't1')])

    Notes
    -----
    O(n + m) for n nodes and m ties in all sources, plus :func:`candidates`.
    """
    chosen = _chosen(candidates(sources), accepted)
    keys = list(sources)
    order = {key: i for i, key in enumerate(keys)}
    groups = _groups(sources, chosen, order)
    M = new_graph(title=title, area=area)
    new_id = _add_nodes(M, sources, groups, order)
    _add_ties(M, sources, new_id)
    return M


Member = tuple[str, Any]
"""A node of one source: (source key, node id)."""


def _chosen(found: list[Candidate], accepted: Iterable[str] | Literal["auto"]) -> list[Candidate]:
    """The candidates to join: the exact ones for ``"auto"``, else those named (all known)."""
    if accepted == "auto":
        return [c for c in found if c.exact]
    wanted = set(accepted)
    by_id = {c.id: c for c in found}
    unknown = sorted(wanted - set(by_id))
    if unknown:
        raise ValidationError(
            Problem(
                "decisions",
                f"{'、'.join(unknown)} という候補はありません",
                f"no candidate {', '.join(unknown)}",
            )
        )
    return [c for c in found if c.id in wanted]


def _groups(
    sources: Mapping[str, nx.MultiDiGraph], chosen: list[Candidate], order: Mapping[str, int]
) -> dict[Member, list[Member]]:
    """The nodes that become one, by their first member, each group in source order."""
    keys = list(sources)
    parent: dict[Member, Member] = {(key, n): (key, n) for key in keys for n in sources[key]}
    members_of: dict[Member, set[str]] = {x: {x[0]} for x in parent}
    for c in chosen:
        x, y = (_find(parent, m) for m in c.nodes)
        # Never join two nodes of one source: that is the facilitator's call, not a merge's.
        if x == y or members_of[x] & members_of[y]:
            continue
        first, second = sorted((x, y), key=lambda m: (order[m[0]], str(m[1])))
        parent[second] = first
        members_of[first] |= members_of.pop(second)
    groups: dict[Member, list[Member]] = {}
    for key in keys:
        for n in sources[key]:
            groups.setdefault(_find(parent, (key, n)), []).append((key, n))
    for members in groups.values():
        members.sort(key=lambda m: (order[m[0]], str(m[1])))
    return groups


class _Ids:
    """Unique ids in one namespace (nodes, or ties) of the merged graph.

    An id is kept, prefixed ``<source>-`` only when ``counts`` says more than one source uses
    it, and suffixed ``_2``, ``_3`` … if it is still taken.
    """

    def __init__(self, counts: Mapping[str, int]):
        self.counts = counts
        self.taken: set[str] = set()

    def __call__(self, key: str, element: Any) -> str:
        name = str(element)
        if self.counts.get(name, 0) > 1:
            name = f"{key}-{element}"
        base, k = name, 2
        while name in self.taken:
            name, k = f"{base}_{k}", k + 1
        self.taken.add(name)
        return name


def _add_nodes(
    M: nx.MultiDiGraph,
    sources: Mapping[str, nx.MultiDiGraph],
    groups: Mapping[Member, list[Member]],
    order: Mapping[str, int],
) -> dict[Member, str]:
    """Add one node per group to ``M``; return each source node's id in ``M``."""
    # Only ids that would still collide after the join get their source's prefix.
    counts: dict[str, int] = {}
    for _, n in groups:
        counts[str(n)] = counts.get(str(n), 0) + 1
    unique = _Ids(counts)
    new_id: dict[Member, str] = {}
    for root, members in groups.items():
        node_id = unique(root[0], root[1])
        attrs: dict[str, Any] = {}
        for key, n in reversed(members):
            attrs.update(sources[key].nodes[n])
        attrs.update(sources[root[0]].nodes[root[1]])
        if any(is_active(sources[k].nodes[n]) for k, n in members):
            attrs.pop("status", None)
        attrs["from_session"] = _joined(k for k, _ in members)
        attrs["from_id"] = _joined(str(n) for _, n in members)
        M.add_node(node_id, **attrs)
        for member in members:
            new_id[member] = node_id
    return new_id


def _add_ties(
    M: nx.MultiDiGraph, sources: Mapping[str, nx.MultiDiGraph], new_id: Mapping[Member, str]
) -> None:
    """Add every tie to ``M`` between its nodes' new ids, dropping loops, joining repeats."""
    tie_counts: dict[str, int] = {}
    for G in sources.values():
        for _, _, k in G.edges(keys=True):
            tie_counts[str(k)] = tie_counts.get(str(k), 0) + 1
    unique = _Ids(tie_counts)
    seen: dict[tuple[str, str, Any], str] = {}
    for key, G in sources.items():
        for u, v, k, d in G.edges(keys=True, data=True):
            nu, nv = new_id[(key, u)], new_id[(key, v)]
            if nu == nv:
                continue
            same = (nu, nv, d.get("kind"))
            if same in seen:
                tie = M.edges[nu, nv, seen[same]]
                tie["from_session"] += f"|{key}"
                tie["from_id"] += f"|{k}"
                if is_active(d):
                    tie.pop("status", None)
                continue
            tie_id = unique(key, k)
            M.add_edge(nu, nv, key=tie_id, **{**d, "from_session": key, "from_id": str(k)})
            seen[same] = tie_id
