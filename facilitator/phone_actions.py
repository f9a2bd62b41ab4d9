"""One phone floods the queue: hide everything it has waiting, or block it (dashboard).

Both are one undoable event (:class:`~facilitator.storage.phones.PhoneModeration`); the answer
is the queue region, as for the other queue actions.
"""

from __future__ import annotations

from flask import Blueprint

from . import facilitation
from .auth import facilitator_required

__all__ = ["bp"]

bp = Blueprint("phone_actions", __name__)
ACTOR = facilitation.ACTOR


@bp.post("/sessions/<session_id>/phones/<phone>/hide")
@facilitator_required
def hide_all(session_id: str, phone: str):
    """Hide every note and tie this phone has waiting."""
    return facilitation._act(session_id, "queue", lambda s: s.hide_phone(phone, ACTOR))


@bp.post("/sessions/<session_id>/phones/<phone>/block")
@facilitator_required
def block(session_id: str, phone: str):
    """Block this phone (it can send nothing more) and hide what it has waiting."""
    return facilitation._act(session_id, "queue", lambda s: s.block_phone(phone, ACTOR))


@bp.post("/sessions/<session_id>/phones/<phone>/unblock")
@facilitator_required
def unblock(session_id: str, phone: str):
    """Let a blocked phone send again."""
    return facilitation._act(session_id, "queue", lambda s: s.unblock_phone(phone, ACTOR))
