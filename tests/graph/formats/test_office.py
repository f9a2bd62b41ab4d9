"""Files as offices have them: Excel's CP932 CSV, Japanese headers and kind words, NetworkX's
own GraphML and GEXF, zips written on Windows."""

import io
import zipfile

import networkx as nx
import pytest

from graph.errors import NeedsMapping, ValidationError
from graph.io import read_graph

# What an office types into Excel: Japanese headers, kind words, no id column.
OFFICE_NODES = (
    "名称,種別,地区,年代\r\n"
    "佐藤 ウメ,人,1丁目,85+\r\n"
    "佐藤さん宅,世帯,1丁目,\r\n"
    "老人クラブ 寿会,団体,,\r\n"
    "福祉会館,場所,,\r\n"
    "社会福祉協議会,機関,,\r\n"
    "いきいき体操,活動,,\r\n"
    "獅子舞,歴史,,\r\n"
    "ゴミ出しが大変,困りごと,,\r\n"
    "ゴミ出し当番,案,,\r\n"
)
OFFICE_TIES = (
    "元,先,種類\r\n"
    "佐藤 ウメ,佐藤さん宅,同居\r\n"
    "いきいき体操,福祉会館,開催場所\r\n"
    "佐藤 ウメ,老人クラブ 寿会,参加\r\n"
    "老人クラブ 寿会,佐藤さん宅,見守り\r\n"
)
KINDS = {
    "佐藤 ウメ": "person",
    "佐藤さん宅": "household",
    "老人クラブ 寿会": "group",
    "福祉会館": "place",
    "社会福祉協議会": "institution",
    "いきいき体操": "activity",
    "獅子舞": "story",
    "ゴミ出しが大変": "need",
    "ゴミ出し当番": "idea",
}


def _write(folder, nodes: bytes, ties: bytes | None = None):
    (folder / "nodes.csv").write_bytes(nodes)
    if ties is not None:
        (folder / "ties.csv").write_bytes(ties)
    return folder / "nodes.csv"


@pytest.mark.parametrize(
    ("encoding", "said"),
    [("cp932", "CP932 (Shift_JIS)"), ("utf-8-sig", "UTF-8 (BOM)"), ("utf-8", "UTF-8")],
)
def test_excel_csv_with_japanese_headers_and_kind_words(tmp_path, encoding, said):
    # Excel's 「CSV (コンマ区切り)」 is CP932 with CRLF and no BOM; 「CSV UTF-8」 has a BOM.
    path = _write(tmp_path, OFFICE_NODES.encode(encoding), OFFICE_TIES.encode(encoding))
    G = read_graph(path)
    assert G.graph["encoding"] == said
    assert {a["label"]: a["kind"] for _, a in G.nodes(data=True)} == KINDS
    ids = {a["label"]: n for n, a in G.nodes(data=True)}
    assert G.nodes[ids["佐藤 ウメ"]]["district"] == "1丁目"
    assert G.nodes[ids["佐藤 ウメ"]]["age_band"] == "85+"
    ties = {(G.nodes[u]["label"], G.nodes[v]["label"], k) for u, v, k in G.edges(data="kind")}
    assert ties == {
        ("佐藤 ウメ", "佐藤さん宅", "lives_in"),
        ("いきいき体操", "福祉会館", "held_at"),
        ("佐藤 ウメ", "老人クラブ 寿会", "member"),
        ("老人クラブ 寿会", "佐藤さん宅", "watch"),
    }


def test_rows_without_ids_get_the_same_ids_from_the_same_file(tmp_path):
    data = OFFICE_NODES.encode("cp932")
    first = set(read_graph(_write(tmp_path, data)).nodes)
    assert first == set(read_graph(_write(tmp_path, data)).nodes)
    other = set(read_graph(_write(tmp_path, data + "追加の人,人,,\r\n".encode("cp932"))).nodes)
    assert not first & other  # another file's rows never take these ids


def test_cp932_characters_excel_writes(tmp_path):
    # ① and ㈱ are CP932 (NEC / IBM extensions), not plain Shift_JIS.
    text = "id,kind,label\r\ng1,group,㈱ふれあい①\r\n"
    G = read_graph(_write(tmp_path, text.encode("cp932")))
    assert G.nodes["g1"]["label"] == "㈱ふれあい①"


def test_japanese_values(tmp_path):
    text = "ID,名前,種類,同意,一人暮らし\np1,田中,人,匿名,はい\n"
    G = read_graph(_write(tmp_path, text.encode("utf-8")))
    assert G.nodes["p1"] == {
        "kind": "person",
        "label": "田中",
        "consent": "anonymous",
        "lives_alone": True,
    }


def test_other_headers_need_a_mapping_with_a_preview(tmp_path):
    text = "団体名,分野,備考\r\n寿会,団体,月1回\r\n福祉会館,場所,\r\n"
    path = _write(tmp_path, text.encode("cp932"))
    with pytest.raises(NeedsMapping) as excinfo:
        read_graph(path)
    e = excinfo.value
    assert (e.file, e.columns, e.missing) == (
        "nodes.csv",
        ["団体名", "分野", "備考"],
        ["kind", "label"],
    )
    assert e.rows == [["寿会", "団体", "月1回"], ["福祉会館", "場所", ""]]
    G = read_graph(path, columns={"団体名": "label", "分野": "種別", "備考": "-"})
    assert sorted(sorted(a.items()) for _, a in G.nodes(data=True)) == [
        [("kind", "group"), ("label", "寿会")],
        [("kind", "place"), ("label", "福祉会館")],
    ]


def test_unknown_kind_word_is_still_refused(tmp_path):
    text = "名称,種別\r\n寿会,木\r\n"
    with pytest.raises(ValidationError, match="unknown kind '木'"):
        read_graph(_write(tmp_path, text.encode("cp932")))


def _nx_graph(cls=nx.MultiDiGraph):
    G = cls()
    G.add_node("p1", kind="person", label="佐藤 花子", age_band="85+", lives_alone=True)
    G.add_node("h1", kind="household", label="佐藤さん宅")
    G.add_node("p2", kind="person", label="田中")
    G.add_edge("p1", "h1", kind="lives_in")
    G.add_edge("p2", "h1", kind="snow")
    G.add_edge("p2", "h1", kind="watch")
    return G


@pytest.mark.parametrize("writer", [nx.write_graphml, nx.write_gexf])
@pytest.mark.parametrize("cls", [nx.MultiDiGraph, nx.DiGraph])
def test_files_networkx_writes(tmp_path, writer, cls):
    G = _nx_graph(cls)
    suffix = ".graphml" if writer is nx.write_graphml else ".gexf"
    path = tmp_path / f"茶志内{suffix}"
    writer(G, path)
    H = read_graph(path)
    assert dict(H.nodes(data=True)) == dict(G.nodes(data=True))
    # As NetworkX reads it back: every edge, with its kind, each a tie of its own.
    expected = (
        sorted((u, v, a["kind"]) for u, v, a in nx.read_graphml(path).edges(data=True))
        if writer is nx.write_graphml
        else sorted((u, v, a["kind"]) for u, v, a in nx.read_gexf(path).edges(data=True))
    )
    assert sorted(H.edges(data="kind")) == expected
    # NetworkX's edge numbers are no tie ids: the session gives each tie a fresh one.
    assert all(not isinstance(k, str) for _, _, k in H.edges(keys=True))


def _two_people_one_tie_t7():
    from graph.model import build_graph

    return build_graph(
        [
            {"id": "p1", "kind": "person", "label": "a"},
            {"id": "p2", "kind": "person", "label": "b"},
        ],
        [{"id": "t7", "source": "p1", "target": "p2", "kind": "talk"}],
    )


def test_graphml_with_unique_edge_ids_keeps_them(tmp_path):
    from graph.formats.graphml import graphml_bytes

    G = _two_people_one_tie_t7()
    (tmp_path / "g.graphml").write_bytes(graphml_bytes(G))
    assert list(read_graph(tmp_path / "g.graphml").edges(keys=True)) == [("p1", "p2", "t7")]


def test_zip_with_backslash_member_names(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("export\\nodes.csv", OFFICE_NODES.encode("cp932"))
        zf.writestr("export\\ties.csv", OFFICE_TIES.encode("cp932"))
    (tmp_path / "m.zip").write_bytes(buffer.getvalue())
    G = read_graph(tmp_path / "m.zip")
    assert G.number_of_nodes() == 9 and G.number_of_edges() == 4


def test_two_networkx_gexf_files_do_not_share_tie_ids(tmp_path):
    nx.write_gexf(_nx_graph(), tmp_path / "a.gexf")
    H = read_graph(tmp_path / "a.gexf")
    assert all(not isinstance(k, str) for _, _, k in H.edges(keys=True))  # new ids on import


def test_our_own_gexf_keeps_its_tie_ids(tmp_path):
    from graph.formats.gexf import gexf_bytes

    G = _two_people_one_tie_t7()
    (tmp_path / "g.gexf").write_bytes(gexf_bytes(G))
    assert [k for _, _, k in read_graph(tmp_path / "g.gexf").edges(keys=True)] == ["t7"]


def test_english_headers_other_tools_write(tmp_path):
    # A sheet kept in English: name/type, and ties from/to/type.
    nodes = "ID,Name,Type\r\np1,Sato Ume,person\r\nh1,佐藤さん宅,household\r\n"
    ties = "from,to,type\r\np1,h1,lives_in\r\n"
    G = read_graph(_write(tmp_path, nodes.encode(), ties.encode()))
    assert dict(G.nodes(data="label")) == {"p1": "Sato Ume", "h1": "佐藤さん宅"}
    assert dict(G.nodes(data="kind")) == {"p1": "person", "h1": "household"}
    assert [(u, v, k) for u, v, k in G.edges(data="kind")] == [("p1", "h1", "lives_in")]


def test_a_name_beside_a_label_stays_an_attribute(tmp_path):
    text = "id,kind,label,name\r\ng1,group,寿会,老人クラブ\r\n"
    G = read_graph(_write(tmp_path, text.encode()))
    assert G.nodes["g1"]["label"] == "寿会"
    assert G.nodes["g1"]["name"] == "老人クラブ"
