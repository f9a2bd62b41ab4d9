"""A file exported from a session, edited and brought back: what it changes, applied as one event."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import networkx as nx

from graph.errors import ValidationError
from graph.model import graph_records, validate

from .log import EventLog
from .rows import nfc, row_change, utc_now

__all__ = ["FileUpdate", "FileUpdates"]

_NODE_CORE = ("kind", "label")
_TIE_CORE = ("source", "target", "kind")


@dataclass
class FileUpdate:
    """What importing a file into a session it came from would change.

    ``added``, ``changed`` and ``removed`` list ``(table, id, label)``; ``changes`` are the
    row changes of the event (see :meth:`FileUpdates.apply_update`).
    """

    added: list[tuple[str, str, str]] = field(default_factory=list)
    changed: list[tuple[str, str, str]] = field(default_factory=list)
    removed: list[tuple[str, str, str]] = field(default_factory=list)
    changes: list[dict] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.changes)

    def counts(self) -> dict[str, int]:
        """``{"added": n, "changed": n, "removed": n}``."""
        return {k: len(getattr(self, k)) for k in ("added", "changed", "removed")}


def _same(file_value: Any, row_value: Any) -> bool:
    # A CSV brings every free attribute back as text: 3 and "3" are the same value.
    if file_value == row_value:
        return True
    return not isinstance(file_value, bool) and str(file_value) == str(row_value)


def _differs(new: dict, row: dict, core: tuple[str, ...]) -> bool:
    if any(new[k] != row[k] for k in core):
        return True
    if "status" in new and new["status"] != row["status"]:
        return True
    attrs, old = new["attrs"], row["attrs"]
    return attrs.keys() != old.keys() or not all(_same(attrs[k], old[k]) for k in attrs)


class FileUpdates(EventLog):
    """Importing a file exported from this session (a base of :class:`Session`)."""

    def is_own_file(self, G: nx.MultiDiGraph) -> bool:
        """Whether ``G`` came from this session.

        A file that names its session (GraphML and JSON exports carry ``session``) came from
        it when that is this session; a file that does not (CSV, GEXF) when some of its node
        ids are this session's.
        """
        origin = G.graph.get("session")
        if origin is not None:
            return str(origin) == self.id
        return any(self._row("nodes", n) is not None for n in G.nodes)

    def plan_update(self, G: nx.MultiDiGraph) -> FileUpdate:
        """What importing ``G`` as the new state of this session's map would change.

        A node or tie of the session is *changed* when the file has its id with another
        kind, label, ends, status or attributes; *added* when the file has an id the session
        lacks (or a tie without an id); *removed* when it is approved in the session and
        missing from the file — with the ties of removed nodes. Pending and hidden elements
        (which a pseudonymised export leaves out) are never removed. ``ValidationError``
        when the file is invalid.
        """
        nodes, ties = graph_records(G)
        problems, clean_nodes, clean_ties = validate(
            [{k: nfc(v) for k, v in n.items()} for n in nodes],
            [{**t, "id": t["id"] if isinstance(t["id"], str) else None} for t in ties],
        )
        if problems:
            raise ValidationError(problems)
        with self._snapshot():
            old_nodes = {r["id"]: r for r in self._rows("nodes")}
            old_ties = {r["id"]: r for r in self._rows("ties")}
        plan = FileUpdate()
        now = utc_now()
        seen_nodes = set()
        for node_id, data in clean_nodes:
            seen_nodes.add(node_id)
            new = self._new_row(data, _NODE_CORE, {"id": node_id})
            self._plan_row(plan, "nodes", node_id, new, old_nodes.get(node_id), now, _NODE_CORE)
        keyless = [t for t in clean_ties if t[2] is None]
        fresh = iter(self._new_ids("ties", "t", len(keyless), old_ties))
        seen_ties = set()
        for source, target, tie_id, data in clean_ties:
            tie_id = tie_id if tie_id is not None else next(fresh)
            seen_ties.add(tie_id)
            new = self._new_row(
                data, _TIE_CORE, {"id": tie_id, "source": source, "target": target}
            )
            self._plan_row(plan, "ties", tie_id, new, old_ties.get(tie_id), now, _TIE_CORE)
        gone = {
            n for n, r in old_nodes.items() if n not in seen_nodes and r["status"] == "approved"
        }
        for tie_id, row in old_ties.items():
            if tie_id in seen_ties:
                continue
            if row["status"] == "approved" or {row["source"], row["target"]} & gone:
                plan.removed.append(("ties", tie_id, row["kind"]))
                plan.changes.append(row_change("ties", tie_id, row, None))
        for node_id in sorted(gone, key=list(old_nodes).index):
            row = old_nodes[node_id]
            plan.removed.append(("nodes", node_id, row["label"]))
            plan.changes.append(row_change("nodes", node_id, row, None))
        return plan

    @staticmethod
    def _new_row(data: dict, core: tuple[str, ...], ids: dict) -> dict:
        data = dict(data)
        row = {**ids, **{k: data.pop(k) for k in core if k in data}}
        if "status" in data:
            row["status"] = data.pop("status")
        row["attrs"] = data
        return row

    @staticmethod
    def _plan_row(
        plan: FileUpdate,
        table: str,
        row_id: str,
        new: dict,
        old: dict | None,
        now: str,
        core: tuple[str, ...],
    ) -> None:
        shown = new.get("label") or new["kind"]
        if old is None:
            row = {"status": "approved", **new, "created": now, "actor": "import"}
            if table == "nodes":
                row["note_id"] = None
            plan.added.append((table, row_id, shown))
            plan.changes.append(row_change(table, row_id, None, row))
        elif _differs(new, old, core):
            plan.changed.append((table, row_id, shown))
            plan.changes.append(row_change(table, row_id, old, {**old, **new}))

    def apply_update(self, G: nx.MultiDiGraph, actor: str) -> tuple[FileUpdate, int | None]:
        """Import ``G`` as the new state of this session's map, as one undoable event.

        Returns the plan applied and the event's seq (``None`` when nothing changes). The
        plan is computed again inside the write transaction, so a change made meanwhile is
        taken into account.
        """
        with self._transaction():
            plan = self.plan_update(G)
            if not plan:
                return plan, None
            for change in plan.changes:
                if change["after"] is not None and change["before"] is None:
                    change["after"]["actor"] = str(actor)
            seq = self._record(actor, "import_update", plan.changes, **plan.counts())
        return plan, seq
