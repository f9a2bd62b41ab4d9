"""Read and write session graphs as GraphML, node-link JSON, a pair of CSV files or GEXF.

Each format lives in its own module of :mod:`graph.formats`; this module chooses one by the
file's suffix (reading) or the format's name (writing), and re-exports the formats' public
functions.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

import networkx as nx

from .errors import Problem, ValidationError
from .formats._reading import read_bytes
from .formats.csv import csv_zip_bytes, parse_csv_zip, read_csv_files, write_csv_files
from .formats.gexf import gexf_bytes, parse_gexf
from .formats.graphml import graphml_bytes, parse_graphml
from .formats.nodelink import from_node_link, json_bytes, parse_json, to_node_link

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


def read_graph(path: str | Path, columns: Mapping[str, str] | None = None) -> nx.MultiDiGraph:
    """Read a session graph from a file, choosing the format by its suffix.

    Parameters
    ----------
    path : str or Path
        ``.graphml`` / ``.xml`` (GraphML), ``.json`` (node-link JSON), ``.csv`` (a nodes
        CSV; ``ties.csv`` is read from the same folder when it exists), ``.zip`` (a zip
        holding ``nodes.csv`` and ``ties.csv``), ``.gexf`` (GEXF, as Gephi saves it) or a
        folder holding those two CSV files.
    columns : mapping, optional
        For CSV: headers as written → column (``{"団体名": "label"}``; ``"-"`` leaves one
        out). Japanese headers such as 名称 or 種別 need no mapping.

    Returns
    -------
    G : nx.MultiDiGraph
        Node ids are the file's ids; tie ids are the edge keys. A CSV's graph carries the
        ``encoding`` it was read in (``"CP932 (Shift_JIS)"``, ``"UTF-8 (BOM)"``, …).

    Raises
    ------
    ValidationError
        Listing every problem found, each naming the file (and line where known);
        :class:`~graph.errors.NeedsMapping` when a table's headers need a ``columns`` mapping.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> with tempfile.TemporaryDirectory() as d:
    ...     _ = pathlib.Path(d, "nodes.csv").write_text("id,kind,label\\np1,person,佐藤\\n")
    ...     G = read_graph(pathlib.Path(d, "nodes.csv"))
    >>> dict(G.nodes(data=True)), G.graph["encoding"]
    ({'p1': {'kind': 'person', 'label': '佐藤'}}, 'UTF-8')

    Notes
    -----
    O(n + m) for n nodes and m ties. Every reader goes through
    :func:`graph.model.build_graph`, so validation is the same for all formats.
    """
    path = Path(path)
    suffix = path.suffix.lower()
    if path.is_dir():
        return read_csv_files(path / "nodes.csv", columns)
    if suffix in (".graphml", ".xml"):
        return parse_graphml(read_bytes(path), path.name)
    if suffix == ".json":
        return parse_json(read_bytes(path), path.name)
    if suffix == ".csv":
        return read_csv_files(path, columns)
    if suffix == ".zip":
        return parse_csv_zip(read_bytes(path), path.name, columns)
    if suffix == ".gexf":
        return parse_gexf(read_bytes(path), path.name)
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
        path.write_bytes(json_bytes(G))
        return [path]
    if fmt == "gexf":
        path.write_bytes(gexf_bytes(G))
        return [path]
    if fmt == "csv":
        if path.suffix.lower() == ".zip":
            path.write_bytes(csv_zip_bytes(G))
            return [path]
        return write_csv_files(G, path)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
