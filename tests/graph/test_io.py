"""Tests for graph.io: the three file formats, their round trips and their problems."""

from __future__ import annotations

import io
import json
import tempfile
import zipfile
from pathlib import Path

import networkx as nx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import ValidationError
from graph.io import (
    FORMATS,
    csv_zip_bytes,
    from_node_link,
    graphml_bytes,
    read_graph,
    to_node_link,
    write_graph,
)
from graph.model import build_graph
from graph.vocabulary import NODE_KINDS, TIE_KINDS, tie_allowed

NODES = [
    {"id": "p1", "kind": "person", "label": "佐藤 花子", "age_band": "85+"},
    {"id": "h1", "kind": "household", "label": "鈴木宅, 2丁目", "lives_alone": True},
    {"id": "g1", "kind": "group", "label": '老人クラブ "さくら"'},
]
TIES = [
    {"id": "t1", "source": "p1", "target": "h1", "kind": "snow", "season": "winter_only"},
    {"id": "t2", "source": "p1", "target": "g1", "kind": "member"},
]


@pytest.fixture
def G():
    return build_graph(NODES, TIES)


def assert_same(G, H):
    assert dict(G.nodes(data=True)) == dict(H.nodes(data=True))
    assert sorted(G.edges(keys=True, data=True), key=str) == sorted(
        H.edges(keys=True, data=True), key=str
    )


def problems_of(excinfo):
    return [(p.where, p.en) for p in excinfo.value.problems]


# --- writing and reading back ----------------------------------------------------------


@pytest.mark.parametrize(
    "target", ["map.graphml", "map.json", "map.zip", "out_dir", "nested/out_dir", "map.gexf"]
)
def test_write_then_read(G, tmp_path, target):
    fmt = {".graphml": "graphml", ".json": "json", ".gexf": "gexf"}.get(Path(target).suffix, "csv")
    written = write_graph(G, tmp_path / target, fmt)
    assert all(p.exists() for p in written)
    path = written[0] if fmt != "csv" or target.endswith(".zip") else tmp_path / target
    assert_same(G, read_graph(path))


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


def test_graphml_keeps_tie_ids_and_bools(G):
    data = graphml_bytes(G)
    assert b'id="t1"' in data and b'attr.type="boolean"' in data
    with tempfile.TemporaryDirectory() as d:
        path = Path(d, "m.graphml")
        path.write_bytes(data)
        H = read_graph(path)
    assert H.nodes["h1"]["lives_alone"] is True
    assert set(H.edges(keys=True)) == {("p1", "h1", "t1"), ("p1", "g1", "t2")}


def test_graphml_from_another_tool_applies_key_defaults(tmp_path):
    path = tmp_path / "m.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
        '<key id="k" for="node" attr.name="kind" attr.type="string">'
        "<default>person</default></key>\n"
        '<key id="l" for="node" attr.name="label" attr.type="string"/>\n'
        '<key id="e" for="edge" attr.name="kind" attr.type="string"/>\n'
        '<graph edgedefault="directed">\n'
        '<node id="a"><data key="l">A</data></node>\n'
        '<node id="b"><data key="l">B</data></node>\n'
        '<edge source="a" target="b"><data key="e">talk</data></edge>\n'
        "</graph></graphml>\n",
        encoding="utf-8",
    )
    H = read_graph(path)
    assert H.nodes["a"] == {"kind": "person", "label": "A"}
    assert [(u, v, d["kind"]) for u, v, d in H.edges(data=True)] == [("a", "b", "talk")]


def test_graphml_untyped_keys_and_ports_do_not_warn(tmp_path):
    path = tmp_path / "m.graphml"
    path.write_text(
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        '<key id="k" for="node" attr.name="kind"/><key id="l" for="node" attr.name="label"/>'
        '<graph edgedefault="directed"><node id="a"><data key="k">place</data>'
        '<data key="l">集会所</data><port name="p"/></node></graph></graphml>',
        encoding="utf-8",
    )
    assert read_graph(path).nodes["a"] == {"kind": "place", "label": "集会所"}


def test_node_link_integer_keys_get_fresh_ids():
    H = from_node_link(
        {
            "nodes": [
                {"id": 1, "kind": "person", "label": "a"},
                {"id": 2, "kind": "person", "label": "b"},
            ],
            "edges": [{"source": 1, "target": 2, "kind": "talk", "key": 0}],
        }
    )
    assert list(H.edges(keys=True)) == [("1", "2", "t1")]


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
    assert list(H.edges(keys=True, data="kind")) == [("p1", "h1", "t1", "watch")]


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


def test_node_link_uses_edges_and_key(G):
    data = to_node_link(G)
    assert "edges" in data and "links" not in data
    assert {e["key"] for e in data["edges"]} == {"t1", "t2"}
    assert_same(G, from_node_link(json.loads(json.dumps(data))))


def test_node_link_accepts_links_and_id():
    H = from_node_link(
        {
            "nodes": [
                {"id": "p1", "kind": "person", "label": "a"},
                {"id": "p2", "kind": "person", "label": "b"},
            ],
            "links": [{"source": "p1", "target": "p2", "kind": "talk", "id": "x"}],
        }
    )
    assert list(H.edges(keys=True)) == [("p1", "p2", "x")]


def test_node_link_keeps_graph_attributes(G):
    G.graph["name"] = "2丁目"
    assert from_node_link(to_node_link(G)).graph == {"name": "2丁目"}


def test_formats():
    assert FORMATS == ("graphml", "json", "csv", "gexf")


def test_unknown_format_to_write(G, tmp_path):
    with pytest.raises(ValueError, match="unknown format"):
        write_graph(G, tmp_path / "x.pdf", "pdf")


# --- problems --------------------------------------------------------------------------


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
        ("", None, "nodes.csv", "missing column 'id'"),
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


def test_csv_not_utf8(tmp_path):
    (tmp_path / "nodes.csv").write_bytes("id,kind,label\np1,person,佐藤\n".encode("cp932"))
    with pytest.raises(ValidationError) as excinfo:
        read_graph(tmp_path / "nodes.csv")
    [problem] = excinfo.value.problems
    assert problem.where == "nodes.csv line 2"
    assert "UTF-8" in problem.en and "UTF-8" in problem.ja


def test_unknown_kind_in_json(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(
        json.dumps({"nodes": [{"id": "a", "kind": "tree", "label": "x"}], "edges": []}),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as excinfo:
        read_graph(path)
    assert problems_of(excinfo) == [("m.json nodes[0]", "unknown kind 'tree'")]


@pytest.mark.parametrize(
    ("text", "where", "en"),
    [
        ('{"nodes": [}', "m.json line 1 col 12", "not valid JSON"),
        ("[1, 2]", "m.json", "wrong shape"),
        ('{"nodes": {}}', "m.json nodes", "wrong shape"),
        ('{"nodes": [], "edges": [3]}', "m.json edges[0]", "wrong shape"),
        ('{"nodes": [{"id": [1], "kind": "person", "label": "a"}]}', "m.json nodes[0]", "id"),
    ],
)
def test_bad_json(tmp_path, text, where, en):
    path = tmp_path / "m.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as excinfo:
        read_graph(path)
    assert any(w == where and en in e for w, e in problems_of(excinfo)), problems_of(excinfo)


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE graphml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="directed">
<node id="&xxe;"/></graph></graphml>
"""


@pytest.mark.parametrize(
    "data", [XXE, XXE.decode().encode("utf-16"), XXE.replace(b"<!ENTITY", b"<!entity")]
)
def test_graphml_with_doctype_is_refused(tmp_path, data):
    path = tmp_path / "evil.graphml"
    path.write_bytes(data)
    with pytest.raises(ValidationError) as excinfo:
        read_graph(path)
    [problem] = excinfo.value.problems
    assert problem.where == "evil.graphml line 2"
    assert "DOCTYPE" in problem.en and "DOCTYPE" in problem.ja


@pytest.mark.parametrize(
    ("data", "where", "en"),
    [
        (graphml_bytes(build_graph(NODES, TIES))[:300], "m.graphml line", "not well-formed"),
        (b"", "m.graphml line 1", "not well-formed"),
        (b"<a><b></a>", "m.graphml line 1 col 9", "not well-formed"),
        (b"<graphml><graph/></graphml>", "m.graphml", "not GraphML"),
        (
            b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph><node/></graph>'
            b"</graphml>",
            "m.graphml line 1",
            "node without an id",
        ),
        (
            b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph><node id="a">'
            b'<data key="nope">x</data></node></graph></graphml>',
            "m.graphml",
            "cannot read",
        ),
    ],
)
def test_broken_graphml(tmp_path, data, where, en):
    path = tmp_path / "m.graphml"
    path.write_bytes(data)
    with pytest.raises(ValidationError) as excinfo:
        read_graph(path)
    assert any(w.startswith(where) and en in e for w, e in problems_of(excinfo)), problems_of(
        excinfo
    )


def test_graphml_problems_name_the_line(tmp_path):
    data = graphml_bytes(build_graph(NODES, TIES)).replace(b">household<", b">hut<")
    path = tmp_path / "m.graphml"
    path.write_bytes(data)
    with pytest.raises(ValidationError) as excinfo:
        read_graph(path)
    [(where, en), *_] = problems_of(excinfo)
    line = data.decode().splitlines().index('    <node id="h1">') + 1
    assert (where, en) == (f"m.graphml line {line}", "unknown kind 'hut'")


@pytest.mark.parametrize(
    ("name", "data", "en"),
    [
        ("m.zip", b"not a zip", "cannot read the zip"),
        ("m.txt", b"", "cannot read .txt"),
        ("m", b"", "without a suffix"),
    ],
)
def test_unreadable_files(tmp_path, name, data, en):
    (tmp_path / name).write_bytes(data)
    with pytest.raises(ValidationError, match=en):
        read_graph(tmp_path / name)


def test_zip_without_nodes_csv(tmp_path):
    path = tmp_path / "m.zip"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("ties.csv", "source,target,kind\n")
    with pytest.raises(ValidationError, match="no nodes.csv"):
        read_graph(path)


def test_missing_file(tmp_path):
    with pytest.raises(ValidationError, match="file not found"):
        read_graph(tmp_path / "gone.json")


# --- round trip property -----------------------------------------------------------------

# Printable text plus newline: XML cannot carry other control characters (graphml_bytes Notes).
TEXT = st.text(
    alphabet=st.one_of(
        st.sampled_from(list("佐藤花子鈴木宅🙂👵🏻 ,;\"'<>&=+-@\n\u3000")),
        st.characters(codec="utf-8", categories=["L", "N", "P", "S", "Zs"]),
    ),
    min_size=1,
    max_size=12,
).filter(lambda s: s.strip())
IDS = st.text(alphabet="abcxyz0123-_人家", min_size=1, max_size=6)
NODE_ATTRS = {
    "lives_alone": st.booleans(),
    "age_band": st.sampled_from(["under-65", "65-74", "75-84", "85+"]),
    "status": st.sampled_from(["pending", "approved", "hidden"]),
    "district": TEXT,
}
# "source" (self/hearsay) is left out: as a record key it is the tie's source node.
TIE_ATTRS = {
    "season": st.sampled_from(["all_year", "winter_only", "not_in_winter"]),
    "frequency": st.sampled_from(["daily", "weekly", "monthly", "rarely"]),
    "status": st.sampled_from(["pending", "approved", "hidden"]),
}


def optional(attrs):
    return st.fixed_dictionaries({}, optional=attrs)


@st.composite
def session_graphs(draw):
    ids = draw(st.lists(IDS, min_size=1, max_size=8, unique=True))
    nodes = [
        {
            "id": i,
            "kind": draw(st.sampled_from(list(NODE_KINDS))),
            "label": draw(TEXT),
            **draw(optional(NODE_ATTRS)),
        }
        for i in ids
    ]
    kinds = {n["id"]: n["kind"] for n in nodes}
    candidates = [
        (u, v, k)
        for u in ids
        for v in ids
        for k in TIE_KINDS
        if u != v and tie_allowed(k, kinds[u], kinds[v])
    ]
    ties = []
    if candidates:
        chosen = draw(st.lists(st.sampled_from(candidates), max_size=10))
        tie_ids = draw(st.lists(IDS, min_size=len(chosen), max_size=len(chosen), unique=True))
        ties = [
            {"id": t, "source": u, "target": v, "kind": k, **draw(optional(TIE_ATTRS))}
            for t, (u, v, k) in zip(tie_ids, chosen, strict=True)
        ]
    return build_graph(nodes, ties)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(G=session_graphs())
def test_round_trip_keeps_the_graph(G):
    with tempfile.TemporaryDirectory() as d:
        for fmt, name in [
            ("graphml", "m.graphml"),
            ("json", "m.json"),
            ("csv", "m.zip"),
            ("csv", "folder"),
            ("gexf", "m.gexf"),
        ]:
            written = write_graph(G, Path(d, name), fmt)
            H = read_graph(Path(d, name) if name == "folder" else written[0])
            assert isinstance(H, nx.MultiDiGraph)
            assert_same(G, H)
