"""The note wall's groups carried on per event: only the stickies whose room label changed
and the notes approved since are made again.

The wall shows every approved note's room label, grouped by kind, oldest first, each kind's
stickies as one HTML text (``regions.stickies_html``). On a town that is 9,000 labels looked
up, grouped and keyed per event while an approved note adds one sticky. :func:`carry_wall`
keeps the groups of the version before: when the labels it was made of are the new ones' first
part (in the same order, nodes only added at the end), it replaces the stickies whose label
changed, appends the new ones, and appends their HTML to a kind's text when that kind only
grew. Anything else (a note hidden, removed or of another kind now) makes the wall afresh. The
result equals :func:`wall_of` of the new labels (``tests/web/test_live_incremental.py``).
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from itertools import compress
from operator import ne
from typing import Any

from markupsafe import Markup, escape

from graph.vocabulary import NODE_KINDS

from .regions import _sticky, stickies_html
from .web import KIND_ICONS

#: What ``regions.stickies_html`` puts between two stickies.
STICKY_GAP = "\n      "

__all__ = ["Wall", "wall_of", "carry_wall", "delta_html"]


@dataclass
class Wall:
    """The wall's groups as of some room labels. Never changed once made."""

    labels: dict[Any, str]  # the room labels it was made of
    kinds: dict[Any, str] = field(default_factory=dict)  # each sticky's kind
    index: dict[Any, int] = field(default_factory=dict)  # its place in its kind's group
    groups: dict[str, list[dict]] = field(default_factory=dict)  # kind → stickies
    html: dict[str, Markup] = field(default_factory=dict)  # kind → its stickies' HTML
    seq: int | None = None  # the seq it is the wall of (when the caller said)
    # When it only grew from the wall of seq ``base``: each kind that grew → the place of
    # its first new sticky (:func:`delta_html`); ``base`` is None otherwise.
    base: int | None = None
    grown: dict[str, int] = field(default_factory=dict)

    def shown(self) -> list[dict]:
        """The wall's groups as its template draws them, in vocabulary order."""
        return [
            {"kind": k, "icon": KIND_ICONS[k], "stickies": g, "html": self.html[k]}
            for k, g in self.groups.items()
            if g
        ]


def wall_of(
    labels: dict[Any, str], nodes: Mapping[Any, Mapping[str, Any]], seq: int | None = None
) -> Wall:
    """The wall afresh: every labelled node of a kind of the vocabulary, by kind, in the
    labels' order (approved nodes, oldest first)."""
    wall = Wall(labels, groups={kind: [] for kind in NODE_KINDS}, seq=seq)
    groups, kinds, index = wall.groups, wall.kinds, wall.index
    for node, label in labels.items():
        kind = nodes[node].get("kind")
        if kind in groups:
            kinds[node], index[node] = kind, len(groups[kind])
            groups[kind].append({"id": node, "label": label})
    wall.html = {k: stickies_html(k, KIND_ICONS[k], g) for k, g in groups.items() if g}
    return wall


def carry_wall(
    labels: dict[Any, str],
    nodes: Mapping[Any, Mapping[str, Any]],
    carried: tuple[Wall, Collection] | None = None,
    seq: int | None = None,
) -> Wall:
    """:func:`wall_of` the new ``labels`` (the wall of ``seq``), from ``carried`` (the wall
    of the labels before some events and the nodes they touched) where only labels changed
    or nodes came. A wall that only grew from the one carried says so (``base``, ``grown``).
    """
    if carried is None:
        return wall_of(labels, nodes, seq)
    old, touched = carried
    before = old.labels
    same = (old.kinds, old.index, old.groups, old.html)
    if labels is before:
        return Wall(labels, *same, seq=seq, base=old.seq)
    count = len(before)
    keys = list(labels)
    if len(keys) < count or keys[:count] != list(before):
        return wall_of(labels, nodes, seq)
    for node in touched:
        if node in before:
            kind = nodes[node].get("kind") if node in nodes else None
            if old.kinds.get(node) != (kind if kind in old.groups else None):
                return wall_of(labels, nodes, seq)
    # The labels of the nodes there before, side by side (the same order): compared in C.
    differ = compress(keys, map(ne, labels.values(), before.values()))
    changed = [n for n in differ if n in old.kinds]
    added = [n for n in keys[count:] if nodes[n].get("kind") in old.groups]
    if not changed and not added:
        return Wall(labels, *same, seq=seq, base=old.seq)
    groups = dict(old.groups)
    copied: set[str] = set()
    relabelled: set[str] = set()
    for node in changed:
        kind = old.kinds[node]
        if kind not in copied:
            groups[kind] = list(groups[kind])
            copied.add(kind)
        groups[kind][old.index[node]] = {"id": node, "label": labels[node]}
        relabelled.add(kind)
    kinds, index = old.kinds, old.index
    if added:
        kinds, index = dict(kinds), dict(index)
    grown: dict[str, int] = {}
    for node in added:
        kind = nodes[node]["kind"]
        if kind not in copied:
            groups[kind] = list(groups[kind])
            copied.add(kind)
        grown.setdefault(kind, len(groups[kind]))
        kinds[node], index[node] = kind, len(groups[kind])
        groups[kind].append({"id": node, "label": labels[node]})
    html = dict(old.html)
    for kind in copied:
        start = grown.get(kind)
        if kind in relabelled or not start:
            html[kind] = stickies_html(kind, KIND_ICONS[kind], groups[kind])
        else:  # only grew: its text so far, then the new stickies'
            icon = KIND_ICONS[kind]
            more = STICKY_GAP.join(
                _sticky(kind, icon, s["id"], s["label"]) for s in groups[kind][start:]
            )
            html[kind] = html[kind] + Markup(STICKY_GAP + more)
    # Only grown, and every kind that grew on the screen already: the screen can add to it.
    grew = not relabelled and all(grown.values())
    base = old.seq if grew else None
    return Wall(labels, kinds, index, groups, html, seq, base, grown if grew else {})


def delta_html(wall: Wall) -> str | None:
    """What ``wall`` gained since the wall of seq ``wall.base``, for a projector showing
    that one (static/js/facilitation.js adds it): per kind that grew, its new stickies and
    its count, in a ``<template data-wall-base data-wall-seq>``; None when it did not only
    grow from a known wall (the projector then gets the whole wall)."""
    if wall.base is None or wall.seq is None:
        return None
    parts = []
    for kind, start in wall.grown.items():
        icon, stickies = KIND_ICONS[kind], wall.groups[kind]
        more = STICKY_GAP.join(_sticky(kind, icon, s["id"], s["label"]) for s in stickies[start:])
        head = f'<section data-kind="{escape(kind)}" data-count="{len(stickies)}">'
        parts.append(f"{head}{STICKY_GAP}{more}</section>")
    body = "".join(parts)
    return f'<template data-wall-base="{wall.base}" data-wall-seq="{wall.seq}">{body}</template>'
