"""Curating the map after approval: edit, hide, remove and merge nodes; edit and remove ties.

Every call here is one event of the log (undoable) and checks its input first: a
``ValidationError`` or ``NotFound`` means nothing was written. The dashboard's forms and the
JSON API call the same methods, so each rule lives in one place.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph.errors import Problem, ValidationError
from graph.vocabulary import NODE_ATTRIBUTES, NODE_KINDS, TIE_ATTRIBUTES, TIE_KINDS, tie_allowed

from .graph_state import GraphState
from .rows import row_change, utc_now

__all__ = ["Curation", "NODE_FIELDS", "TIE_FIELDS"]

#: What a facilitator may change on a node, and on a tie (``None`` removes an attribute).
NODE_FIELDS = frozenset({"label", "kind", "status"} | set(NODE_ATTRIBUTES))
TIE_FIELDS = frozenset({"kind", "status"} | set(TIE_ATTRIBUTES))


def _unknown(changes: Mapping[str, Any], known: frozenset[str], what: str) -> None:
    bad = sorted(set(changes) - known)
    if bad:
        raise ValidationError(
            Problem(
                what,
                f"{'、'.join(bad)} は変更できない項目です（変更できる項目: {'、'.join(sorted(known))}）",
                f"unknown field {', '.join(bad)} (known: {', '.join(sorted(known))})",
            )
        )


def _status(changes: Mapping[str, Any], what: str) -> None:
    if "status" in changes and changes["status"] not in ("approved", "hidden"):
        raise ValidationError(
            Problem(
                what,
                "状態は approved（地図に出す）か hidden（隠す）です",
                f"status must be approved or hidden, not {changes['status']!r}",
            )
        )


def _check(
    changes: Mapping[str, Any],
    known: frozenset[str],
    what: str,
    kinds: Mapping[str, Any],
    noun: tuple[str, str],
) -> None:
    """Refuse unknown fields, a status other than approved / hidden and an unknown kind."""
    _unknown(changes, known, what)
    _status(changes, what)
    if "kind" in changes and changes["kind"] not in kinds:
        raise ValidationError(
            Problem(
                what,
                f"{noun[0]} {changes['kind']!r} はありません（{'、'.join(kinds)}）",
                f"unknown {noun[1]} {changes['kind']!r}",
            )
        )


class Curation(GraphState):
    """The facilitator's corrections (a base of :class:`~facilitator.storage.session.Session`)."""

    # -- nodes ------------------------------------------------------------------------------

    def edit_node(self, node_id: str, actor: str, **changes: Any) -> dict:
        """Change a node's ``label``, ``kind``, ``status`` (approved / hidden) or attributes.

        ``None`` removes an attribute. A change of kind must keep every tie of the node
        allowed. Returns the node's row as stored. ``NotFound`` for an unknown node,
        ``ValidationError`` for an unknown field or value (nothing written).
        """
        _check(changes, NODE_FIELDS, f"node {node_id!r}", NODE_KINDS, ("種類", "kind"))
        self._need("nodes", node_id)
        self.update_node(node_id, actor, **changes)
        return self._need("nodes", node_id)

    def remove_node(self, node_id: str, actor: str) -> dict:
        """Remove a node with its ties and its pinned place, in one undoable event.

        The notes that made it are hidden (they stay in the log). Returns the removed row.
        """
        with self._transaction():
            row = self._need("nodes", node_id)
            ties = self._rows("ties", "source = ? OR target = ?", [node_id, node_id])
            changes = [row_change("ties", t["id"], t, None) for t in ties]
            changes += self._unpin(node_id)
            for note in self._rows("notes", "node_id = ?", [node_id]):
                after = {**note, "status": "hidden", "updated": utc_now()}
                changes.append(row_change("notes", note["id"], note, after))
            changes.append(row_change("nodes", node_id, row, None))
            self._record(
                actor, "remove_node", changes, node=node_id, label=row["label"], ties=len(ties)
            )
        return row

    def _unpin(self, node_id: str) -> list[dict]:
        pinned = self._row("positions", node_id)
        return [] if pinned is None else [row_change("positions", node_id, pinned, None)]

    # -- merging ------------------------------------------------------------------------------

    def merge_conflicts(self, keep: str, drop: str) -> dict[str, tuple[Any, Any]]:
        """The fields two nodes disagree on: ``{name: (keep's value, drop's value)}``.

        ``label`` is among them when the labels differ; attributes only one node has are no
        conflict (the merged node takes them).
        """
        a, b = self._need("nodes", keep), self._need("nodes", drop)
        out: dict[str, tuple[Any, Any]] = {}
        if a["label"] != b["label"]:
            out["label"] = (a["label"], b["label"])
        for name in sorted(set(a["attrs"]) & set(b["attrs"])):
            if a["attrs"][name] != b["attrs"][name]:
                out[name] = (a["attrs"][name], b["attrs"][name])
        return out

    def _check_mergeable(self, keep_row: dict, drop_row: dict) -> None:
        keep, drop = keep_row["id"], drop_row["id"]
        if keep == drop:
            raise ValidationError(
                Problem(
                    f"node {keep!r}",
                    "同じノードどうしは統合できません",
                    "cannot merge a node with itself",
                )
            )
        kinds = {keep_row["kind"], drop_row["kind"]}
        if kinds == {"person", "household"}:
            raise ValidationError(
                Problem(
                    f"node {drop!r}",
                    "人と世帯は統合できません。その家に住んでいる人なら「同居」のつながり"
                    "（人 → 世帯）で結んでください",
                    "a person and a household cannot be merged; if the person lives there, "
                    "draw a lives_in tie (person → household) instead",
                )
            )
        if len(kinds) > 1:
            ja = "・".join(NODE_KINDS[k].ja for k in (keep_row["kind"], drop_row["kind"]))
            raise ValidationError(
                Problem(
                    f"node {drop!r}",
                    f"種類の違うノード（{ja}）は統合できません",
                    f"nodes of different kinds ({keep_row['kind']}, {drop_row['kind']}) "
                    "cannot be merged",
                )
            )

    def _moved_ties(self, keep: str, drop: str, keep_kind: str) -> list[dict]:
        """Row changes moving ``drop``'s ties to ``keep`` (repeats and self-ties removed)."""
        kinds = {keep: keep_kind}
        seen = {
            (t["source"], t["target"], t["kind"])
            for t in self._rows("ties", "source = ? OR target = ?", [keep, keep])
        }
        changes: list[dict] = []
        problems: list[Problem] = []
        for tie in self._rows("ties", "source = ? OR target = ?", [drop, drop]):
            source = keep if tie["source"] == drop else tie["source"]
            target = keep if tie["target"] == drop else tie["target"]
            if source == target or (source, target, tie["kind"]) in seen:
                changes.append(row_change("ties", tie["id"], tie, None))
                continue
            for end in (source, target):
                kinds.setdefault(end, self._need("nodes", end)["kind"])
            if not tie_allowed(tie["kind"], kinds[source], kinds[target]):
                problems.append(
                    Problem(
                        f"tie {tie['id']!r}",
                        f"統合すると {NODE_KINDS[kinds[source]].ja} から "
                        f"{NODE_KINDS[kinds[target]].ja} へのつながりになり、結べません",
                        f"after the merge a {tie['kind']} tie would run from "
                        f"{kinds[source]} to {kinds[target]}",
                    )
                )
                continue
            seen.add((source, target, tie["kind"]))
            after = {**tie, "source": source, "target": target}
            changes.append(row_change("ties", tie["id"], tie, after))
        if problems:
            raise ValidationError(problems)
        return changes

    def merge_nodes(self, keep: str, drop: str, actor: str, **choose: Any) -> dict:
        """Merge node ``drop`` into ``keep`` (same kind) in one undoable event.

        The ties of ``drop`` move to ``keep`` (a tie that would join ``keep`` to itself, or
        repeat one it has, is removed); notes pointing at ``drop`` point at ``keep``; its
        pinned place is dropped. Attributes only ``drop`` has are taken; where both have one,
        ``keep``'s stays unless ``choose`` names the value (``label`` too; see
        :meth:`merge_conflicts`). A person and a household are refused with the advice to
        draw a ``lives_in`` tie. Returns the merged node's row.
        """
        _unknown(choose, frozenset({"label"} | set(NODE_ATTRIBUTES)) - {"status"}, "merge")
        with self._transaction():
            keep_row = self._need("nodes", keep)
            drop_row = self._need("nodes", drop)
            self._check_mergeable(keep_row, drop_row)
            changes = self._moved_ties(keep, drop, keep_row["kind"])
            for note in self._rows("notes", "node_id = ?", [drop]):
                after = {**note, "node_id": keep, "updated": utc_now()}
                changes.append(row_change("notes", note["id"], note, after))
            attrs = {**drop_row["attrs"], **keep_row["attrs"]}
            label = choose.pop("label", None) or keep_row["label"]
            for name, value in choose.items():
                if value is None:
                    attrs.pop(name, None)
                else:
                    attrs[name] = value
            merged = self._node_row(
                keep,
                keep_row["kind"],
                label,
                keep_row["status"],
                attrs,
                note_id=keep_row["note_id"],
                created=keep_row["created"],
                actor=keep_row["actor"],
            )
            if merged != keep_row:
                changes.append(row_change("nodes", keep, keep_row, merged))
            changes += self._unpin(drop)
            changes.append(row_change("nodes", drop, drop_row, None))
            self._record(
                actor, "merge_nodes", changes, keep=keep, drop=drop, label=drop_row["label"]
            )
        return merged

    # -- ties -------------------------------------------------------------------------------

    def edit_tie(self, tie_id: str, actor: str, **changes: Any) -> dict:
        """Change a tie's ``kind``, ``status`` (approved / hidden), ``season``, ``frequency``
        or ``origin`` (``None`` removes one). Returns the tie's row as stored."""
        _check(changes, TIE_FIELDS, f"tie {tie_id!r}", TIE_KINDS, ("つながりの種類", "tie kind"))
        self._need("ties", tie_id)
        self.update_tie(tie_id, actor, **changes)
        return self._need("ties", tie_id)

    def remove_tie(self, tie_id: str, actor: str) -> dict:
        """Remove a tie in one undoable event; returns the removed row."""
        with self._transaction():
            row = self._need("ties", tie_id)
            self._record(actor, "remove_tie", [row_change("ties", tie_id, row, None)], tie=tie_id)
        return row
