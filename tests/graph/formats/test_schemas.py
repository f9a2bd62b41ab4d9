"""The exports checked by tools nobody here wrote: lxml against the official schemas, CSV as
a spreadsheet reads it."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import pytest

from graph.demo import demo_graph
from graph.formats.gexf import TIE_KIND, gexf_bytes, parse_gexf
from graph.formats.graphml import graphml_bytes
from graph.io import csv_zip_bytes, read_graph
from graph.model import build_graph
from graph.pseudonym import pseudonymise

etree = pytest.importorskip("lxml.etree")  # the test extra (pyproject)

# ../shared/schemas beside the repository (or beside the folder of worktrees).
SCHEMAS = next(
    p / "shared" / "schemas"
    for p in Path(__file__).resolve().parents
    if (p / "shared" / "schemas" / "graphml").is_dir()
)
GEXF_NS = "{http://www.gexf.net/1.2draft}"


def _schema(*parts: str) -> etree.XMLSchema:
    return etree.XMLSchema(etree.parse(str(SCHEMAS.joinpath(*parts))))


def _odd_graph():
    return build_graph(
        [
            {"id": "n1", "kind": "person", "label": "𠮷田 ハナ😀", "age_band": "85+"},
            {"id": "n2", "kind": "household", "label": "<&>\"'", "lives_alone": True},
            {"id": "n3", "kind": "place", "label": '=HYPERLINK("x")', "district": "1-2"},
        ],
        [{"id": "0", "source": "n1", "target": "n2", "kind": "lives_in", "frequency": "daily"}],
        title="",
    )


GRAPHS = {
    "demo": demo_graph,
    "pseudonymised": lambda: pseudonymise(demo_graph()),
    "odd": _odd_graph,
}


@pytest.mark.parametrize("which", GRAPHS)
def test_gexf_is_valid_against_the_official_schema(which):
    schema = _schema("gexf", "1.2draft", "gexf.xsd")
    doc = etree.fromstring(gexf_bytes(GRAPHS[which]()))
    assert schema.validate(doc), [str(e) for e in schema.error_log][:3]


@pytest.mark.parametrize("which", GRAPHS)
def test_graphml_is_valid_against_the_official_schema(which):
    schema = _schema("graphml", "graphml.xsd")
    doc = etree.fromstring(graphml_bytes(GRAPHS[which]()))
    assert schema.validate(doc), [str(e) for e in schema.error_log][:3]


def test_gexf_carries_title_and_area_and_no_edge_attribute_named_kind():
    G = demo_graph()
    G.graph["area"] = "茶志内"
    doc = etree.fromstring(gexf_bytes(G))
    meta = doc.find(f"{GEXF_NS}meta")
    assert meta.findtext(f"{GEXF_NS}description") == G.graph["title"]
    assert meta.findtext(f"{GEXF_NS}keywords") == "茶志内"
    assert doc.find(f"{GEXF_NS}graph").get("name") is None
    edge_titles = [
        a.get("title")
        for block in doc.iter(f"{GEXF_NS}attributes")
        if block.get("class") == "edge"
        for a in block
    ]
    assert TIE_KIND in edge_titles and "kind" not in edge_titles
    back = parse_gexf(gexf_bytes(G), "x.gexf")
    assert back.graph["title"] == G.graph["title"] and back.graph["area"] == "茶志内"
    assert sorted(k for _, _, k in back.edges(data="kind")) == sorted(
        k for _, _, k in G.edges(data="kind")
    )


def _rows(data: bytes, member: str) -> list[list[str]]:
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        text = zf.read(member).decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text, newline="")))


def _looks_like_a_formula(cell: str) -> bool:
    return cell[:1] in ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def test_no_csv_cell_or_header_runs_as_a_formula():
    G = build_graph(
        [
            {"id": "=1+1", "kind": "person", "label": "@SUM(A1)", "district": "-2+3"},
            {"id": "n2", "kind": "group", "label": "\tタブ", "=cmd|'/c calc'!A0": "x"},
            {"id": "n3", "kind": "place", "label": "+81 電話", "district": "\r改行"},
        ],
        [{"id": "+t", "source": "=1+1", "target": "n2", "kind": "member"}],
    )
    data = csv_zip_bytes(G)
    cells = [c for m in ("nodes.csv", "ties.csv") for row in _rows(data, m) for c in row]
    assert [c for c in cells if _looks_like_a_formula(c)] == []
    assert "'=cmd|'/c calc'!A0" in _rows(data, "nodes.csv")[0]
    back = read_graph_bytes(data)
    assert back.nodes["=1+1"]["label"] == "@SUM(A1)"
    assert back.nodes["n2"]["=cmd|'/c calc'!A0"] == "x"
    assert back.nodes["n3"]["label"] == "+81 電話"


def read_graph_bytes(data: bytes, tmp=None):
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "m.zip"
        path.write_bytes(data)
        return read_graph(path)


def test_age_bands_are_written_so_a_spreadsheet_keeps_them():
    G = build_graph(
        [
            {"id": f"n{i}", "kind": "person", "label": f"人{i}", "age_band": band}
            for i, band in enumerate(("under-65", "65-74", "75-84", "85+"))
        ],
        [],
    )
    rows = _rows(csv_zip_bytes(G), "nodes.csv")
    column = rows[0].index("age_band")
    assert [r[column] for r in rows[1:]] == ["65歳未満", "65〜74歳", "75〜84歳", "85歳以上"]
    back = read_graph_bytes(csv_zip_bytes(G))
    assert dict(back.nodes(data="age_band")) == dict(G.nodes(data="age_band"))


@pytest.mark.parametrize(
    ("cell", "band"),
    [
        ("85+", "85+"),
        ("85歳以上", "85+"),
        ("85", "85+"),
        ("65～74歳", "65-74"),
        ("65-74", "65-74"),
    ],
)
def test_both_forms_of_an_age_band_are_read(tmp_path, cell, band):
    path = tmp_path / "nodes.csv"
    path.write_text(f"id,kind,label,age_band\nn1,person,人,{cell}\n", encoding="utf-8")
    assert read_graph(path).nodes["n1"]["age_band"] == band
