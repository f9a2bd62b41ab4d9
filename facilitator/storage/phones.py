"""Phones that flood the queue: hide everything a phone has waiting, or block the phone.

Both are one undoable event each; a blocked phone's new notes and ties are refused (403 with
a kind Japanese message) until the facilitator unblocks it.
"""

from __future__ import annotations

from graph.errors import Forbidden, NotFound, Problem

from .log import EventLog
from .rows import row_change, utc_now

__all__ = ["PhoneModeration", "refuse_blocked"]


def refuse_blocked(log: EventLog, participant: str) -> None:
    """Raise ``Forbidden`` if ``participant`` is a blocked phone (inside a transaction): the
    note is fine, the phone may not send (so 403, not 422, and the phone drops it)."""
    if log._row("blocked_phones", str(participant)) is not None:
        raise Forbidden(
            Problem(
                "",
                "この端末からは送れなくなっています。進行役にお声がけください",
                "This phone can no longer send. Please ask the facilitator.",
            )
        )


class PhoneModeration(EventLog):
    """Hiding and blocking phones (a base of :class:`~facilitator.storage.session.Session`)."""

    def blocked_phones(self) -> set[str]:
        """The ids (token hashes) of the blocked phones."""
        return {row["token_hash"] for row in self._rows("blocked_phones")}

    def _phone(self, participant: str) -> dict:
        row = self._row("participants", str(participant))
        if row is None:
            raise NotFound(Problem("phone", "端末が見つかりません", "no such phone"))
        return row

    def _hide_waiting(self, participant: str) -> list[dict]:
        """Row changes hiding the phone's pending notes and ties."""
        now, changes = utc_now(), []
        for note in self._rows("notes", "participant = ? AND status = 'pending'", [participant]):
            after = {**note, "status": "hidden", "updated": now}
            changes.append(row_change("notes", note["id"], note, after))
        for tie in self._rows("ties", "actor = ? AND status = 'pending'", [participant]):
            changes.append(row_change("ties", tie["id"], tie, {**tie, "status": "hidden"}))
        return changes

    def hide_phone(self, participant: str, actor: str) -> int:
        """Hide every note and tie ``participant`` has waiting, in one undoable event.

        Returns how many were hidden (0 writes nothing).
        """
        with self._transaction():
            self._phone(participant)
            changes = self._hide_waiting(participant)
            if changes:
                self._record(actor, "hide_phone", changes, phone=participant, hidden=len(changes))
        return len(changes)

    def block_phone(self, participant: str, actor: str) -> int:
        """Block ``participant`` (nothing more is accepted from it) and hide what it has
        waiting, in one undoable event. Returns how many notes and ties were hidden."""
        with self._transaction():
            self._phone(participant)
            changes = self._hide_waiting(participant)
            if self._row("blocked_phones", participant) is None:
                row = {"token_hash": participant, "blocked": utc_now()}
                changes.append(row_change("blocked_phones", participant, None, row))
            self._record(actor, "block_phone", changes, phone=participant)
        return len(changes) - 1

    def unblock_phone(self, participant: str, actor: str) -> None:
        """Let a blocked phone send again."""
        with self._transaction():
            row = self._row("blocked_phones", str(participant))
            if row is not None:
                change = row_change("blocked_phones", participant, row, None)
                self._record(actor, "unblock_phone", [change], phone=participant)
