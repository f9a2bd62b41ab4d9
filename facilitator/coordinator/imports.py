"""Import a file on the coordinator's page: office files, a mapping step, an update shown first.

A file may take up to three posts, each of which writes nothing until the last: the upload;
when its headers say nothing the page recognises, a mapping step that shows the first rows;
when the file is an export of the chosen session, the list of what would be added, changed
and removed. Between the steps the page carries the file itself (base64 in a hidden field),
so nothing of it is kept on the server.
"""

from __future__ import annotations

import base64
import binascii
import re
import tempfile
import unicodedata
from pathlib import Path

import networkx as nx
from flask import current_app, request, url_for
from flask_babel import gettext as _

from graph.errors import GraphError, NeedsMapping, Problem, ValidationError
from graph.formats.csv import IGNORE
from graph.io import read_graph
from graph.limits import ImportLimits, limited
from graph.vocabulary import NODE_ATTRIBUTES

from .. import web
from ..auth import facilitator_required
from ..storage import MAX_TITLE
from ._common import ACTOR, _go, _problems, bp

__all__ = ["IMPORT_SUFFIXES", "upload_name", "import_form", "import_upload"]

#: What the upload form takes (the CLI's readers; .zip is the CSV pair, .csv a nodes list).
IMPORT_SUFFIXES = (".graphml", ".xml", ".json", ".gexf", ".zip", ".csv")
#: The columns a header may be mapped to on the mapping step ("" keeps it as it is).
MAP_CHOICES = ("", "label", "kind", "id", "source", "target", *NODE_ATTRIBUTES, IGNORE)
_NAME_LIMIT = 120
# Characters no file name keeps: path separators, controls, and what Windows forbids.
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f<>:"|?*]')


def upload_name(raw: str | None) -> str:
    """A browser's file name fit for a private temporary folder, Japanese kept.

    ``werkzeug.utils.secure_filename`` keeps only ASCII, so 「茶志内.graphml」 would lose its
    name and become a file without a suffix; this keeps the last path part (``/`` or ``\\``)
    minus control and reserved characters, NFC-normalised.

    >>> upload_name("C:\\\\Users\\\\sc\\\\茶志内.graphml"), upload_name("../x.csv"), upload_name("")
    ('茶志内.graphml', 'x.csv', 'upload')
    """
    name = unicodedata.normalize("NFC", raw or "").replace("\\", "/").rpartition("/")[2]
    name = _UNSAFE_NAME.sub("", name).strip(" .")
    if len(name) > _NAME_LIMIT:
        suffix = Path(name).suffix[:12]
        name = name[: _NAME_LIMIT - len(suffix)] + suffix
    return name or "upload"


def _choice_labels() -> dict[str, str]:
    """What each choice of the mapping step reads as, in the page's language."""
    return {
        "": _("(as it is)"),
        "label": _("Name (label)"),
        "kind": _("Kind"),
        "id": "ID",
        "source": _("From (source)"),
        "target": _("To (target)"),
        "age_band": _("Age band"),
        "lives_alone": _("Lives alone"),
        "elderly_only": _("Elderly only"),
        "district": _("District"),
        "consent": _("Consent"),
        "category": _("Category"),
        "frequency": _("Frequency"),
        "season": _("Season"),
        "stage": _("Stage"),
        "status": _("Status"),
        IGNORE: _("(leave out)"),
    }


def _import_ctx(**extra) -> dict:
    return {"sessions": web.store().list(), "max_title": MAX_TITLE, "form": {}, **extra}


@bp.get("/import")
@facilitator_required
def import_form():
    """Upload a .graphml, .gexf, .json, .csv or CSV zip into a new or an existing session."""
    return web.render("coordinator/_import.html", "coordinator/import.html", **_import_ctx())


def _incoming() -> tuple[bytes, str] | None:
    """The file's bytes and name: the upload, or the file carried by a later step."""
    upload = request.files.get("file")
    if upload is not None and upload.filename:
        return upload.read(), upload.filename
    carried, name = request.form.get("upload_data"), request.form.get("upload_name")
    if not carried or not name:
        return None
    try:
        return base64.b64decode(carried, validate=True), name
    except (binascii.Error, ValueError):
        return None


def _columns() -> dict[str, str]:
    """The mapping chosen on the mapping step: header as written → column."""
    mapping = {}
    for key, header in request.form.items():
        if key.startswith("map-name-"):
            chosen = request.form.get("map-" + key.removeprefix("map-name-"), "")
            if chosen and chosen in MAP_CHOICES:
                mapping[header] = chosen
    return mapping


def _read(data: bytes, raw_name: str, columns: dict[str, str]) -> nx.MultiDiGraph:
    """The file read like the CLI does (ValidationError naming file and line)."""
    name = upload_name(raw_name)
    if Path(name).suffix.lower() not in IMPORT_SUFFIXES:
        raise ValidationError(
            Problem(
                name,
                "読み込めない種類のファイルです（.graphml .gexf .json .csv .zip）",
                "cannot read this kind of file (use .graphml, .gexf, .json, .csv or a .zip of CSV)",
            )
        )
    with tempfile.TemporaryDirectory(prefix="tsunagari-import-") as tmp:
        path = Path(tmp) / name
        path.write_bytes(data)
        config = current_app.config
        limits = ImportLimits(
            nodes=config["IMPORT_MAX_NODES"],
            ties=config["IMPORT_MAX_TIES"],
            bytes=config["IMPORT_MAX_BYTES"],
            ratio=config["IMPORT_MAX_RATIO"],
        )
        with limited(limits):
            return read_graph(path, columns=columns)


@bp.post("/import")
@facilitator_required
def import_upload():
    """Check the whole file first; 422 with the problems, the mapping step or the update
    to confirm — nothing written — until the file can be imported (then 303 to the session)."""
    form = {key: request.form.get(key, "") for key in ("title", "area", "target")}

    def step(status: int = 422, **extra):
        return web.render(
            "coordinator/_import.html",
            "coordinator/import.html",
            status,
            **_import_ctx(form=form, **extra),
        )

    got = _incoming()
    if got is None:
        return step(problems=[_("Choose a file to import.")])
    data, name = got
    carry = {"upload_data": base64.b64encode(data).decode("ascii"), "upload_name": name}
    columns = _columns()
    try:
        G = _read(data, name, columns)
    except NeedsMapping as e:
        return step(
            mapping=e,
            choices=MAP_CHOICES,
            choice_labels=_choice_labels(),
            chosen=columns,
            carry=carry,
        )
    except ValidationError as e:
        return step(problems=_problems(e))
    encoding = G.graph.pop("encoding", "")
    done = {"read": encoding} if encoding else {}
    if form["target"]:
        session = web.open_session(form["target"])
        try:
            if not session.is_own_file(G):
                session.refuse_pseudonymised_copy(G)
                session.import_graph(G, actor=ACTOR)
            elif request.form.get("confirm") != "1":
                plan = session.plan_update(G)
                return step(plan=plan, encoding=encoding, chosen=columns, carry=carry)
            else:
                session.apply_update(G, actor=ACTOR)
        except GraphError as e:
            return step(problems=_problems(e))
        web.changed(session.id)
        return _go(url_for("coordinator.view", session_id=session.id, **done))
    title = (
        form["title"].strip() or str(G.graph.get("title") or "") or Path(upload_name(name)).stem
    )
    area = form["area"].strip() or str(G.graph.get("area") or "")
    try:
        # Created and filled in one step: a failed import leaves no session behind.
        session = web.store().create(
            title[:MAX_TITLE], area=area[:MAX_TITLE], actor=ACTOR, graph=G
        )
    except GraphError as e:
        return step(problems=_problems(e))
    session.close()
    return _go(url_for("coordinator.view", session_id=session.id, **done))
