"""The note workflow: participants' phones, their sticky notes, and the facilitator's approval."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from typing import Any

from graph.errors import NotFound, Problem, ValidationError
from graph.model import validate

from .graph_state import GraphState
from .keys import clean_client_key
from .meta import Metadata
from .phones import refuse_blocked
from .rows import clean_text, decode, hash_token, nfc, reject_reserved, row_change, utc_now

__all__ = ["NOTE_STATUSES", "MAX_NOTE", "MAX_NICKNAME", "MAX_PHONE_DISTRICT", "NoteWorkflow"]

NOTE_STATUSES = ("pending", "approved", "hidden", "merged")
#: Longest note a phone may send and longest nickname (characters, after NFC).
MAX_NOTE = 200
MAX_NICKNAME = 40
#: Longest district a phone may give (free text; a shared screen never shows it as a label).
MAX_PHONE_DISTRICT = 40
#: Attributes only the facilitator records: whether a name may be shown (DESIGN.md §6).
FACILITATOR_ONLY = ("consent",)


class NoteWorkflow(GraphState, Metadata):
    """Participants and their notes (a base of :class:`Session`).

    Approving a note creates its node (:class:`GraphState`); a closed session
    (:class:`Metadata`) takes no notes.
    """

    # -- participants and notes -------------------------------------------------------------

    def add_participant(self, nickname: str = "") -> str:
        """Register a participant's phone and return its secret token.

        Only the token's SHA-256 hash is stored; the hash is the participant's id. The token
        starts with the session's id (``<id>.<secret>``), so a token shown to the wrong
        session is told apart from a forged one by opening one file, not every file.
        """
        nickname = clean_text(nickname, "nickname", MAX_NICKNAME, required=False)
        token = f"{self.id}.{secrets.token_urlsafe(24)}"
        token_hash = hash_token(token)
        row = {"token_hash": token_hash, "nickname": nickname, "joined": utc_now()}
        with self._transaction():
            self._record(token_hash, "join", [row_change("participants", token_hash, None, row)])
        return token

    def participant(self, token: str) -> dict | None:
        """``{"id", "nickname", "joined"}`` for a token, or ``None`` if it is unknown."""
        if not isinstance(token, str) or not token:
            return None
        row = self._row("participants", hash_token(token))
        if row is None:
            return None
        return {"id": row["token_hash"], "nickname": row["nickname"], "joined": row["joined"]}

    def note(self, note_id: str) -> dict | None:
        """One note as a dict, or ``None``."""
        return self._row("notes", note_id)

    def notes(self, status: str | None = None, participant: str | None = None) -> list[dict]:
        """The notes, oldest first, optionally only those with ``status`` or by ``participant``."""
        where = {"status": status, "participant": participant}
        where = {column: value for column, value in where.items() if value is not None}
        return self._rows("notes", " AND ".join(f"{c} = ?" for c in where), where.values())

    def newest_notes(self, count: int) -> list[dict]:
        """The ``count`` newest notes, newest first (the dashboard's feed, redrawn after
        every note: a workshop's hundreds of others are not read)."""
        sql = "SELECT * FROM notes ORDER BY rowid DESC LIMIT ?"
        return [decode("notes", row) for row in self.db.query(sql, [max(0, int(count))])]

    def ties_by(self, actor: str) -> list[dict]:
        """The ties ``actor`` (a participant id) added that are still there, oldest first."""
        return self._rows("ties", "actor = ?", [str(actor)])

    def add_note(
        self,
        participant: str,
        kind: str,
        text: str,
        client_key: str | None = None,
        **attrs: Any,
    ) -> dict:
        """Post a sticky note and return it.

        ``participant`` is the id from :meth:`participant` (or a name such as
        ``"facilitator"``). ``text`` is NFC-normalised and stripped and must hold 1 to
        :data:`MAX_NOTE` characters; ``kind`` is a node kind and ``attrs`` are node attributes.
        Refused once the session is closed. With ``auto_approve`` on, the note's node is
        created in the same event.

        ``client_key`` is the phone's idempotency key for this note: a repeat of a key this
        participant already used returns the note it made (as it is now, with ``"repeat":
        True``) and writes nothing, so a retry after a lost answer never makes a second note.
        """
        client_key = clean_client_key(client_key)
        if client_key is not None and (made := self.keyed_note(participant, client_key)):
            return {**made, "repeat": True}
        text = clean_text(text, "text", MAX_NOTE)
        reject_reserved(attrs, ("id", "status"), "note")
        if self._is_phone(participant):
            self._check_phone_attrs(attrs)
        problems, clean, _ = validate(
            [
                {
                    "id": "note",
                    "kind": kind,
                    "label": text,
                    **{k: nfc(v) for k, v in attrs.items()},
                }
            ],
            [],
        )
        if problems:
            raise ValidationError(problems)
        data = clean[0][1]
        kind, attrs = data.pop("kind"), {k: v for k, v in data.items() if k != "label"}
        with self._transaction():
            if client_key is not None and (made := self.keyed_note(participant, client_key)):
                return {**made, "repeat": True}  # the same key raced in on another connection
            meta = self.meta()
            if meta.get("closed") or meta.get("stage") == "closed":
                raise ValidationError(
                    Problem("", "付箋の受付は終了しました", "this session no longer takes notes")
                )
            refuse_blocked(self, participant)
            (note_id,) = self._new_ids("notes", "note")
            now = utc_now()
            note = {
                "id": note_id,
                "participant": str(participant),
                "kind": kind,
                "text": text,
                "attrs": attrs,
                "status": "pending",
                "node_id": None,
                "created": now,
                "updated": now,
            }
            changes = [row_change("notes", note_id, None, note)]
            if meta.get("auto_approve"):
                note, more = self._approval(note, str(participant), None, {})
                changes = [row_change("notes", note_id, None, note), *more[1:]]
            if client_key is not None:
                changes.append(self._key_change("notes", participant, client_key, note_id))
            self._record(str(participant), "add_note", changes, note=note_id)
        return note

    def _is_phone(self, participant: str) -> bool:
        """Whether ``participant`` is a joined phone (not the facilitator or a tool)."""
        return self._row("participants", str(participant)) is not None

    @staticmethod
    def _check_phone_attrs(attrs: Mapping[str, Any]) -> None:
        """Refuse what a phone may not say: consent, or a district longer than 40 characters."""
        problems = []
        for name in FACILITATOR_ONLY:
            if name in attrs:
                problems.append(
                    Problem(
                        name,
                        "名前を出してよいかどうか（同意）は、進行役だけが記録できます",
                        "only the facilitator records consent",
                    )
                )
        district = attrs.get("district")
        if isinstance(district, str) and len(nfc(district).strip()) > MAX_PHONE_DISTRICT:
            problems.append(
                Problem(
                    "district",
                    f"地区は{MAX_PHONE_DISTRICT}文字までで入力してください",
                    f"the district may have at most {MAX_PHONE_DISTRICT} characters",
                )
            )
        if problems:
            raise ValidationError(problems)

    def _approval(
        self, note: dict, actor: str, label: str | None, attrs: Mapping[str, Any]
    ) -> tuple[dict, list[dict]]:
        """The approved note and the changes that create its node.

        A phone's note never brings consent to the map (an older note may still carry it):
        only the facilitator's own ``attrs`` of the approval can record it.
        """
        (node_id,) = self._new_ids("nodes", "n")
        now = utc_now()
        kept = dict(note["attrs"])
        if self._is_phone(note["participant"]):
            for name in FACILITATOR_ONLY:
                kept.pop(name, None)
        node = self._node_row(
            node_id,
            note["kind"],
            note["text"] if label is None else label,
            "approved",
            {**kept, **attrs},
            note_id=note["id"],
            created=now,
            actor=actor,
        )
        after = {**note, "status": "approved", "node_id": node_id, "updated": now}
        return after, [
            row_change("notes", note["id"], note, after),
            row_change("nodes", node_id, None, node),
        ]

    def _pending_note(self, note_id: str) -> dict:
        note = self._need("notes", note_id)
        if note["status"] in ("approved", "merged"):
            raise ValidationError(
                Problem(
                    f"note {note_id!r}",
                    "この付箋はすでに地図にあります",
                    f"note is already {note['status']}",
                )
            )
        return note

    def approve_note(
        self, note_id: str, actor: str, label: str | None = None, **attrs: Any
    ) -> str:
        """Put a pending (or hidden) note on the map: create its node in one event.

        ``label`` replaces the note's text (say, to fix a typo); ``attrs`` add to its
        attributes. Returns the new node's id.
        """
        with self._transaction():
            note = self._pending_note(note_id)
            after, changes = self._approval(note, actor, label, attrs)
            self._record(actor, "approve_note", changes, note=note_id, node=after["node_id"])
        return after["node_id"]

    def hide_note(self, note_id: str, actor: str) -> None:
        """Hide a pending note (its node, if any, is left alone: use ``update_node``)."""
        with self._transaction():
            note = self._need("notes", note_id)
            if note["status"] == "hidden":
                return
            after = {**note, "status": "hidden", "updated": utc_now()}
            self._record(
                actor, "hide_note", [row_change("notes", note_id, note, after)], note=note_id
            )

    def merge_note(self, note_id: str, node_id: str, actor: str) -> None:
        """Mark a note as a duplicate of an existing node (status ``merged``)."""
        with self._transaction():
            note = self._pending_note(note_id)
            self._need("nodes", node_id)
            after = {**note, "status": "merged", "node_id": node_id, "updated": utc_now()}
            self._record(
                actor,
                "merge_note",
                [row_change("notes", note_id, note, after)],
                note=note_id,
                node=node_id,
            )

    def _own_pending_note(self, note_id: str, participant: str) -> dict:
        """The pending note ``note_id`` if ``participant`` wrote it.

        Another phone's note is ``NotFound`` (a phone never learns that it exists); a note the
        facilitator has already handled is a ``ValidationError``; so is a closed session.
        """
        meta = self.meta()
        if meta.get("closed") or meta.get("stage") == "closed":
            raise ValidationError(
                Problem("", "付箋の受付は終了しました", "this session no longer takes notes")
            )
        note = self._row("notes", note_id)
        if note is None or note["participant"] != str(participant):
            raise NotFound(
                Problem(f"note {note_id!r}", "付箋が見つかりません", "note does not exist")
            )
        if note["status"] != "pending":
            raise ValidationError(
                Problem(
                    "",
                    "進行役が確認した付箋は直せません",
                    "the facilitator has already handled this note",
                )
            )
        return note

    def update_note(self, note_id: str, participant: str, actor: str, **changes: Any) -> dict:
        """A phone changes its own pending note and gets it back.

        ``changes`` may hold ``kind``, ``text`` and node attributes (``None`` removes one);
        they are checked like :meth:`add_note`. Raises ``NotFound`` for a note of another
        participant and ``ValidationError`` (nothing written) for a note that is no longer
        pending, a closed session or a bad value.
        """
        with self._transaction():
            before = self._own_pending_note(note_id, participant)
            kind = changes.pop("kind", before["kind"])
            text = clean_text(changes.pop("text", before["text"]), "text", MAX_NOTE)
            reject_reserved(changes, ("id", "status", "label"), "note")
            if self._is_phone(participant):
                self._check_phone_attrs({k: v for k, v in changes.items() if v is not None})
            attrs = dict(before["attrs"])
            for key, value in changes.items():
                if value is None:
                    attrs.pop(key, None)
                else:
                    attrs[key] = nfc(value)
            problems, clean, _ = validate(
                [{"id": "note", "kind": kind, "label": text, **attrs}], []
            )
            if problems:
                raise ValidationError(problems)
            data = clean[0][1]
            after = {
                **before,
                "kind": data.pop("kind"),
                "text": text,
                "attrs": {k: v for k, v in data.items() if k != "label"},
            }
            if after == before:
                return before
            after["updated"] = utc_now()
            self._record(
                str(actor),
                "update_note",
                [row_change("notes", note_id, before, after)],
                note=note_id,
            )
        return after

    def withdraw_note(self, note_id: str, participant: str, actor: str) -> None:
        """A phone takes back its own pending note: the row goes, the event log keeps it.

        Raises ``NotFound`` for a note of another participant and ``ValidationError`` for a
        note the facilitator has already handled or a closed session.
        """
        with self._transaction():
            before = self._own_pending_note(note_id, participant)
            self._record(
                str(actor),
                "withdraw_note",
                [row_change("notes", note_id, before, None)],
                note=note_id,
            )
