"""The plain network view (the second layout): concentric rings around the key connectors."""

from __future__ import annotations

import math

import networkx as nx

from .layout import tree_layout

__all__ = ["network_layout"]


def network_layout(G: nx.MultiDiGraph) -> dict[str, tuple[float, float]]:
    """The plain network view: concentric rings around the key connectors.

    Trunk persons in the middle, then groups and activities, institutions, places and
    stories, ideas, and households with their residents and needs on the outer ring,
    each ring ordered by district and id so the same graph always gives the same picture
    and one new node only nudges its ring.

    Examples
    --------
    >>> from graph.model import build_graph
    >>> G = build_graph([{"id": "h1", "kind": "household", "label": "A"}], [])
    >>> network_layout(G)["h1"]
    (0.0, -260.0)
    """
    tree = tree_layout(G)
    rings: dict[int, list[str]] = {}
    order = {"trunk": 0, "branches": 1, "leaves": 2, "soil": 3, "fruit": 4, "roots": 5}
    for node, band in tree.band.items():
        rings.setdefault(order[band], []).append(node)
    positions: dict[str, tuple[float, float]] = {}
    radius = 0.0
    for level in sorted(rings):
        members = sorted(rings[level], key=lambda n: (tree.positions[n][0], n))
        if level == 0 and len(members) == 1:
            positions[members[0]] = (0.0, 0.0)
            continue
        radius = max(radius + 260, len(members) * 70 / (2 * math.pi))
        for i, node in enumerate(members):
            angle = -math.pi / 2 + 2 * math.pi * i / len(members)
            positions[node] = (
                round(radius * math.cos(angle), 1),
                round(radius * math.sin(angle), 1),
            )
    return positions
