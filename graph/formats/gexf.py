"""GEXF 1.2: the session graph for Gephi, and Gephi's files read back."""

from __future__ import annotations

from collections.abc import Mapping
from io import BytesIO
from typing import Any
from xml.etree import ElementTree as ET
from xml.etree.ElementTree import ParseError

import networkx as nx

from ..errors import Problem, ValidationError
from ._reading import build
from ._xml import XML_ILLEGAL, refuse_declarations

__all__ = ["gexf_bytes", "parse_gexf", "TIE_KIND"]

#: The name the tie kind is written under: GEXF readers (graphology, Gephi 0.10) take an edge
#: attribute called ``kind`` for the edge's own kind, so ours may not be called that.
TIE_KIND = "tie_kind"
_NS = "http://www.gexf.net/1.2draft"

_GEXF_RESERVED = ("id", "viz", "start", "end", "pid", "parents", "spells", "slices")
_GEXF_NODE_RESERVED = frozenset(_GEXF_RESERVED)
_GEXF_EDGE_RESERVED = frozenset((*_GEXF_RESERVED, "label", "weight", "type", "key"))


def gexf_bytes(G: nx.MultiDiGraph) -> bytes:
    """``G`` as a UTF-8 GEXF 1.2 document for Gephi; tie ids are the edge ids.

    Examples
    --------
    >>> from graph.formats.nodelink import from_node_link
    >>> G = from_node_link({"nodes": [{"id": "p1", "kind": "person", "label": "佐藤",
    ...                                "lives_alone": True}], "edges": []})
    >>> data = gexf_bytes(G)
    >>> 'label="佐藤"'.encode() in data, b'type="boolean"' in data
    (True, True)

    Notes
    -----
    The graph's ``title`` is the ``<description>`` of the GEXF ``<meta>`` and its ``area``
    the ``<keywords>`` (GEXF 1.2 has no graph name; the file is valid against the official
    schema); the tie kind is the edge attribute :data:`TIE_KIND`.
    An attribute keeps its type (number, yes/no) only when every node (or tie) has it with that
    type, else it is written as text; ``None`` is left out. Attributes GEXF reserves for itself
    (``viz``, ``start``, ``end``, ``pid``, ``parents``, ``spells``, ``slices``, and for ties
    ``label``, ``weight``, ``type``) are not written. O(n + m).
    """
    H = nx.MultiDiGraph()
    node_types = _gexf_types(a for _, a in G.nodes(data=True))
    edge_types = _gexf_types(a for _, _, a in G.edges(data=True))
    H.add_nodes_from(
        (n, _gexf_safe(a, node_types, _GEXF_NODE_RESERVED)) for n, a in G.nodes(data=True)
    )
    H.add_edges_from(
        (u, v, k, {**_gexf_safe(_renamed(a), edge_types, _GEXF_EDGE_RESERVED), "id": str(k)})
        for u, v, k, a in G.edges(keys=True, data=True)
    )
    buffer = BytesIO()
    nx.write_gexf(H, buffer, encoding="utf-8", prettyprint=True)
    return _with_meta(buffer.getvalue(), G.graph)


def _renamed(attrs: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: v for k, v in attrs.items() if k != "kind"}
    if "kind" in attrs:
        out[TIE_KIND] = attrs["kind"]
    return out


def _with_meta(data: bytes, graph: Mapping[str, Any]) -> bytes:
    """The document with Tsunagari as creator, title and area in ``<meta>``, no graph name."""
    ET.register_namespace("", _NS)
    ET.register_namespace("xsi", "http://www.w3.org/2001/XMLSchema-instance")
    root = ET.fromstring(data)
    meta = root.find(f"{{{_NS}}}meta")
    if meta is None:
        meta = ET.Element(f"{{{_NS}}}meta")
        root.insert(0, meta)
    for child in list(meta):
        meta.remove(child)
    ET.SubElement(meta, f"{{{_NS}}}creator").text = "Tsunagari"
    for tag, key in (("description", "title"), ("keywords", "area")):
        text = str(graph.get(key) or "").translate(XML_ILLEGAL)
        if text:
            ET.SubElement(meta, f"{{{_NS}}}{tag}").text = text
    element = root.find(f"{{{_NS}}}graph")
    if element is not None:
        element.attrib.pop("name", None)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _meta_of(data: bytes) -> dict[str, str]:
    """``title`` and ``area`` from a GEXF ``<meta>`` (any GEXF version), else the graph name."""
    try:
        root = ET.fromstring(data)
    except ParseError:
        return {}
    out: dict[str, str] = {}
    for element in root.iter():
        tag = element.tag.rsplit("}", 1)[-1]
        if tag == "description" and element.text and element.text.strip():
            out.setdefault("title", element.text.strip())
        elif tag == "keywords" and element.text and element.text.strip():
            out.setdefault("area", element.text.strip())
        elif tag == "graph" and element.get("name"):
            out.setdefault("title", element.get("name", ""))
    return out


def parse_gexf(data: bytes, name: str) -> nx.MultiDiGraph:
    """The session graph in the GEXF file ``name`` holding ``data``.

    Declarations are refused before parsing; Gephi's presentation and time attributes are
    dropped; the ``<meta>`` description (or an older file's graph name) becomes the ``title``
    and its keywords the ``area``; :data:`TIE_KIND` (or ``kind``) is the tie kind.
    """
    refuse_declarations(data, name)
    try:
        F = nx.read_gexf(BytesIO(data), node_type=str)
    except ParseError as e:
        line, col = e.position
        raise ValidationError(
            Problem(
                f"{name} line {line} col {col + 1}",
                "XML として読めません（途中で切れているか壊れています）",
                "not well-formed XML",
            )
        ) from None
    except (nx.NetworkXError, ValueError, KeyError, TypeError, AttributeError) as e:
        raise ValidationError(
            Problem(name, "GEXF の内容を読めません", f"cannot read the GEXF ({e})")
        ) from None
    # Presentation and time that Gephi adds; a session graph has no use for them.
    dropped = ("viz", "pid", "parents", "start", "end", "spells", "slices")
    nodes = [
        {
            **{k: v for k, v in attrs.items() if k not in dropped},
            "id": n,
            "_where": f"{name} node {n!r}",
        }
        for n, attrs in F.nodes(data=True)
    ]
    ties = []
    edges = (
        F.edges(keys=True, data=True)
        if F.is_multigraph()
        else ((u, v, None, a) for u, v, a in F.edges(data=True))
    )
    edges = list(edges)
    # NetworkX's write_gexf numbers the edges 0, 1, … (its own keys, if any, are integers):
    # those numbers are no tie ids, and a second such file must not clash with the first.
    # The session's own exports keep text keys (their tie ids) and are not touched.
    numbered = b"<creator>NetworkX" in data and all(
        not isinstance(k, str) and str(a.get("id", "")).isdigit() for _, _, k, a in edges
    )
    for u, v, key, attrs in edges:
        attrs = {k: a for k, a in attrs.items() if k not in dropped}
        if TIE_KIND in attrs:
            attrs["kind"] = attrs.pop(TIE_KIND)
        tie_id = attrs.pop("id", None)
        if isinstance(key, str):
            tie_id = key
        if numbered:
            tie_id = None
        ties.append(
            {
                **attrs,
                "id": tie_id,
                "source": u,
                "target": v,
                "_where": f"{name} edge {u!r} → {v!r}",
            }
        )
    return build(nodes, ties, [], _meta_of(data))


def _gexf_types(attr_dicts: Any) -> dict[str, type]:
    """The type each attribute is written as: its own when all its values share it, else str."""
    seen: dict[str, set[type]] = {}
    for attrs in attr_dicts:
        for name, value in attrs.items():
            if value is not None:
                seen.setdefault(str(name), set()).add(type(value))
    return {
        name: next(iter(types)) if len(types) == 1 and types <= {bool, int, float} else str
        for name, types in seen.items()
    }


def _gexf_safe(
    attrs: Mapping[str, Any], types: Mapping[str, type], reserved: frozenset[str]
) -> dict[str, Any]:
    safe = {}
    for name, value in attrs.items():
        name = str(name)
        if value is None or name in reserved:
            continue
        if types.get(name, str) is str:
            value = str(value).translate(XML_ILLEGAL)
        safe[name] = value
    return safe
