"""The one boundary where domain and HTTP errors become answers a user can read."""

from __future__ import annotations

import errno
import sqlite3

from flask import Flask, current_app, jsonify, render_template, request
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException

from graph.errors import Damaged, Forbidden, GraphError, NotFound, ValidationError

from .storage.store import disk_nearly_full

__all__ = ["init_app", "error_response"]


def _status_texts() -> dict[int, str]:
    return {
        400: _("The request could not be understood."),
        401: _("Please open the facilitator link printed by tsunagari serve."),
        403: _("You are not allowed to do this."),
        404: _("This page or item does not exist (any more)."),
        405: _("This action is not possible here."),
        413: _("That is too much data to send at once."),
        429: _("Too many tries. Please wait a minute and try again."),
        500: _("Something went wrong on the facilitator’s computer. Please try again."),
        503: _("Please wait a moment and try again."),
    }


def _wants_json() -> bool:
    return request.path.startswith("/api/")


def error_response(status: int, code: str, message: str):
    """JSON ``{"error": {...}}`` for the API, else the error page or its htmx fragment."""
    if _wants_json():
        return jsonify(error={"code": code, "message": message}), status
    hx = request.headers.get("HX-Request") == "true"
    template = "_error.html" if hx else "error.html"
    return render_template(template, status=status, message=message), status


def _graph_error(e: GraphError):
    status = 404 if isinstance(e, NotFound) else 422 if isinstance(e, ValidationError) else 409
    if isinstance(e, Forbidden):
        status = 403
    code = {403: "forbidden", 404: "not_found", 422: "invalid", 409: "conflict"}[status]
    if isinstance(e, Damaged):
        code = "damaged"
    return error_response(status, code, e.message(str(get_locale() or "ja")))


def _http_error(e: HTTPException):
    status = e.code or 500
    default = e.description if e.description != type(e).description else None
    message = default or _status_texts().get(status, e.name)
    code = e.name.lower().replace(" ", "_")
    return error_response(status, code, message)


def _csrf_error(e: CSRFError):
    return error_response(
        400, "csrf", _("This form has expired. Please reload the page and try again.")
    )


_FULL = (errno.ENOSPC, errno.EDQUOT, errno.EFBIG)
_NOT_WRITABLE = (errno.EROFS, errno.EACCES, errno.EPERM)


def _disk_full():
    return error_response(
        507,
        "disk_full",
        _(
            "The disk of this computer is full: nothing was saved. Free some space, then try again."
        ),
    )


def _not_writable():
    return error_response(
        507,
        "not_writable",
        _(
            "The data folder cannot be written: nothing was saved. Check the folder, then try again."
        ),
    )


def _database_error(e: sqlite3.DatabaseError):
    """SQLite's errors: a full disk or a read-only folder is 507, a busy file 503, else the file
    is damaged. The transaction was rolled back, so nothing was half-written."""
    text = str(e).lower()
    if "full" in text or ("i/o" in text and disk_nearly_full(current_app.config["DATA"])):
        return _disk_full()
    if "readonly" in text or "read-only" in text or "unable to open" in text:
        return _not_writable()
    if "locked" in text or "busy" in text:
        response = error_response(503, "busy", _("Please wait a moment and try again."))
        return response[0], 503, {"Retry-After": "2"}
    return error_response(
        500,
        "damaged",
        _("This session's file is damaged and cannot be read. Restore it from a backup."),
    )


def _os_error(e: OSError):
    if e.errno in _FULL:
        return _disk_full()
    if e.errno in _NOT_WRITABLE:
        return _not_writable()
    raise e


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(sqlite3.DatabaseError, _database_error)
    app.register_error_handler(OSError, _os_error)
    app.register_error_handler(GraphError, _graph_error)
    app.register_error_handler(CSRFError, _csrf_error)
    app.register_error_handler(HTTPException, _http_error)
