"""The dashboard's ties: the form to draw one, and the list — searchable, paged, waiting first.

Only one page of ties is rendered (each row with the kinds its ends allow), so the region
stays small on a town-sized map.
"""

from __future__ import annotations

from typing import Any

from flask import request

from graph.model import is_active
from graph.vocabulary import TIE_KINDS, tie_allowed

from . import web
from .curation_words import value_labels
from .node_list import matches, page_number, paged
from .storage import Session

__all__ = ["ties_ctx", "tie_form_ctx"]


def _active_nodes(live) -> list[dict[str, Any]]:
    return [
        {"id": n, "label": d.get("label", n), "kind": d.get("kind")}
        for n, d in live.G.nodes(data=True)
        if is_active(d)
    ]


def tie_form_ctx(session: Session) -> dict[str, Any]:
    """The approved nodes the form can join, and the season and frequency choices.

    The list of nodes is made once per seq (every screen shares it).
    """
    live = web.live_version(session)
    labels = value_labels()
    return {
        "nodes": live.memo("tie_form_nodes", lambda: _active_nodes(live)),
        "season_labels": labels["season"],
        "frequency_labels": labels["frequency"],
        "tie_form_open": request.values.get("open") == "1",
    }


def _tie_rows(G, query: str, language: str) -> list[tuple]:
    """The ties ``(u, v, key, data)`` matching ``query``: waiting ones first, then the
    newest. Labels are looked up only to match a query (the page adds its own)."""
    pending, others = [], []
    nodes = G._node
    for u, nbrs in G._adj.items():  # the order of ``G.edges``
        for v, keyed in nbrs.items():
            for key, d in keyed.items():
                status = d.get("status")
                if status == "hidden":
                    continue
                if query:
                    su, sv = nodes[u].get("label", u), nodes[v].get("label", v)
                    kind = web.kind_name(d.get("kind", ""), language)
                    if not matches(query, su, sv, kind):
                        continue
                (pending if status == "pending" else others).append((u, v, key, d))
    pending.reverse()
    others.reverse()
    return pending + others


def ties_ctx(session: Session) -> dict[str, Any]:
    """One page (``tpage``) of the ties matching ``tq`` (either end's label or the kind):
    ties waiting for approval first, then the newest. The sorted matches are made once per
    seq, query and language."""
    live = web.live_version(session)
    G = live.G
    query = (request.values.get("tq") or "")[:100]
    language = web.lang()
    rows = live.memo(("tie_rows", query, language), lambda: _tie_rows(G, query, language))
    page = paged(rows, page_number(request.values.get("tpage")))
    page["rows"] = [
        {
            "id": key,
            "source": u,
            "target": v,
            **d,
            "source_label": G.nodes[u].get("label", u),
            "target_label": G.nodes[v].get("label", v),
            "kinds": [
                k
                for k in TIE_KINDS
                if tie_allowed(k, G.nodes[u].get("kind"), G.nodes[v].get("kind"))
            ],
        }
        for u, v, key, d in page["rows"]
    ]
    labels = value_labels()
    return {
        **tie_form_ctx(session),
        "tie_page": page,
        "tie_query": query,
        "season_labels": labels["season"],
        "frequency_labels": labels["frequency"],
    }
