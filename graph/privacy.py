"""What a shared screen may show of a node: consent, initials, unique room labels, no flag."""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from .model import is_active
from .names import reading
from .pseudonym import ANONYMOUS_PSEUDONYM, PRIVATE_KINDS, PSEUDONYM_PREFIX, pseudonymise

__all__ = [
    "ANONYMOUS",
    "UNIT_FLAGS",
    "flagged_units",
    "initials",
    "room_labels",
    "shared_label",
    "offered_on_phones",
    "placelike",
    "pseudonymise",
    "PSEUDONYM_PREFIX",
    "PRIVATE_KINDS",
    "ANONYMOUS_PSEUDONYM",
]

#: Flags about a household unit (the facilitator's screens group them; shared screens never
#: show any flag, DESIGN.md §4).
UNIT_FLAGS = frozenset(
    {"isolated_household", "single_supporter", "winter_risk", "infrequent_contact"}
)

#: How a person without any consent to be shown appears on shared screens.
ANONYMOUS = "匿名の方"
#: A household without a readable initial.
HOUSE = "お宅"

# The Hepburn initial of each kana row (ち→C, つ→T, ふ→F, し→S, じ→J as in the romaji).
_ROWS = {
    "": "あいうえお",
    "K": "かきくけこ",
    "G": "がぎぐげご",
    "S": "さすせそ",
    "Z": "ざずぜぞ",
    "J": "じぢ",
    "T": "たてとつ",
    "C": "ち",
    "D": "だづでど",
    "N": "なにぬねの",
    "H": "はひへほ",
    "F": "ふ",
    "B": "ばびぶべぼ",
    "P": "ぱぴぷぺぽ",
    "M": "まみむめも",
    "Y": "やゆよ",
    "R": "らりるれろ",
    "W": "わを",
}
_INITIAL = {kana: letter for letter, row in _ROWS.items() for kana in row}
_INITIAL.update({"し": "S", "あ": "A", "い": "I", "う": "U", "え": "E", "お": "O"})


@functools.lru_cache(maxsize=65536)
def initials(label: str) -> str:
    """Romaji initials of a name, one per written word.

    Examples
    --------
    >>> initials("佐藤 花子")
    'S.H.'
    >>> initials("ちば　つよし")
    'C.T.'
    >>> initials("Smith John")
    'S.J.'
    """
    letters = []
    for word in label.split():
        kana = reading(word)
        if not kana:
            continue
        first = kana[0]
        letter = _INITIAL.get(first) or (first.upper() if first.isascii() else "")
        if letter:
            letters.append(letter)
    return "".join(f"{letter}." for letter in letters[:3]) or "?"


def flagged_units(found: Iterable[Any]) -> set[str]:
    """The ids of the units that carry a unit flag, from :func:`graph.analysis.flags`."""
    return {f.node for f in found if f.flag in UNIT_FLAGS and f.node is not None}


def offered_on_phones(attrs: Mapping[str, Any]) -> bool:
    """Whether a node may be offered to phones at all (anonymous persons are not)."""
    return not (attrs.get("kind") == "person" and attrs.get("consent") == "anonymous")


def shared_label(attrs: Mapping[str, Any]) -> str:
    """The base label the room may see for a node with ``attrs``, before it is made unique.

    A person shows their name only with ``consent == "named"`` (which only the facilitator
    records), initials with ``"initials"`` or no consent recorded, and 「匿名の方」 with
    ``"anonymous"``. A household shows its name only with ``consent == "named"``, otherwise the
    initial of its family name and 「宅」 — the same for every household, so the label never
    hints at who lives alone. Every other kind keeps its label. Use :func:`room_labels` on a
    shared screen: it makes these unique in the session.

    Examples
    --------
    >>> shared_label({"kind": "person", "label": "佐藤 花子", "consent": "named"})
    '佐藤 花子'
    >>> shared_label({"kind": "person", "label": "佐藤 花子"})
    'S.H.'
    >>> shared_label({"kind": "person", "label": "佐藤 花子", "consent": "anonymous"})
    '匿名の方'
    >>> shared_label({"kind": "household", "label": "鈴木さん宅", "lives_alone": True})
    'S.宅'
    >>> shared_label({"kind": "place", "label": "福祉会館"})
    '福祉会館'
    """
    label = str(attrs.get("label") or "")
    kind = attrs.get("kind")
    consent = attrs.get("consent")
    if kind == "person":
        if consent == "named":
            return label
        if consent == "anonymous":
            return ANONYMOUS
        return initials(label)
    if kind == "household":
        if consent == "named":
            return label
        family = _HOUSE_SUFFIX.sub("", label.strip()) or label
        letters = initials(family)
        return HOUSE if letters == "?" else f"{letters}宅"
    return label


# 「鈴木さん宅」「鈴木家」「鈴木様方」「すずきさんち」: the family name is what comes before.
_HOUSE_SUFFIX = re.compile(r"\s*(さん|様|さま)?(宅|家|方|ち|のお宅|の家)?\s*$")
# A district is shown beside a label only when it reads as a place, not as a person or a
# private attribute (it may be free text typed on a phone).
_DISTRICT_MAX = 10
_NOT_A_PLACE = re.compile(
    r"さん|様|さま|氏|宅|くん|君|ちゃん|一人|独居|ひとり|暮らし|歳|才|代|認知|病|障|要介護"
    r"|の家|家の|の隣|向かい|裏手|[\s<>&]"
)
_NUMBERS = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"


def _district(G: nx.MultiDiGraph, node: Any) -> str:
    """The node's district, or its household's (lives_in), when it reads as a place."""
    nodes = G._node
    district = nodes[node].get("district")
    if not district:
        for home, keyed in G._adj[node].items():  # the out-ties, in ``out_edges`` order
            if nodes[home].get("district") and any(
                d.get("kind") == "lives_in" for d in keyed.values()
            ):
                district = nodes[home]["district"]
                break
    district = _placelike(str(district or "").strip())
    # A district typed on a phone may hold a name: never one of the node's own.
    own = _HOUSE_SUFFIX.sub("", str(nodes[node].get("label") or "")).split()
    if district and any(word in district for word in own):
        return ""
    return district


def placelike(district: str) -> bool:
    """Whether ``district`` reads as a place (not a person, a house or a private attribute):
    only such a district is ever shown on a shared screen.

    >>> placelike("坂の上"), placelike("佐藤さんの隣"), placelike("一人暮らし")
    (True, False, False)
    """
    return bool(_placelike(str(district).strip()))


@functools.lru_cache(maxsize=4096)
def _placelike(district: str) -> str:
    """``district`` if it reads as a place, else ""."""
    if not district or len(district) > _DISTRICT_MAX or _NOT_A_PLACE.search(district):
        return ""
    return district


def _looks(label: str) -> str:
    """What a label looks like to a reader: 「佐藤 花子」「佐藤　花子」「佐藤花子」 and
    「ＳＡＴＯ」「sato」 read as the same name, so :func:`room_labels` tells them apart too.

    >>> _looks("佐藤　花子") == _looks("佐藤花子 ") == _looks("佐藤 花子")
    True
    """
    return "".join(unicodedata.normalize("NFKC", label).casefold().split())


def _numbered(label: str, number: int) -> str:
    return label + (_NUMBERS[number - 1] if number <= len(_NUMBERS) else f"({number})")


def room_labels(G: nx.MultiDiGraph) -> dict[Any, str]:
    """The label of every visible node on a shared screen, unique in the session.

    Each approved node gets its :func:`shared_label`. Where persons share a label, each gets
    a short distinguisher that is not private: their district (or their household's) when
    that reads as a place (「T.H.（坂の上）」); where that is not enough, a circled number in
    the order the nodes were added, the first keeping the plain label (「T.H.」「T.H.②」).
    Households and any other repeated label (two 「サロン」) are numbered the same way
    (「S.宅」「S.宅②」): short enough for a sticky note on the tree, which groups them by
    district anyway. Labels that only differ in spaces, width or case (「佐藤 花子」 and
    「佐藤　花子」) count as repeated: they look the same on a phone.
    The projector, the wall and phones' search all show these labels.

    Parameters
    ----------
    G : MultiDiGraph
        A session graph; pending and hidden nodes are left out.

    Returns
    -------
    dict
        node → label; no two labels are the same.

    Examples
    --------
    >>> from graph.model import build_graph
    >>> G = build_graph(
    ...     [{"id": "p1", "kind": "person", "label": "田中 花子", "district": "川沿い"},
    ...      {"id": "p2", "kind": "person", "label": "高橋 ひろし", "district": "坂の上"},
    ...      {"id": "p3", "kind": "person", "label": "田村 はるか"},
    ...      {"id": "h1", "kind": "household", "label": "鈴木さん宅"}], [])
    >>> room_labels(G)
    {'p1': 'T.H.（川沿い）', 'p2': 'T.H.（坂の上）', 'p3': 'T.H.', 'h1': 'S.宅'}

    Notes
    -----
    O(n + m) for n nodes and m ties. A node keeps its label while others are added unless a
    new node comes to share its plain label (then the district is added to both).
    """
    nodes = G._node
    visible = [n for n, a in nodes.items() if is_active(a)]
    base = {n: shared_label(nodes[n]) for n in visible}
    count: dict[str, int] = {}
    for label in base.values():
        count[_looks(label)] = count.get(_looks(label), 0) + 1
    wanted: dict[Any, str] = {}
    for n in visible:
        label = base[n]
        if count[_looks(label)] > 1 and nodes[n].get("kind") == "person":
            district = _district(G, n)
            if district:
                label = f"{label}（{district}）"
        wanted[n] = label
    taken = {_looks(label) for label in wanted.values()}
    used: set[str] = set()
    # The numbers taken by a label only grow, so the search goes on from the last one found
    # (a town's hundreds of 「S.宅」 cost linear, not quadratic, time).
    next_number: dict[str, int] = {}
    out: dict[Any, str] = {}
    for n in visible:
        label = wanted[n]
        looks = _looks(label)
        if looks in used:
            number = next_number.get(looks, 2)
            while (numbered := _looks(_numbered(label, number))) in used or numbered in taken:
                number += 1
            next_number[looks] = number + 1
            label = _numbered(label, number)
        used.add(_looks(label))
        out[n] = label
    return out
