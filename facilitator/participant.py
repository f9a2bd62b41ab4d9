"""The participant screens (to be filled in)."""

from flask import Blueprint

bp = Blueprint("participant", __name__)


@bp.get("/j")
def join():
    """Type the 6-character code."""
    return "join"
