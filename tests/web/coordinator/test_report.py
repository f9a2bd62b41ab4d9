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
    assert "気づきの数 前回と今回" in text and "▼ −1" in text
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
