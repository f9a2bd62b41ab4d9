"""One live model per open session: the graph and what every screen derives from it, per seq.

Every screen asks for the graph, its analysis and the tree after every change. The model
keeps the session's graph in memory and brings it up to date from the event log — each
event carries its row changes, so a new event is applied to the graph in place instead of
rebuilding it from SQLite. Changes written by another process (the CLI) are picked up the
same way: any event newer than the model's seq is replayed onto it.

What the screens derive (the approved graph, ``graph.analysis.analyse``, flags, the tree
layout, room labels, the projector's and the facilitator's payloads) is computed at most once
per seq — the first screen that asks computes it, the others wait for it and share it — and
kept on the :class:`Version` of that seq. Analysis and layout stay pure functions in
``graph/``; the model only caches and applies.

Two versions are kept: the current one and the one before, which a slow request may still
be reading. The next event is applied in place to the older graph once no request holds it
(leases are released at the end of each request, see :func:`facilitator.web.session_graph`);
only if a request still holds it is the current graph copied instead. Long-lived graphs are
moved out of the cyclic garbage collector's way with ``gc.freeze``.
"""

from __future__ import annotations

import gc
import os
import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable, Mapping
from typing import Any

import networkx as nx

from graph.analysis import Units, analyse, flags, whatif
from graph.layout import TreeLayout
from graph.layout_carry import LayoutState, carry_layout
from graph.live_flags import LiveFlags
from graph.model import active_graph, is_active
from graph.room_label_groups import RoomLabels, carry_room_labels
from graph.units_carry import carry_units

from .storage import Session

__all__ = [
    "Version",
    "LiveModel",
    "LiveModels",
    "apply_changes",
    "sync_active",
    "touched_nodes",
    "COUNTS",
    "count",
]

#: Derived values kept per version (payloads for each view, what-if per person, …).
_MEMO_KEPT = 48

#: Versions a carried value passes on without being used before it is dropped.
CARRY_VERSIONS = 8

#: How often each expensive step ran, for tests and benchmarks: ``"rebuild"`` (the graph
#: built from SQLite), ``"update"`` (events applied in place), ``"copy"``, ``"analyse"``,
#: ``"layout"``, ``"payload"``.
COUNTS: dict[str, int] = {}


def count(what: str) -> None:
    """Count one run of an expensive step (see :data:`COUNTS`)."""
    COUNTS[what] = COUNTS.get(what, 0) + 1


_FROZEN_METHODS = (
    "add_node",
    "add_nodes_from",
    "remove_node",
    "remove_nodes_from",
    "add_edge",
    "add_edges_from",
    "add_weighted_edges_from",
    "remove_edge",
    "remove_edges_from",
    "clear",
    "clear_edges",
    "frozen",
)


def _thaw(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """Undo ``nx.freeze`` (which shadows the mutating methods on the instance)."""
    for name in _FROZEN_METHODS:
        G.__dict__.pop(name, None)
    return G


def _node_attrs(row: Mapping[str, Any]) -> dict[str, Any]:
    return {**row["attrs"], "kind": row["kind"], "label": row["label"], "status": row["status"]}


def _tie_attrs(row: Mapping[str, Any]) -> dict[str, Any]:
    return {**row["attrs"], "kind": row["kind"], "status": row["status"]}


def apply_changes(G: nx.MultiDiGraph, changes: Iterable[Mapping[str, Any]]) -> None:
    """Apply an event's row changes (``{"table", "id", "before", "after"}``) to ``G`` in place.

    The result equals what ``storage.log.graph_from_rows`` builds from the tables after the
    event: an updated node or tie keeps its place, a new one comes last.

    Notes
    -----
    O(c) for c changes (a removed node also drops its ties).
    """
    for change in changes:
        table, key, before, after = (
            change["table"],
            change["id"],
            change["before"],
            change["after"],
        )
        if table == "nodes":
            if after is None:
                if key in G and G.degree(key):
                    # A tie row still names it: the tables would give a bare node too.
                    G._node[key].clear()
                elif key in G:
                    G.remove_node(key)
            elif key in G:
                attrs = G._node[key]
                attrs.clear()
                attrs.update(_node_attrs(after))
            else:
                G.add_node(key, **_node_attrs(after))
        elif table == "ties":
            same_ends = (
                before is not None
                and after is not None
                and (before["source"], before["target"]) == (after["source"], after["target"])
            )
            if same_ends and G.has_edge(before["source"], before["target"], key):
                data = G[before["source"]][before["target"]][key]
                data.clear()
                data.update(_tie_attrs(after))
                continue
            if before is not None and G.has_edge(before["source"], before["target"], key):
                G.remove_edge(before["source"], before["target"], key)
            if after is not None:
                G.add_edge(after["source"], after["target"], key=key, **_tie_attrs(after))


def sync_active(
    A: nx.MultiDiGraph, G: nx.MultiDiGraph, changes: Iterable[Mapping[str, Any]]
) -> None:
    """Bring ``A``, the approved part of ``G`` (``graph.model.active_graph``), up to date
    with ``G`` after ``changes`` were applied to ``G``: only the nodes and ties they touch.

    A node that becomes approved brings its approved ties to approved nodes along.
    """
    nodes: set[Any] = set()
    ties: dict[tuple[Any, Any, Any], None] = {}
    for change in changes:
        if change["table"] == "nodes":
            nodes.add(change["id"])
        elif change["table"] == "ties":
            for row in (change["before"], change["after"]):
                if row is not None:
                    ties[(row["source"], row["target"], change["id"])] = None
    for n in nodes:
        if n in G and is_active(G._node[n]):
            if n in A:
                A._node[n].clear()
                A._node[n].update(G._node[n])
                continue
            A.add_node(n, **G._node[n])
            for u, v, k in [*G.out_edges(n, keys=True), *G.in_edges(n, keys=True)]:
                ties[(u, v, k)] = None
        elif n in A:
            A.remove_node(n)
    for u, v, k in ties:
        if G.has_edge(u, v, k) and is_active(G[u][v][k]) and u in A and v in A:
            if A.has_edge(u, v, k):
                data = A[u][v][k]
                data.clear()
                data.update(G[u][v][k])
            else:
                A.add_edge(u, v, key=k, **G[u][v][k])
        elif A.has_edge(u, v, k):
            A.remove_edge(u, v, k)


def touched_nodes(changes: Iterable[Mapping[str, Any]]) -> set[Any]:
    """The nodes an event's row changes touch: changed nodes and both ends of changed ties
    (before and after)."""
    touched: set[Any] = set()
    for change in changes:
        if change["table"] == "nodes":
            touched.add(change["id"])
        elif change["table"] == "ties":
            for row in (change["before"], change["after"]):
                if row is not None:
                    touched.add(row["source"])
                    touched.add(row["target"])
    return touched


class Version:
    """The session as of one seq: its frozen graph and what was derived from it so far.

    Read it, never change it: the graph is frozen and derived values are shared by every
    screen. Each derived value is computed once, by the first caller; concurrent callers
    wait for that result instead of computing it again.

    What a version derived may be carried on to the next ones (:meth:`carry_on`) with the
    nodes the events since touched (:func:`touched_nodes`), to be recomputed on the touched
    part only (:meth:`carried`). Only derived values are carried, never a graph (the model
    may change an older graph in place for a later seq).
    """

    def __init__(
        self,
        seq: int,
        G: nx.MultiDiGraph,
        A: nx.MultiDiGraph | None = None,
        carry: Mapping[Hashable, tuple[Any, frozenset, int]] | None = None,
        model: LiveModel | None = None,
    ):
        self.seq = seq
        self.G = G
        self.A = A  # the approved part, kept up to date by the model (else computed)
        self._carry = dict(carry or {})  # key → (value, nodes touched since, versions)
        self._carriable: set[Hashable] = set()
        self.model = model  # whose live flags may answer for this seq
        self.readers = 0
        self._memo: OrderedDict[Hashable, Any] = OrderedDict()
        self._busy: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def memo(self, key: Hashable, compute: Callable[[], Any]) -> Any:
        """``compute()`` once per version and ``key``; later calls share the result."""
        with self._lock:
            if key in self._memo:
                self._memo.move_to_end(key)
                return self._memo[key]
            busy = self._busy.setdefault(key, threading.Lock())
        with busy:
            with self._lock:
                if key in self._memo:
                    return self._memo[key]
            value = compute()
            with self._lock:
                self._memo[key] = value
                self._busy.pop(key, None)
                while len(self._memo) > _MEMO_KEPT:
                    self._memo.popitem(last=False)
            return value

    def peek(self, key: Hashable) -> Any | None:
        """What this version derived under ``key`` so far, or None (nothing computed)."""
        with self._lock:
            return self._memo.get(key)

    def carried(self, key: Hashable) -> tuple[Any, frozenset] | None:
        """What an earlier version derived under ``key`` and the nodes touched since, or
        ``None``. Asking marks ``key`` as one to carry on from this version."""
        with self._lock:
            self._carriable.add(key)
            found = self._carry.get(key)
        return None if found is None else (found[0], found[1])

    def carry_on(self, touched: Iterable[Any]) -> dict[Hashable, tuple[Any, frozenset, int]]:
        """What the next version may carry on, ``touched`` being the nodes its events touch:
        each value asked to carry that this version derived, else the one it was given (for
        at most :data:`CARRY_VERSIONS` versions without use)."""
        touched = frozenset(touched)
        out: dict[Hashable, tuple[Any, frozenset, int]] = {}
        with self._lock:
            for key, (value, seen, age) in self._carry.items():
                if age < CARRY_VERSIONS:
                    out[key] = (value, seen | touched, age + 1)
            for key in self._carriable:
                if key in self._memo:
                    out[key] = (self._memo[key], touched, 0)
        return out

    # -- what the screens share -------------------------------------------------------------

    def active(self) -> nx.MultiDiGraph:
        """The approved part of the graph (``graph.model.active_graph``), frozen."""
        if self.A is not None:
            return self.A
        return self.memo("active", lambda: nx.freeze(active_graph(self.G)))

    def units(self) -> Units:
        """``graph.analysis.analyse`` of the approved graph (carried on from the version
        before where there is one: ``graph.units_carry``)."""

        def compute() -> Units:
            count("analyse")
            return carry_units(self.active(), self.G, self.carried("units"))

        return self.memo("units", compute)

    def winter_units(self) -> tuple[nx.MultiDiGraph, Units]:
        """The approved graph without the ties that stop in snow, and its analysis."""

        def compute():
            A = self.active().copy()
            A.remove_edges_from(
                [
                    (u, v, k)
                    for u, v, k, s in A.edges(keys=True, data="season")
                    if s == "not_in_winter"
                ]
            )
            count("analyse")
            return nx.freeze(A), analyse(A)

        return self.memo("winter", compute)

    def layout(self, pinned: Mapping[str, tuple[float, float]] | None) -> TreeLayout:
        """The tree layout (``graph.layout.tree_layout``) with the facilitator's pins."""
        pins = tuple(sorted((pinned or {}).items()))
        return self.memo(("layout", pins), lambda: self.layout_state().pinned(dict(pins)))

    def layout_state(self) -> LayoutState:
        """The tree layout without pins and what it was made of (placed again only where
        the events since the version before moved something: ``graph.layout_carry``)."""

        def compute() -> LayoutState:
            count("layout")
            carried = self.carried("layout_state")
            return carry_layout(self.active(), self.units(), self.G, carried)

        return self.memo("layout_state", compute)

    def flags(self, settings: Mapping[str, Any] | None) -> list:
        """``graph.analysis.flags`` with the session's thresholds."""
        key = ("flags", tuple(sorted((settings or {}).items())))

        def compute() -> list:
            found = self.model.live_flags(self, settings) if self.model is not None else None
            if found is not None:
                return found
            return flags(self.active(), settings, units=self.units())

        return self.memo(key, compute)

    def whatif(self, person: str) -> list[dict[str, Any]]:
        """``graph.analysis.whatif`` for ``person`` (raises ``NotFound`` like it)."""
        return self.memo(("whatif", person), lambda: whatif(self.active(), person))

    def room_labels(self) -> dict[Any, str]:
        """``graph.privacy.room_labels``: the names the room may see (made again only for
        the label groups the events since the version before touched)."""

        def compute() -> RoomLabels:
            return carry_room_labels(self.G, self.carried("room_labels"))

        return self.memo("room_labels", compute).labels


#: Events between two full sweeps of the cyclic garbage collector (see _freeze_long_lived).
SWEEP_EVERY = 200
_since_sweep = 0
_sweep_lock = threading.Lock()


def _freeze_long_lived() -> None:
    """Move what lives on (the graphs, what screens derived from the last seq) out of the
    cyclic collector's way at each new version.

    Frozen objects are still freed when nothing refers to them; only garbage cycles among
    them wait for the next full sweep, every :data:`SWEEP_EVERY` events. Without this, the
    collector walked every surviving payload and layout again and again: on a town-sized
    session ~3 full collections per approved note, ~0.2 s.
    """
    global _since_sweep
    with _sweep_lock:
        _since_sweep += 1
        if _since_sweep >= SWEEP_EVERY:
            _since_sweep = 0
            gc.unfreeze()
            gc.collect()
        gc.freeze()


class LiveModel:
    """The live model of one session file: its current and previous :class:`Version`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.current: Version | None = None
        self._older: Version | None = None
        # The flags, kept up to date per event from the first time they are asked for
        # (graph.live_flags: only the ties around a change are read again), and their seq.
        self._flags: LiveFlags | None = None
        self._flags_seq = -1
        self._flags_lock = threading.Lock()

    def acquire(self, session: Session) -> Version:
        """The version at the session's newest seq, leased: call :meth:`release` after."""
        seq = session.last_seq()
        with self._lock:
            version = self.current
            if version is None or version.seq != seq:
                version = self._advance(session)
            version.readers += 1
            return version

    def release(self, version: Version) -> None:
        """The request reading ``version`` is done with it."""
        with self._lock:
            version.readers -= 1

    def _advance(self, session: Session) -> Version:
        current = self.current
        if current is None or session.last_seq() < current.seq:
            return self._rebuild(session)
        older = self._older
        if older is not None and older.readers == 0:
            base, G, A = older, _thaw(older.G), _thaw(older.A)
        else:
            count("copy")
            base, G, A = current, current.G.copy(), current.A.copy()
        events = session.events(after=base.seq)
        if not events and base is current:
            return current
        count("update")
        touched: set[Any] = set()  # by the events after the current version
        for event in events:
            changes = event["payload"].get("changes", ())
            apply_changes(G, changes)
            sync_active(A, G, changes)
            if event["seq"] > current.seq:
                touched |= touched_nodes(changes)
        seq = events[-1]["seq"] if events else base.seq
        self._follow_flags(A, events, current.seq, seq)
        carry = current.carry_on(touched)
        version = Version(seq, nx.freeze(G), nx.freeze(A), carry=carry, model=self)
        self._older, self.current = current, version
        _freeze_long_lived()
        return version

    def _rebuild(self, session: Session) -> Version:
        count("rebuild")
        with session._snapshot():
            seq = session.last_seq()
            G = session.graph()
        version = Version(seq, nx.freeze(G), nx.freeze(active_graph(G)), model=self)
        self._older, self.current = None, version
        with self._flags_lock:
            self._flags = None
        # The graph lives for the whole workshop: keep the collector from walking it on
        # every collection (the 35–49% of a rebuild that went to GC).
        gc.collect()
        gc.freeze()
        return version

    def _follow_flags(self, A: nx.MultiDiGraph, events: list, was: int, seq: int) -> None:
        """Bring the live flags from seq ``was`` to ``seq``: ``A`` is the approved graph at
        ``seq`` and ``events`` hold every event after ``was`` (and maybe some before)."""
        with self._flags_lock:
            if self._flags is None:
                return
            if self._flags_seq != was:
                self._flags = None
                return
            nodes: set[Any] = set()
            ties: set[tuple[Any, Any, Any]] = set()
            for event in events:
                if event["seq"] <= was:
                    continue
                for change in event["payload"].get("changes", ()):
                    if change["table"] == "nodes":
                        nodes.add(change["id"])
                    elif change["table"] == "ties":
                        for row in (change["before"], change["after"]):
                            if row is not None:
                                ties.add((row["source"], row["target"], change["id"]))
            self._flags.apply(A, nodes, ties)
            self._flags_seq = seq

    def live_flags(self, version: Version, settings: Mapping[str, Any] | None) -> list | None:
        """The flags of ``version`` from the live flags, or None when they are at another
        seq (a version left behind): the caller computes them from its graph then."""
        with self._flags_lock:
            if self._flags is None and version is self.current:
                self._flags, self._flags_seq = LiveFlags(version.active()), version.seq
            if self._flags is None or self._flags_seq != version.seq:
                return None
            return self._flags.flags(settings)


class LiveModels:
    """The live models of one app, one per session file."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._models: dict[tuple[str, int], LiveModel] = {}

    def model(self, session: Session) -> LiveModel:
        """The model of ``session``'s file (a file deleted and made again gets a new one)."""
        try:
            inode = os.stat(session.path).st_ino
        except OSError:
            inode = 0
        key = (str(session.path), inode)
        with self._lock:
            model = self._models.get(key)
            if model is None:
                for old in [k for k in self._models if k[0] == key[0]]:
                    del self._models[old]
                model = self._models[key] = LiveModel()
            return model
