"""The text of a sticky note: widths in ems (full-width characters are predictable), lines.

A slot (``graph.layout.Slot``) says how wide a note's line may be (``width``, in ems) and how
many lines it has (``lines``); these functions break a label into those lines, so the layout
knows every note's box before the screen draws it.
"""

from __future__ import annotations

import functools
import unicodedata
from typing import Any

__all__ = ["LINE_HEIGHT", "BOX_MARGIN", "label_box", "text_width", "wrap_label"]

#: Margins of the label inside its box, as drawn (vis-network ``margin``).
BOX_MARGIN = {"x": 8, "y": 6}
#: Height of a line of text, in units of the font size (vis-network draws ≈ 1.1).
LINE_HEIGHT = 1.2
#: The end of a cut label that is kept after the 「…」 (in ems): room labels differ at the
#: end (「サロン②」, 「集会所3」), so two long labels never read alike once cut.
_TAIL = 3.2


@functools.lru_cache(maxsize=8192)
def _char_width(ch: str) -> float:
    """The width of one character in ems (see :func:`text_width`)."""
    if unicodedata.combining(ch) or ch in "\u200d\ufe0f":
        return 0.0
    if ord(ch) > 0x1F000 or unicodedata.category(ch) == "So":
        return 1.3  # drawn as an emoji
    if unicodedata.east_asian_width(ch) in "WFA":  # ①② are drawn full-width
        return 1.0
    return 0.62


def text_width(text: str) -> float:
    """The width of one line of ``text`` in ems: full-width (and ambiguous) 1, emoji 1.3,
    others 0.62 (a little more than most Latin letters take).

    >>> text_width("佐藤 A.")
    3.86
    """
    total = 0.0
    for ch in text:
        total += _char_width(ch)
    return round(total, 2)


def _lines(text: str, width: float) -> list[str]:
    """``text`` broken into lines of at most ``width`` ems; a Latin word that fits a line
    moves to the next one whole instead of being split."""
    lines: list[str] = []
    line = ""
    for ch in text:
        if line and text_width(line + ch) > width:
            space = line.rfind(" ")
            word = line[space + 1 :] + ch
            if space > 0 and ch != " " and word.isascii() and text_width(word) <= width:
                lines.append(line[:space].rstrip())
                line = word
                continue
            lines.append(line.rstrip())
            line = ch.lstrip()
        else:
            line += ch
    if line:
        lines.append(line)
    return lines


def _cut(text: str, width: float) -> str:
    """One line of ``width`` ems: the beginning of ``text``, 「…」 and its last characters."""
    tail = ""
    for ch in reversed(text):
        if text_width(ch + tail) > min(_TAIL, width / 2.5):
            break
        tail = ch + tail
    while tail and _mid_word(text, len(text) - len(tail)):
        tail = tail[1:]  # the end of a Latin word is no help: keep only whole words
    room = width - text_width("…" + tail)
    head = ""
    for ch in text:
        if text_width(head + ch) > room:
            break
        head += ch
    if _mid_word(text, len(head)) and " " in head.strip():
        head = head.rstrip()[: head.rstrip().rfind(" ")]
    return head.rstrip() + "…" + tail.lstrip()


def _mid_word(text: str, i: int) -> bool:
    """Whether position ``i`` of ``text`` falls inside a Latin word."""
    return 0 < i < len(text) and _latin(text[i - 1]) and _latin(text[i])


def _latin(ch: str) -> bool:
    return ch.isascii() and ch.isalnum()


def wrap_label(text: str, slot: Any) -> list[str]:
    """``text`` broken into the lines of ``slot``; a label that needs more is cut with 「…」
    in its last line, which keeps the label's end (where room labels differ).

    >>> from graph.layout import SLOTS
    >>> wrap_label("移動販売車の停留所（旧駅前）", SLOTS["note"])
    ['移動販売車の停留', '所（旧駅前）']
    >>> wrap_label("冬のあいだだけ開く雪あかりの除雪ボランティア隊12", SLOTS["note"])
    ['冬のあいだだけ開', 'く雪あか…隊12']
    >>> wrap_label("Saturday morning breakfast", SLOTS["note"])
    ['Saturday', 'morning…']

    Notes
    -----
    O(n²) in the length of one line of ``text`` (lines are a few ems), O(n) in its length.
    """
    text = " ".join(str(text).split())
    lines = _lines(text, slot.width)
    if len(lines) > slot.lines:
        kept = lines[: slot.lines - 1]
        rest = text[len(" ".join(kept)) :].lstrip() if kept else text
        lines = kept + [_cut(rest, slot.width)]
    return lines or [""]


def label_box(lines: list[str], slot: Any) -> tuple[float, float]:
    """The width and height of a box holding ``lines`` at ``slot``'s font, margins included."""
    width = max(text_width(line) for line in lines) * slot.font + 2 * BOX_MARGIN["x"]
    height = len(lines) * slot.font * LINE_HEIGHT + 2 * BOX_MARGIN["y"]
    return width, height
