"""The dashboard's list of nodes on the map: searchable, paged, never rendered all at once.

A click on a node opens it in the inspector (:mod:`facilitator.inspector`).
"""

from __future__ import annotations

import unicodedata
from itertools import islice, repeat
from typing import Any

from flask import Blueprint, Response, redirect, request, url_for

from graph.names import name_keys

from . import web
from .auth import facilitator_required
from .regions import untouched
from .storage import Session

__all__ = ["bp", "nodes_ctx", "PAGE_SIZE", "page_number", "matches"]

bp = Blueprint("node_list", __name__)

#: How many rows a list shows at once.
PAGE_SIZE = 20


def page_number(raw: str | None) -> int:
    """The page asked for (1 when missing or not a small whole number)."""
    raw = (raw or "").strip()
    return int(raw) if raw.isascii() and raw.isdigit() and 0 < len(raw) < 6 and int(raw) else 1


def _fold(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").casefold()


def matches(query: str, *texts: str) -> bool:
    """Whether ``query`` is in any of ``texts`` (width and case folded), or sounds like one
    (「わたなべ」 finds 「渡辺さん」)."""
    q = _fold(query).strip()
    if not q:
        return True
    if any(q in _fold(t) for t in texts):
        return True
    keys = name_keys(query)
    return bool(keys) and any(keys & name_keys(t) for t in texts if t)


def paged(rows: list[Any], page: int) -> dict[str, Any]:
    """One page of ``rows`` with what the pager needs."""
    pages = max(1, -(-len(rows) // PAGE_SIZE))
    page = min(page, pages)
    return {
        "rows": rows[(page - 1) * PAGE_SIZE : page * PAGE_SIZE],
        "page": page,
        "pages": pages,
        "total": len(rows),
    }


def nodes_ctx(session: Session, query: str = "", page: int = 1) -> dict[str, Any]:
    """The page ``page`` of the nodes whose label or kind matches ``query`` (newest first;
    hidden nodes too, marked, so they can be shown again)."""
    G = web.session_graph(session)
    language = web.lang()
    if not query:  # a page of the newest, counted without making a row of every node
        return {"node_page": _newest_page(G, page), "node_query": query}
    rows = []
    for n, d in reversed(list(G.nodes(data=True))):
        if d.get("status") == "pending":
            continue
        kind = d.get("kind", "")
        if not matches(query, d.get("label", ""), web.kind_name(kind, language)):
            continue
        rows.append(_row(n, d))
    return {"node_page": paged(rows, page), "node_query": query}


def _row(n: Any, d: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": n,
        "label": d.get("label", n),
        "kind": d.get("kind", ""),
        "status": d.get("status"),
    }


def _newest_page(G, page: int) -> dict[str, Any]:
    """:func:`paged` of every node not pending, newest first, making only the page's rows:
    after each change on a town-sized map the dashboard asks for its first page."""
    data = G._node  # the order of ``G.nodes``
    # Counted without a Python loop over the nodes (a town has thousands).
    total = len(data) - list(map(dict.get, data.values(), repeat("status"))).count("pending")
    pages = max(1, -(-total // PAGE_SIZE))
    page = min(page, pages)
    first = (page - 1) * PAGE_SIZE
    shown = islice(
        ((n, d) for n, d in reversed(data.items()) if d.get("status") != "pending"),
        first,
        first + PAGE_SIZE,
    )
    return {"rows": [_row(n, d) for n, d in shown], "page": page, "pages": pages, "total": total}


@bp.get("/sessions/<session_id>/node-list")
@facilitator_required
def node_list(session_id: str):
    """One page of the node list, ``?q=`` to search and ``?page=`` to page (the fragment for
    htmx, else a redirect to the dashboard showing that page)."""
    session = web.open_session(session_id)
    query = (request.args.get("q") or "")[:100]
    page = page_number(request.args.get("page"))
    if not web.is_htmx():
        target = url_for("facilitation.dashboard", session_id=session_id, q=query, page=page)
        return redirect(target + "#nodes", 303)
    if untouched(session, "nodes", request.args.get("since")):
        return Response(status=204)
    name = "facilitation/_node_results.html"
    ctx = nodes_ctx(session, query, page)
    return web.render(name, name, session_id=session_id, last_seq=session.last_seq(), **ctx)
