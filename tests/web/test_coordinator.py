"""The coordinator's review: archive, history, compare, merge, report, export, import, delete."""

import hashlib
import io
import json
import zipfile

import pytest

from facilitator.storage import Store
from graph.demo import AREA, demo_graph

HX = {"HX-Request": "true"}
#: Every person and household label of the demo: a pseudonymised output holds none of them.
DEMO_NAMES = sorted(
    {d["label"] for _, d in demo_graph().nodes(data=True) if d["kind"] in ("person", "household")}
)


def _named(data: bytes) -> list[str]:
    return [name for name in DEMO_NAMES if name.encode() in data]


@pytest.fixture
def demo_id(app):
    with Store(app.config["DATA"]).create("茶志内 今年", area=AREA) as s:
        s.import_graph(demo_graph(), "test")
        return s.id


@pytest.fixture
def older_id(app, demo_id):
    """Last year's map of the same area: the demo without 高橋 恵子's snow tie to h12."""
    G = demo_graph()
    with Store(app.config["DATA"]).create("茶志内 昨年", area=AREA) as s:
        s.import_graph(G, "test")
        _backdate(s, "2020-05-01T10:00:00+00:00")
        sid = s.id
    with Store(app.config["DATA"]).open(demo_id) as s:
        s.add_tie("p004", "h12", "snow", "facilitator")
    return sid


def _backdate(session, when: str) -> None:
    session.db.execute("UPDATE meta SET value = ? WHERE key = 'created'", [json.dumps(when)])


def _file_hash(app, sid: str) -> str:
    return hashlib.sha256((app.config["DATA"] / f"{sid}.sqlite").read_bytes()).hexdigest()


# -- access -------------------------------------------------------------------------------------

GETS = [
    "/archive",
    "/archive/{sid}",
    "/archive/{sid}/tree.json",
    "/archive/{sid}/history",
    "/archive/compare?a={sid}&b={sid}",
    "/archive/compare/tree.json?a={sid}&b={sid}",
    "/archive/merge",
    "/archive/{sid}/report",
    "/archive/{sid}/export",
    "/archive/import",
    "/archive/{sid}/delete",
]
POSTS = [
    "/archive/merge",
    "/archive/{sid}/export",
    "/archive/import",
    "/archive/{sid}/delete",
]


@pytest.mark.parametrize("path", GETS)
def test_every_page_needs_the_facilitator(client, session_id, path):
    assert client.get(path.format(sid=session_id)).status_code == 401


@pytest.mark.parametrize("path", POSTS)
def test_every_action_needs_the_facilitator(client, app, session_id, path):
    before = sorted(p.name for p in app.config["DATA"].iterdir())
    assert client.post(path.format(sid=session_id), data={"format": "json"}).status_code == 401
    assert sorted(p.name for p in app.config["DATA"].iterdir()) == before


def test_unknown_session_is_404(fac):
    assert fac.get("/archive/zzzzzzzz").status_code == 404
    assert fac.get("/archive/compare?a=zzzzzzzz&b=nothere").status_code == 404


# -- archive ------------------------------------------------------------------------------------


@pytest.mark.parametrize("hx", [{}, HX])
def test_archive_lists_counts_flags_and_the_yearly_reminder(fac, app, demo_id, older_id, hx):
    text = fac.get("/archive", headers=hx).get_data(as_text=True)
    assert "茶志内 今年" in text and "茶志内 昨年" in text
    assert "項目168件" in text  # the demo's 168 nodes
    assert "つながり要確認: 4" in text or "つながり要確認: 3" in text
    assert text.count("1年以上前") == 1  # only last year's (back-dated) session
    row = text.split(f'data-session="{older_id}"')[1].split("</tr>")[0]
    assert "1年以上前" in row
    assert ("<html" in text) == (hx == {})


def test_archive_filters_by_area_and_year_and_sorts(fac, app, demo_id, older_id, session_id):
    text = fac.get("/archive", query_string={"year": "2020"}).get_data(as_text=True)
    assert "茶志内 昨年" in text and "茶志内 今年" not in text
    text = fac.get("/archive", query_string={"area": "茶志内"}).get_data(as_text=True)
    assert "テスト" in text and "茶志内 今年" not in text
    text = fac.get("/archive", query_string={"sort": "title"}).get_data(as_text=True)
    assert text.index("テスト") < text.index("茶志内 今年") < text.index("茶志内 昨年")


# -- read-only view -----------------------------------------------------------------------------


def test_view_shows_tree_flags_notes_and_counts(fac, app, demo_id):
    with Store(app.config["DATA"]).open(demo_id) as s:
        me = s.participant(s.add_participant("ゆき"))["id"]
        s.add_note(me, "need", "バス停まで遠い")
    text = fac.get(f"/archive/{demo_id}").get_data(as_text=True)
    assert f"/archive/{demo_id}/tree.json?view=private" in text
    assert "/static/js/tree.js" in text
    assert "まだ見えていません" in text  # a flag's reason
    assert "バス停まで遠い" in text and "確認待ち" in text  # the note as written, with status
    assert "世帯" in text and "50" in text
    # Read-only: no form posts anything from this page except none at all.
    assert 'method="post"' not in text


def test_view_projector_toggle_hides_flags(fac, demo_id):
    text = fac.get(f"/archive/{demo_id}?view=projector").get_data(as_text=True)
    assert "view=projector" in text
    assert "まだ見えていません" not in text
    data = fac.get(f"/archive/{demo_id}/tree.json?view=projector").get_json()
    labels = {n["id"]: n["label"] for n in data["nodes"]}
    assert "山田" not in labels["h12"] and data["flags"] == []


# -- history ------------------------------------------------------------------------------------


@pytest.mark.parametrize("hx", [{}, HX])
def test_history_replays_an_earlier_point(fac, app, session_id, hx):
    with Store(app.config["DATA"]).open(session_id) as s:
        s.add_node("household", "鈴木さん宅", "facilitator")
        early = s.last_seq()
        s.add_node("household", "田中さん宅", "facilitator")
        s.add_node("person", "田中 花子", "facilitator")
        last = s.last_seq()
    text = fac.get(f"/archive/{session_id}/history?seq={early}", headers=hx).get_data(as_text=True)
    assert f"記録{early}番の時点：項目1件" in text
    assert 'type="range"' in text and f'max="{last}"' in text
    assert "進行役" in text and "鈴木さん宅" in text  # who and what, in the log
    assert f"tree.json?seq={early}" in text
    now = fac.get(f"/archive/{session_id}/history").get_data(as_text=True)
    assert f"記録{last}番の時点：項目3件" in now
    old = fac.get(f"/archive/{session_id}/tree.json?seq={early}").get_json()
    new = fac.get(f"/archive/{session_id}/tree.json").get_json()
    assert len(old["nodes"]) < len(new["nodes"])


def test_history_rejects_a_bad_seq(fac, session_id):
    assert fac.get(f"/archive/{session_id}/history?seq=abc").status_code == 400


# -- compare ------------------------------------------------------------------------------------


def test_compare_summarises_the_change_without_names(fac, demo_id, older_id):
    r = fac.get("/archive/compare", query_string={"a": older_id, "b": demo_id})
    text = r.get_data(as_text=True)
    assert r.status_code == 200
    summary = text.split('<textarea id="summary" readonly')[1].split("</textarea>")[0]
    assert "つながりが1本増え" in summary
    assert "つながり要確認の世帯は4世帯から3世帯に減りました" in summary
    assert "つながり要確認ではなくなった世帯" in text
    assert not _named(text.encode())
    named = fac.get("/archive/compare", query_string={"a": older_id, "b": demo_id, "names": "1"})
    assert "山田さん宅" in named.get_data(as_text=True)


def test_compare_one_session_at_two_points(fac, app, session_id):
    with Store(app.config["DATA"]).open(session_id) as s:
        s.add_node("household", "鈴木さん宅", "facilitator")
        early = s.last_seq()
        s.add_node("group", "老人クラブ", "facilitator")
    text = fac.get(
        "/archive/compare", query_string={"a": f"{session_id}@{early}", "b": session_id}
    ).get_data(as_text=True)
    assert "付箋（ノード）が1件増え" in text


def test_compare_tree_highlights_new_ties_and_resolved_households(fac, app, demo_id, older_id):
    data = fac.get(
        "/archive/compare/tree.json", query_string={"a": older_id, "b": demo_id, "view": "private"}
    ).get_json()
    new = [e for e in data["edges"] if e.get("new")]
    assert len(new) == 1 and (new[0]["from"], new[0]["to"]) == ("p004", "h12")
    assert new[0]["width"] > 5 and new[0]["title"].startswith("★")
    resolved = {n["id"]: n for n in data["nodes"] if n.get("resolved")}
    assert "h12" in resolved and resolved["h12"]["label"].startswith("✓")


# -- merge --------------------------------------------------------------------------------------


@pytest.fixture
def two_maps(app):
    store = Store(app.config["DATA"])
    with store.create("1丁目", area="茶志内") as a:
        h = a.add_node("household", "佐藤さん宅", "facilitator")
        p = a.add_node("person", "工藤 誠", "facilitator")
        a.add_tie(p, h, "snow", "facilitator")
        ida = a.id
    with store.create("2丁目", area="茶志内") as b:
        b.add_node("household", "さとうさん宅", "facilitator")
        b.add_node("group", "老人クラブ", "facilitator")
        b.add_node("household", "中島さん宅", "facilitator")
        idb = b.id
    return ida, idb


@pytest.mark.parametrize("hx", [{}, HX])
def test_merge_page_shows_candidates(fac, two_maps, hx):
    a, b = two_maps
    text = fac.get("/archive/merge", query_string={"s": [a, b]}, headers=hx).get_data(as_text=True)
    assert "佐藤さん宅" in text and "さとうさん宅" in text
    assert 'name="c_c1"' in text and 'value="same"' in text and 'value="different"' in text


def test_merge_creates_a_new_session_and_leaves_sources_alone(fac, app, two_maps):
    a, b = two_maps
    hashes = {sid: _file_hash(app, sid) for sid in two_maps}
    r = fac.post(
        "/archive/merge",
        data={"s": [a, b], "c_c1": "same", "title": "茶志内 全体", "area": "茶志内"},
    )
    assert r.status_code == 303
    new_id = r.headers["Location"].rsplit("/", 1)[1]
    assert new_id not in two_maps
    with Store(app.config["DATA"]).open(new_id) as s:
        assert s.meta()["title"] == "茶志内 全体"
        G = s.graph()
    households = [d for _, d in G.nodes(data=True) if d["kind"] == "household"]
    assert len(households) == 2  # 佐藤さん宅 and さとうさん宅 joined; 中島さん宅
    joined = next(d for d in households if "|" in d["from_session"])
    assert set(joined["from_session"].split("|")) == {a, b}
    assert all(d.get("from_session") for _, d in G.nodes(data=True))
    assert {sid: _file_hash(app, sid) for sid in two_maps} == hashes


def test_merge_rejected_candidate_keeps_both(fac, app, two_maps):
    a, b = two_maps
    r = fac.post("/archive/merge", data={"s": [a, b], "c_c1": "different", "title": "全体"})
    new_id = r.headers["Location"].rsplit("/", 1)[1]
    with Store(app.config["DATA"]).open(new_id) as s:
        assert sum(1 for _, k in s.graph().nodes(data="kind") if k == "household") == 3


@pytest.mark.parametrize("hx", [{}, HX])
def test_merge_needs_two_sessions_and_a_title(fac, app, two_maps, hx):
    a, b = two_maps
    count = len(Store(app.config["DATA"]).ids())
    r = fac.post("/archive/merge", data={"s": [a], "title": "x"}, headers=hx)
    assert r.status_code == 422 and "2つ以上" in r.get_data(as_text=True)
    r = fac.post("/archive/merge", data={"s": [a, b], "title": " "}, headers=hx)
    assert r.status_code == 422 and 'role="alert"' in r.get_data(as_text=True)
    assert len(Store(app.config["DATA"]).ids()) == count


# -- report -------------------------------------------------------------------------------------

REPORT_HEADINGS = (
    "地域の支え合いマップ 報告書",
    "地域づくりの木",
    "種類別の数",
    "種類別の気づき",
    "支え合いの種類別のつながり",
)


def test_report_has_headings_and_no_names_by_default(fac, demo_id):
    r = fac.get(f"/archive/{demo_id}/report")
    text = r.get_data(as_text=True)
    assert r.status_code == 200
    for heading in REPORT_HEADINGS:
        assert heading in text
    assert "<svg" in text and "世帯-001" in text
    assert "size: A4 portrait" in text
    assert not _named(r.data)
    assert "前回との比較" not in text  # no older session of the area


def test_report_names_only_when_chosen(fac, demo_id):
    r = fac.get(f"/archive/{demo_id}/report?names=1&paper=a3")
    assert "高橋 恵子" in r.get_data(as_text=True)
    assert "size: A3 landscape" in r.get_data(as_text=True)
    assert "個人情報" in r.get_data(as_text=True)


def test_report_before_and_after(fac, demo_id, older_id, session_id):
    text = fac.get(f"/archive/{demo_id}/report").get_data(as_text=True)
    assert "前回との比較" in text and "茶志内 昨年" in text
    assert "気づきの数 前回と今回" in text and "▼ −1" in text
    assert not _named(text.encode())
    other = fac.get(f"/archive/{demo_id}/report?before={session_id}").get_data(as_text=True)
    assert "テスト" in other


def test_report_user_text_is_escaped(fac, app):
    with Store(app.config["DATA"]).create("<b>太字</b>", area="x") as s:
        s.add_node("group", "<script>alert(1)</script>", "facilitator")
        sid = s.id
    text = fac.get(f"/archive/{sid}/report").get_data(as_text=True)
    assert "<script>alert(1)" not in text and "&lt;script&gt;" in text
    assert "<b>太字</b>" not in text


# -- export -------------------------------------------------------------------------------------


def _download(fac, sid, fmt, real_names=False):
    data = {"format": fmt}
    if real_names:
        data["real_names"] = "1"
    r = fac.post(f"/archive/{sid}/export", data=data)
    assert r.status_code == 200, r.data[:500]
    assert r.headers["Content-Disposition"].startswith("attachment")
    return r


def _all_bytes(r) -> bytes:
    if r.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(r.data)) as z:
            assert sorted(z.namelist()) == ["nodes.csv", "ties.csv"]
            members = [z.read(name) for name in z.namelist()]
        assert all(m.startswith(b"\xef\xbb\xbf") for m in members)  # UTF-8 BOM for Excel
        return b"\n".join(members)
    return r.data


@pytest.mark.parametrize("fmt", ["gexf", "graphml", "json", "csv"])
def test_export_is_pseudonymised_by_default_and_logged(fac, app, demo_id, fmt):
    with Store(app.config["DATA"]).open(demo_id) as s:
        before = s.last_seq()
    r = _download(fac, demo_id, fmt)
    data = _all_bytes(r)
    assert not _named(data)
    assert "世帯-001".encode() in data
    with Store(app.config["DATA"]).open(demo_id) as s:
        events = s.events(after=before)
    assert len(events) == 1 and "export" in events[0]["type"]
    assert events[0]["actor"] == "facilitator"
    assert fmt in json.dumps(events[0]["payload"])
    history = fac.get(f"/archive/{demo_id}/history").get_data(as_text=True)
    assert f"{fmt.upper()}（仮名）" in history


@pytest.mark.parametrize("fmt", ["gexf", "csv"])
def test_export_real_names_only_when_ticked(fac, app, demo_id, fmt):
    data = _all_bytes(_download(fac, demo_id, fmt, real_names=True))
    assert "高橋 恵子".encode() in data and "山田さん宅".encode() in data
    with Store(app.config["DATA"]).open(demo_id) as s:
        payload = json.dumps(s.events()[-1]["payload"])
    assert "true" in payload


def test_export_form_names_the_choice(fac, demo_id):
    text = fac.get(f"/archive/{demo_id}/export").get_data(as_text=True)
    assert "実名を含めて書き出す（個人情報）" in text
    assert 'method="post"' in text and 'name="real_names"' in text


def test_export_needs_a_known_format(fac, demo_id):
    assert fac.post(f"/archive/{demo_id}/export", data={"format": "exe"}).status_code == 400


def test_export_needs_the_csrf_token(csrf_app, demo_id):
    c = csrf_app.test_client()
    c.get("/login?key=test-key")
    r = c.post(f"/archive/{demo_id}/export", data={"format": "json"})
    assert r.status_code == 400
    with Store(csrf_app.config["DATA"]).open(demo_id) as s:
        assert "export" not in s.events()[-1]["type"]


# -- import -------------------------------------------------------------------------------------


def _csv_zip(nodes: str, ties: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("nodes.csv", nodes)
        z.writestr("ties.csv", ties)
    return buffer.getvalue()


GOOD_JSON = json.dumps(
    {
        "nodes": [
            {"id": "h1", "kind": "household", "label": "佐藤さん宅"},
            {"id": "p1", "kind": "person", "label": "工藤 誠"},
        ],
        "edges": [{"source": "p1", "target": "h1", "kind": "snow", "key": "t1"}],
    }
).encode()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("map.json", GOOD_JSON),
        (
            "map.zip",
            _csv_zip(
                "id,kind,label\nh1,household,佐藤さん宅\np1,person,工藤 誠\n",
                "id,source,target,kind\nt1,p1,h1,snow\n",
            ),
        ),
    ],
)
def test_import_creates_a_session(fac, app, name, content):
    r = fac.post(
        "/archive/import",
        data={"file": (io.BytesIO(content), name), "title": "取り込み", "area": "茶志内"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 303, r.data[:800]
    sid = r.headers["Location"].rsplit("/", 1)[1]
    with Store(app.config["DATA"]).open(sid) as s:
        assert s.meta()["title"] == "取り込み"
        G = s.graph()
    assert G.number_of_nodes() == 2 and G.number_of_edges() == 1


def test_import_round_trips_an_export(fac, app, demo_id, tmp_path):
    data = _download(fac, demo_id, "gexf").data
    r = fac.post(
        "/archive/import",
        data={"file": (io.BytesIO(data), "demo.gexf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 303
    sid = r.headers["Location"].rsplit("/", 1)[1]
    with Store(app.config["DATA"]).open(sid) as s:
        assert s.graph().number_of_nodes() == demo_graph().number_of_nodes()


def test_import_into_an_existing_session(fac, app, session_id):
    r = fac.post(
        "/archive/import",
        data={"file": (io.BytesIO(GOOD_JSON), "map.json"), "target": session_id},
        content_type="multipart/form-data",
    )
    assert r.status_code == 303
    with Store(app.config["DATA"]).open(session_id) as s:
        assert s.graph().number_of_nodes() == 2


@pytest.mark.parametrize("hx", [{}, HX])
def test_import_bad_file_lists_every_problem_and_writes_nothing(fac, app, hx, session_id):
    bad = _csv_zip(
        "id,kind,label\nh1,household,佐藤さん宅\nx1,spaceship,UFO\n",
        "id,source,target,kind\nt1,h1,zz,snow\n",
    )
    files = sorted(p.name for p in app.config["DATA"].iterdir())
    r = fac.post(
        "/archive/import",
        data={"file": (io.BytesIO(bad), "bad.zip"), "title": "壊れた"},
        content_type="multipart/form-data",
        headers=hx,
    )
    text = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "nodes.csv line 3" in text and "ties.csv line 2" in text
    assert 'role="alert"' in text
    assert sorted(p.name for p in app.config["DATA"].iterdir()) == files
    r = fac.post(
        "/archive/import",
        data={"file": (io.BytesIO(b'{"nodes": [{"id": "a", "kind": "nope"}]'), "bad.json")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and "bad.json" in r.get_data(as_text=True)
    r = fac.post(
        "/archive/import",
        data={"file": (io.BytesIO(b"MZ"), "virus.exe")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    assert sorted(p.name for p in app.config["DATA"].iterdir()) == files


def test_import_clash_into_existing_session_writes_nothing(fac, app, session_id):
    for _ in range(2):
        r = fac.post(
            "/archive/import",
            data={"file": (io.BytesIO(GOOD_JSON), "map.json"), "target": session_id},
            content_type="multipart/form-data",
        )
    assert r.status_code == 422 and "h1" in r.get_data(as_text=True)
    with Store(app.config["DATA"]).open(session_id) as s:
        assert s.graph().number_of_nodes() == 2


# -- delete -------------------------------------------------------------------------------------


def test_delete_needs_the_title_then_removes_the_file(fac, app, demo_id):
    path = app.config["DATA"] / f"{demo_id}.sqlite"
    with Store(app.config["DATA"]).open(demo_id) as s:  # as closing the session does
        kept = s.backup(app.config["DATA"] / "backups" / f"{demo_id}-20261127T093000Z.sqlite")
    page = fac.get(f"/archive/{demo_id}/delete").get_data(as_text=True)
    assert "茶志内 今年" in page and 'name="confirm_title"' in page
    r = fac.post(f"/archive/{demo_id}/delete", data={"confirm_title": "茶志内"})
    assert r.status_code == 422 and 'role="alert"' in r.get_data(as_text=True)
    assert path.exists()
    r = fac.post(f"/archive/{demo_id}/delete", data={"confirm_title": "茶志内 今年"})
    assert r.status_code == 303 and r.headers["Location"].startswith("/archive")
    assert not path.exists() and not kept.exists()  # the backups go with it
    assert not list(app.config["DATA"].glob(f"{demo_id}*"))
    assert demo_id not in Store(app.config["DATA"]).ids()
    assert "茶志内 今年" in fac.get(r.headers["Location"]).get_data(as_text=True)
    assert fac.get(f"/archive/{demo_id}").status_code == 404


def test_delete_with_htmx_redirects(fac, app, session_id):
    r = fac.post(f"/archive/{session_id}/delete", data={"confirm_title": "テスト"}, headers=HX)
    assert r.status_code == 204 and r.headers["HX-Redirect"].startswith("/archive")
    assert session_id not in Store(app.config["DATA"]).ids()
