"""What every reader shares: reading the file, decoding UTF-8, building the graph from records."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import networkx as nx

from ..errors import Problem, ValidationError
from ..limits import check_count, current
from ..model import build_graph


def build(
    nodes: list[dict],
    ties: list[dict],
    problems: list[Problem],
    graph_attrs: Mapping[str, Any] | None = None,
) -> nx.MultiDiGraph:
    """``build_graph``, with the problems already found in the file listed first."""
    G = None
    where = str((nodes[0] if nodes else {}).get("_where", "")).partition(" ")[0]
    check_count("nodes", len(nodes), where)
    check_count("ties", len(ties), where)
    try:
        G = build_graph(nodes, ties)
    except ValidationError as e:
        problems = problems + e.problems
    if problems:
        raise ValidationError(problems)
    G.graph.update(graph_attrs or {})
    return G


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


def decode(data: bytes, name: str, problems: list[Problem], hint: str = "") -> str | None:
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
