"""GraphML: written by NetworkX, read from any tool after a safety scan that names lines."""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from io import BytesIO
from typing import Any
from xml.parsers import expat

import networkx as nx

from ..errors import Problem, ValidationError
from ._reading import build
from ._xml import XML_ILLEGAL, declaration_refused, refuse_declarations

__all__ = ["graphml_bytes", "parse_graphml"]

_GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"


def graphml_bytes(G: nx.MultiDiGraph) -> bytes:
    """``G`` as a UTF-8 GraphML document; tie ids are written as the edge ``id``.

    Examples
    --------
    >>> from graph.formats.nodelink import from_node_link
    >>> G = from_node_link({"nodes": [{"id": "p1", "kind": "person", "label": "佐藤",
    ...                                "lives_alone": True}], "edges": []})
    >>> b'attr.type="boolean"' in graphml_bytes(G)
    True

    Notes
    -----
    Values other than text, numbers and yes/no are written as text. Characters XML cannot
    hold (control characters other than tab and newline) become U+FFFD, and a carriage
    return comes back as a newline.
    """
    H = nx.MultiDiGraph()
    H.graph.update(_xml_safe(G.graph, skip=("node_default", "edge_default")))
    H.add_nodes_from((n, _xml_safe(a)) for n, a in G.nodes(data=True))
    H.add_edges_from((u, v, k, _xml_safe(a)) for u, v, k, a in G.edges(keys=True, data=True))
    buffer = BytesIO()
    nx.write_graphml_xml(H, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


def parse_graphml(data: bytes, name: str) -> nx.MultiDiGraph:
    """The session graph in the GraphML file ``name`` holding ``data``.

    Declarations are refused before any parsing; problems name the line of the node or edge
    where known. Key defaults apply; edge ids become tie ids when they are unique in the file.
    A file from :func:`networkx.write_graphml` repeats edge ids per node pair (they are the
    edge keys); it is read as NetworkX reads it, each edge a tie with a new id.
    """
    refuse_declarations(data, name)
    node_lines, edge_lines, noisy = _scan_graphml(data, name)
    try:
        if noisy:
            # NetworkX warns about ports and untyped keys; only then pay for catch_warnings,
            # which is not thread-safe.
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                F = _nx_parse_graphml(data)
        else:
            F = _nx_parse_graphml(data)
    except (nx.NetworkXError, ValueError, KeyError, TypeError) as e:
        raise ValidationError(
            Problem(name, "GraphML の内容を読めません", f"cannot read the GraphML ({e})")
        ) from None
    node_default = F.graph.pop("node_default", {})
    edge_default = F.graph.pop("edge_default", {})
    nodes = []
    for n, attrs in F.nodes(data=True):
        place = f"{name} line {node_lines[n]}" if n in node_lines else f"{name} node {n!r}"
        nodes.append({**node_default, **attrs, "id": n, "_where": place})
    ties = []
    for u, v, key, attrs in F.edges(keys=True, data=True):
        # Repeating edge ids (NetworkX's own files) are per-pair keys: the ties get new ids.
        tie_id = key if isinstance(key, str) and key in edge_lines else None
        if tie_id in edge_lines:
            place = f"{name} line {edge_lines[tie_id]}"
        else:
            place = f"{name} edge {u!r} → {v!r}"
        attrs = {k: a for k, a in attrs.items() if k != "key"}
        ties.append(
            {**edge_default, **attrs, "id": tie_id, "source": u, "target": v, "_where": place}
        )
    return build(nodes, ties, [], F.graph)


def _nx_parse_graphml(data: bytes) -> nx.MultiGraph:
    return nx.parse_graphml(data, node_type=str, edge_key_type=str, force_multigraph=True)


def _xml_safe(attrs: Mapping[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Attributes GraphML can hold: no ``None``, odd types as text, no illegal characters."""
    safe = {}
    for name, value in attrs.items():
        if value is None or name in skip:
            continue
        if not isinstance(value, str | int | float | bool):
            value = str(value)
        if isinstance(value, str):
            value = value.translate(XML_ILLEGAL)
        safe[str(name)] = value
    return safe


# --- the scan before NetworkX reads the file -------------------------------------------


class _Refused(Exception):
    """A GraphML construct that is not read, carrying the problem."""

    def __init__(self, problem: Problem):
        super().__init__(problem.en)
        self.problem = problem


class _Scan:
    """The expat handlers of one scan, and what they learn: lines, shape, problems."""

    def __init__(self, name: str, parser: Any):
        self.name = name
        self.parser = parser
        self.node_lines: dict[str, int] = {}
        self.edge_lines: dict[str, int] = {}
        self.problems: list[Problem] = []
        self.depth = 0
        self.root_ok = False
        self.graph = False
        self.noisy = False
        # NetworkX's write_graphml numbers the edges of each node pair 0, 1, … (the edge
        # keys), so its edge ids repeat across the file: they are keys, not tie ids.
        self.ids_repeat = False

    def refuse(self, *_args: Any) -> None:
        raise _Refused(declaration_refused(f"{self.name} line {self.parser.CurrentLineNumber}"))

    def start(self, tag: str, attrs: dict[str, str]) -> None:
        ns, _, local = tag.rpartition(" ")
        line = self.parser.CurrentLineNumber
        self.depth += 1
        if self.depth == 1:
            self.root_ok = ns == _GRAPHML_NS and local == "graphml"
        if ns != _GRAPHML_NS:
            return
        if local == "graph" and self.depth == 2:
            self.graph = True
        elif local == "node":
            self._node(attrs, line)
        elif local == "edge":
            self._edge(attrs, line)
        elif local == "port" or (local == "key" and "attr.type" not in attrs):
            self.noisy = True

    def end(self, _tag: str) -> None:
        self.depth -= 1

    def _node(self, attrs: dict[str, str], line: int) -> None:
        if not attrs.get("id"):
            self.problems.append(
                Problem(
                    f"{self.name} line {line}", "ノードに id がありません", "node without an id"
                )
            )
        self.node_lines.setdefault(attrs.get("id", ""), line)

    def _edge(self, attrs: dict[str, str], line: int) -> None:
        if not attrs.get("source") or not attrs.get("target"):
            self.problems.append(
                Problem(
                    f"{self.name} line {line}",
                    "つながりに source か target がありません",
                    "edge without a source or target",
                )
            )
        if attrs.get("id"):
            self.ids_repeat = self.ids_repeat or attrs["id"] in self.edge_lines
            self.edge_lines.setdefault(attrs["id"], line)


def _scan_graphml(data: bytes, name: str) -> tuple[dict, dict, bool]:
    """Check the XML is well formed and GraphML-shaped before NetworkX reads it.

    Returns the line of each node id and edge id (none when edge ids repeat, as NetworkX
    writes them: they are then only keys), and whether NetworkX will warn (ports, keys
    without a type) so the caller can silence that.
    """
    parser = expat.ParserCreate(namespace_separator=" ")
    scan = _Scan(name, parser)
    parser.StartDoctypeDeclHandler = scan.refuse
    parser.EntityDeclHandler = scan.refuse
    parser.StartElementHandler = scan.start
    parser.EndElementHandler = scan.end
    try:
        parser.Parse(data, True)
    except _Refused as e:
        raise ValidationError(e.problem) from None
    except expat.ExpatError as e:
        raise ValidationError(
            Problem(
                f"{name} line {e.lineno} col {e.offset + 1}",
                "XML として読めません（途中で切れているか壊れています）",
                f"not well-formed XML ({expat.ErrorString(e.code)})",
            )
        ) from None
    problems = scan.problems
    if not (scan.root_ok and scan.graph):
        problems.insert(
            0,
            Problem(
                name,
                "GraphML ではありません（<graphml> の中に <graph> が必要です）",
                f'not GraphML: expected <graphml xmlns="{_GRAPHML_NS}"> holding a <graph>',
            ),
        )
    if problems:
        raise ValidationError(problems)
    return scan.node_lines, ({} if scan.ids_repeat else scan.edge_lines), scan.noisy
