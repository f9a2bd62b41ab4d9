"""What the session's shared screens show, kept so a restarted server shows it again.

The presenter remote (facilitator/present.py) sets the projector's view — the wall or the
tree, the winter view, the step-by-step reveal, a note or district to focus on. Keeping it is
not an event of the log: the map does not change, history has nothing to replay and undo
must not switch the projector back. It is written before the facilitator is answered, so a
laptop restarted in the hall (WORKSHOP.md) brings the projector back to the same picture.
"""

from __future__ import annotations

import json
from typing import Any

from .log import EventLog

__all__ = ["ScreenState"]


class ScreenState(EventLog):
    """The ``screens`` table of a session (a base of :class:`Session`)."""

    def screen_state(self, name: str) -> dict[str, Any] | None:
        """The state kept under ``name`` (``"present"``), or None if none was kept."""
        row = self._conn.execute("SELECT value FROM screens WHERE name = ?", [name]).fetchone()
        return json.loads(row[0]) if row else None

    def keep_screen_state(self, name: str, state: dict[str, Any]) -> None:
        """Keep ``state`` (JSON) under ``name``, committed when this returns."""
        with self._transaction():
            self._conn.execute(
                "INSERT INTO screens (name, value) VALUES (?, ?) "
                "ON CONFLICT(name) DO UPDATE SET value = excluded.value",
                [name, json.dumps(state, ensure_ascii=False)],
            )
