"""Idempotency keys: a phone's retry of a note or a tie answers the original, never a copy."""

from __future__ import annotations

import re
from typing import Any

from graph.errors import Problem, ValidationError

from .log import EventLog
from .rows import row_change

__all__ = ["MAX_CLIENT_KEY", "clean_client_key", "ClientKeys"]

#: Longest idempotency key, in characters (a phone sends 32 hex digits).
MAX_CLIENT_KEY = 100
_KEY = re.compile(r"[A-Za-z0-9._~:-]+")


def clean_client_key(key: Any) -> str | None:
    """``key`` checked: ``None`` or ``""`` for no key, else 1 to 100 URL-safe ASCII characters.

    >>> clean_client_key("3f2a-19")
    '3f2a-19'
    >>> clean_client_key("")
    >>> clean_client_key("a b")
    Traceback (most recent call last):
    ...
    graph.errors.ValidationError: idempotency_key: must be 1 to 100 letters, digits or ._~:-
    """
    if key is None or key == "":
        return None
    if not isinstance(key, str) or len(key) > MAX_CLIENT_KEY or not _KEY.fullmatch(key):
        raise ValidationError(
            Problem(
                "idempotency_key",
                f"送信番号は英数字と ._~:- の{MAX_CLIENT_KEY}文字までです",
                f"must be 1 to {MAX_CLIENT_KEY} letters, digits or ._~:-",
            )
        )
    return key


class ClientKeys(EventLog):
    """The ``client_keys`` table: which note or tie each caller's key made.

    Keys are per caller (a phone's participant id, or ``"facilitator"``) and per table: two
    phones may send the same key. The key's row is written in the same event as the note or tie, so undoing
    the event frees the key again.
    """

    @staticmethod
    def _key_id(table: str, actor: str, key: str) -> str:
        return f"{table}:{actor}:{key}"

    def keyed(self, table: str, actor: str, key: str | None) -> str | None:
        """The id of the ``table`` row (``"notes"`` or ``"ties"``) that ``actor``'s ``key`` made.

        ``None`` when there is no key or it has not been used. The row itself may be gone
        since (a note taken back): the key stays spent.
        """
        key = clean_client_key(key)
        if key is None:
            return None
        row = self._row("client_keys", self._key_id(table, str(actor), key))
        return None if row is None else row["row_id"]

    def keyed_note(self, actor: str, key: str | None) -> dict | None:
        """The note ``actor``'s ``key`` made, as it is now (``None``: no such key).

        A note the phone has taken back since comes as ``{"id", "status": "withdrawn"}``.
        """
        note_id = self.keyed("notes", actor, key)
        if note_id is None:
            return None
        return self._row("notes", note_id) or {
            "id": note_id,
            "status": "withdrawn",
            "node_id": None,
        }

    def keyed_tie(self, actor: str, key: str | None) -> dict | None:
        """The tie ``actor``'s ``key`` made, as it is now (``None``: no such key).

        A tie removed since comes as ``{"id", "status": "removed"}``.
        """
        tie_id = self.keyed("ties", actor, key)
        if tie_id is None:
            return None
        return self._row("ties", tie_id) or {"id": tie_id, "status": "removed"}

    def _key_change(self, table: str, actor: str, key: str, row_id: str) -> dict:
        """The row change that spends ``key`` on ``row_id`` (part of the row's own event)."""
        key_id = self._key_id(table, str(actor), key)
        row = {"id": key_id, "row_table": table, "row_id": row_id}
        return row_change("client_keys", key_id, None, row)
