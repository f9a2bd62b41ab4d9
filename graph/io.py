"""Read and write session graphs as GraphML, node-link JSON, a pair of CSV files or GEXF."""

from __future__ import annotations

import csv
import json
import warnings
import zipfile
from collections.abc import Mapping
from io import BytesIO, StringIO
from pathlib import Path, PurePosixPath
from typing import Any
from xml.etree.ElementTree import ParseError
from xml.parsers import expat

import networkx as nx

from .errors import Problem, ValidationError
from .model import build_graph, graph_records

__all__ = [
    "FORMATS",
    "read_graph",
    "write_graph",
    "to_node_link",
    "from_node_link",
    "graphml_bytes",
    "csv_zip_bytes",
    "gexf_bytes",
]

#: The formats :func:`write_graph` knows.
FORMATS = ("graphml", "json", "csv", "gexf")

_NODE_COLUMNS = ("id", "kind", "label")
_TIE_COLUMNS = ("id", "source", "target", "kind")
_GRAPHML_NS = "http://graphml.graphdrawing.org/xmlns"
# A zip member larger than this is refused: a session map is a few hundred rows.
_MAX_ZIP_MEMBER = 50 * 1024 * 1024
# Cells starting with these run as formulas in Excel; written with a leading "'" (see Notes).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Characters XML 1.0 cannot carry at all.
_XML_ILLEGAL = {c: "\ufffd" for c in [*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20)]}
_XML_ILLEGAL.update({0xFFFE: "\ufffd", 0xFFFF: "\ufffd"})


def read_graph(path: str | Path) -> nx.MultiDiGraph:
    """Read a session graph from a file, choosing the format by its suffix.

    Parameters
    ----------
    path : str or Path
        ``.graphml`` / ``.xml`` (GraphML), ``.json`` (node-link JSON), ``.csv`` (a nodes
        CSV; ``ties.csv`` is read from the same folder when it exists), ``.zip`` (a zip
        holding ``nodes.csv`` and ``ties.csv``), ``.gexf`` (GEXF, as Gephi saves it) or a
        folder holding those two CSV files.

    Returns
    -------
    G : nx.MultiDiGraph
        Node ids are the file's ids; tie ids are the edge keys.

    Raises
    ------
    ValidationError
        Listing every problem found, each naming the file (and line where known).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = pathlib.Path(d, "nodes.csv").write_text("id,kind,label\\np1,person,佐藤\\n")
    ...     G = read_graph(pathlib.Path(d, "nodes.csv"))
    >>> dict(G.nodes(data=True))
    {'p1': {'kind': 'person', 'label': '佐藤'}}

    Notes
    -----
    O(n + m) for n nodes and m ties. Every reader goes through
    :func:`graph.model.build_graph`, so validation is the same for all formats.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        return _read_csv_files(path / "nodes.csv")
    if suffix in (".graphml", ".xml"):
        return _parse_graphml(_read_bytes(path), path.name)
    if suffix == ".json":
        return _parse_json(_read_bytes(path), path.name)
    if suffix == ".csv":
        return _read_csv_files(path)
    if suffix == ".zip":
        return _parse_csv_zip(_read_bytes(path), path.name)
    if suffix == ".gexf":
        return _parse_gexf(_read_bytes(path), path.name)
    shown = suffix or "（拡張子なし）"
    raise ValidationError(
        Problem(
            path.name,
            f"{shown} のファイルは読み込めません（.graphml .json .csv .zip .gexf）",
            f"cannot read {suffix or 'a file without a suffix'} "
            "(use .graphml, .json, .csv, .zip or .gexf)",
        )
    )


def write_graph(G: nx.MultiDiGraph, path: str | Path, fmt: str) -> list[Path]:
    """Write ``G`` to ``path`` in format ``fmt`` and return the paths written.

    Parameters
    ----------
    G : nx.MultiDiGraph
    path : str or Path
        For ``"csv"``: a ``.zip`` path gets a zip holding ``nodes.csv`` and ``ties.csv``;
        any other path is a folder (created if needed) that receives both files.
    fmt : {"graphml", "json", "csv", "gexf"}

    Returns
    -------
    list of Path

    Raises
    ------
    ValueError
        If ``fmt`` is not one of :data:`FORMATS`.

    Examples
    --------
    >>> import tempfile
    >>> G = from_node_link({"nodes": [{"id": "p1", "kind": "person", "label": "佐藤"}],
    ...                     "edges": []})
    >>> with tempfile.TemporaryDirectory() as d:
    ...     [p.name for p in write_graph(G, d, "csv")]
    ['nodes.csv', 'ties.csv']

    Notes
    -----
    CSV files are UTF-8 with a byte-order mark so that Excel on Windows shows Japanese.
    O(n + m).
    """
    path = Path(path)
    if fmt == "graphml":
        path.write_bytes(graphml_bytes(G))
        return [path]
    if fmt == "json":
        path.write_bytes(_json_bytes(G))
        return [path]
    if fmt == "gexf":
        path.write_bytes(gexf_bytes(G))
        return [path]
    if fmt == "csv":
        if path.suffix.lower() == ".zip":
            path.write_bytes(csv_zip_bytes(G))
            return [path]
        path.mkdir(parents=True, exist_ok=True)
        nodes_csv, ties_csv = _csv_texts(G)
        written = []
        for name, text in (("nodes.csv", nodes_csv), ("ties.csv", ties_csv)):
            (path / name).write_bytes(text.encode("utf-8-sig"))
            written.append(path / name)
        return written
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")


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
    return _build(node_records, tie_records, problems, graph_attrs)


def graphml_bytes(G: nx.MultiDiGraph) -> bytes:
    """``G`` as a UTF-8 GraphML document; tie ids are written as the edge ``id``.

    Examples
    --------
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


def csv_zip_bytes(G: nx.MultiDiGraph) -> bytes:
    """A zip holding ``nodes.csv`` and ``ties.csv`` (UTF-8 with BOM, for Excel).

    Examples
    --------
    >>> import zipfile, io
    >>> G = from_node_link({"nodes": [], "edges": []})
    >>> zipfile.ZipFile(io.BytesIO(csv_zip_bytes(G))).namelist()
    ['nodes.csv', 'ties.csv']
    """
    nodes_csv, ties_csv = _csv_texts(G)
    buffer = BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("nodes.csv", nodes_csv.encode("utf-8-sig"))
        zf.writestr("ties.csv", ties_csv.encode("utf-8-sig"))
    return buffer.getvalue()


def gexf_bytes(G: nx.MultiDiGraph) -> bytes:
    """``G`` as a UTF-8 GEXF 1.2 document for Gephi; tie ids are the edge ids.

    Examples
    --------
    >>> G = from_node_link({"nodes": [{"id": "p1", "kind": "person", "label": "佐藤",
    ...                                "lives_alone": True}], "edges": []})
    >>> data = gexf_bytes(G)
    >>> 'label="佐藤"'.encode() in data, b'type="boolean"' in data
    (True, True)

    Notes
    -----
    The graph's ``title`` becomes the GEXF graph name; other graph attributes are not written.
    An attribute keeps its type (number, yes/no) only when every node (or tie) has it with that
    type, else it is written as text; ``None`` is left out. Attributes GEXF reserves for itself
    (``viz``, ``start``, ``end``, ``pid``, ``parents``, ``spells``, ``slices``, and for ties
    ``label``, ``weight``, ``type``) are not written. O(n + m).
    """
    H = nx.MultiDiGraph(name=str(G.graph.get("title", "")).translate(_XML_ILLEGAL))
    node_types = _gexf_types(a for _, a in G.nodes(data=True))
    edge_types = _gexf_types(a for _, _, a in G.edges(data=True))
    H.add_nodes_from(
        (n, _gexf_safe(a, node_types, _GEXF_NODE_RESERVED)) for n, a in G.nodes(data=True)
    )
    H.add_edges_from(
        (u, v, k, {**_gexf_safe(a, edge_types, _GEXF_EDGE_RESERVED), "id": str(k)})
        for u, v, k, a in G.edges(keys=True, data=True)
    )
    buffer = BytesIO()
    nx.write_gexf(H, buffer, encoding="utf-8", prettyprint=True)
    return buffer.getvalue()


# --- shared ---------------------------------------------------------------------------


def _build(
    nodes: list[dict],
    ties: list[dict],
    problems: list[Problem],
    graph_attrs: Mapping[str, Any] | None = None,
) -> nx.MultiDiGraph:
    """``build_graph``, with the problems already found in the file listed first."""
    G = None
    try:
        G = build_graph(nodes, ties)
    except ValidationError as e:
        problems = problems + e.problems
    if problems:
        raise ValidationError(problems)
    G.graph.update(graph_attrs or {})
    return G


def _read_bytes(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(
            Problem(path.name, "ファイルが見つかりません", "file not found")
        ) from None
    except OSError as e:
        raise ValidationError(
            Problem(path.name, "ファイルを開けません", f"cannot read the file ({e.strerror})")
        ) from None


def _decode(data: bytes, name: str, problems: list[Problem], hint: str = "") -> str | None:
    """UTF-8 text with or without BOM, or ``None`` after adding a problem."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = data.count(b"\n", 0, e.start) + 1
        problems.append(
            Problem(
                f"{name} line {line}",
                "UTF-8 の文字として読めません"
                + ("（Excel では「CSV UTF-8」で保存）" if hint else ""),
                "not UTF-8 text" + (f" ({hint})" if hint else ""),
            )
        )
        return None


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


# --- JSON -----------------------------------------------------------------------------


def _parse_json(data: bytes, name: str) -> nx.MultiDiGraph:
    problems: list[Problem] = []
    text = _decode(data, name, problems)
    if text is None:
        raise ValidationError(problems)
    try:
        parsed = json.loads(text)
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


def _json_bytes(G: nx.MultiDiGraph) -> bytes:
    text = json.dumps(to_node_link(G), ensure_ascii=False, indent=2, default=str)
    return (text + "\n").encode("utf-8")


# --- GraphML --------------------------------------------------------------------------


def _xml_safe(attrs: Mapping[str, Any], skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Attributes GraphML can hold: no ``None``, odd types as text, no illegal characters."""
    safe = {}
    for name, value in attrs.items():
        if value is None or name in skip:
            continue
        if not isinstance(value, str | int | float | bool):
            value = str(value)
        if isinstance(value, str):
            value = value.translate(_XML_ILLEGAL)
        safe[str(name)] = value
    return safe


class _Refused(Exception):
    """A GraphML construct that is not read, carrying the problem."""

    def __init__(self, problem: Problem):
        super().__init__(problem.en)
        self.problem = problem


def _refuse_declarations(data: bytes, name: str) -> None:
    # UTF-16/32 spell ASCII with NUL bytes around it; dropping them finds those spellings too.
    plain = data.replace(b"\x00", b"").lower()
    for marker in (b"<!doctype", b"<!entity"):
        at = plain.find(marker)
        if at >= 0:
            line = plain.count(b"\n", 0, at) + 1
            raise ValidationError(
                Problem(
                    f"{name} line {line}",
                    "安全のため DOCTYPE や ENTITY の宣言を含む GraphML は読み込めません",
                    "GraphML with a DOCTYPE or ENTITY declaration is refused for safety",
                )
            )


def _scan_graphml(data: bytes, name: str) -> tuple[dict, dict, bool]:
    """Check the XML is well formed and GraphML-shaped before NetworkX reads it.

    Returns the line of each node id and edge id, and whether NetworkX will warn
    (ports, keys without a type) so the caller can silence that.
    """
    node_lines: dict[str, int] = {}
    edge_lines: dict[str, int] = {}
    state = {"depth": 0, "root_ok": False, "graph": False, "noisy": False}
    problems: list[Problem] = []
    parser = expat.ParserCreate(namespace_separator=" ")

    def refuse(*_args: Any) -> None:
        raise _Refused(
            Problem(
                f"{name} line {parser.CurrentLineNumber}",
                "安全のため DOCTYPE や ENTITY の宣言を含む GraphML は読み込めません",
                "GraphML with a DOCTYPE or ENTITY declaration is refused for safety",
            )
        )

    def start(tag: str, attrs: dict[str, str]) -> None:
        ns, _, local = tag.rpartition(" ")
        line = parser.CurrentLineNumber
        state["depth"] += 1
        if state["depth"] == 1:
            state["root_ok"] = ns == _GRAPHML_NS and local == "graphml"
        if ns != _GRAPHML_NS:
            return
        if local == "graph" and state["depth"] == 2:
            state["graph"] = True
        elif local == "node":
            if not attrs.get("id"):
                problems.append(
                    Problem(
                        f"{name} line {line}", "ノードに id がありません", "node without an id"
                    )
                )
            node_lines.setdefault(attrs.get("id", ""), line)
        elif local == "edge":
            if not attrs.get("source") or not attrs.get("target"):
                problems.append(
                    Problem(
                        f"{name} line {line}",
                        "つながりに source か target がありません",
                        "edge without a source or target",
                    )
                )
            if attrs.get("id"):
                edge_lines.setdefault(attrs["id"], line)
        elif local == "port" or (local == "key" and "attr.type" not in attrs):
            state["noisy"] = True

    def end(_tag: str) -> None:
        state["depth"] -= 1

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.StartElementHandler = start
    parser.EndElementHandler = end
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
    if not (state["root_ok"] and state["graph"]):
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
    return node_lines, edge_lines, state["noisy"]


def _parse_graphml(data: bytes, name: str) -> nx.MultiDiGraph:
    _refuse_declarations(data, name)
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
        tie_id = key if isinstance(key, str) else None
        if tie_id in edge_lines:
            place = f"{name} line {edge_lines[tie_id]}"
        else:
            place = f"{name} edge {u!r} → {v!r}"
        attrs = {k: a for k, a in attrs.items() if k != "key"}
        ties.append(
            {**edge_default, **attrs, "id": tie_id, "source": u, "target": v, "_where": place}
        )
    return _build(nodes, ties, [], F.graph)


def _nx_parse_graphml(data: bytes) -> nx.MultiGraph:
    return nx.parse_graphml(data, node_type=str, edge_key_type=str, force_multigraph=True)


# --- GEXF -----------------------------------------------------------------------------

_GEXF_RESERVED = ("id", "viz", "start", "end", "pid", "parents", "spells", "slices")
_GEXF_NODE_RESERVED = frozenset(_GEXF_RESERVED)
_GEXF_EDGE_RESERVED = frozenset((*_GEXF_RESERVED, "label", "weight", "type", "key"))


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
            value = str(value).translate(_XML_ILLEGAL)
        safe[name] = value
    return safe


def _parse_gexf(data: bytes, name: str) -> nx.MultiDiGraph:
    _refuse_declarations(data, name)
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
    for u, v, key, attrs in edges:
        attrs = {k: a for k, a in attrs.items() if k not in dropped}
        tie_id = attrs.pop("id", None)
        if isinstance(key, str):
            tie_id = key
        ties.append(
            {
                **attrs,
                "id": tie_id,
                "source": u,
                "target": v,
                "_where": f"{name} edge {u!r} → {v!r}",
            }
        )
    graph_attrs = {"title": F.graph["name"]} if F.graph.get("name") else {}
    return _build(nodes, ties, [], graph_attrs)


# --- CSV ------------------------------------------------------------------------------


def _guard(cell: str) -> str:
    """Keep Excel from running a cell as a formula; :func:`_unguard` undoes it."""
    return "'" + cell if cell.startswith((*_FORMULA_START, "'")) else cell


def _unguard(cell: str) -> str:
    if cell.startswith("'") and cell[1:].startswith((*_FORMULA_START, "'")):
        return cell[1:]
    return cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return _guard(str(value))


def _csv_text(records: list[dict], first: tuple[str, ...]) -> str:
    others = sorted({str(k) for r in records for k in r} - set(first))
    buffer = StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([*first, *others])
    for record in records:
        row = {str(k): v for k, v in record.items()}
        writer.writerow([_cell(row.get(column)) for column in (*first, *others)])
    return buffer.getvalue()


def _csv_texts(G: nx.MultiDiGraph) -> tuple[str, str]:
    nodes, ties = graph_records(G)
    return _csv_text(nodes, _NODE_COLUMNS), _csv_text(ties, _TIE_COLUMNS)


def _csv_records(
    data: bytes,
    name: str,
    required: tuple[str, ...],
    problems: list[Problem],
    fatal: list[Problem],
) -> list[dict]:
    """Rows of one CSV file as records naming ``"<name> line <n>"``.

    Problems that make the rows meaningless (encoding, missing columns) go to ``fatal``.
    """
    text = _decode(data, name, fatal, hint='in Excel, save as "CSV UTF-8"')
    if text is None:
        return []
    reader = csv.reader(StringIO(text, newline=""))
    header: list[str] | None = None
    records = []
    line = 1
    try:
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = _header(row, name, required, fatal)
                if fatal:
                    return []
                continue
            if len(row) > len(header) and any(c.strip() for c in row[len(header) :]):
                problems.append(
                    Problem(
                        f"{name} line {start}",
                        "見出しより列が多い行です",
                        "the row has more cells than the header",
                    )
                )
            record = {
                column: _unguard(cell) for column, cell in zip(header, row, strict=False) if column
            }
            records.append({**record, "_where": f"{name} line {start}"})
    except csv.Error as e:
        fatal.append(
            Problem(f"{name} line {line}", "CSV として読めません", f"not valid CSV ({e})")
        )
        return []
    if header is None:
        _header([], name, required, fatal)
    return records


def _header(row: list[str], name: str, required: tuple[str, ...], fatal: list) -> list[str]:
    header = []
    for cell in row:
        column = cell.strip()
        header.append(column.lower() if column.lower() in _TIE_COLUMNS + _NODE_COLUMNS else column)
    for column in required:
        if column not in header:
            fatal.append(
                Problem(
                    name,
                    f"列 {column!r} がありません（必要な列: {', '.join(required)}）",
                    f"missing column {column!r} (required: {', '.join(required)})",
                )
            )
    for column in sorted({c for c in header if c and header.count(c) > 1}):
        fatal.append(
            Problem(name, f"列 {column!r} が重複しています", f"duplicate column {column!r}")
        )
    return header


def _parse_csv_pair(
    nodes_data: bytes, nodes_name: str, ties_data: bytes | None, ties_name: str
) -> nx.MultiDiGraph:
    problems: list[Problem] = []
    fatal: list[Problem] = []
    nodes = _csv_records(nodes_data, nodes_name, ("id", "kind", "label"), problems, fatal)
    ties = []
    # An empty ties file is as good as none.
    if ties_data is not None and ties_data.strip(b"\xef\xbb\xbf \t\r\n"):
        ties = _csv_records(ties_data, ties_name, ("source", "target", "kind"), problems, fatal)
    if fatal:
        raise ValidationError(fatal)
    return _build(nodes, ties, problems)


def _read_csv_files(nodes_path: Path) -> nx.MultiDiGraph:
    nodes_data = _read_bytes(nodes_path)
    ties_path = nodes_path.with_name("ties.csv")
    if "nodes" in nodes_path.name:
        # "村A_nodes.csv" pairs with "村A_ties.csv" when that exists.
        before, _, after = nodes_path.name.rpartition("nodes")
        sibling = nodes_path.with_name(f"{before}ties{after}")
        if sibling.is_file():
            ties_path = sibling
    ties_data = _read_bytes(ties_path) if ties_path.is_file() else None
    return _parse_csv_pair(nodes_data, nodes_path.name, ties_data, ties_path.name)


def _parse_csv_zip(data: bytes, name: str) -> nx.MultiDiGraph:
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            members = {"nodes.csv": [], "ties.csv": []}
            for info in zf.infolist():
                base = PurePosixPath(info.filename).name.lower()
                if base in members and not info.is_dir():
                    members[base].append(info)
            problems = []
            for base, infos in members.items():
                if len(infos) > 1:
                    problems.append(
                        Problem(name, f"{base} が複数あります", f"more than one {base} in the zip")
                    )
                elif infos and infos[0].file_size > _MAX_ZIP_MEMBER:
                    problems.append(
                        Problem(name, f"{base} が大きすぎます", f"{base} is too large")
                    )
            if not members["nodes.csv"]:
                problems.append(
                    Problem(name, "zip の中に nodes.csv がありません", "no nodes.csv in the zip")
                )
            if problems:
                raise ValidationError(problems)
            nodes_data = zf.read(members["nodes.csv"][0])
            ties_data = zf.read(members["ties.csv"][0]) if members["ties.csv"] else None
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError) as e:
        # RuntimeError: encrypted member; NotImplementedError: unknown compression.
        raise ValidationError(
            Problem(name, "zip ファイルとして読めません", f"cannot read the zip ({e})")
        ) from None
    return _parse_csv_pair(nodes_data, "nodes.csv", ties_data, "ties.csv")
