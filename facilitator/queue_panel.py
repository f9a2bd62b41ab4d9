"""The approval queue: the oldest waiting notes (a page of them, with the total), their
likely duplicates, which phone sent them, and a marker on notes sent despite the warning
about diagnosis words."""

from __future__ import annotations

from typing import Any

from graph.model import is_active
from graph.names import likely_duplicates

from . import web
from .phone_words import PRIVATE_KINDS, diagnosis_words
from .storage import Session

__all__ = ["queue_ctx", "QUEUE_SHOWN", "MERGE_CHOICES"]

#: How many waiting notes the queue shows at once (the count says how many wait in all).
QUEUE_SHOWN = 20
#: How many other notes of the kind a queued note's "same as…" list offers.
MERGE_CHOICES = 50


def queue_ctx(session: Session) -> dict[str, Any]:
    """The queue: the first :data:`QUEUE_SHOWN` waiting notes, oldest first."""
    pending = session.notes("pending")
    by_phone: dict[str, int] = {}
    for note in pending:
        by_phone[note["participant"]] = by_phone.get(note["participant"], 0) + 1
    phones = {
        row["token_hash"]: row["nickname"] or ""
        for row in session.db.query("SELECT token_hash, nickname FROM participants")
    }
    blocked = session.blocked_phones()
    live = web.live_version(session)

    def of_kind(kind: str) -> list[tuple[str, str]]:
        return [
            (n, d.get("label", n))
            for n, d in live.G.nodes(data=True)
            if d.get("kind") == kind and is_active(d)
        ]

    # Once per seq and kind of a waiting note: an empty queue (the last note approved) reads
    # no node at all, which on a town-sized map was a pass over 9,000 nodes per change.
    def same_kind_of(kind: str) -> list[tuple[str, str]]:
        return live.memo(("nodes_of_kind", kind), lambda: of_kind(kind))

    queue = []
    for note in pending[:QUEUE_SHOWN]:
        same_kind = same_kind_of(note["kind"])
        # No candidates, no reading: spares loading the kana dictionary for the first notes.
        dupes = set(likely_duplicates(note["text"], same_kind)) if same_kind else set()
        phone = note["participant"] if note["participant"] in phones else None
        queue.append(
            {
                "note": note,
                "duplicates": [{"id": n, "label": t} for n, t in same_kind if n in dupes],
                "others": [{"id": n, "label": t} for n, t in same_kind if n not in dupes][
                    :MERGE_CHOICES
                ],
                "diagnosis": diagnosis_words(note["text"])
                if note["kind"] in PRIVATE_KINDS
                else [],
                "phone": phone,
                "phone_waiting": by_phone.get(note["participant"], 0),
                "phone_blocked": phone in blocked,
            }
        )
    # Blocked phones' notes are hidden: only this list lets them send again.
    gone = [{"id": p, "nickname": phones[p]} for p in sorted(blocked) if p in phones]
    return {"queue": queue, "queue_total": len(pending), "blocked": gone}
