"""The dashboard's live regions refreshed in one request.

After a change, the live stream names the regions it touched (``region-<name>`` events,
facilitator/live.py). The dashboard then asks once for every touched region it shows —
``GET /sessions/<id>/regions?queue=<since>&nodes=<since>&q=…`` — instead of once per region:
each answer of a region costs the same request overhead (the login, the session's file,
the locale) before drawing anything. The answer holds each region that changed since its
``since`` as an htmx out-of-band swap (``hx-swap-oob``, by its id); a region nothing touched
is not drawn; 204 when none changed.

The regions keep their own refresh URLs (``refresh`` event: after the focus left a region
whose refresh was put off, static/js/facilitation.js); their options (the node list's query
and page, the ties' query and page, the what-if person, the open tie form) come along in the
same query under the names those URLs use.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Blueprint, Response, redirect, render_template, request, url_for

from . import web
from .auth import facilitator_required
from .facilitation import REGIONS as FRAGMENTS
from .facilitation import _base_ctx
from .flags_panel import flags_ctx
from .node_list import nodes_ctx, page_number
from .regions import untouched
from .storage import Session

__all__ = ["bp", "DASHBOARD_REGIONS"]

bp = Blueprint("region_refresh", __name__)


def _nodes(session: Session) -> dict:
    return nodes_ctx(
        session, (request.args.get("q") or "")[:100], page_number(request.args.get("page"))
    )


def _flags(session: Session) -> dict:
    return flags_ctx(session, request.args.get("person") or None)


def _fragment(name: str) -> tuple[str, Callable[[Session], dict]]:
    return FRAGMENTS[name]


#: The regions one refresh may draw: their template and what they are drawn from.
DASHBOARD_REGIONS: dict[str, tuple[str, Callable[[Session], dict]]] = {
    "queue": _fragment("queue"),
    "feed": _fragment("feed"),
    "counts": _fragment("counts"),
    "controls": _fragment("controls"),
    "tie_form": _fragment("tie_form"),
    "tie_form_closed": _fragment("tie_form"),
    "tie_results": _fragment("tie_results"),
    "nodes": ("facilitation/_node_results.html", _nodes),
    "flags": ("facilitation/_flags.html", _flags),
}


@bp.get("/sessions/<session_id>/regions")
@facilitator_required
def regions(session_id: str):
    """Every asked region (``?<region>=<since>``) that changed since its seq, as htmx
    out-of-band swaps; 204 when none did. Without htmx: the dashboard (303)."""
    session = web.open_session(session_id)
    if not web.is_htmx():
        return redirect(url_for("facilitation.dashboard", session_id=session_id), 303)
    asked = [(name, request.args.get(name)) for name in DASHBOARD_REGIONS if name in request.args]
    known: dict = {}  # the touched regions per seq: one look at the log per seq asked
    changed = [name for name, since in asked if not untouched(session, name, since, known)]
    if not changed:
        return Response(status=204)
    base = _base_ctx(session)
    parts = []
    for name in changed:
        template, build = DASHBOARD_REGIONS[name]
        parts.append(render_template(template, **base, **build(session), oob=True))
    return "\n".join(parts)
