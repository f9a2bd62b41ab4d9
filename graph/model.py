"""The session graph: build it from records, validate it whole, read it back as records."""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import Any

import networkx as nx

from .errors import Problem, ValidationError
from .vocabulary import NODE_ATTRIBUTES, NODE_KINDS, TIE_ATTRIBUTES, TIE_KINDS, tie_allowed

__all__ = [
    "new_graph",
    "validate",
    "build_graph",
    "graph_records",
    "is_active",
    "active_graph",
    "coerce_value",
    "MAX_LABEL",
    "bad_character",
]

#: Longest label accepted from a file; notes typed on a phone are held to 200 (issue 3).
MAX_LABEL = 500
#: The integers an attribute may hold: SQLite's signed 64 bits.
MIN_INT, MAX_INT = -(2**63), 2**63 - 1

# C0 and C1 control characters, DEL and lone surrogates: never part of a name or a note.
# A file's cell may keep its line breaks and tabs (a spreadsheet's multi-line cell).
_BAD_CHARACTER = re.compile("[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
_BAD_IN_FILES = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def bad_character(text: str, where: str, line_breaks: bool = False) -> Problem | None:
    """A problem naming the first control character or lone surrogate in ``text``, if any.

    ``line_breaks`` lets line breaks and tabs through (text read from a file).

    >>> print(bad_character("佐藤\\u202eさん", "label"))
    None
    >>> print(bad_character("a\\nb", "label").message("en"))
    label: contains a character that cannot be used (U+000A, a control character or broken text)
    >>> print(bad_character("a\\nb", "label", line_breaks=True))
    None
    """
    found = (_BAD_IN_FILES if line_breaks else _BAD_CHARACTER).search(text)
    if found is None:
        return None
    code = f"U+{ord(found.group()):04X}"
    return Problem(
        where,
        f"使えない文字（{code}、改行などの制御文字や壊れた文字）が含まれています",
        f"contains a character that cannot be used ({code}, a control character or broken text)",
    )


_TRUE = {"true", "1", "yes", "y", "はい", "t"}
_FALSE = {"false", "0", "no", "n", "いいえ", "f"}
# Keys that describe the record itself rather than the node or tie.
_NODE_CORE = ("id", "kind", "label")
_TIE_CORE = ("id", "source", "target", "kind")


def new_graph(**attrs: Any) -> nx.MultiDiGraph:
    """An empty session graph (a ``MultiDiGraph``) carrying ``attrs`` as graph attributes."""
    return nx.MultiDiGraph(**attrs)


def is_active(attrs: Mapping[str, Any]) -> bool:
    """Whether an element counts: approved, or with no status at all.

    >>> is_active({}), is_active({"status": "pending"}), is_active({"status": "approved"})
    (True, False, True)
    """
    return attrs.get("status", "approved") == "approved"


def coerce_value(name: str, value: Any, allowed: tuple[str, ...] | type | None) -> Any:
    """Bring ``value`` to the type the vocabulary wants, or raise ``ValueError``.

    Files carry everything as text: "true"/"はい" become ``True``; empty text means absent
    (``None``).

    >>> coerce_value("lives_alone", "はい", bool)
    True
    >>> coerce_value("season", " winter_only ", ("all_year", "winter_only"))
    'winter_only'
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if allowed is bool:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
        raise ValueError(f"{name} must be yes/no (true/false), not {value!r}")
    text = value.strip() if isinstance(value, str) else value
    if isinstance(allowed, tuple):
        if text not in allowed:
            raise ValueError(f"{name} must be one of {', '.join(allowed)}, not {value!r}")
        return text
    if not isinstance(text, (str, int, float, bool)):
        raise ValueError(f"{name} must be text or a number, not {type(value).__name__}")
    if isinstance(text, float) and not math.isfinite(text):
        # JSON exports would carry NaN (not JSON) and the analyses cannot order it.
        raise ValueError(f"{name} must be a finite number, not {text!r}")
    if isinstance(text, int) and not isinstance(text, bool) and not MIN_INT <= text <= MAX_INT:
        raise ValueError(f"{name} must be an integer of at most 64 bits")
    return text


def _shown(value: Any) -> str:
    """``value`` for a message, short even for a 5,000-digit integer."""
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > 10**30:
        return f"（{value.bit_length()}ビットの整数）"
    return repr(value)[:60]


def _where(record: Mapping[str, Any], fallback: str) -> str:
    return str(record.get("_where") or fallback)


def _clean_attrs(
    record: Mapping[str, Any],
    core: tuple[str, ...],
    vocabulary: Mapping[str, tuple[str, ...] | type | None],
    where: str,
    problems: list[Problem],
) -> dict[str, Any]:
    attrs: dict[str, Any] = {}
    for name, value in record.items():
        if name in core or name.startswith("_"):
            continue
        # A control character in a key makes GraphML and GEXF exports ill-formed XML.
        if bad := bad_character(str(name), f"{where} {str(name)[:40]!r}"):
            problems.append(bad)
            continue
        try:
            value = coerce_value(name, value, vocabulary.get(name))
        except ValueError as e:
            allowed = vocabulary.get(name)
            if isinstance(allowed, tuple):
                choices = "、".join(allowed)
            elif allowed is bool:
                choices = "はい/いいえ"
            else:
                choices = "NaN・無限大や64ビットを超える整数は使えません"
            problems.append(
                Problem(where, f"{name} の値 {_shown(value)} は使えません（{choices}）", str(e))
            )
            continue
        if isinstance(value, str) and (bad := bad_character(value, f"{where} {name}", True)):
            problems.append(bad)
            continue
        if value is not None:
            attrs[name] = value
    return attrs


def _check_id(value: Any, where: str, what: str, problems: list[Problem]) -> str | None:
    if isinstance(value, bool) or value is None:
        text = ""
    else:
        text = str(value).strip()
    if not text:
        problems.append(Problem(where, f"{what}がありません", f"{what_en(what)} is missing"))
        return None
    if bad := bad_character(text, where):
        problems.append(bad)
        return None
    return text


def what_en(ja: str) -> str:
    """English for the few field names used in problem messages."""
    return {"ID": "id", "種類": "kind", "名前": "label", "始点": "source", "終点": "target"}.get(
        ja, ja
    )


def validate(
    nodes: Iterable[Mapping[str, Any]], ties: Iterable[Mapping[str, Any]]
) -> tuple[list[Problem], list[tuple[str, dict]], list[tuple[str, str, str, dict]]]:
    """Check node and tie records; return every problem plus the cleaned records.

    A node record has ``id``, ``kind``, ``label`` and optional attributes; a tie record has
    ``source``, ``target``, ``kind``, an optional ``id`` and optional attributes. A ``_where``
    key (``"nodes.csv line 4"``) names the record in messages.

    Parameters
    ----------
    nodes, ties : iterables of mappings

    Returns
    -------
    (problems, clean_nodes, clean_ties)
        ``clean_nodes`` is ``[(id, attrs)]``, ``clean_ties`` is ``[(source, target, id, attrs)]``;
        they are only complete when ``problems`` is empty.

    Examples
    --------
    >>> problems, _, _ = validate([{"id": "a", "kind": "tree", "label": "x"}], [])
    >>> print(problems[0].message("en"))
    node 'a': unknown kind 'tree'

    Notes
    -----
    O(n + m) for n nodes and m ties.
    """
    problems: list[Problem] = []
    clean_nodes, kinds = _check_nodes(nodes, problems)
    clean_ties = _check_ties(ties, kinds, problems)
    return problems, clean_nodes, clean_ties


def _check_nodes(
    nodes: Iterable[Mapping[str, Any]], problems: list[Problem]
) -> tuple[list[tuple[str, dict]], dict[str, str]]:
    """The clean node records, and each node id's kind (``""`` for a node with problems)."""
    clean_nodes: list[tuple[str, dict]] = []
    kinds: dict[str, str] = {}
    for i, record in enumerate(nodes, 1):
        where = _where(record, f"node {i}")
        node_id = _check_id(record.get("id"), where, "ID", problems)
        if node_id is not None and "_where" not in record:
            where = f"node {node_id!r}"
        kind = str(record.get("kind") or "").strip()
        label = record.get("label")
        label = "" if label is None else str(label).strip()
        ok = node_id is not None
        if kind not in NODE_KINDS:
            problems.append(
                Problem(
                    where,
                    f"種類 {kind!r} はありません（{'、'.join(NODE_KINDS)}）",
                    f"unknown kind {kind!r}" if kind else "kind is missing",
                )
            )
            ok = False
        ok = _check_label(label, where, problems) and ok
        if node_id is not None and node_id in kinds:
            problems.append(
                Problem(where, f"ID {node_id!r} が重複しています", f"duplicate id {node_id!r}")
            )
            continue
        attrs = _clean_attrs(record, _NODE_CORE, NODE_ATTRIBUTES, where, problems)
        if node_id is not None:
            kinds[node_id] = kind if ok else ""
        if ok:
            clean_nodes.append((node_id, {"kind": kind, "label": label, **attrs}))
    return clean_nodes, kinds


def _check_label(label: str, where: str, problems: list[Problem]) -> bool:
    """Whether a node's (stripped) label is present, printable and short enough."""
    if not label:
        problems.append(Problem(where, "名前がありません", "label is missing"))
    elif bad := bad_character(label, where, line_breaks=True):
        problems.append(bad)
    elif len(label) > MAX_LABEL:
        problems.append(
            Problem(
                where,
                f"名前が長すぎます（{MAX_LABEL}文字まで）",
                f"label is longer than {MAX_LABEL} characters",
            )
        )
    else:
        return True
    return False


def _check_ties(
    ties: Iterable[Mapping[str, Any]], kinds: Mapping[str, str], problems: list[Problem]
) -> list[tuple[str, str, str, dict]]:
    """The clean tie records, between the nodes of ``kinds`` (see :func:`_check_nodes`)."""
    clean_ties: list[tuple[str, str, str, dict]] = []
    tie_ids: set[str] = set()
    for i, record in enumerate(ties, 1):
        where = _where(record, f"tie {i}")
        ok = True
        tie_id = record.get("id")
        tie_id = f"t{i}" if tie_id is None or str(tie_id).strip() == "" else str(tie_id).strip()
        if "_where" not in record and record.get("id") not in (None, ""):
            where = f"tie {tie_id!r}"
        if tie_id in tie_ids:
            problems.append(
                Problem(where, f"ID {tie_id!r} が重複しています", f"duplicate tie id {tie_id!r}")
            )
            ok = False
        tie_ids.add(tie_id)
        if bad := bad_character(tie_id, where):
            problems.append(bad)
            ok = False
        source = _check_id(record.get("source"), where, "始点", problems)
        target = _check_id(record.get("target"), where, "終点", problems)
        kind = str(record.get("kind") or "").strip()
        if kind not in TIE_KINDS:
            problems.append(
                Problem(
                    where,
                    f"つながりの種類 {kind!r} はありません",
                    f"unknown tie kind {kind!r}" if kind else "tie kind is missing",
                )
            )
            ok = False
        ok = _check_ends(source, target, kinds, where, problems) and ok
        attrs = _clean_attrs(record, _TIE_CORE, TIE_ATTRIBUTES, where, problems)
        if ok and kinds[source] and kinds[target]:
            if wrong := _wrong_direction(kind, kinds[source], kinds[target], where):
                problems.append(wrong)
                ok = False
        if ok:
            clean_ties.append((source, target, tie_id, {"kind": kind, **attrs}))
    return clean_ties


def _check_ends(
    source: str | None,
    target: str | None,
    kinds: Mapping[str, str],
    where: str,
    problems: list[Problem],
) -> bool:
    """Whether a tie's two ends are two different nodes that exist."""
    ok = True
    for end, ja in ((source, "始点"), (target, "終点")):
        if end is not None and end not in kinds:
            problems.append(
                Problem(
                    where,
                    f"{ja} {end!r} というノードはありません",
                    f"{what_en(ja)} {end!r} is not a node",
                )
            )
            ok = False
    if source is None or target is None:
        ok = False
    elif source == target:
        problems.append(
            Problem(where, "自分自身へのつながりは作れません", f"self-loop on {source!r}")
        )
        ok = False
    return ok


def _wrong_direction(kind: str, source_kind: str, target_kind: str, where: str) -> Problem | None:
    """The problem of a tie kind that cannot run between these node kinds, if it cannot."""
    if tie_allowed(kind, source_kind, target_kind):
        return None
    tk = TIE_KINDS[kind]
    return Problem(
        where,
        f"「{tk.ja}」は {NODE_KINDS[source_kind].ja} から "
        f"{NODE_KINDS[target_kind].ja} へは結べません",
        f"a {kind} tie cannot run from {source_kind} to {target_kind} "
        f"(allowed: {'|'.join(sorted(tk.sources))} -> "
        f"{'|'.join(sorted(tk.targets))})",
    )


def build_graph(
    nodes: Iterable[Mapping[str, Any]],
    ties: Iterable[Mapping[str, Any]],
    **graph_attrs: Any,
) -> nx.MultiDiGraph:
    """Build a session graph from records, or raise ``ValidationError`` naming every problem.

    Tie ids become the edge keys.

    Examples
    --------
    >>> G = build_graph(
    ...     [{"id": "p1", "kind": "person", "label": "佐藤"},
    ...      {"id": "h1", "kind": "household", "label": "鈴木宅"}],
    ...     [{"id": "t1", "source": "p1", "target": "h1", "kind": "snow"}])
    >>> list(G.edges(keys=True, data="kind"))
    [('p1', 'h1', 't1', 'snow')]
    """
    problems, clean_nodes, clean_ties = validate(nodes, ties)
    if problems:
        raise ValidationError(problems)
    G = new_graph(**graph_attrs)
    G.add_nodes_from(clean_nodes)
    for source, target, key, attrs in clean_ties:
        G.add_edge(source, target, key=key, **attrs)
    return G


def graph_records(G: nx.MultiDiGraph) -> tuple[list[dict], list[dict]]:
    """The graph as node and tie records (the inverse of :func:`build_graph`)."""
    nodes = [{"id": n, **attrs} for n, attrs in G.nodes(data=True)]
    ties = [
        {"id": key, "source": u, "target": v, **attrs}
        for u, v, key, attrs in G.edges(keys=True, data=True)
    ]
    return nodes, ties


def active_graph(G: nx.MultiDiGraph) -> nx.MultiDiGraph:
    """A copy holding only approved nodes and the approved ties between them."""
    H = new_graph(**G.graph)
    H.add_nodes_from((n, dict(a)) for n, a in G.nodes(data=True) if is_active(a))
    H.add_edges_from(
        (u, v, k, dict(a))
        for u, v, k, a in G.edges(keys=True, data=True)
        if is_active(a) and u in H and v in H
    )
    return H
