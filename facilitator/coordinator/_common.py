"""What the coordinator's pages share: the blueprint, counts and request helpers."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import networkx as nx
from flask import Blueprint, Response, abort, redirect, request

from graph.analysis import FLAG_KINDS, flags
from graph.errors import GraphError
from graph.limits import shown
from graph.model import active_graph

from .. import web
from ..auth import is_facilitator
from ..heavy import heavy
from ..storage import Session
from ..tree import tree_payload

__all__ = ["bp", "ACTOR", "STALE_AFTER", "SUPPORT_KINDS", "counts", "support_counts"]

bp = Blueprint("coordinator", __name__, url_prefix="/archive")


@bp.before_request
def _heavy_slot() -> None:
    """The coordinator's pages summarise whole sessions: they share the heavy slots
    (facilitator/heavy.py), so reloading them never takes the phones' threads."""
    if is_facilitator():
        heavy()


ACTOR = "facilitator"
#: Support maps go stale: a session older than this carries the "review yearly" reminder.
STALE_AFTER = timedelta(days=365)
#: The ties counted as everyday support in the report, in its chart's order.
SUPPORT_KINDS = ("watch", "snow", "ride", "errand", "share", "talk", "kin", "care")


def _flag_title(flag: str) -> str:
    return FLAG_KINDS[flag][0 if web.lang() == "ja" else 1]


def _created(meta_or_row: dict) -> datetime | None:
    try:
        when = datetime.fromisoformat(str(meta_or_row.get("created")))
    except (TypeError, ValueError):
        return None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


def _stale(row: dict) -> bool:
    created = _created(row)
    return created is not None and datetime.now(UTC) - created > STALE_AFTER


def _problems(error: GraphError) -> list[str]:
    """The problems in the user's language: the first 100, then 「ほか N 件」."""
    return shown([p.message(web.lang()) for p in error.problems], web.lang())


def _flag_on() -> bool:
    return request.values.get("names") in ("1", "on", "true")


def counts(G: nx.MultiDiGraph, settings: dict | None = None) -> dict[str, Any]:
    """Nodes and ties of the approved part of ``G`` by kind, and flags by kind."""
    A = active_graph(G)
    found = flags(A, settings)
    return {
        "nodes": Counter(kind for _, kind in A.nodes(data="kind")),
        "ties": Counter(kind for _, _, kind in A.edges(data="kind")),
        "flags": Counter(f.flag for f in found),
        "n_nodes": A.number_of_nodes(),
        "n_ties": A.number_of_edges(),
        "found": found,
    }


def support_counts(G: nx.MultiDiGraph) -> list[tuple[str, int]]:
    """``(tie kind, count)`` of the approved everyday-support ties, in chart order."""
    tally = Counter(kind for _, _, kind in active_graph(G).edges(data="kind"))
    return [(kind, tally.get(kind, 0)) for kind in SUPPORT_KINDS]


def _parse_ref(ref: str | None, field: str) -> tuple[str, int | None]:
    """``"id"`` or ``"id@seq"``; NotFound (404) for anything else."""
    ref = (ref or "").strip()
    session_id, _sep, seq = ref.partition("@")
    web.store().path(session_id)  # NotFound unless it looks like a session id
    if seq:
        return session_id, web.seq_number(seq, field)  # 400 unless 0 … 2**63-1
    return session_id, None


def _graph_at(ref: tuple[str, int | None]) -> tuple[Session, nx.MultiDiGraph]:
    session = web.open_session(ref[0])
    return session, (session.graph() if ref[1] is None else session.replay(ref[1]))


def _seq_arg() -> int | None:
    return web.seq_number(request.args.get("seq"))


def _flag_items(found: list, lang: str) -> list[dict]:
    return [f.to_dict(lang) for f in found]


def _payload(G: nx.MultiDiGraph, meta: dict, private: bool) -> dict:
    layout = request.args.get("layout", "tree")
    if layout not in ("tree", "network"):
        abort(400)
    data = tree_payload(
        G,
        meta.get("settings"),
        private=private,
        layout=layout,
        winter=request.args.get("winter") == "1",
        expand=request.args.get("expand") or None,
        lang=web.lang(),
    )
    data["title"] = meta["title"]
    return data


def _go(target: str):
    if web.is_htmx():
        return Response(status=204, headers={"HX-Redirect": target})
    return redirect(target, 303)
