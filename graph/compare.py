"""Compare two session graphs: what was added, removed or changed, and how the flags moved."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

import networkx as nx

from .analysis import analyse, flags
from .model import active_graph
from .names import name_keys, normalise_name

__all__ = ["Diff", "diff", "summary", "match_nodes"]

# Bookkeeping that says nothing about the node or tie itself.
_IGNORED = frozenset({"status"})


@dataclass
class Diff:
    """What changed from graph ``A`` (before) to graph ``B`` (after).

    Every list holds plain dicts, so :meth:`to_dict` is JSON-ready as it is. A node is
    ``{"id", "kind", "label"}`` (the id in the graph it belongs to); a matched node also has
    ``a_id``. A tie is ``{"id", "source", "target", "kind", "source_label", "target_label"}``.
    A change is ``{"attr": {"before": …, "after": …}}`` (``None`` = absent).

    Attributes
    ----------
    nodes_added, nodes_removed, nodes_changed : list of dict
        Removed nodes carry their ids in ``A``; added and changed nodes their ids in ``B``.
        A changed node has ``changes``.
    ties_added, ties_removed, ties_changed : list of dict
    matches : list of dict
        Nodes matched by label rather than by id (``{"a_id", "b_id", "kind", "a_label",
        "b_label"}``), as happens between independently made sessions.
    no_longer_isolated, newly_isolated : list of dict
        Units (households, or persons living in no recorded household) whose
        ``isolated_household`` flag went away or appeared; ``newly_isolated`` entries carry
        ``"new": True`` when the unit did not exist in ``A``.
    load_up, load_down : list of dict
        Helpers whose load (households they support) changed: ``{"id", "label", "before",
        "after"}``.
    flags_added, flags_resolved : list of dict
        The other flags (all but ``isolated_household``) that appeared or went away, as
        :meth:`graph.analysis.Flag.to_dict` gives them.
    counts : dict
        ``{"before": {...}, "after": {...}}`` with ``nodes``, ``ties``, ``households``,
        ``isolated`` and ``flags`` (count by flag kind).
    """

    nodes_added: list[dict] = field(default_factory=list)
    nodes_removed: list[dict] = field(default_factory=list)
    nodes_changed: list[dict] = field(default_factory=list)
    ties_added: list[dict] = field(default_factory=list)
    ties_removed: list[dict] = field(default_factory=list)
    ties_changed: list[dict] = field(default_factory=list)
    matches: list[dict] = field(default_factory=list)
    no_longer_isolated: list[dict] = field(default_factory=list)
    newly_isolated: list[dict] = field(default_factory=list)
    load_up: list[dict] = field(default_factory=list)
    load_down: list[dict] = field(default_factory=list)
    flags_added: list[dict] = field(default_factory=list)
    flags_resolved: list[dict] = field(default_factory=list)
    counts: dict[str, dict[str, Any]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        """The diff as JSON-ready data (a deep copy).

        Examples
        --------
        >>> sorted(Diff().to_dict())[:3]
        ['counts', 'flags_added', 'flags_resolved']
        """
        return asdict(self)

    @property
    def empty(self) -> bool:
        """Whether nothing at all changed."""
        return not any(
            (
                self.nodes_added,
                self.nodes_removed,
                self.nodes_changed,
                self.ties_added,
                self.ties_removed,
                self.ties_changed,
            )
        )


def _district_ok(a: Mapping[str, Any], b: Mapping[str, Any]) -> bool:
    da, db = a.get("district"), b.get("district")
    return not da or not db or normalise_name(str(da)) == normalise_name(str(db))


def _same_lineage(A: nx.MultiDiGraph, B: nx.MultiDiGraph) -> bool:
    session = A.graph.get("session")
    return session is not None and session == B.graph.get("session")


def match_nodes(
    A: nx.MultiDiGraph, B: nx.MultiDiGraph, trust_ids: bool | None = None
) -> tuple[dict[str, str], set[str]]:
    """Pair the nodes of ``A`` with the nodes of ``B`` that are the same thing.

    First by id: a node of the same kind under the same id is the same node when the two
    graphs are states of one session (``trust_ids``; by default when both carry the same
    ``session`` graph attribute), or else when their labels agree (:func:`graph.names.name_keys`
    share a key), because independently made sessions reuse ids such as ``n5`` for different
    things. Then by label: a remaining node of ``A`` is paired with a remaining node of ``B``
    of the same kind whose :func:`~graph.names.normalise_name` is the same and whose district
    agrees (when both have one), in id order.

    Parameters
    ----------
    A, B : MultiDiGraph
    trust_ids : bool, optional
        Pair equal ids of the same kind without looking at the labels.

    Returns
    -------
    (mapping, by_label)
        ``mapping`` takes an ``A`` id to its ``B`` id; ``by_label`` holds the ``A`` ids that
        were paired by label.

    Examples
    --------
    >>> from graph.model import build_graph
    >>> A = build_graph([{"id": "n1", "kind": "household", "label": "佐藤さん宅"}], [])
    >>> B = build_graph([{"id": "n9", "kind": "household", "label": "佐藤 宅"}], [])
    >>> match_nodes(A, B)
    ({'n1': 'n9'}, {'n1'})

    Notes
    -----
    O(n log n) for n nodes; readings are cached by :mod:`graph.names`.
    """
    if trust_ids is None:
        trust_ids = _same_lineage(A, B)
    mapping: dict[str, str] = {}
    by_label: set[str] = set()
    for n, a in A.nodes(data=True):
        if n in B:
            b = B.nodes[n]
            if a.get("kind") != b.get("kind"):
                continue
            if trust_ids or name_keys(str(a.get("label", ""))) & name_keys(
                str(b.get("label", ""))
            ):
                mapping[n] = n
    used = set(mapping.values())
    pool: dict[tuple[str, str], list[str]] = defaultdict(list)
    for n in sorted(B, key=str):
        if n not in used:
            b = B.nodes[n]
            pool[(b.get("kind"), normalise_name(str(b.get("label", ""))))].append(n)
    for n in sorted(A, key=str):
        if n in mapping:
            continue
        a = A.nodes[n]
        options = pool.get((a.get("kind"), normalise_name(str(a.get("label", "")))), [])
        for i, m in enumerate(options):
            if _district_ok(a, B.nodes[m]):
                mapping[n] = m
                by_label.add(n)
                del options[i]
                break
    return mapping, by_label


def _node(G: nx.MultiDiGraph, n: str) -> dict[str, Any]:
    a = G.nodes[n]
    return {"id": n, "kind": a.get("kind"), "label": a.get("label")}


def _tie(G: nx.MultiDiGraph, u: str, v: str, k: Any, kind: Any) -> dict[str, Any]:
    return {
        "id": k,
        "source": u,
        "target": v,
        "kind": kind,
        "source_label": G.nodes[u].get("label"),
        "target_label": G.nodes[v].get("label"),
    }


def _changes(a: Mapping[str, Any], b: Mapping[str, Any]) -> dict[str, dict[str, Any]]:
    keys = sorted((set(a) | set(b)) - _IGNORED, key=str)
    return {str(k): {"before": a.get(k), "after": b.get(k)} for k in keys if a.get(k) != b.get(k)}


def _match_ties(
    A: nx.MultiDiGraph, B: nx.MultiDiGraph, mapping: dict[str, str]
) -> tuple[list[tuple], list[tuple], list[tuple]]:
    """(matched pairs, removed A ties, added B ties); ties are (u, v, key, attrs)."""
    b_by_key = {k: (u, v, k, d) for u, v, k, d in B.edges(keys=True, data=True)}
    pairs, rest = [], []
    taken: set = set()
    for u, v, k, d in A.edges(keys=True, data=True):
        other = b_by_key.get(k)
        if (
            other is not None
            and k not in taken
            and (mapping.get(u), mapping.get(v)) == other[:2]
            and (other[3].get("kind") == d.get("kind") or (u, v) == other[:2])
        ):
            pairs.append(((u, v, k, d), other))
            taken.add(k)
        else:
            rest.append((u, v, k, d))
    pool: dict[tuple, list[tuple]] = defaultdict(list)
    for u, v, k, d in B.edges(keys=True, data=True):
        if k not in taken:
            pool[(u, v, d.get("kind"))].append((u, v, k, d))
    removed = []
    for u, v, k, d in rest:
        options = pool.get((mapping.get(u), mapping.get(v), d.get("kind")))
        if options:
            pairs.append(((u, v, k, d), options.pop(0)))
        else:
            removed.append((u, v, k, d))
    added = [t for options in pool.values() for t in options]
    return pairs, removed, added


def _counts(G: nx.MultiDiGraph, found: list) -> dict[str, Any]:
    by_flag: dict[str, int] = defaultdict(int)
    for f in found:
        by_flag[f.flag] += 1
    return {
        "nodes": G.number_of_nodes(),
        "ties": G.number_of_edges(),
        "households": sum(1 for _, k in G.nodes(data="kind") if k == "household"),
        "isolated": by_flag.get("isolated_household", 0),
        "flags": dict(by_flag),
    }


def _mapped(mapping: dict[str, str], node: str | None) -> str | None:
    """The ``B`` id of ``A``'s ``node``; unpaired nodes get a key no ``B`` node has."""
    if node is None:
        return None
    return mapping.get(node, f"A:{node}")


def _flag_key(f: Any, node: str | None) -> tuple:
    return (f.flag, node, f.details.get("category"))


def diff(
    A: nx.MultiDiGraph,
    B: nx.MultiDiGraph,
    settings: Mapping[str, Any] | None = None,
    *,
    trust_ids: bool | None = None,
) -> Diff:
    """Compare session graph ``A`` (before) with ``B`` (after), approved elements only.

    Nodes are paired by :func:`match_nodes` (id first, then label, kind and district); ties
    by id when their ends are paired nodes, then by ends and kind. Flags of both graphs are
    computed with :func:`graph.analysis.flags` and compared through the same pairing.

    Parameters
    ----------
    A, B : MultiDiGraph
        Two session graphs, e.g. last year's and this year's, or one session at two moments.
    settings : mapping, optional
        Flag thresholds (see :func:`graph.analysis.flags`), used for both graphs.
    trust_ids : bool, optional
        See :func:`match_nodes`.

    Returns
    -------
    Diff

    Examples
    --------
    >>> from graph.model import build_graph
    >>> nodes = [{"id": "p1", "kind": "person", "label": "佐藤"},
    ...          {"id": "h1", "kind": "household", "label": "鈴木さん宅"}]
    >>> A = build_graph(nodes, [])
    >>> B = build_graph(nodes, [{"id": "t1", "source": "p1", "target": "h1", "kind": "snow"}])
    >>> d = diff(A, B)
    >>> [t["kind"] for t in d.ties_added], sorted(u["id"] for u in d.no_longer_isolated)
    (['snow'], ['h1', 'p1'])
    >>> d.counts["before"]["isolated"], d.counts["after"]["isolated"]
    (2, 0)

    Notes
    -----
    O((n + m) log(n + m)) for n nodes and m ties: two flag analyses plus the pairing.
    """
    A, B = active_graph(A), active_graph(B)
    mapping, by_label = match_nodes(A, B, trust_ids)
    d = Diff()
    _diff_nodes(d, A, B, mapping, by_label)
    _diff_ties(d, A, B, mapping)
    _diff_flags(d, A, B, mapping, settings)
    _diff_load(d, A, B, mapping)
    return d


def _diff_nodes(
    d: Diff, A: nx.MultiDiGraph, B: nx.MultiDiGraph, mapping: dict[str, str], by_label: Any
) -> None:
    """Nodes removed, added and changed; the pairs made by label are listed as matches."""
    back = {b: a for a, b in mapping.items()}
    for n in sorted(A, key=str):
        if n not in mapping:
            d.nodes_removed.append(_node(A, n))
            continue
        m = mapping[n]
        if n in by_label:
            d.matches.append(
                {
                    "a_id": n,
                    "b_id": m,
                    "kind": A.nodes[n].get("kind"),
                    "a_label": A.nodes[n].get("label"),
                    "b_label": B.nodes[m].get("label"),
                }
            )
        changes = _changes(A.nodes[n], B.nodes[m])
        if changes:
            d.nodes_changed.append({**_node(B, m), "a_id": n, "changes": changes})
    d.nodes_added = [_node(B, m) for m in sorted(B, key=str) if m not in back]


def _diff_ties(d: Diff, A: nx.MultiDiGraph, B: nx.MultiDiGraph, mapping: dict[str, str]) -> None:
    """Ties removed, added and changed, through the node pairing."""
    pairs, removed, added = _match_ties(A, B, mapping)
    for (_, _, _, da), (u, v, k, db) in sorted(pairs, key=lambda p: str(p[1][2])):
        changes = _changes(da, db)
        if changes:
            d.ties_changed.append({**_tie(B, u, v, k, db.get("kind")), "changes": changes})
    d.ties_removed = [
        _tie(A, u, v, k, t.get("kind")) for u, v, k, t in sorted(removed, key=lambda t: str(t[2]))
    ]
    d.ties_added = [
        _tie(B, u, v, k, t.get("kind")) for u, v, k, t in sorted(added, key=lambda t: str(t[2]))
    ]


def _diff_flags(
    d: Diff,
    A: nx.MultiDiGraph,
    B: nx.MultiDiGraph,
    mapping: dict[str, str],
    settings: Mapping[str, Any] | None,
) -> None:
    """The flag counts, flags added and resolved, households newly or no longer isolated."""
    back = {b: a for a, b in mapping.items()}
    flags_a, flags_b = flags(A, settings), flags(B, settings)
    d.counts = {"before": _counts(A, flags_a), "after": _counts(B, flags_b)}
    keyed_a = {_flag_key(f, _mapped(mapping, f.node)): f for f in flags_a}
    keyed_b = {_flag_key(f, f.node): f for f in flags_b}
    for key, f in keyed_a.items():
        if key in keyed_b:
            continue
        if f.flag != "isolated_household":
            d.flags_resolved.append(f.to_dict("ja"))
        elif f.node in mapping:
            unit = mapping[f.node]
            d.no_longer_isolated.append({**_node(B, unit), "a_id": f.node})
    for key, f in keyed_b.items():
        if key in keyed_a:
            continue
        if f.flag != "isolated_household":
            d.flags_added.append(f.to_dict("ja"))
        else:
            entry = _node(B, f.node)
            if f.node in back:
                entry["a_id"] = back[f.node]
            else:
                entry["new"] = True
            d.newly_isolated.append(entry)


def _diff_load(d: Diff, A: nx.MultiDiGraph, B: nx.MultiDiGraph, mapping: dict[str, str]) -> None:
    """The helpers who support more, or fewer, households than before."""
    load_a, load_b = analyse(A).load, analyse(B).load
    helpers = {_mapped(mapping, p): len(s) for p, s in load_a.items()}
    after = {p: len(s) for p, s in load_b.items()}
    for p in sorted(set(helpers) | set(after), key=str):
        before_n, after_n = helpers.get(p, 0), after.get(p, 0)
        if before_n == after_n:
            continue
        if p in B:
            entry = _node(B, p)
        else:  # a helper who is gone from B
            entry = _node(A, p[2:])
        entry.update(before=before_n, after=after_n)
        (d.load_up if after_n > before_n else d.load_down).append(entry)


def _names(entries: list[dict], lang: str) -> str:
    sep = "、" if lang == "ja" else ", "
    return sep.join(str(e.get("label") or e.get("id")) for e in entries)


def summary(d: Diff, lang: str = "ja", names: bool = False) -> str:
    """A short paragraph about ``d``, ready to paste into a meeting document.

    Parameters
    ----------
    d : Diff
    lang : {"ja", "en"}
    names : bool
        Name the households that are no longer (or newly) isolated and the helpers whose load
        changed. Off by default: the paragraph then holds counts only, so it may be shared.

    Returns
    -------
    str

    Examples
    --------
    >>> from graph.model import build_graph
    >>> nodes = [{"id": "p1", "kind": "person", "label": "佐藤"},
    ...          {"id": "h1", "kind": "household", "label": "鈴木さん宅"}]
    >>> A = build_graph(nodes, [])
    >>> B = build_graph(nodes, [{"id": "t1", "source": "p1", "target": "h1", "kind": "snow"}])
    >>> print(summary(diff(A, B)))
    前回と比べて、つながりが1本増え、つながり要確認の世帯は2世帯から0世帯に減りました。つながり要確認ではなくなった世帯が2世帯あります。支える世帯が増えた担い手が1人います。そのほかの気づきは1件が新たに出て、1件が解消しました。
    >>> print(summary(diff(A, B), lang="en", names=True))
    Compared with last time, 1 tie was added, and the households whose connections need checking went down from 2 to 0. 2 are no longer flagged (鈴木さん宅, 佐藤). 1 helper now supports more households (佐藤). Other flags: 1 new, 1 resolved.
    """
    if lang == "ja":
        return _summary_ja(d, names)
    return _summary_en(d, names)


def _summary_ja(d: Diff, names: bool) -> str:
    """:func:`summary` in Japanese."""
    before, after = d.counts.get("before", {}), d.counts.get("after", {})
    iso_a, iso_b = before.get("isolated", 0), after.get("isolated", 0)
    parts: list[str] = []
    if d.nodes_added:
        parts.append(f"付箋（ノード）が{len(d.nodes_added)}件増え")
    if d.nodes_removed:
        parts.append(f"{len(d.nodes_removed)}件減り")
    if d.ties_added:
        parts.append(f"つながりが{len(d.ties_added)}本増え")
    if d.ties_removed:
        parts.append(f"つながりが{len(d.ties_removed)}本減り")
    trend = "減りました" if iso_b < iso_a else "増えました" if iso_b > iso_a else None
    if trend:
        parts.append(f"つながり要確認の世帯は{iso_a}世帯から{iso_b}世帯に{trend}")
        text = "前回と比べて、" + "、".join(parts) + "。"
    elif parts:
        text = (
            "前回と比べて、"
            + "、".join(parts)
            + f"ました。つながり要確認の世帯は{iso_b}世帯で変わりません。"
        )
    else:
        text = f"前回と比べて、付箋とつながりに増減はありません。つながり要確認の世帯は{iso_b}世帯です。"
    if d.no_longer_isolated:
        text += f"つながり要確認ではなくなった世帯が{len(d.no_longer_isolated)}世帯あります"
        text += f"（{_names(d.no_longer_isolated, 'ja')}）。" if names else "。"
    if d.newly_isolated:
        text += f"新たにつながり要確認となった世帯が{len(d.newly_isolated)}世帯あります"
        text += f"（{_names(d.newly_isolated, 'ja')}）。" if names else "。"
    if d.load_up:
        text += f"支える世帯が増えた担い手が{len(d.load_up)}人います"
        text += f"（{_names(d.load_up, 'ja')}）。" if names else "。"
    if d.load_down:
        text += f"支える世帯が減った担い手が{len(d.load_down)}人います"
        text += f"（{_names(d.load_down, 'ja')}）。" if names else "。"
    if d.flags_added and d.flags_resolved:
        text += (
            f"そのほかの気づきは{len(d.flags_added)}件が新たに出て、"
            f"{len(d.flags_resolved)}件が解消しました。"
        )
    elif d.flags_added:
        text += f"そのほかの気づきが新たに{len(d.flags_added)}件出ました。"
    elif d.flags_resolved:
        text += f"そのほかの気づきが{len(d.flags_resolved)}件解消しました。"
    if d.matches:
        text += f"（別々に作られた記録のため、{len(d.matches)}件は名前で照合しました。）"
    return text


def _summary_en(d: Diff, names: bool) -> str:
    """:func:`summary` in English (for any ``lang`` but ``"ja"``)."""
    before, after = d.counts.get("before", {}), d.counts.get("after", {})
    iso_a, iso_b = before.get("isolated", 0), after.get("isolated", 0)
    parts: list[str] = []

    def n(count: int, one: str, many: str) -> str:
        return f"{count} {one if count == 1 else many}"

    if d.nodes_added:
        parts.append(f"{n(len(d.nodes_added), 'note was', 'notes were')} added")
    if d.nodes_removed:
        parts.append(f"{n(len(d.nodes_removed), 'note was', 'notes were')} removed")
    if d.ties_added:
        parts.append(f"{n(len(d.ties_added), 'tie was', 'ties were')} added")
    if d.ties_removed:
        parts.append(f"{n(len(d.ties_removed), 'tie was', 'ties were')} removed")
    moved = "down" if iso_b < iso_a else "up" if iso_b > iso_a else None
    flagged = "the households whose connections need checking"
    if moved:
        parts.append(f"{flagged} went {moved} from {iso_a} to {iso_b}")
        text = "Compared with last time, " + ", and ".join(parts) + "."
    elif parts:
        text = "Compared with last time, " + ", and ".join(parts) + f"; {flagged} stay at {iso_b}."
    else:
        text = f"Nothing was added or removed since last time; {flagged} stay at {iso_b}."
    for entries, what in (
        (d.no_longer_isolated, "no longer flagged"),
        (d.newly_isolated, "newly flagged"),
    ):
        if entries:
            verb = "is" if len(entries) == 1 else "are"
            text += f" {len(entries)} {verb} {what}"
            text += f" ({_names(entries, 'en')})." if names else "."
    for entries, what in ((d.load_up, "more"), (d.load_down, "fewer")):
        if entries:
            who = n(len(entries), "helper now supports", "helpers now support")
            text += f" {who} {what} households"
            text += f" ({_names(entries, 'en')})." if names else "."
    if d.flags_added or d.flags_resolved:
        text += f" Other flags: {len(d.flags_added)} new, {len(d.flags_resolved)} resolved."
    if d.matches:
        text += f" ({n(len(d.matches), 'node was', 'nodes were')} matched by name.)"
    return text
