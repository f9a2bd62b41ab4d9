"""The api screens (to be filled in)."""

from flask import Blueprint

bp = Blueprint("api", __name__, url_prefix="/api/v1")
