"""A pair of CSV files (``nodes.csv``, ``ties.csv``), in a folder or a zip, as Excel opens them."""

from __future__ import annotations

# An absolute import: this is the standard library's csv, not this module.
import csv
import hashlib
import zipfile
from collections.abc import Mapping
from io import BytesIO, StringIO
from pathlib import Path, PurePosixPath
from typing import Any

import networkx as nx

from ..errors import NeedsMapping, Problem, ValidationError
from ..limits import current
from ..model import graph_records
from ._reading import ENCODING_NAMES, build, decode, read_bytes
from .office import column_name, english_aliases

__all__ = ["csv_zip_bytes", "write_csv_files", "read_csv_files", "parse_csv_zip"]

_NODE_COLUMNS = ("id", "kind", "label")
_TIE_COLUMNS = ("id", "source", "target", "kind")
# A zip member larger than this is refused: a session map is a few hundred rows.
_MAX_ZIP_MEMBER = 50 * 1024 * 1024
# Rows of a table shown with the mapping step.
_PREVIEW_ROWS = 5
#: A column mapped to this is left out.
IGNORE = "-"
# Cells starting with these run as formulas in Excel; written with a leading "'" (see Notes).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")
#: Age bands as written in CSV: Excel reads 「85+」 as the number 85 and 「65-74」 may become
#: a date, so a saved file would not read back. Both forms are read.
AGE_BAND_WORDS = {
    "under-65": "65歳未満",
    "65-74": "65〜74歳",
    "75-84": "75〜84歳",
    "85+": "85歳以上",
}
_AGE_BAND_READ = {
    **{word: band for band, word in AGE_BAND_WORDS.items()},
    **{word.replace("〜", "～"): band for band, word in AGE_BAND_WORDS.items()},
    **{word.replace("〜", "-"): band for band, word in AGE_BAND_WORDS.items()},
    "85": "85+",  # what an Excel save makes of 「85+」
}


def csv_zip_bytes(G: nx.MultiDiGraph) -> bytes:
    """A zip holding ``nodes.csv`` and ``ties.csv`` (UTF-8 with BOM, for Excel).

    Examples
    --------
    >>> import zipfile, io
    >>> from graph.formats.nodelink import from_node_link
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


def write_csv_files(G: nx.MultiDiGraph, folder: Path) -> list[Path]:
    """Write ``nodes.csv`` and ``ties.csv`` (UTF-8 with BOM) into ``folder``, creating it."""
    folder.mkdir(parents=True, exist_ok=True)
    nodes_csv, ties_csv = _csv_texts(G)
    written = []
    for name, text in (("nodes.csv", nodes_csv), ("ties.csv", ties_csv)):
        (folder / name).write_bytes(text.encode("utf-8-sig"))
        written.append(folder / name)
    return written


def read_csv_files(nodes_path: Path, columns: Mapping[str, str] | None = None) -> nx.MultiDiGraph:
    """The session graph in a nodes CSV file and the ties CSV file beside it, if any.

    ``村A_nodes.csv`` pairs with ``村A_ties.csv`` when that exists, else with ``ties.csv``.
    ``columns`` maps headers as written to columns (``{"団体名": "label"}``, ``"-"`` leaves
    one out); see :func:`_parse_csv_pair` for what else is read.
    """
    nodes_data = read_bytes(nodes_path)
    ties_path = nodes_path.with_name("ties.csv")
    if "nodes" in nodes_path.name:
        before, _, after = nodes_path.name.rpartition("nodes")
        sibling = nodes_path.with_name(f"{before}ties{after}")
        if sibling.is_file():
            ties_path = sibling
    ties_data = read_bytes(ties_path) if ties_path.is_file() else None
    return _parse_csv_pair(nodes_data, nodes_path.name, ties_data, ties_path.name, columns)


def _too_big(info: zipfile.ZipInfo) -> bool:
    """Whether a zip member unpacks to more than the limits allow (checked before unpacking)."""
    limits = current()
    if info.file_size > min(_MAX_ZIP_MEMBER, limits.bytes):
        return True
    # Small files may pack tightly; only a large expansion is a bomb.
    return info.file_size > 1024 * 1024 and info.file_size > limits.ratio * max(
        info.compress_size, 1
    )


def parse_csv_zip(
    data: bytes, name: str, columns: Mapping[str, str] | None = None
) -> nx.MultiDiGraph:
    """The session graph in the zip ``name`` holding ``nodes.csv`` (and ``ties.csv``).

    The files may sit in a folder inside the zip (also written with backslashes, as some
    Windows tools do); one of each, none too large.
    """
    try:
        with zipfile.ZipFile(BytesIO(data)) as zf:
            members = {"nodes.csv": [], "ties.csv": []}
            for info in zf.infolist():
                base = PurePosixPath(info.filename.replace("\\", "/")).name.lower()
                if base in members and not info.is_dir():
                    members[base].append(info)
            problems = []
            for base, infos in members.items():
                if len(infos) > 1:
                    problems.append(
                        Problem(name, f"{base} が複数あります", f"more than one {base} in the zip")
                    )
                elif infos and _too_big(infos[0]):
                    problems.append(
                        Problem(
                            name,
                            f"{base} が大きすぎるか、圧縮されすぎています（zip 爆弾の疑い）",
                            f"{base} is too large or too highly compressed (a zip bomb?)",
                        )
                    )
            if not members["nodes.csv"]:
                problems.append(
                    Problem(name, "zip の中に nodes.csv がありません", "no nodes.csv in the zip")
                )
            if problems:
                raise ValidationError(problems)
            nodes_data = _read_member(zf, members["nodes.csv"][0])
            ties_data = _read_member(zf, members["ties.csv"][0]) if members["ties.csv"] else None
    except (zipfile.BadZipFile, RuntimeError, NotImplementedError, EOFError) as e:
        # RuntimeError: encrypted member; NotImplementedError: unknown compression.
        raise ValidationError(
            Problem(name, "zip ファイルとして読めません", f"cannot read the zip ({e})")
        ) from None
    return _parse_csv_pair(nodes_data, "nodes.csv", ties_data, "ties.csv", columns)


def _read_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """The member's bytes, never more than it declared (a lying header cannot unpack more)."""
    with zf.open(info) as member:
        data = member.read(info.file_size + 1)
    if len(data) > info.file_size:
        raise zipfile.BadZipFile(f"{info.filename} is larger than it says")
    return data


# --- writing ---------------------------------------------------------------------------


def _guard(cell: str) -> str:
    """Keep Excel from running a cell as a formula; :func:`_unguard` undoes it."""
    return "'" + cell if cell.startswith((*_FORMULA_START, "'")) else cell


def _unguard(cell: str) -> str:
    if cell.startswith("'") and cell[1:].startswith((*_FORMULA_START, "'")):
        return cell[1:]
    return cell


def _cell(value: Any, column: str = "") -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if column == "age_band":
        value = AGE_BAND_WORDS.get(str(value), value)
    return _guard(str(value))


def _csv_text(records: list[dict], first: tuple[str, ...]) -> str:
    others = sorted({str(k) for r in records for k in r} - set(first))
    buffer = StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow([_guard(column) for column in (*first, *others)])
    for record in records:
        row = {str(k): v for k, v in record.items()}
        writer.writerow([_cell(row.get(column), column) for column in (*first, *others)])
    return buffer.getvalue()


def _read_cell(column: str, cell: str) -> str:
    cell = _unguard(cell)
    if column == "age_band":
        return _AGE_BAND_READ.get(cell.strip(), cell)
    return cell


def _csv_texts(G: nx.MultiDiGraph) -> tuple[str, str]:
    nodes, ties = graph_records(G)
    return _csv_text(nodes, _NODE_COLUMNS), _csv_text(ties, _TIE_COLUMNS)


# --- reading ---------------------------------------------------------------------------


def _parse_csv_pair(
    nodes_data: bytes,
    nodes_name: str,
    ties_data: bytes | None,
    ties_name: str,
    columns: Mapping[str, str] | None = None,
) -> nx.MultiDiGraph:
    """The graph of a nodes and a ties table, as an office keeps them.

    Text is UTF-8 (with or without BOM) or CP932; the graph's ``encoding`` says which
    (:data:`ENCODING_NAMES`). Japanese headers and kind words are understood
    (:mod:`graph.formats.office`). A row without an id (no ``id`` column, or a row added
    to an export) gets one from the file's content and its line (the same file gives the same
    ids), and a tie may name its nodes by their label. Missing ``label`` / ``kind``
    (``source`` / ``target`` / ``kind``) columns raise :class:`NeedsMapping`.
    """
    problems: list[Problem] = []
    fatal: list[Problem] = []
    used: list[str] = []
    columns = dict(columns or {})
    nodes = _csv_records(nodes_data, nodes_name, ("kind", "label"), problems, fatal, columns, used)
    prefix = "r" + hashlib.sha1(nodes_data).hexdigest()[:6]
    for n in nodes:
        if not str(n.get("id") or "").strip():
            n["id"] = f"{prefix}-{n['_where'].rpartition(' ')[2]}"
    ties = []
    # An empty ties file is as good as none.
    if ties_data is not None and ties_data.strip(b"\xef\xbb\xbf \t\r\n"):
        required = ("source", "target", "kind")
        ties = _csv_records(ties_data, ties_name, required, problems, fatal, columns, used)
    if fatal:
        raise fatal[0] if isinstance(fatal[0], NeedsMapping) else ValidationError(fatal)
    _ties_by_label(nodes, ties)
    said = [e for e in used if e != "ascii"] or used[:1]
    encoding = " / ".join(dict.fromkeys(ENCODING_NAMES[e] for e in said))
    return build(nodes, ties, problems, {"encoding": encoding} if encoding else None)


def _ties_by_label(nodes: list[dict], ties: list[dict]) -> None:
    """Let a tie name a node by its label when no node has that id and one has that label."""
    ids = {str(n.get("id") or "").strip() for n in nodes}
    by_label: dict[str, list[str]] = {}
    for n in nodes:
        by_label.setdefault(str(n.get("label") or "").strip(), []).append(str(n.get("id")))
    for tie in ties:
        for end in ("source", "target"):
            value = str(tie.get(end) or "").strip()
            if value not in ids and len(by_label.get(value, ())) == 1:
                tie[end] = by_label[value][0]


def _csv_records(
    data: bytes,
    name: str,
    required: tuple[str, ...],
    problems: list[Problem],
    fatal: list[Problem],
    columns: Mapping[str, str],
    used: list[str],
) -> list[dict]:
    """Rows of one CSV file as records naming ``"<name> line <n>"``.

    Problems that make the rows meaningless (encoding, missing columns) go to ``fatal``.
    """
    text = decode(data, name, fatal, hint='in Excel, save as "CSV UTF-8"', used=used)
    if text is None:
        return []
    reader = csv.reader(StringIO(text, newline=""))
    limit = max(current().nodes, current().ties)
    header: list[str] | None = None
    records = []
    line = 1
    try:
        for row in reader:
            start, line = line, reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            if header is None:
                header = _header(row, name, required, fatal, columns)
                if fatal:
                    if any(p.en.startswith("missing column") for p in fatal):
                        fatal[:] = [_needs_mapping(name, row, reader, fatal)]
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
                column: _read_cell(column, cell)
                for column, cell in zip(header, row, strict=False)
                if column
            }
            records.append({**record, "_where": f"{name} line {start}"})
            if len(records) > limit:  # stop reading: the count is refused in build()
                break
    except csv.Error as e:
        fatal.append(
            Problem(f"{name} line {line}", "CSV として読めません", f"not valid CSV ({e})")
        )
        return []
    if header is None:
        _header([], name, required, fatal, columns)
    return records


def _needs_mapping(name: str, row: list[str], reader: Any, fatal: list) -> NeedsMapping:
    """The missing-column problems with the headers and first rows a mapping step shows."""
    rows = []
    try:
        for cells in reader:
            if any(c.strip() for c in cells):
                rows.append(cells)
            if len(rows) >= _PREVIEW_ROWS:
                break
    except csv.Error:
        pass
    missing = [p.en.split("'")[1] for p in fatal if p.en.startswith("missing column")]
    return NeedsMapping(list(fatal), name, [c.strip() for c in row], rows, missing)


def _header(
    row: list[str],
    name: str,
    required: tuple[str, ...],
    fatal: list,
    columns: Mapping[str, str] | None = None,
) -> list[str]:
    header = []
    columns = columns or {}
    for cell in row:
        cell = _unguard(cell.strip())
        column = columns.get(cell, cell)
        header.append("" if column == IGNORE else column_name(column))
    header = english_aliases(header)
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
