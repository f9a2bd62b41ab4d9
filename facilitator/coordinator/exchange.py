"""Moving sessions in and out: export, import from a file, delete."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import networkx as nx
from flask import abort, current_app, g, render_template, request, send_file, url_for
from flask_babel import gettext as _
from werkzeug.utils import secure_filename

from graph.errors import GraphError, Problem, ValidationError
from graph.io import FORMATS, read_graph, write_graph
from graph.limits import ImportLimits, limited

from .. import web
from ..auth import facilitator_required
from ..storage import MAX_TITLE
from ._common import ACTOR, _go, _problems, bp

__all__ = [
    "IMPORT_SUFFIXES",
    "export_form",
    "export",
    "import_form",
    "import_upload",
    "delete_form",
    "delete",
]

#: What the upload form takes (the CLI's readers; .zip is the CSV pair).
IMPORT_SUFFIXES = (".graphml", ".xml", ".json", ".gexf", ".zip")
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
    G = session.graph()
    if not real_names:
        G = session.pseudonymised(G)
    data = _export_bytes(G, fmt)
    ext, mimetype = _EXPORT_TYPES[fmt]
    name = f"tsunagari-{session_id}-{'real-names' if real_names else 'pseudonymised'}.{ext}"
    session.log_export(actor=ACTOR, fmt=fmt, real_names=real_names, path=name)
    return send_file(io.BytesIO(data), mimetype=mimetype, as_attachment=True, download_name=name)


def _import_ctx(**extra) -> dict:
    return {"sessions": web.store().list(), "max_title": MAX_TITLE, "form": {}, **extra}


@bp.get("/import")
@facilitator_required
def import_form():
    """Upload a .graphml, .gexf, .json or CSV zip into a new or an existing session."""
    return web.render("coordinator/_import.html", "coordinator/import.html", **_import_ctx())


def _read_upload(upload) -> nx.MultiDiGraph:
    """The uploaded file read like the CLI does (ValidationError naming file and line)."""
    name = secure_filename(upload.filename or "") or "upload"
    suffix = Path(name).suffix.lower()
    if suffix not in IMPORT_SUFFIXES:
        raise ValidationError(
            Problem(
                upload.filename or name,
                "読み込めない種類のファイルです（.graphml .gexf .json .zip）",
                "cannot read this kind of file (use .graphml, .gexf, .json or a .zip of CSV)",
            )
        )
    with tempfile.TemporaryDirectory(prefix="tsunagari-import-") as tmp:
        path = Path(tmp) / name
        upload.save(path)
        config = current_app.config
        limits = ImportLimits(
            nodes=config["IMPORT_MAX_NODES"],
            ties=config["IMPORT_MAX_TIES"],
            bytes=config["IMPORT_MAX_BYTES"],
            ratio=config["IMPORT_MAX_RATIO"],
        )
        with limited(limits):
            return read_graph(path)


@bp.post("/import")
@facilitator_required
def import_upload():
    """Check the whole file first; on any problem answer 422 listing them, write nothing."""
    form = {
        "title": request.form.get("title", ""),
        "area": request.form.get("area", ""),
        "target": request.form.get("target", ""),
    }
    upload = request.files.get("file")

    def refuse(problems: list[str]):
        return web.render(
            "coordinator/_import.html",
            "coordinator/import.html",
            422,
            **_import_ctx(form=form, problems=problems),
        )

    if upload is None or not upload.filename:
        return refuse([_("Choose a file to import.")])
    try:
        G = _read_upload(upload)
    except ValidationError as e:
        return refuse(_problems(e))
    if form["target"]:
        session = web.open_session(form["target"])
        try:
            session.import_graph(G, actor=ACTOR)
        except GraphError as e:
            return refuse(_problems(e))
        web.changed(session.id)
        return _go(url_for("coordinator.view", session_id=session.id))
    title = form["title"].strip() or str(G.graph.get("title") or "") or Path(upload.filename).stem
    area = form["area"].strip() or str(G.graph.get("area") or "")
    try:
        # Created and filled in one step: a failed import leaves no session behind.
        session = web.store().create(
            title[:MAX_TITLE], area=area[:MAX_TITLE], actor=ACTOR, graph=G
        )
    except GraphError as e:
        return refuse(_problems(e))
    session.close()
    return _go(url_for("coordinator.view", session_id=session.id))


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
