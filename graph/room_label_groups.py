"""Room labels kept up to date per event: only the touched nodes' label groups again.

:func:`graph.privacy.room_labels` reads every node of the session; on a town that is 9,000
names per event while an approved note changes one. The labels are made group by group:
a node's base label (:func:`~graph.privacy.shared_label`, its own attributes), the label it
wants (the base, with its district when the base is shared by another person), and within
each wanted label the order of the nodes — the first keeps it, the others get the next
circled numbers whose label no node wants. A numbered label never equals another group's
(the numbers end them), so a group's labels depend only on its members and on which
numbered labels are wanted. :func:`carry_room_labels` recomputes the groups an event
touched and keeps the others; the result equals :func:`~graph.privacy.room_labels` of the
new graph (``tests/graph/test_room_label_groups.py``).
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from .model import is_active
from .privacy import _NUMBERS, _district, _numbered, shared_label

__all__ = ["RoomLabels", "carry_room_labels"]

_NUMBERED = re.compile(rf"(?:[{_NUMBERS}]|\(\d+\))\Z")


@dataclass
class RoomLabels:
    """The room labels of a graph (``labels``, as ``room_labels`` gives them) and the
    groups they were made of, to carry on to the next event. Never changed once made."""

    labels: dict[Any, str] = field(default_factory=dict)
    base: dict[Any, str] = field(default_factory=dict)
    wanted: dict[Any, str] = field(default_factory=dict)
    by_base: dict[str, set] = field(default_factory=dict)
    by_wanted: dict[str, set] = field(default_factory=dict)
    seq: dict[Any, int] = field(default_factory=dict)  # each node's place in G's order
    top: int = 0  # above every place given


def _move(groups: dict[str, set], copied: set, node: Any, old: str | None, new: str | None):
    """Move ``node`` from group ``old`` to ``new``, copying each group changed the first
    time (the carried state is shared with the version before)."""
    for label, add in ((old, False), (new, True)):
        if label is None:
            continue
        if label not in copied:
            groups[label] = set(groups.get(label, ()))
            copied.add(label)
        if add:
            groups.setdefault(label, set()).add(node)  # new, if it emptied before
        elif label in groups:
            groups[label].discard(node)
            if not groups[label]:
                del groups[label]


def _wanted(G: nx.MultiDiGraph, node: Any, base: str, shared: bool) -> str:
    if shared and G._node[node].get("kind") == "person":
        district = _district(G, node)
        if district:
            return f"{base}（{district}）"
    return base


def _number(labels: dict, members: list, wanted: str, taken: Collection[str]) -> None:
    """The labels of the nodes wanting ``wanted``, in the graph's order."""
    labels[members[0]] = wanted
    number = 2
    for node in members[1:]:
        while _numbered(wanted, number) in taken:
            number += 1
        labels[node] = _numbered(wanted, number)
        number += 1


def carry_room_labels(
    G: nx.MultiDiGraph, carried: tuple[RoomLabels, Collection] | None = None
) -> RoomLabels:
    """The room labels of ``G`` (``graph.privacy.room_labels``) with their groups.

    ``carried`` is the state of the graph before some events and the nodes those events
    touched (changed nodes, both ends of changed ties): only their groups are made again.

    Notes
    -----
    Afresh O(n + m); carried on, O(n) dict reads plus the touched groups.
    """
    nodes = G._node
    old = carried[0] if carried is not None else RoomLabels()
    # Where the nodes are in G's order, carried on when G only lost nodes or grew at its end.
    order = _carry_order(G, old, carried[1]) if carried is not None and old.seq else None
    visible = None
    if carried is None or order is None:
        # is_active, inline: a town's 9,000 nodes per event.
        visible = [n for n, a in nodes.items() if a.get("status", "approved") == "approved"]
    if carried is None:
        dirty: set = set(visible)
    else:
        dirty = set(carried[1])
        pred = G._pred
        for node in carried[1]:
            if node in pred:
                dirty.update(pred[node])  # who lives in a touched home
    state = RoomLabels(
        base=dict(old.base),
        wanted=dict(old.wanted),
        by_base=dict(old.by_base),
        by_wanted=dict(old.by_wanted),
    )
    shown = set(_visible(nodes) if visible is None else visible) if len(dirty) > 64 else None
    copied: set[str] = set()
    counts = {}
    for node in dirty:
        seen = node in nodes and (is_active(nodes[node]) if shown is None else node in shown)
        before = state.base.pop(node, None)
        after = shared_label(nodes[node]) if seen else None
        for label in (before, after):
            if label is not None and label not in counts:
                counts[label] = len(state.by_base.get(label, ()))
        _move(state.by_base, copied, node, before, after)
        if after is not None:
            state.base[node] = after
    again = set(dirty)
    for label, was in counts.items():
        now = len(state.by_base.get(label, ()))
        if (was > 1) != (now > 1):
            again.update(state.by_base.get(label, ()))  # the district is added or dropped
    copied = set()
    regroup: set[str] = set()
    for node in again:
        before = state.wanted.pop(node, None)
        base = state.base.get(node)
        after = None if base is None else _wanted(G, node, base, len(state.by_base[base]) > 1)
        if before is not None:
            regroup.add(before)
        _move(state.by_wanted, copied, node, before, after)
        if after is not None:
            state.wanted[node] = after
            regroup.add(after)  # its place in the order may be new (removed, then back)
    # A wanted label that came or went changes the numbers of the group it numbers.
    for label in list(regroup):
        if (label in state.by_wanted) != (label in old.by_wanted):
            stem = _NUMBERED.sub("", label)
            if stem != label and stem in state.by_wanted:
                regroup.add(stem)
    state.labels = _numbered_in_order(state, old, order, regroup, visible, nodes)
    return state


def _numbered_in_order(state: RoomLabels, old: RoomLabels, order, regroup, visible, nodes):
    """The labels: the ones before, with the groups ``regroup`` numbered again, in G's order
    (the nodes' places carried on in ``order``, else read again from ``nodes``)."""
    labels = dict(old.labels)
    if order is not None:
        state.seq, state.top, appended, gone = order
        for node in gone:
            labels.pop(node, None)
        for node in appended:
            labels[node] = ""  # last, in G's order; its group numbers it below
    else:
        state.seq = {n: i for i, n in enumerate(nodes)}
        state.top = len(state.seq)
    for label in regroup:
        members = state.by_wanted.get(label)
        if members:
            _number(labels, sorted(members, key=state.seq.__getitem__), label, state.by_wanted)
    return labels if order is not None else {n: labels[n] for n in visible}


def _visible(nodes) -> list:
    return [n for n, a in nodes.items() if a.get("status", "approved") == "approved"]


def _carry_order(G: nx.MultiDiGraph, old: RoomLabels, touched: Collection):
    """``(seq, top, appended, gone)``: every node's place in G's order carried on from
    ``old``, the visible nodes that now come last and the nodes whose labels go (or move
    last); None when a node would be shown again in the middle of the order."""
    nodes = G._node
    tail, before = [], None
    for n in reversed(nodes):
        if n not in touched:
            before = n
            break
        tail.append(n)
    if before is not None and before not in old.seq:
        return None
    last = old.seq[before] if before is not None else -1
    seq, top = dict(old.seq), old.top
    appended = []
    for n in reversed(tail):
        if n in old.seq and old.seq[n] > last and not appended:
            last = old.seq[n]  # where it was: still after everything before it
        else:
            appended.append(n)
    moved = set(appended)
    gone = list(appended)
    for n in touched:
        if n in moved:
            continue
        if n not in nodes:
            seq.pop(n, None)
            gone.append(n)
            continue
        if n not in old.seq:
            return None
        if is_active(nodes[n]):
            if n not in old.labels:
                return None  # shown again, in the middle
        else:
            gone.append(n)
    for n in appended:
        seq.pop(n, None)
        seq[n], top = top, top + 1
    return seq, top, [n for n in appended if is_active(nodes[n])], gone
