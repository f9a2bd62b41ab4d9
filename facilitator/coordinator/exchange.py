"""Moving sessions out: export (import is :mod:`.imports`), delete."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import networkx as nx
from flask import abort, g, render_template, request, send_file, url_for
from flask_babel import gettext as _

from graph.io import FORMATS, write_graph

from .. import web
from ..auth import facilitator_required
from ._common import ACTOR, _go, bp

__all__ = [
    "export_form",
    "export",
    "delete_form",
    "delete",
]

_EXPORT_TYPES = {
    "graphml": ("graphml", "application/graphml+xml"),
    "gexf": ("gexf", "application/gexf+xml"),
    "json": ("json", "application/json"),
    "csv": ("zip", "application/zip"),
}


def _export_bytes(G: nx.MultiDiGraph, fmt: str) -> bytes:
    with tempfile.TemporaryDirectory(prefix="tsunagari-export-") as tmp:
        path = Path(tmp) / ("export.zip" if fmt == "csv" else f"export.{fmt}")
        write_graph(G, path, fmt)
        return path.read_bytes()


@bp.get("/<session_id>/export")
@facilitator_required
def export_form(session_id: str):
    """The export form: format, and the opt-in to real names (personal data)."""
    meta = web.open_session(session_id).meta()
    formats = [f for f in ("gexf", "graphml", "json", "csv") if f in FORMATS]
    return render_template("coordinator/export.html", meta=meta, formats=formats)


@bp.post("/<session_id>/export")
@facilitator_required
def export(session_id: str):
    """Download the session's graph, pseudonymised unless ``real_names=1``; logged."""
    session = web.open_session(session_id)
    fmt = request.form.get("format", "")
    if fmt not in FORMATS or fmt not in _EXPORT_TYPES:
        abort(400)
    real_names = request.form.get("real_names") in ("1", "on", "true")
    data = _export_bytes(session.export_graph(real_names), fmt)
    ext, mimetype = _EXPORT_TYPES[fmt]
    name = f"tsunagari-{session_id}-{'real-names' if real_names else 'pseudonymised'}.{ext}"
    session.log_export(actor=ACTOR, fmt=fmt, real_names=real_names, path=name)
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


@bp.get("/<session_id>/delete")
@facilitator_required
def delete_form(session_id: str):
    """Confirm the deletion: the page names the session and asks for its title."""
    meta = web.open_session(session_id).meta()
    return render_template("coordinator/delete.html", meta=meta)


@bp.post("/<session_id>/delete")
@facilitator_required
def delete(session_id: str):
    """Delete the session's file once its title was typed; 422 with the form otherwise."""
    meta = web.open_session(session_id).meta()
    typed = (request.form.get("confirm_title") or "").strip()
    if typed != meta["title"]:
        error = _("Type the title of the session exactly to delete it.")
        return render_template("coordinator/delete.html", meta=meta, error=error), 422
    # Close this request's handle before the file goes.
    g.sessions.pop(session_id).delete()  # the handle open_session cached above
    return _go(url_for("coordinator.archive", deleted=meta["title"]))
