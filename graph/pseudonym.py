"""Pseudonymised copies of a session graph: no name survives, each node keeps its pseudonym."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

import networkx as nx

from .model import is_active, new_graph
from .scrub import NameFinder, looks_private, name_words
from .vocabulary import NODE_ATTRIBUTES, NODE_KINDS, TIE_ATTRIBUTES

__all__ = [
    "PRIVATE_KINDS",
    "PSEUDONYM_PREFIX",
    "ANONYMOUS_PSEUDONYM",
    "pseudonym_ids",
    "pseudonymise",
    "public_labels",
    "public_text",
]

#: Node kinds whose labels name or describe residents: exports replace them with pseudonyms.
PRIVATE_KINDS = frozenset({"person", "household", "need", "idea"})
#: The prefix of each kind's pseudonym ids (世帯-001, 人-014, 困りごと-003, 案-002, …).
PSEUDONYM_PREFIX = {
    "person": "人",
    "household": "世帯",
    "need": "困りごと",
    "idea": "案",
    "group": "団体",
    "place": "場所",
    "institution": "機関",
    "activity": "活動",
    "story": "歴史",
}
#: The label of a person who gave no consent to be shown, in a pseudonymised export.
ANONYMOUS_PSEUDONYM = "匿名"
# Free text a coordinator may have typed; never exported under a pseudonym.
_FREE_TEXT = frozenset({"note", "text", "status"})
_NUMBERED = re.compile(r"^(.+)-(\d+)$")


def _natural(node: Any) -> tuple:
    """Sort key reading the digits of an id as numbers (n2 before n10)."""
    return tuple(
        (0, int(part), "") if part.isdigit() else (1, 0, part)
        for part in re.split(r"(\d+)", str(node))
        if part
    )


def _is_kana(ch: str) -> bool:
    return "\u3040" <= ch <= "\u30ff" or not ch.isalnum()


def _prefix(kind: Any) -> str:
    return PSEUDONYM_PREFIX.get(kind, "ノード")


def pseudonym_ids(G: nx.MultiDiGraph, known: Mapping[Any, str] | None = None) -> dict[Any, str]:
    """The pseudonym of every node of ``G``: those in ``known`` kept, new ones numbered on.

    A node's pseudonym is the Japanese prefix of its kind and a number counted per kind
    (``世帯-001``). ``known`` holds the pseudonyms given before (the session keeps them, so a
    node is called the same in every export); a node not in it, or whose kind changed, gets
    the next free number of its kind, in the natural order of the ids (``n2`` before ``n10``).

    Examples
    --------
    >>> from graph.model import build_graph
    >>> G = build_graph([{"id": f"n{i}", "kind": "person", "label": "x"} for i in (2, 10)], [])
    >>> pseudonym_ids(G)
    {'n2': '人-001', 'n10': '人-002'}
    >>> G.add_node("n1", kind="person", label="y")
    >>> pseudonym_ids(G, {"n2": "人-001", "n10": "人-002"})
    {'n2': '人-001', 'n10': '人-002', 'n1': '人-003'}
    """
    known = dict(known or {})
    out: dict[Any, str] = {}
    top: dict[str, int] = {}
    for name in known.values():
        m = _NUMBERED.match(str(name))
        if m:
            top[m.group(1)] = max(top.get(m.group(1), 0), int(m.group(2)))
    for n in sorted(G, key=_natural):
        prefix = _prefix(G.nodes[n].get("kind"))
        name = known.get(n)
        if name is not None and str(name).startswith(prefix + "-"):
            out[n] = str(name)
    for n in sorted(G, key=_natural):
        if n in out:
            continue
        prefix = _prefix(G.nodes[n].get("kind"))
        top[prefix] = top.get(prefix, 0) + 1
        out[n] = f"{prefix}-{top[prefix]:03d}"
    return out


def _general(kind: Any, label: str, finder: NameFinder, pseudonym: str) -> str:
    """A public label without the names in it: 「ゴミ集積所（場所-003）」."""
    if not finder.contains(label):
        return label
    rest = finder.scrub(label)
    if not rest or all(_is_kana(c) for c in rest) or finder.contains(rest):
        rest = NODE_KINDS[kind].ja.split("・")[0] if kind in NODE_KINDS else ""
    return f"{rest}（{pseudonym}）" if rest else pseudonym


def public_labels(
    G: nx.MultiDiGraph,
    ids: Mapping[Any, str] | None = None,
    finder: NameFinder | None = None,
    content: bool = False,
) -> dict[Any, str]:
    """The label of every node with no name in it, for pseudonymised files and reports.

    People, households, needs and ideas are their pseudonym (people recorded as anonymous
    「匿名」); the other kinds keep their labels unless a name is in them, then they are
    generalised: 「佐藤ウメさん宅前のゴミ集積所」 → 「ゴミ集積所（場所-003）」. With
    ``content=True`` (an unnamed report, which lists what was heard without saying who)
    needs and ideas are read like the other kinds: 「ゴミ出しが大変」 stays.

    >>> from graph.model import build_graph
    >>> G = build_graph([{"id": "p", "kind": "person", "label": "佐藤 ウメ"},
    ...                  {"id": "g", "kind": "place", "label": "佐藤ウメさん宅前のゴミ集積所"},
    ...                  {"id": "s", "kind": "place", "label": "福祉会館"}], [])
    >>> public_labels(G)
    {'p': '人-001', 'g': 'ゴミ集積所（場所-001）', 's': '福祉会館'}
    """
    ids = pseudonym_ids(G) if ids is None else ids
    finder = finder or NameFinder(name_words(G))
    out = {}
    for n, attrs in G.nodes(data=True):
        kind = attrs.get("kind")
        if (kind in PRIVATE_KINDS and not (content and kind in ("need", "idea"))) or (
            kind not in NODE_KINDS
        ):
            anonymous = kind == "person" and attrs.get("consent") == "anonymous"
            out[n] = ANONYMOUS_PSEUDONYM if anonymous else ids[n]
        else:
            out[n] = _general(kind, str(attrs.get("label") or ""), finder, ids[n])
    return out


def _kept(attrs: Mapping[str, Any], vocabulary: Mapping[str, Any], finder: NameFinder) -> dict:
    kept = {}
    for k, v in attrs.items():
        if k not in vocabulary or k in _FREE_TEXT or v is None:
            continue
        allowed = vocabulary[k]
        if allowed is None:  # free text (the district): only when it names no one
            text = str(v).strip()
            if not text or looks_private(text) or finder.contains(text):
                continue
        elif isinstance(allowed, tuple) and v not in allowed:
            continue  # a value outside the vocabulary is free text too
        elif allowed is bool and not isinstance(v, bool):
            continue
        kept[k] = v
    return kept


def public_text(text: str, finder: NameFinder) -> str:
    """``text`` (a title, an area) without the names in it.

    >>> public_text("渡辺さんの地区の集い", NameFinder(["渡辺 キヨ"]))
    '地区の集い'
    """
    text = str(text or "")
    return finder.scrub(text) if text and finder.contains(text) else text


def _graph_attrs(G: nx.MultiDiGraph, finder: NameFinder) -> dict[str, str]:
    out = {}
    for key in ("title", "area"):
        text = str(G.graph.get(key) or "")
        if text:
            out[key] = public_text(text, finder)
    return out


def pseudonymise(G: nx.MultiDiGraph, known: Mapping[Any, str] | None = None) -> nx.MultiDiGraph:
    """A copy of ``G`` fit to leave the office: no resident's name, no free text.

    Only approved nodes and ties are kept (hidden and pending ones never leave). Every node
    gets its pseudonym (:func:`pseudonym_ids`; pass the session's ``known`` pseudonyms so
    they stay the same across exports) as its id, and the label of :func:`public_labels`.
    Only the attributes of the vocabulary are kept (:data:`~graph.vocabulary.NODE_ATTRIBUTES`,
    :data:`~graph.vocabulary.TIE_ATTRIBUTES`), so provenance and free text go; a district is
    kept only where it names no one and says nothing private. Tie ids are made of the
    pseudonyms of their ends and kind (``人-001.世帯-001.lives_in``), so they are stable
    too; of the graph attributes only ``title`` and ``area`` remain, without names.

    Parameters
    ----------
    G : MultiDiGraph
        A session graph; it is not modified.
    known : mapping, optional
        node → pseudonym given before.

    Returns
    -------
    MultiDiGraph
        The approved structure (kinds, ties and their kinds) under new names.

    Examples
    --------
    >>> from graph.model import build_graph
    >>> G = build_graph(
    ...     [{"id": "h2", "kind": "household", "label": "佐藤さん宅", "district": "1丁目"},
    ...      {"id": "p1", "kind": "person", "label": "佐藤 花子", "consent": "anonymous"},
    ...      {"id": "g1", "kind": "group", "label": "老人クラブ", "from_id": "x"},
    ...      {"id": "g2", "kind": "group", "label": "花子さんの会", "status": "hidden"}],
    ...     [{"id": "a", "source": "p1", "target": "h2", "kind": "lives_in"},
    ...      {"id": "b", "source": "p1", "target": "g1", "kind": "member"}])
    >>> P = pseudonymise(G)
    >>> dict(P.nodes(data="label"))
    {'世帯-001': '世帯-001', '人-001': '匿名', '団体-001': '老人クラブ'}
    >>> sorted(P.edges(keys=True))[0]
    ('人-001', '世帯-001', '人-001.世帯-001.lives_in')
    >>> P.nodes["世帯-001"]
    {'kind': 'household', 'label': '世帯-001', 'district': '1丁目'}

    Notes
    -----
    O((n + m) log(n + m)) for n nodes and m ties, plus the reading of every kept label.
    """
    finder = NameFinder(name_words(G))
    active = [n for n, a in G.nodes(data=True) if is_active(a)]
    A = G.subgraph(active)
    ids = pseudonym_ids(G, known)
    labels = public_labels(A, ids, finder)
    P = new_graph(**_graph_attrs(G, finder))
    for n in sorted(active, key=lambda n: _natural(ids[n])):
        attrs = G.nodes[n]
        P.add_node(
            ids[n],
            kind=attrs.get("kind"),
            label=labels[n],
            **_kept(attrs, NODE_ATTRIBUTES, finder),
        )
    ties = [(u, v, a) for u, v, a in A.edges(data=True) if is_active(a)]
    ties.sort(key=lambda t: (_natural(ids[t[0]]), _natural(ids[t[1]]), str(t[2].get("kind"))))
    for u, v, attrs in ties:
        key = f"{ids[u]}.{ids[v]}.{attrs.get('kind')}"
        number = 2
        base = key
        while P.has_edge(ids[u], ids[v], key):
            key = f"{base}.{number}"
            number += 1
        P.add_edge(
            ids[u], ids[v], key=key, kind=attrs.get("kind"), **_kept(attrs, TIE_ATTRIBUTES, finder)
        )
    return P
