"""The archive of saved sessions and one session's read-only view."""

import pytest

from facilitator.storage import Store

from .helpers import HX


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
