"""The map held in a session: nodes and ties, their checks, merging, importing, export records."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from graph.errors import Problem, ValidationError
from graph.model import graph_records, validate

from .keys import ClientKeys, clean_client_key
from .phones import refuse_blocked
from .rows import apply_changes, nfc, reject_reserved, row_change, utc_now

__all__ = ["GraphState"]


class GraphState(ClientKeys):
    """Nodes and ties of a session's map, each change one event (a base of :class:`Session`)."""

    # -- nodes and ties ---------------------------------------------------------------------

    def _node_row(
        self,
        node_id: str,
        kind: Any,
        label: Any,
        status: Any,
        attrs: Mapping[str, Any],
        *,
        note_id: str | None,
        created: str,
        actor: str,
    ) -> dict:
        reject_reserved(attrs, ("id",), f"node {node_id!r}")
        record = {"id": node_id, "kind": kind, "label": nfc(label), "status": status}
        problems, clean, _ = validate([{**record, **{k: nfc(v) for k, v in attrs.items()}}], [])
        if problems:
            raise ValidationError(problems)
        _, data = clean[0]
        return {
            "id": node_id,
            "kind": data.pop("kind"),
            "label": data.pop("label"),
            "attrs": {k: v for k, v in data.items() if k != "status"},
            "status": data.get("status", "approved"),
            "note_id": note_id,
            "created": created,
            "actor": str(actor),
        }

    def _tie_row(
        self,
        tie_id: str,
        source: Any,
        target: Any,
        kind: Any,
        status: Any,
        attrs: Mapping[str, Any],
        *,
        created: str,
        actor: str,
    ) -> dict:
        reject_reserved(attrs, ("id",), f"tie {tie_id!r}")
        ends = [self._row("nodes", end) for end in dict.fromkeys((source, target))]
        nodes = [{"id": n["id"], "kind": n["kind"], "label": n["label"]} for n in ends if n]
        record = {"id": tie_id, "source": source, "target": target, "kind": kind}
        problems, _, clean = validate(nodes, [{**record, "status": status, **attrs}])
        if problems:
            raise ValidationError(problems)
        source, target, _, data = clean[0]
        return {
            "id": tie_id,
            "source": source,
            "target": target,
            "kind": data.pop("kind"),
            "attrs": {k: v for k, v in data.items() if k != "status"},
            "status": data.get("status", "approved"),
            "created": created,
            "actor": str(actor),
        }

    def add_node(
        self,
        kind: str,
        label: str,
        actor: str,
        status: str = "approved",
        note_id: str | None = None,
        **attrs: Any,
    ) -> str:
        """Add a node and return its new id (``n<seq>``).

        ``kind``, ``label`` and ``attrs`` are checked with ``graph.model.validate``; a
        ``ValidationError`` means nothing was written.
        """
        with self._transaction():
            (node_id,) = self._new_ids("nodes", "n")
            row = self._node_row(
                node_id,
                kind,
                label,
                status,
                attrs,
                note_id=note_id,
                created=utc_now(),
                actor=actor,
            )
            self._record(
                actor, "add_node", [row_change("nodes", node_id, None, row)], node=node_id
            )
        return node_id

    def update_node(self, node_id: str, actor: str, **changes: Any) -> None:
        """Change a node's ``kind``, ``label``, ``status`` or attributes (``None`` removes one).

        The node's ties must still be allowed after a change of kind.
        """
        with self._transaction():
            before = self._need("nodes", node_id)
            core, attrs = apply_changes(before, ("kind", "label", "status"), changes)
            after = self._node_row(
                node_id,
                core["kind"],
                core["label"],
                core["status"],
                attrs,
                note_id=before["note_id"],
                created=before["created"],
                actor=before["actor"],
            )
            if after == before:
                return
            if after["kind"] != before["kind"]:
                self._check_ties_of(after)
            self._record(
                actor, "update_node", [row_change("nodes", node_id, before, after)], node=node_id
            )

    def _check_ties_of(self, node: Mapping[str, Any]) -> None:
        """Raise ``ValidationError`` if a tie of ``node`` no longer fits its kinds."""
        ties = self._rows("ties", "source = ? OR target = ?", [node["id"], node["id"]])
        others = {t["source"] for t in ties} | {t["target"] for t in ties}
        others.discard(node["id"])
        records = [{"id": node["id"], "kind": node["kind"], "label": node["label"]}]
        for other in others:
            row = self._need("nodes", other)
            records.append({"id": row["id"], "kind": row["kind"], "label": row["label"]})
        problems, _, _ = validate(
            records,
            [
                {"id": t["id"], "source": t["source"], "target": t["target"], "kind": t["kind"]}
                for t in ties
            ],
        )
        if problems:
            raise ValidationError(problems)

    def add_tie(
        self, source: str, target: str, kind: str, actor: str, *status: str, **options: Any
    ) -> str:
        """Add a tie ``source`` → ``target`` and return its new id (``t<seq>``).

        ``status`` (default approved; by name or fifth), ``options``: ``client_key`` and the tie's attributes,
        as :meth:`add_tie_once` takes them. Both nodes must exist and the kind must allow
        their kinds (``graph.vocabulary.tie_allowed``); otherwise ``ValidationError`` and
        nothing written. With ``client_key`` (an idempotency key of ``actor``'s), a repeat
        returns the id of the tie that key made and writes nothing.
        """
        return self.add_tie_once(source, target, kind, actor, *status, **options)[0]

    def add_tie_once(
        self,
        source: str,
        target: str,
        kind: str,
        actor: str,
        status: str = "approved",
        client_key: str | None = None,
        **attrs: Any,
    ) -> tuple[str, bool]:
        """:meth:`add_tie`, and whether this call made the tie: False when ``client_key``
        had made it already (a retry, or the same key racing in on another connection)."""
        client_key = clean_client_key(client_key)
        with self._transaction():
            if (made := self.keyed("ties", actor, client_key)) is not None:
                return made, False
            refuse_blocked(self, actor)
            (tie_id,) = self._new_ids("ties", "t")
            row = self._tie_row(
                tie_id, source, target, kind, status, attrs, created=utc_now(), actor=actor
            )
            changes = [row_change("ties", tie_id, None, row)]
            if client_key is not None:
                changes.append(self._key_change("ties", actor, client_key, tie_id))
            self._record(actor, "add_tie", changes, tie=tie_id)
        return tie_id, True

    def update_tie(self, tie_id: str, actor: str, **changes: Any) -> None:
        """Change a tie's ``source``, ``target``, ``kind``, ``status`` or attributes.

        ``None`` removes an attribute; the result is validated like a new tie.
        """
        with self._transaction():
            before = self._need("ties", tie_id)
            core, attrs = apply_changes(before, ("source", "target", "kind", "status"), changes)
            after = self._tie_row(
                tie_id, **core, attrs=attrs, created=before["created"], actor=before["actor"]
            )
            if after != before:
                self._record(
                    actor, "update_tie", [row_change("ties", tie_id, before, after)], tie=tie_id
                )

    def import_graph(self, G: nx.Graph, actor: str) -> int:
        """Add every node and tie of ``G`` in one event; return the event's seq.

        Node ids and string tie keys are kept; ties with NetworkX's integer keys get new ids.
        The whole graph is validated first and no id may exist already: otherwise
        ``ValidationError`` naming every problem, and nothing is written.
        """
        if not G.is_multigraph() or not G.is_directed():
            G = nx.MultiDiGraph(G)
        nodes, ties = graph_records(G)
        with self._transaction():
            keyless = [t for t in ties if not isinstance(t["id"], str)]
            taken = [t["id"] for t in ties if isinstance(t["id"], str)]
            for tie, tie_id in zip(
                keyless, self._new_ids("ties", "t", len(keyless), taken), strict=True
            ):
                tie["id"] = tie_id
            problems, clean_nodes, clean_ties = validate(
                [{k: nfc(v) for k, v in n.items()} for n in nodes], ties
            )
            # One look at each table's ids, not one query per imported row.
            have_nodes = {row[0] for row in self._conn.execute("SELECT id FROM nodes")}
            have_ties = {row[0] for row in self._conn.execute("SELECT id FROM ties")}
            for node_id, _ in clean_nodes:
                if node_id in have_nodes:
                    problems.append(
                        Problem(
                            f"node {node_id!r}",
                            f"ID {node_id!r} はこのセッションにすでにあります",
                            f"id {node_id!r} already exists in this session",
                        )
                    )
            for _, _, tie_id, _ in clean_ties:
                if tie_id in have_ties:
                    problems.append(
                        Problem(
                            f"tie {tie_id!r}",
                            f"ID {tie_id!r} はこのセッションにすでにあります",
                            f"tie id {tie_id!r} already exists in this session",
                        )
                    )
            if problems:
                raise ValidationError(problems)
            now, changes = utc_now(), []
            for node_id, data in clean_nodes:
                row = {
                    "id": node_id,
                    "kind": data.pop("kind"),
                    "label": data.pop("label"),
                    "attrs": {k: v for k, v in data.items() if k != "status"},
                    "status": data.get("status", "approved"),
                    "note_id": None,
                    "created": now,
                    "actor": str(actor),
                }
                changes.append(row_change("nodes", node_id, None, row))
            for source, target, tie_id, data in clean_ties:
                row = {
                    "id": tie_id,
                    "source": source,
                    "target": target,
                    "kind": data.pop("kind"),
                    "attrs": {k: v for k, v in data.items() if k != "status"},
                    "status": data.get("status", "approved"),
                    "created": now,
                    "actor": str(actor),
                }
                changes.append(row_change("ties", tie_id, None, row))
            return self._record(
                actor, "import", changes, nodes=len(clean_nodes), ties=len(clean_ties)
            )

    def log_export(
        self, actor: str, fmt: str, real_names: bool, path: str | Path | None = None
    ) -> int:
        """Record that the graph was exported (DESIGN.md §6: every export is logged).

        Appends an ``"export"`` event holding ``format``, ``real_names`` and ``path`` and no
        row changes, so replay ignores it and :meth:`undo` steps over it (it is not in
        :data:`UNDOABLE`). Returns the event's seq.
        """
        with self._transaction():
            return self._record(
                actor,
                "export",
                [],
                format=str(fmt),
                real_names=bool(real_names),
                path=None if path is None else str(path),
            )
