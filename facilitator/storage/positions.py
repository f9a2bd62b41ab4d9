"""Where the facilitator put notes on the tree: pinned positions, each move one undoable event."""

from __future__ import annotations

import math
from typing import Any

from graph.errors import Problem, ValidationError

from .log import EventLog
from .rows import row_change, utc_now

__all__ = ["MAX_COORDINATE", "Positions"]

#: The farthest a note may be put from the tree's centre (canvas pixels).
MAX_COORDINATE = 100_000.0


def _coordinate(name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValidationError(Problem(name, "位置は数で指定してください", "must be a number"))
    if abs(value) > MAX_COORDINATE:
        raise ValidationError(
            Problem(name, "位置が木の外に離れすぎています", "is too far from the tree")
        )
    return round(float(value), 1)


class Positions(EventLog):
    """Pinned positions of nodes (a base of :class:`~facilitator.storage.session.Session`).

    A pinned node stays where the facilitator dragged it, whatever the layout computes for
    the others (``graph.layout.tree_layout(pinned=...)``). Moving and resetting are events of
    the log (``move_node``, ``reset_positions``), so undo takes them back.
    """

    def positions(self) -> dict[str, tuple[float, float]]:
        """node → (x, y) of every pinned node."""
        return {row["node_id"]: (row["x"], row["y"]) for row in self._rows("positions")}

    def move_node(self, node_id: str, x: Any, y: Any, actor: str) -> dict | None:
        """Pin ``node_id`` at (``x``, ``y``), or unpin it when both are ``None``.

        Returns the stored row (``None`` once unpinned). Raises ``NotFound`` for an unknown
        node and ``ValidationError`` (nothing written) for a coordinate that is not a finite
        number within :data:`MAX_COORDINATE`, or only one of the two given.
        """
        if x is None and y is None:
            self.reset_positions(actor, node_id)
            return None
        if x is None or y is None:
            raise ValidationError(
                Problem("", "x と y の両方を指定してください", "give both x and y (or neither)")
            )
        x, y = _coordinate("x", x), _coordinate("y", y)
        with self._transaction():
            self._need("nodes", node_id)
            before = self._row("positions", node_id)
            after = {"node_id": node_id, "x": x, "y": y, "updated": utc_now()}
            if before is not None and (before["x"], before["y"]) == (x, y):
                return before
            change = row_change("positions", node_id, before, after)
            self._record(actor, "move_node", [change], node=node_id)
        return after

    def reset_positions(self, actor: str, node_id: str | None = None) -> int:
        """Return ``node_id`` (or every pinned node) to its computed place, in one event.

        Returns how many nodes were unpinned (0 writes nothing).
        """
        with self._transaction():
            if node_id is None:
                rows = self._rows("positions")
            else:
                self._need("nodes", node_id)
                row = self._row("positions", node_id)
                rows = [row] if row is not None else []
            if not rows:
                return 0
            changes = [row_change("positions", r["node_id"], r, None) for r in rows]
            self._record(actor, "reset_positions", changes, node=node_id)
        return len(rows)
