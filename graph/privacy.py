"""What a shared screen may show of a node: consent, initials, and no name beside a worry."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .names import reading

__all__ = [
    "ANONYMOUS",
    "CHECK_MARKER",
    "UNIT_FLAGS",
    "flagged_units",
    "initials",
    "shared_label",
    "offered_on_phones",
]

#: Flags about a household unit: on shared screens its name gives way to the marker.
UNIT_FLAGS = frozenset({"isolated_household", "single_supporter", "winter_risk"})

#: How a person without any consent to be shown appears on shared screens.
ANONYMOUS = "匿名の方"
#: The gentle marker that stands in for a flagged household's name on the projector.
CHECK_MARKER = "つながり要確認"

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


def shared_label(attrs: Mapping[str, Any], flagged: bool = False) -> str:
    """The label the room may see (projector, phones) for a node with ``attrs``.

    A person shows their name only with ``consent == "named"``, initials with
    ``"initials"`` or no consent recorded, and nothing with ``"anonymous"``. A flagged
    household shows the gentle marker instead of its name; a household of someone living
    alone shows only its district (「3丁目のお宅」). A flagged household (or lone person) shows the
    gentle marker instead of any name. Everything else keeps its label.

    Examples
    --------
    >>> shared_label({"kind": "person", "label": "佐藤 花子", "consent": "named"})
    '佐藤 花子'
    >>> shared_label({"kind": "person", "label": "佐藤 花子"})
    'S.H.'
    >>> shared_label({"kind": "person", "label": "佐藤 花子", "consent": "anonymous"})
    '匿名の方'
    >>> shared_label({"kind": "household", "label": "鈴木さん宅"}, flagged=True)
    'つながり要確認'
    >>> shared_label({"kind": "household", "label": "鈴木さん宅", "lives_alone": True,
    ...               "district": "3丁目"})
    '3丁目のお宅'
    """
    label = str(attrs.get("label") or "")
    kind = attrs.get("kind")
    if flagged and kind in ("person", "household"):
        return CHECK_MARKER
    if kind == "person":
        consent = attrs.get("consent")
        if consent == "named":
            return label
        if consent == "anonymous":
            return ANONYMOUS
        return initials(label)
    if kind == "household":
        if attrs.get("lives_alone"):
            district = attrs.get("district")
            return f"{district}のお宅" if district else "お宅"
    return label
