"""Tests for graph.formats.csv: a nodes and a ties CSV file, in a folder or a zip, as Excel writes them."""

from __future__ import annotations

import io
import zipfile

import pytest

from graph.errors import ValidationError
from graph.io import csv_zip_bytes, read_graph, write_graph
from graph.model import build_graph
from tests.graph.formats.samples import assert_same, problems_of


def test_csv_folder_holds_both_files_with_bom(G, tmp_path):
    written = write_graph(G, tmp_path / "out", "csv")
    assert [p.name for p in written] == ["nodes.csv", "ties.csv"]
    nodes = written[0].read_bytes()
    assert nodes.startswith(b"\xef\xbb\xbf")
    header = nodes.decode("utf-8-sig").splitlines()[0]
    assert header == "id,kind,label,age_band,lives_alone"
    ties_header = written[1].read_bytes().decode("utf-8-sig").splitlines()[0]
    assert ties_header == "id,source,target,kind,season"
    assert_same(G, read_graph(written[0]))


def test_csv_zip_holds_both_files_with_bom(G):
    with zipfile.ZipFile(io.BytesIO(csv_zip_bytes(G))) as zf:
        assert zf.namelist() == ["nodes.csv", "ties.csv"]
        assert all(zf.read(n).startswith(b"\xef\xbb\xbf") for n in zf.namelist())


def test_zip_with_files_in_a_folder(G, tmp_path):
    nodes_csv, ties_csv = (tmp_path / "x" / n for n in ("nodes.csv", "ties.csv"))
    write_graph(G, tmp_path / "x", "csv")
    path = tmp_path / "export.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.write(nodes_csv, "村A/nodes.csv")
        zf.write(ties_csv, "村A/ties.csv")
    assert_same(G, read_graph(path))


def test_csv_reads_excel_style_input(tmp_path):
    (tmp_path / "nodes.csv").write_bytes(
        "\ufeffID, kind ,label,lives_alone,,\r\n"
        "h1,household,鈴木宅,はい,,\r\n"
        ",,,,,\r\n"
        "p1,person,佐藤,,,\r\n".encode()
    )
    (tmp_path / "ties.csv").write_text("source,target,kind\np1,h1,watch\n", encoding="utf-8")
    H = read_graph(tmp_path / "nodes.csv")
    assert H.nodes["h1"] == {"kind": "household", "label": "鈴木宅", "lives_alone": True}
    assert list(H.edges(keys=True, data="kind")) == [("p1", "h1", 0, "watch")]  # no id: fresh


def test_csv_without_ties_file_has_no_ties(tmp_path):
    (tmp_path / "nodes.csv").write_text("id,kind,label\np1,person,佐藤\n", encoding="utf-8")
    H = read_graph(tmp_path / "nodes.csv")
    assert list(H) == ["p1"] and H.number_of_edges() == 0


def test_csv_pairs_prefixed_files(tmp_path):
    (tmp_path / "村A_nodes.csv").write_text(
        "id,kind,label\np1,person,佐藤\nh1,household,鈴木宅\n", encoding="utf-8"
    )
    (tmp_path / "村A_ties.csv").write_text("source,target,kind\np1,h1,snow\n", encoding="utf-8")
    assert read_graph(tmp_path / "村A_nodes.csv").number_of_edges() == 1


def test_csv_guards_formulas_for_excel(tmp_path):
    G = build_graph(
        [
            {"id": "p1", "kind": "person", "label": "=HYPERLINK(1)"},
            {"id": "p2", "kind": "person", "label": "'quoted"},
        ],
        [],
    )
    nodes_csv = write_graph(G, tmp_path, "csv")[0].read_text(encoding="utf-8-sig")
    assert "'=HYPERLINK(1)" in nodes_csv
    assert_same(G, read_graph(tmp_path / "nodes.csv"))


def test_csv_two_bad_rows_give_two_problems(tmp_path):
    (tmp_path / "nodes.csv").write_text(
        "id,kind,label\np1,person,佐藤\np2,tree,木\np3,person,\n", encoding="utf-8"
    )
    with pytest.raises(ValidationError) as excinfo:
        read_graph(tmp_path / "nodes.csv")
    assert problems_of(excinfo) == [
        ("nodes.csv line 3", "unknown kind 'tree'"),
        ("nodes.csv line 4", "label is missing"),
    ]


def test_csv_line_numbers_count_multiline_cells(tmp_path):
    (tmp_path / "nodes.csv").write_text(
        'id,kind,label\np1,person,"two\nlines"\np2,tree,x\n', encoding="utf-8"
    )
    with pytest.raises(ValidationError) as excinfo:
        read_graph(tmp_path / "nodes.csv")
    assert problems_of(excinfo) == [("nodes.csv line 4", "unknown kind 'tree'")]


def test_csv_tie_to_missing_node_and_bad_tie(tmp_path):
    (tmp_path / "nodes.csv").write_text(
        "id,kind,label\np1,person,佐藤\nh1,household,鈴木宅\n", encoding="utf-8"
    )
    (tmp_path / "ties.csv").write_text(
        "source,target,kind\np1,h9,snow\nh1,p1,lives_in\n", encoding="utf-8"
    )
    with pytest.raises(ValidationError) as excinfo:
        read_graph(tmp_path / "nodes.csv")
    wheres = [w for w, _ in problems_of(excinfo)]
    assert wheres == ["ties.csv line 2", "ties.csv line 3"]
    assert "'h9' is not a node" in excinfo.value.problems[0].en


@pytest.mark.parametrize(
    ("nodes", "ties", "where", "en"),
    [
        ("id,kind\np1,person\n", None, "nodes.csv", "missing column 'label'"),
        ("", None, "nodes.csv", "missing column 'label'"),
        ("id,kind,label\np1,person,a\n", "source,kind\np1,talk\n", "ties.csv", "'target'"),
        ("id,id,kind,label\n", None, "nodes.csv", "duplicate column 'id'"),
        ("id,kind,label\np1,person,a,extra\n", None, "nodes.csv line 2", "more cells"),
    ],
)
def test_csv_file_problems(tmp_path, nodes, ties, where, en):
    (tmp_path / "nodes.csv").write_text(nodes, encoding="utf-8")
    if ties is not None:
        (tmp_path / "ties.csv").write_text(ties, encoding="utf-8")
    with pytest.raises(ValidationError) as excinfo:
        read_graph(tmp_path / "nodes.csv")
    assert any(w == where and en in e for w, e in problems_of(excinfo)), problems_of(excinfo)


def test_csv_neither_utf8_nor_cp932(tmp_path):
    (tmp_path / "nodes.csv").write_bytes(b"id,kind,label\np1,person,\x81\x20\n")
    with pytest.raises(ValidationError) as excinfo:
        read_graph(tmp_path / "nodes.csv")
    [problem] = excinfo.value.problems
    assert problem.where == "nodes.csv line 2"
    assert "UTF-8" in problem.en and "Shift_JIS" in problem.ja


def test_zip_without_nodes_csv(tmp_path):
    path = tmp_path / "m.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ties.csv", "source,target,kind\n")
    with pytest.raises(ValidationError, match="no nodes.csv"):
        read_graph(path)
