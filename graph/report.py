"""What a printed report lists: treasures by category, needs heard, ideas and their stage."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import networkx as nx

from .model import active_graph

__all__ = ["TREASURE_KINDS", "report_lists"]

#: The treasures found, in the order a 協議体 meeting reads them.
TREASURE_KINDS = ("group", "place", "activity", "institution", "story")
_STAGES = ("proposed", "trial", "realised")


def report_lists(G: nx.MultiDiGraph, labels: Mapping[Any, str]) -> dict[str, Any]:
    """The lists of the report, under ``labels`` (real names, or public labels).

    Returns ``treasures`` (kind → sorted labels), ``needs`` (label, how many households or
    people said so, which ideas or activities address it), ``ideas`` (label, stage, the
    needs they address), sorted so the report reads the same every time.

    >>> from graph.model import build_graph
    >>> G = build_graph([{"id": "n", "kind": "need", "label": "ゴミ出しが大変"},
    ...                  {"id": "h", "kind": "household", "label": "佐藤さん宅"},
    ...                  {"id": "i", "kind": "idea", "label": "ゴミ出し当番", "stage": "trial"},
    ...                  {"id": "g", "kind": "group", "label": "サロン"}],
    ...                 [{"source": "h", "target": "n", "kind": "has_need"},
    ...                  {"source": "i", "target": "n", "kind": "addresses"}])
    >>> L = report_lists(G, {n: G.nodes[n]["label"] for n in G})
    >>> L["treasures"]["group"], L["needs"], L["ideas"]
    (['サロン'], [('ゴミ出しが大変', 1, ['ゴミ出し当番'])], [('ゴミ出し当番', 'trial', ['ゴミ出しが大変'])])
    """
    A = active_graph(G)
    kind = {n: A.nodes[n].get("kind") for n in A}
    treasures = {
        k: sorted(labels.get(n, str(n)) for n in A if kind[n] == k) for k in TREASURE_KINDS
    }
    needs = []
    for n in (n for n in A if kind[n] == "need"):
        said = {u for u, _, k in A.in_edges(n, data="kind") if k == "has_need"}
        helps = sorted(
            labels.get(u, str(u)) for u, _, k in A.in_edges(n, data="kind") if k == "addresses"
        )
        needs.append((labels.get(n, str(n)), len(said), helps))
    needs.sort(key=lambda x: (-x[1], x[0]))
    ideas = []
    for n in (n for n in A if kind[n] == "idea"):
        stage = str(A.nodes[n].get("stage") or "proposed")
        addressed = sorted(
            labels.get(v, str(v)) for _, v, k in A.out_edges(n, data="kind") if k == "addresses"
        )
        ideas.append((labels.get(n, str(n)), stage, addressed))
    ideas.sort(key=lambda x: (-_STAGES.index(x[1]) if x[1] in _STAGES else 0, x[0]))
    return {"treasures": treasures, "needs": needs, "ideas": ideas}
