"""The ties a tree payload draws, kept per source node and per folded district across seqs.

A town's overview folds every district's roots into one node; the payload then draws the
ties between unfolded nodes one by one and sums the others into one line per pair and
kind (:func:`edge_parts`). Most of a town's 25,000 ties lie inside a folded district and
one approved note touches one node: what the version before counted is carried on and only
the sources the event touched (and the districts they fold into) are counted again. The
result is the same as counting everything afresh (``tests/web/test_tree_edges.py``).
"""

from __future__ import annotations

import functools
import json
from collections import Counter
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from itertools import chain, filterfalse
from operator import itemgetter
from typing import Any

import networkx as nx

from graph.vocabulary import DIRECTED_SUPPORT, INFORMAL

from .web import kind_name

__all__ = [
    "EdgeParts",
    "edge_parts",
    "edge_options",
    "tie_options",
    "PROJECTOR_TIES",
    "TIE_COLOURS",
]

TIE_COLOURS = {
    "watch": "#1565c0",
    "snow": "#00838f",
    "ride": "#6a1b9a",
    "errand": "#ef6c00",
    "share": "#c2185b",
    "talk": "#5d4037",
    "kin": "#795548",
    "care": "#2e7d32",
}
#: The ties the projector draws: support between neighbours as strands in the roots, links
#: between groups and institutions, and what addresses a difficulty. Membership, roles and
#: the rest are what the drawn limbs and roots stand for (no grey web across the picture).
PROJECTOR_TIES = INFORMAL | {"links", "addresses"}


def _tie_title(d: Mapping[str, Any], lang: str) -> str:
    parts = [kind_name(d.get("kind", ""), lang)]
    for key in ("season", "frequency"):
        if d.get(key):
            parts.append(str(d[key]))
    return " · ".join(parts)


def edge_options(
    kind: str, d: Mapping[str, Any], lang: str, private: bool = True
) -> dict[str, Any]:
    """vis-network's options of a tie of ``kind`` with the attributes ``d``.

    On a shared screen (``private`` false) support between neighbours is drawn as strands:
    soft, arrowless curves that leave and reach each note from above or below, as roots
    hang, instead of a web of coloured arrows across the picture; who helps whom reads on
    the facilitator's own tree and in each line's title.
    """
    colour = TIE_COLOURS.get(kind, "#9e9e9e")
    options: dict[str, Any] = {
        "kind": kind,
        "title": _tie_title(d, lang),
        "color": {"color": colour, "opacity": 0.6 if kind in TIE_COLOURS else 0.4},
        "width": 2 if kind in INFORMAL else 1.2,
        "dashes": d.get("season") == "not_in_winter",
    }
    if kind in INFORMAL:
        # Strands between neighbours bend like roots rather than cross as straight lines.
        options["smooth"] = {"enabled": True, "type": "curvedCW", "roundness": 0.18}
    if kind not in DIRECTED_SUPPORT and kind != "care":
        options["arrows"] = ""
    if not private and kind in INFORMAL:
        options["smooth"] = {
            "enabled": True,
            "type": "cubicBezier",
            "forceDirection": "vertical",
            "roundness": 0.6,
        }
        options["color"] = {"color": options["color"]["color"], "opacity": 0.38}
        options["width"] = 1.6
        options["arrows"] = ""
    return options


@functools.lru_cache(maxsize=1024)
def tie_options(
    kind: str, season: Any, frequency: Any, lang: str, private: bool = True
) -> dict[str, Any]:
    """:func:`edge_options` of a tie with these attributes (shared: never change it)."""
    d = {"kind": kind, "season": season, "frequency": frequency}
    return edge_options(kind, d, lang, private)


def _vis_edge(edge_id: str, source: str, target: str, options: Mapping[str, Any]) -> dict:
    """The vis edge as pyvis's ``Edge(source, target, directed=True, id=…, **options)``
    gives it (same keys, same order)."""
    edge = {"id": edge_id, **options, "from": source, "to": target}
    if "arrows" not in edge:
        edge["arrows"] = "to"
    return edge


@functools.lru_cache(maxsize=16384)
def _summed_edge(fu: str, fw: str, kind: str, count: int, lang: str) -> dict:
    """The one line standing for ``count`` ties of ``kind`` into or out of a folded district
    (shared: never change it)."""
    options = edge_options(kind, {"kind": kind}, lang)
    options["width"] = min(1 + count / 4, 12)
    options["title"] = f"{options['title']} × {count}"
    return _vis_edge(f"agg:{fu}:{fw}:{kind}", fu, fw, options)


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


@functools.lru_cache(maxsize=16384)
def _summed_json(fu: str, fw: str, kind: str, count: int, lang: str) -> str:
    return _json(_summed_edge(fu, fw, kind, count, lang))


def _summed_made(fu: str, fw: str, kind: str, count: int, lang: str) -> tuple[dict, str]:
    """A new :func:`_summed_edge` (its own dict: a payload's may be marked in place, as the
    coordinator's comparison does) and its JSON text (kept)."""
    return _summed_edge(fu, fw, kind, count, lang), _summed_json(fu, fw, kind, count, lang)


@dataclass
class EdgeParts:
    """The edges of one view at one seq, and what they were made of (carried on).

    ``open`` holds, per unfolded source node, its drawn edges, the ties it sends into
    folded districts and the drawn edges' JSON texts; ``buckets`` the ties out of each
    folded district, summed; ``json`` the JSON text of each of ``edges``; ``summed`` each
    summed line and its text by ``(district, other end, kind, count)`` (a town's overview
    draws ~1,500, and one approved note changes the count of a few).
    """

    fold: Mapping[str, str]
    open: dict[str, tuple[list[dict], Counter, list[str]]] = field(default_factory=dict)
    buckets: dict[str, Counter] = field(default_factory=dict)
    edges: list[dict] = field(default_factory=list)
    json: list[str] = field(default_factory=list)
    summed: dict[tuple, tuple[dict, str]] = field(default_factory=dict)
    order: dict[tuple, None] = field(default_factory=dict)  # the summed lines' keys, sorted


def _from_source(u, nbrs, fold, private: bool, lang: str) -> tuple[list[dict], Counter, list]:
    """The drawn edges of the unfolded node ``u`` and its ties summed into folded ones."""
    edges: list[dict] = []
    summed: Counter = Counter()
    for w, keyed in nbrs.items():
        fw = fold.get(w, w)
        if u == fw:
            continue
        for key, d in keyed.items():
            kind = d.get("kind", "")
            if not private and kind not in PROJECTOR_TIES:
                continue  # never a need beside a household: the room sees the difficulties
            if w in fold:
                summed[(u, fw, kind)] += 1
                continue
            try:
                options = tie_options(kind, d.get("season"), d.get("frequency"), lang, private)
            except TypeError:  # an imported attribute that is a list or a mapping
                options = edge_options(kind, d, lang, private)
            edges.append(_vis_edge(str(key), u, w, options))
    return edges, summed, [_json(e) for e in edges]


def _from_district(members, adj, fold, district: str, private: bool) -> Counter:
    """The ties out of the folded ``district``'s ``members``, summed per target and kind."""
    summed: Counter = Counter()
    for u in members:
        for w, keyed in adj[u].items():
            fw = fold.get(w, w)
            if fw == district:
                continue
            for d in keyed.values():
                kind = d.get("kind", "")
                if private or kind in PROJECTOR_TIES:
                    summed[(district, fw, kind)] += 1
    return summed


def _dirty(
    G: nx.MultiDiGraph, fold: Mapping[str, str], old: EdgeParts, touched: Collection
) -> set:
    """The sources whose edges may differ from ``old``'s: the touched nodes, those whose
    fold changed, and every node with a tie into one of them (``G`` holds every tie row)."""
    changed = set(touched)
    if fold is not old.fold and fold != old.fold:
        # The members folded differently: the items of either fold not in the other (set
        # operations on the items, not a Python loop over a town's thousands of members).
        changed.update(n for n, _ in fold.items() ^ old.fold.items())
    dirty = set(changed)
    pred = G._pred
    for node in changed:
        if node in pred:
            dirty.update(pred[node])
    return dirty


def _open_sources(
    parts: EdgeParts, adj, old: EdgeParts | None, dirty: set | None, private: bool, lang: str
) -> None:
    """``parts.open``: the unfolded sources in the graph's order, each taken from ``old``
    unless ``dirty``. The folded ones are skipped without a Python loop over them (most of
    a town's overview is folded); when the unfolded sources are ``old``'s (and maybe new
    ones after them), ``old``'s are copied whole and only the dirty ones made again."""
    fold, opened = parts.fold, parts.open
    sources = list(filterfalse(fold.__contains__, adj))
    kept = old.open if old is not None else {}
    count = len(kept)
    if dirty is not None and sources[:count] == list(kept):
        opened.update(kept)
        for u in dirty.intersection(sources[:count]):
            opened[u] = _from_source(u, adj[u], fold, private, lang)
        sources = sources[count:]  # the new ones, after (in the graph's order)
    for u in sources:
        if dirty is not None and u not in dirty and u in kept:
            opened[u] = kept[u]
        else:
            opened[u] = _from_source(u, adj[u], fold, private, lang)


def edge_parts(
    A: nx.MultiDiGraph,
    G: nx.MultiDiGraph,
    fold: Mapping[str, str],
    private: bool,
    lang: str,
    carried: tuple[EdgeParts, Collection] | None = None,
    groups: Mapping[str, list[list[str]]] | None = None,
) -> EdgeParts:
    """The edges drawn for the approved graph ``A`` (``G``: the whole session graph) with
    the roots in ``fold`` folded: every tie on the private screen, :data:`PROJECTOR_TIES` on
    the projector; ties into or out of a folded district summed into one line per district,
    other end and kind (after the others, sorted).

    ``carried`` is the parts of the version before and the nodes touched since: only the
    sources they may change are counted again. ``groups`` (``tree_folds.Folds.groups`` of
    ``fold``: each district's members, unit by unit, in the fold's order) spares reading
    the whole fold to find the members of the districts counted again.

    Notes
    -----
    O(m) afresh; carried on, O(n + the ties of the touched sources and districts).
    """
    old, touched = carried if carried is not None else (None, ())
    dirty = _dirty(G, fold, old, touched) if old is not None else None
    parts = EdgeParts(fold=fold)
    adj = A._adj
    _open_sources(parts, adj, old, dirty, private, lang)
    recount: set[str] | None = None
    if dirty is not None:
        recount = {fold[n] for n in dirty if n in fold}
        recount.update(old.fold[n] for n in dirty if n in old.fold)
    districts = dict.fromkeys(fold.values()) if groups is None else groups
    if recount is not None:
        recount.update(d for d in districts if d not in old.buckets)
    members: dict[str, list[str]] = {}
    if groups is not None:  # each district's members in the order of the fold, at hand
        targets = districts if recount is None else recount
        members = {d: list(chain.from_iterable(groups[d])) for d in targets if d in groups}
    elif recount is None or recount:
        for node, district in fold.items():
            if recount is None or district in recount:
                members.setdefault(district, []).append(node)
    for district in districts:
        if district in members:
            parts.buckets[district] = _from_district(
                members[district], adj, fold, district, private
            )
        else:
            parts.buckets[district] = old.buckets[district]
    summed: Counter = Counter()
    for bucket in parts.buckets.values():
        summed.update(bucket)
    opened = parts.open.values()  # joined in C: a town's overview has ~1,500 of them
    parts.edges = list(chain.from_iterable(map(itemgetter(0), opened)))
    parts.json = list(chain.from_iterable(map(itemgetter(2), opened)))
    # Most sources send nothing into a fold (Counter.update is not free).
    for into in filter(None, map(itemgetter(1), opened)):
        summed.update(into)
    made = old.summed if old is not None else {}
    # Sorted again only when other lines are summed (most events change counts, not lines).
    same = old is not None and summed.keys() == old.order.keys()
    parts.order = old.order if same else dict.fromkeys(sorted(summed))
    for fu, fw, kind in parts.order:
        line = (fu, fw, kind, summed[fu, fw, kind])
        edge, text = parts.summed[line] = made.get(line) or _summed_made(*line, lang)
        parts.edges.append(edge)
        parts.json.append(text)
    return parts
