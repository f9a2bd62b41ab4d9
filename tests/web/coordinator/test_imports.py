"""The upload page with what offices have: Japanese names, Excel's CSV, a mapping step, and an
edited export of the same session shown as a change list before it is applied."""

import base64
import csv
import io
import re
import zipfile

import networkx as nx
import pytest

from facilitator.coordinator.imports import upload_name
from facilitator.storage import Store

from .helpers import HX

OFFICE = "名称,種別,地区\r\n寿会,団体,1丁目\r\n福祉会館,場所,\r\n佐藤 ウメ,人,1丁目\r\n"


def _post(fac, data, name=None, content=None, headers=None):
    if content is not None:
        data = {**data, "file": (io.BytesIO(content), name)}
    return fac.post(
        "/archive/import", data=data, content_type="multipart/form-data", headers=headers or {}
    )


def _graph(app, sid):
    with Store(app.config["DATA"]).open(sid) as s:
        return s.graph()


def _sid(r):
    assert r.status_code == 303, r.get_data(as_text=True)[:2000]
    return r.headers["Location"].split("?")[0].rsplit("/", 1)[1]


def test_upload_names_keep_japanese():
    assert upload_name("茶志内.graphml") == "茶志内.graphml"
    assert upload_name("C:\\Users\\sc\\お宝 一覧.csv") == "お宝 一覧.csv"
    assert upload_name("../../etc/passwd") == "passwd"
    assert upload_name("\x00.. ") == "upload"


def test_networkx_graphml_with_a_japanese_name(fac, app, tmp_path):
    G = nx.MultiDiGraph()
    G.add_node("p1", kind="person", label="佐藤")
    G.add_node("h1", kind="household", label="佐藤さん宅")
    G.add_edge("p1", "h1", kind="lives_in")
    G.add_edge("p1", "h1", kind="snow")
    nx.write_graphml(G, tmp_path / "x.graphml")
    r = _post(fac, {}, "茶志内.graphml", (tmp_path / "x.graphml").read_bytes())
    sid = _sid(r)
    with Store(app.config["DATA"]).open(sid) as s:
        assert s.meta()["title"] == "茶志内"  # the file's name, not "upload"
        assert sorted(s.graph().edges(data="kind")) == sorted(G.edges(data="kind"))


@pytest.mark.parametrize(("encoding", "said"), [("cp932", "CP932"), ("utf-8-sig", "UTF-8")])
def test_excel_csv_says_how_it_was_read(fac, app, encoding, said):
    r = _post(fac, {"title": "お宝"}, "お宝一覧.csv", OFFICE.encode(encoding))
    sid = _sid(r)
    G = _graph(app, sid)
    assert sorted(G.nodes(data="kind"), key=str)
    assert {a["label"]: a["kind"] for _, a in G.nodes(data=True)} == {
        "寿会": "group",
        "福祉会館": "place",
        "佐藤 ウメ": "person",
    }
    page = fac.get(r.headers["Location"]).get_data(as_text=True)
    assert said in page and "読みました" in page


def test_zip_with_backslash_names(fac, app):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("書き出し\\nodes.csv", OFFICE.encode("cp932"))
    assert _graph(app, _sid(_post(fac, {}, "m.zip", buffer.getvalue()))).number_of_nodes() == 3


@pytest.mark.parametrize("hx", [{}, HX])
def test_other_headers_get_a_mapping_step_with_a_preview(fac, app, hx):
    files = sorted(p.name for p in app.config["DATA"].iterdir())
    text = "団体名,分野,備考\r\n寿会,団体,月1回\r\n福祉会館,場所,\r\n"
    r = _post(fac, {"title": "対応づけ"}, "一覧.csv", text.encode("cp932"), headers=hx)
    page = r.get_data(as_text=True)
    assert r.status_code == 422  # nothing written yet
    assert sorted(p.name for p in app.config["DATA"].iterdir()) == files
    assert "どの列" in page and '<th scope="col">団体名</th>' in page
    assert "<td>月1回</td>" in page and 'name="map-0"' in page
    carried = re.search(r'name="upload_data" value="([^"]+)"', page).group(1)
    assert base64.b64decode(carried) == text.encode("cp932")
    form = {
        "upload_data": carried,
        "upload_name": "一覧.csv",
        "title": "対応づけ",
        "map-name-0": "団体名",
        "map-0": "label",
        "map-name-1": "分野",
        "map-1": "kind",
        "map-name-2": "備考",
        "map-2": "-",
    }
    sid = _sid(_post(fac, form, headers=hx) if not hx else _htmx(fac, form))
    G = _graph(app, sid)
    assert sorted(a["label"] for _, a in G.nodes(data=True)) == ["寿会", "福祉会館"]
    assert all("備考" not in a for _, a in G.nodes(data=True))


def _htmx(fac, form):
    r = _post(fac, form, headers=HX)
    assert r.status_code == 204 and r.headers["HX-Redirect"]
    r.status_code, r.headers["Location"] = 303, r.headers["HX-Redirect"]
    return r


def _edited_export(fac, sid):
    r = fac.post(f"/archive/{sid}/export", data={"format": "csv", "real_names": "1"})
    with zipfile.ZipFile(io.BytesIO(r.data)) as z:
        nodes = z.read("nodes.csv").decode("utf-8-sig")
        ties = z.read("ties.csv")
    rows = list(csv.reader(io.StringIO(nodes)))
    header = rows[0]
    label = header.index("label")
    for row in rows[1:]:
        if row[label] == "寿会":
            row[label] = "老人クラブ 寿会"
    rows = [r for r in rows if r[label] != "福祉会館"]
    new = [""] * len(header)
    new[label], new[header.index("kind")] = "新しい集会所", "場所"
    rows.append(new)
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:  # saved again by Excel: CP932
        z.writestr("nodes.csv", buffer.getvalue().encode("cp932"))
        z.writestr("ties.csv", ties)
    return out.getvalue()


def test_edited_export_shows_the_changes_first_then_applies_them_as_one_step(fac, app, session_id):
    _sid(_post(fac, {"target": session_id}, "一覧.csv", OFFICE.encode("cp932")))
    before = {a["label"] for _, a in _graph(app, session_id).nodes(data=True)}
    edited = _edited_export(fac, session_id)

    r = _post(fac, {"target": session_id}, "edited.zip", edited)
    page = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "追加 1件、変更 1件、削除 1件" in page
    assert "+ 新しい集会所" in page and "~ 老人クラブ 寿会" in page and "− 福祉会館" in page
    assert {a["label"] for _, a in _graph(app, session_id).nodes(data=True)} == before

    carried = re.search(r'name="upload_data" value="([^"]+)"', page).group(1)
    form = {
        "upload_data": carried,
        "upload_name": "edited.zip",
        "target": session_id,
        "confirm": "1",
    }
    _sid(_post(fac, form))
    after = {a["label"] for _, a in _graph(app, session_id).nodes(data=True)}
    assert after == {"老人クラブ 寿会", "新しい集会所", "佐藤 ウメ"}

    r = _post(fac, {"target": session_id}, "edited.zip", edited)
    assert r.status_code == 422 and "変更はありません" in r.get_data(as_text=True)

    with Store(app.config["DATA"]).open(session_id) as s:
        s.undo("facilitator")  # the update was one event
    assert {a["label"] for _, a in _graph(app, session_id).nodes(data=True)} == before


def test_a_carried_file_that_is_not_base64_is_refused(fac, app):
    r = _post(fac, {"upload_data": "%%%not base64", "upload_name": "x.csv"})
    assert r.status_code == 422 and "ファイルを選んで" in r.get_data(as_text=True)


def test_a_pseudonymised_export_back_into_its_own_session_is_refused(fac, app, session_id):
    _sid(_post(fac, {"target": session_id}, "一覧.csv", OFFICE.encode("cp932")))
    before = {a["label"] for _, a in _graph(app, session_id).nodes(data=True)}
    exported = fac.post(f"/archive/{session_id}/export", data={"format": "csv"}).data
    r = _post(fac, {"target": session_id}, "仮名.zip", exported)
    assert r.status_code == 422
    assert "仮名化して書き出したファイル" in r.get_data(as_text=True)
    assert {a["label"] for _, a in _graph(app, session_id).nodes(data=True)} == before
