"""The printable report: headings, names only when chosen, before and after."""

from facilitator.storage import Store

from .helpers import names_in

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
    # The content a meeting reads: treasures, needs heard, ideas with their stage.
    for heading in ("見つかったお宝", "聞かれた困りごと", "取り組み案と段階"):
        assert heading in text
    assert "くりの木サロン" in text and "ゴミ出しが大変" in text
    assert "size: A4 portrait" in text
    assert not names_in(r.data)
    assert "前回との比較" not in text  # no older session of the area


def test_report_names_only_when_chosen(fac, demo_id):
    r = fac.get(f"/archive/{demo_id}/report?names=1&paper=a3")
    assert "高橋 恵子" in r.get_data(as_text=True)
    assert "size: A3 landscape" in r.get_data(as_text=True)
    assert "個人情報" in r.get_data(as_text=True)


def test_report_before_and_after(fac, demo_id, older_id, session_id):
    text = fac.get(f"/archive/{demo_id}/report").get_data(as_text=True)
    assert "前回との比較" in text and "茶志内 昨年" in text
    assert "前回からの変化" in text and "▼ −1" in text
    assert not names_in(text.encode())
    other = fac.get(f"/archive/{demo_id}/report?before={session_id}").get_data(as_text=True)
    assert "テスト" in other


def test_report_user_text_is_escaped(fac, app):
    with Store(app.config["DATA"]).create("<b>太字</b>", area="x") as s:
        s.add_node("group", "<script>alert(1)</script>", "facilitator")
        sid = s.id
    text = fac.get(f"/archive/{sid}/report").get_data(as_text=True)
    assert "<script>alert(1)" not in text and "&lt;script&gt;" in text
    assert "<b>太字</b>" not in text


def test_unnamed_report_generalises_labels_that_name_someone(fac, app):
    with Store(app.config["DATA"]).create("北町", area="北町") as s:
        p = s.add_node("person", "佐藤 ウメ", "facilitator")
        h = s.add_node("household", "佐藤さん宅", "facilitator")
        s.add_tie(p, h, "lives_in", "facilitator")
        s.add_node("place", "佐藤ウメさん宅前のゴミ集積所", "facilitator")
        s.add_node("need", "ウメさんの雪かき", "facilitator")
        hidden = s.add_node("group", "内緒の会", "facilitator")
        s.update_node(hidden, "facilitator", status="hidden")
        sid = s.id
    text = fac.get(f"/archive/{sid}/report").get_data(as_text=True)
    assert "佐藤" not in text and "ウメ" not in text and "内緒の会" not in text
    assert "ゴミ集積所（場所-001）" in text and "雪かき" in text
    named = fac.get(f"/archive/{sid}/report?names=1").get_data(as_text=True)
    assert "佐藤ウメさん宅前のゴミ集積所" in named


def test_poster_is_the_tree_alone_as_svg(fac, demo_id):
    page = fac.get(f"/archive/{demo_id}/poster")
    assert page.status_code == 200 and "size: A1 portrait" in page.get_data(as_text=True)
    assert "size: A2 portrait" in fac.get(f"/archive/{demo_id}/poster?paper=a2").get_data(
        as_text=True
    )
    r = fac.get(f"/archive/{demo_id}/poster.svg")
    assert r.status_code == 200 and r.mimetype == "image/svg+xml"
    svg = r.get_data(as_text=True)
    assert 'width="564.0mm"' in svg and "世帯-001" in svg and not names_in(r.data)


def test_unnamed_report_and_poster_keep_names_out_of_the_title_and_area(fac, app):
    with Store(app.config["DATA"]).create("ｻｻｷさんの地区の集い", area="Sasaki様の隣") as s:
        p = s.add_node("person", "佐々木 しげる", "facilitator")
        h = s.add_node("household", "佐々木家", "facilitator")
        s.add_tie(p, h, "lives_in", "facilitator")
        s.add_node("place", "しげるの畑", "facilitator")
        sid = s.id
    for path in (f"/archive/{sid}/report", f"/archive/{sid}/poster"):
        text = fac.get(path).get_data(as_text=True)
        for name in ("佐々木", "ｻｻｷ", "Sasaki", "しげる"):
            assert name not in text, (path, name)
        assert "地区の集い" in text
    named = fac.get(f"/archive/{sid}/report?names=1").get_data(as_text=True)
    assert "ｻｻｷさんの地区の集い" in named and "しげるの畑" in named
