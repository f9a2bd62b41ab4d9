"""`tsunagari import` with what offices have, and an edited export of the same session."""

import csv
import io
import json

import networkx as nx
import pytest
from click.testing import CliRunner

from facilitator.cli import main
from facilitator.storage import Store

OFFICE = "名称,種別,地区\r\n寿会,団体,1丁目\r\n福祉会館,場所,\r\n佐藤 ウメ,人,1丁目\r\n"


@pytest.fixture
def data(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def run(data, monkeypatch):
    monkeypatch.setenv("TSUNAGARI_LANG", "ja")

    def invoke(*args, input=None):
        return CliRunner().invoke(main, ["--data", str(data), *args], input=input)

    return invoke


@pytest.fixture
def session_id(run):
    result = run("new", "茶志内 お宝さがし")
    assert result.exit_code == 0, result.output
    return result.output.split("\t")[0]


def _labels(data, session_id):
    with Store(data).open(session_id) as s:
        return {a["label"]: a["kind"] for _, a in s.graph().nodes(data=True)}


def test_excel_cp932_csv_with_japanese_headers(run, data, session_id, tmp_path):
    (tmp_path / "nodes.csv").write_bytes(OFFICE.encode("cp932"))
    result = run("import", session_id, str(tmp_path / "nodes.csv"))
    assert result.exit_code == 0, result.output
    assert "文字コード CP932 (Shift_JIS) として読みました" in result.output
    assert _labels(data, session_id) == {
        "寿会": "group",
        "福祉会館": "place",
        "佐藤 ウメ": "person",
    }


def test_other_headers_list_the_columns_then_map_applies(run, data, session_id, tmp_path):
    text = "団体名,分野,備考\r\n寿会,団体,月1回\r\n"
    (tmp_path / "nodes.csv").write_bytes(text.encode("cp932"))
    result = run("import", session_id, str(tmp_path / "nodes.csv"))
    assert result.exit_code == 2
    assert "ファイルの列: 団体名, 分野, 備考" in result.output
    assert "寿会 | 団体 | 月1回" in result.output and "--map" in result.output
    assert _labels(data, session_id) == {}
    result = run(
        "import",
        session_id,
        str(tmp_path / "nodes.csv"),
        "--map",
        "団体名=名称",
        "--map",
        "分野=kind",
        "--map",
        "備考=-",
    )
    assert result.exit_code == 0, result.output
    assert _labels(data, session_id) == {"寿会": "group"}
    assert run("import", session_id, "x", "--map", "broken").exit_code == 2


def test_networkx_graphml(run, data, session_id, tmp_path):
    G = nx.MultiDiGraph()
    G.add_node("p1", kind="person", label="佐藤")
    G.add_node("h1", kind="household", label="佐藤さん宅")
    G.add_edge("p1", "h1", kind="lives_in")
    G.add_edge("p1", "h1", kind="snow")  # edge ids repeat per pair in NetworkX's GraphML
    G.add_node("p2", kind="person", label="田中")
    G.add_edge("p2", "h1", kind="snow")
    nx.write_graphml(G, tmp_path / "茶志内.graphml")
    result = run("import", session_id, str(tmp_path / "茶志内.graphml"))
    assert result.exit_code == 0, result.output
    with Store(data).open(session_id) as s:
        assert sorted(s.graph().edges(data="kind")) == sorted(G.edges(data="kind"))


def _edit_export(run, session_id, tmp_path):
    """Export with real names, then edit nodes.csv as Excel saves it (CP932, CRLF)."""
    assert (
        run(
            "export", session_id, "--format", "csv", "-o", str(tmp_path / "ex"), "--real-names"
        ).exit_code
        == 0
    )
    path = tmp_path / "ex" / "nodes.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    header = rows[0]
    by_label = {r[header.index("label")]: r for r in rows[1:]}
    by_label["寿会"][header.index("label")] = "老人クラブ 寿会"
    rows.remove(by_label["福祉会館"])
    rows.append(["" if c != "label" else "新しい集会所" for c in header])
    rows[-1][header.index("kind")] = "場所"
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode("cp932"))
    return path


def test_edited_export_updates_the_session_after_a_yes(run, data, session_id, tmp_path):
    (tmp_path / "nodes.csv").write_bytes(OFFICE.encode("cp932"))
    assert run("import", session_id, str(tmp_path / "nodes.csv")).exit_code == 0
    path = _edit_export(run, session_id, tmp_path)
    before = _labels(data, session_id)

    result = run("import", session_id, str(path), input="n\n")
    assert result.exit_code == 2
    assert "追加 1件、変更 1件、削除 1件" in result.output
    assert "+ 新しい集会所" in result.output and "~ 老人クラブ 寿会" in result.output
    assert "- 福祉会館" in result.output
    assert _labels(data, session_id) == before  # answered no: nothing changed

    result = run("import", session_id, str(path), input="y\n")
    assert result.exit_code == 0, result.output
    after = {"老人クラブ 寿会": "group", "新しい集会所": "place", "佐藤 ウメ": "person"}
    assert _labels(data, session_id) == after
    assert "変更はありません" in run("import", session_id, str(path), "--yes").output

    with Store(data).open(session_id) as s:  # one event: one undo takes it all back
        s.undo("cli")
    assert _labels(data, session_id) == before


def test_update_with_yes_does_not_ask(run, data, session_id, tmp_path):
    (tmp_path / "nodes.csv").write_bytes(OFFICE.encode("cp932"))
    assert run("import", session_id, str(tmp_path / "nodes.csv")).exit_code == 0
    path = _edit_export(run, session_id, tmp_path)
    result = run("import", session_id, str(path), "--yes")
    assert result.exit_code == 0, result.output
    assert "更新しました" in result.output and "更新しますか" not in result.output
    assert "新しい集会所" in _labels(data, session_id)


def test_every_format_of_an_unedited_export_changes_nothing(run, session_id, tmp_path):
    assert run("demo").exit_code == 0
    demo = json.loads(run("sessions", "--json").output)
    demo_id = next(r["id"] for r in demo if r["id"] != session_id)
    for fmt, name in (
        ("graphml", "x.graphml"),
        ("json", "x.json"),
        ("gexf", "x.gexf"),
        ("csv", "x.zip"),
    ):
        out = tmp_path / name
        assert (
            run("export", demo_id, "--format", fmt, "-o", str(out), "--real-names").exit_code == 0
        )
        result = run("import", demo_id, str(out))
        assert result.exit_code == 0, (fmt, result.output)
        assert "変更はありません" in result.output, (fmt, result.output)


def test_another_sessions_graphml_export_is_not_an_update(run, data, session_id, tmp_path):
    (tmp_path / "nodes.csv").write_bytes(OFFICE.encode("cp932"))
    assert run("import", session_id, str(tmp_path / "nodes.csv")).exit_code == 0
    other = run("new", "別の地区").output.split("\t")[0]
    out = tmp_path / "other.graphml"
    assert (
        run("export", other, "--format", "graphml", "-o", str(out), "--real-names").exit_code == 0
    )
    result = run("import", session_id, str(out), "--yes")
    assert result.exit_code == 0, result.output
    assert "更新" not in result.output  # an empty map from elsewhere removes nothing here
    assert len(_labels(data, session_id)) == 3


def test_two_office_lists_with_ties_go_into_one_session(run, data, session_id, tmp_path):
    ties = "元,先,種類\r\n佐藤 ウメ,寿会,参加\r\n"
    for i, person in enumerate(("佐藤 ウメ", "田中 トシ")):
        folder = tmp_path / f"list{i}"
        folder.mkdir()
        nodes = f"名称,種別\r\n{person},人\r\n寿会{i},団体\r\n"
        (folder / "nodes.csv").write_bytes(nodes.encode("cp932"))
        tie = ties.replace("佐藤 ウメ", person).replace("寿会", f"寿会{i}")
        (folder / "ties.csv").write_bytes(tie.encode("cp932"))
        result = run("import", session_id, str(folder / "nodes.csv"))
        assert result.exit_code == 0, result.output  # no clash on tie ids "t1"
    with Store(data).open(session_id) as s:
        G = s.graph()
    assert G.number_of_edges() == 2 and len({k for _, _, k in G.edges(keys=True)}) == 2


@pytest.mark.parametrize(
    ("encoded", "said"),
    [
        (OFFICE.encode("utf-8"), "文字コード UTF-8 として読みました"),
        (b"\xef\xbb\xbf" + OFFICE.encode("utf-8"), "文字コード UTF-8 (BOM) として読みました"),
    ],
)
def test_utf8_with_or_without_bom_says_which(run, data, session_id, tmp_path, encoded, said):
    (tmp_path / "nodes.csv").write_bytes(encoded)
    result = run("import", session_id, str(tmp_path / "nodes.csv"))
    assert result.exit_code == 0, result.output
    assert said in result.output
    assert _labels(data, session_id)["福祉会館"] == "place"


@pytest.mark.parametrize("fmt", ["csv", "graphml"])
def test_a_pseudonymised_export_is_not_imported_into_its_own_session(
    run, data, session_id, tmp_path, fmt
):
    (tmp_path / "nodes.csv").write_bytes(OFFICE.encode("cp932"))
    assert run("import", session_id, str(tmp_path / "nodes.csv")).exit_code == 0
    out = tmp_path / ("p.zip" if fmt == "csv" else "p.graphml")
    assert run("export", session_id, "--format", fmt, "-o", str(out)).exit_code == 0
    before = _labels(data, session_id)
    result = run("import", session_id, str(out), "--yes")
    assert result.exit_code == 2
    assert "仮名化して書き出したファイル" in result.output and "--real-names" in result.output
    assert _labels(data, session_id) == before
    other = run("new", "別の会議").output.split("\t")[0]
    assert run("import", other, str(out)).exit_code == 0  # elsewhere it is an ordinary file
