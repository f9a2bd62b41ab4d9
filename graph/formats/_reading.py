"""What every reader shares: reading the file, decoding UTF-8, building the graph from records."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from ..errors import Problem, ValidationError
from ..limits import check_count, current
from ..model import build_graph
from .office import normalise_records

#: What :func:`decode` calls each encoding it reads, as the CLI and the upload page say it.
ENCODING_NAMES = {
    "utf-8-sig": "UTF-8 (BOM)",
    "utf-8": "UTF-8",
    "cp932": "CP932 (Shift_JIS)",
    "ascii": "UTF-8",
}


def build(
    nodes: list[dict],
    ties: list[dict],
    problems: list[Problem],
    graph_attrs: Mapping[str, Any] | None = None,
) -> nx.MultiDiGraph:
    """``build_graph`` of the records with office words for kinds and values mapped, with the
    problems already found in the file listed first."""
    G = None
    where = str((nodes[0] if nodes else {}).get("_where", "")).partition(" ")[0]
    check_count("nodes", len(nodes), where)
    check_count("ties", len(ties), where)
    nodes, ties = normalise_records(nodes, ties)
    try:
        G = build_graph(nodes, ties)
    except ValidationError as e:
        problems = problems + e.problems
    if problems:
        raise ValidationError(problems)
    _unnamed_ties(G, ties)
    G.graph.update(graph_attrs or {})
    return G


def _unnamed_ties(G: nx.MultiDiGraph, ties: list[dict]) -> None:
    """Give the ties the file had no id for NetworkX's integer keys instead of ``t<n>``.

    ``build_graph`` numbers them ``t1``, ``t2`` … by row, which a session may hold already:
    a second office list imported into the same session would clash, and an edited export
    would seem to change ties it never named. Integer keys get fresh ids on import.
    """
    for i, tie in enumerate(ties, 1):
        if tie.get("id") is None or str(tie["id"]).strip() == "":
            u, v, key = str(tie["source"]).strip(), str(tie["target"]).strip(), f"t{i}"
            if G.has_edge(u, v, key):
                attrs = G.edges[u, v, key]
                G.remove_edge(u, v, key)
                G.add_edge(u, v, **attrs)


def read_bytes(path: Path) -> bytes:
    """The file's bytes, or :class:`ValidationError` naming it when it cannot be read."""
    try:
        size = path.stat().st_size
        if size > current().bytes:
            raise ValidationError(
                Problem(
                    path.name,
                    f"ファイルが大きすぎます（{size:,} バイト、{current().bytes:,} バイトまで）",
                    f"the file is too large ({size:,} bytes; at most {current().bytes:,})",
                )
            )
        return path.read_bytes()
    except FileNotFoundError:
        raise ValidationError(
            Problem(path.name, "ファイルが見つかりません", "file not found")
        ) from None
    except OSError as e:
        raise ValidationError(
            Problem(path.name, "ファイルを開けません", f"cannot read the file ({e.strerror})")
        ) from None


def decode(
    data: bytes, name: str, problems: list[Problem], hint: str = "", used: list | None = None
) -> str | None:
    """The text of ``data``: UTF-8 with or without BOM, else CP932 (Shift_JIS, what Excel's
    「CSV (コンマ区切り)」 writes on Japanese Windows); ``None`` after adding a problem.

    The encoding read (a key of :data:`ENCODING_NAMES`; ``"ascii"`` when the bytes are
    ASCII, which every encoding reads alike) is appended to ``used``.

    >>> used = []
    >>> decode("佐藤,場所".encode("cp932"), "a.csv", [], used=used), used
    ('佐藤,場所', ['cp932'])
    """
    encoding = "utf-8-sig" if data.startswith(b"\xef\xbb\xbf") else "utf-8"
    try:
        text = data.decode(encoding)
    except UnicodeDecodeError as e:
        try:
            text, encoding = data.decode("cp932"), "cp932"
        except UnicodeDecodeError:
            line = data.count(b"\n", 0, e.start) + 1
            problems.append(
                Problem(
                    f"{name} line {line}",
                    "文字コードが UTF-8 でも Shift_JIS（CP932）でもありません"
                    + ("（Excel では「CSV UTF-8」で保存）" if hint else ""),
                    "neither UTF-8 nor Shift_JIS (CP932) text" + (f" ({hint})" if hint else ""),
                )
            )
            return None
    if used is not None:
        # ASCII reads the same in every encoding: it says nothing about the file's.
        used.append("ascii" if data.isascii() else encoding)
    return text
