"""Node-link JSON: the session graph as ``{"graph", "nodes", "edges"}``, as NetworkX writes it."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import networkx as nx

from ..errors import Problem, ValidationError
from ._reading import build, decode

__all__ = ["to_node_link", "from_node_link", "parse_json", "json_bytes"]


def to_node_link(G: nx.MultiDiGraph) -> dict:
    """``G`` as node-link data: ``{"graph", "nodes", "edges"}``, edge keys under ``"key"``.

    Examples
    --------
    >>> G = from_node_link({"nodes": [{"id": "p1", "kind": "person", "label": "佐藤"},
    ...                               {"id": "h1", "kind": "household", "label": "鈴木宅"}],
    ...                     "edges": [{"source": "p1", "target": "h1", "kind": "snow",
    ...                                "key": "t1"}]})
    >>> to_node_link(G)["edges"]
    [{'kind': 'snow', 'source': 'p1', 'target': 'h1', 'key': 't1'}]
    """
    return nx.node_link_data(G, edges="edges")


def from_node_link(data: Any, where: str = "JSON") -> nx.MultiDiGraph:
    """Build a session graph from node-link data, as :func:`to_node_link` makes it.

    Parameters
    ----------
    data : mapping
        ``{"nodes": [...], "edges": [...]}`` (``"links"`` is accepted for ``"edges"``);
        a tie's id is its ``"key"`` (or ``"id"``). An optional ``"graph"`` mapping becomes
        the graph attributes.
    where : str
        Names the input in problems, e.g. the file name.

    Returns
    -------
    G : nx.MultiDiGraph

    Raises
    ------
    ValidationError
        Listing every problem; a node is named ``"<where> nodes[i]"``, a tie
        ``"<where> edges[i]"`` (counting from 0, as in the JSON).

    Examples
    --------
    >>> from_node_link({"nodes": [{"id": "p1", "kind": "tree", "label": "x"}], "edges": []})
    Traceback (most recent call last):
    ...
    graph.errors.ValidationError: JSON nodes[0]: unknown kind 'tree'

    Notes
    -----
    Integer keys (NetworkX numbers parallel edges 0, 1, …) are not tie ids: those ties get
    fresh ids. O(n + m).
    """
    if not isinstance(data, Mapping):
        raise ValidationError(
            _shape_problem(where, "nodes と edges を持つオブジェクト", "an object")
        )
    problems: list[Problem] = []
    nodes = data.get("nodes")
    edges_name = "edges" if "edges" in data or "links" not in data else "links"
    edges = data.get(edges_name, [])
    graph_attrs = data.get("graph") or {}
    if not isinstance(nodes, list):
        problems.append(_shape_problem(f"{where} nodes", "リスト", "a list"))
    if not isinstance(edges, list):
        problems.append(_shape_problem(f"{where} {edges_name}", "リスト", "a list"))
    if not isinstance(graph_attrs, Mapping):
        problems.append(_shape_problem(f"{where} graph", "オブジェクト", "an object"))
    if problems:
        raise ValidationError(problems)

    node_records = []
    for i, node in enumerate(nodes):
        place = f"{where} nodes[{i}]"
        if _check_shape(node, ("id", "kind", "label"), place, problems):
            node_records.append({**node, "_where": place})
    tie_records = []
    for i, edge in enumerate(edges):
        place = f"{where} {edges_name}[{i}]"
        if not _check_shape(edge, ("key", "id", "source", "target", "kind"), place, problems):
            continue
        key = edge.get("key", edge.get("id"))
        attrs = {k: v for k, v in edge.items() if k not in ("key", "id")}
        tie_id = key if isinstance(key, str) else None
        tie_records.append({**attrs, "id": tie_id, "_where": place})
    return build(node_records, tie_records, problems, graph_attrs)


def parse_json(data: bytes, name: str) -> nx.MultiDiGraph:
    """The session graph in the node-link JSON file ``name`` holding ``data``.

    Raises :class:`ValidationError` naming the line and column of a JSON syntax error, or
    every problem :func:`from_node_link` finds.
    """
    problems: list[Problem] = []
    text = decode(data, name, problems)
    if text is None:
        raise ValidationError(problems)
    try:
        parsed = json.loads(text, parse_constant=_no_constant, parse_int=_bounded_int)
    except _Refused as e:
        raise ValidationError(Problem(name, e.ja, e.en)) from None
    except json.JSONDecodeError as e:
        raise ValidationError(
            Problem(
                f"{name} line {e.lineno} col {e.colno}",
                "JSON として読めません",
                f"not valid JSON ({e.msg})",
            )
        ) from None
    except RecursionError:
        raise ValidationError(
            Problem(name, "JSON が深すぎます", "JSON nested too deeply")
        ) from None
    return from_node_link(parsed, where=name)


class _Refused(ValueError):
    def __init__(self, ja: str, en: str):
        super().__init__(en)
        self.ja, self.en = ja, en


def _no_constant(text: str):
    """NaN and Infinity are not JSON (Python's reader takes them by default)."""
    raise _Refused(
        f"{text} は数として使えません", f"{text} is not a number JSON allows (NaN/Infinity)"
    )


def _bounded_int(text: str) -> int:
    """An integer of at most 64 bits; a 5,000-digit one is refused before it is converted."""
    digits = text.lstrip("-")
    if len(digits) > 19 or not -(2**63) <= int(text) <= 2**63 - 1:
        raise _Refused(
            f"大きすぎる整数があります（{digits[:12]}…、{len(digits)}桁）",
            f"an integer is too large ({len(digits)} digits; at most 64 bits)",
        )
    return int(text)


def json_bytes(G: nx.MultiDiGraph) -> bytes:
    """``G`` as indented UTF-8 node-link JSON; values JSON cannot hold are written as text."""
    text = json.dumps(to_node_link(G), ensure_ascii=False, indent=2, default=str)
    return (text + "\n").encode("utf-8")


def _shape_problem(where: str, ja: str, en: str) -> Problem:
    return Problem(where, f"形式が違います（{ja}が必要です）", f"wrong shape: expected {en}")


def _check_shape(item: Any, scalars: tuple[str, ...], where: str, problems: list) -> bool:
    """Whether ``item`` is a mapping whose ``scalars`` fields are text, numbers or missing."""
    if not isinstance(item, Mapping):
        problems.append(_shape_problem(where, "オブジェクト", "an object"))
        return False
    ok = True
    for field in scalars:
        value = item.get(field)
        if value is not None and (isinstance(value, bool) or not isinstance(value, str | int)):
            problems.append(
                Problem(
                    where,
                    f"{field} は文字か数字でなければなりません",
                    f"{field} must be text or a number",
                )
            )
            ok = False
    return ok
