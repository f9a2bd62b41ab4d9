"""The facilitation screens (to be filled in)."""

from flask import Blueprint

bp = Blueprint("facilitation", __name__)


@bp.get("/sessions")
def sessions():
    """The facilitator's sessions page."""
    return "sessions"
