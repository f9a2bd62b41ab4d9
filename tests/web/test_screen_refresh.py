"""Screens fetch only what changed: the wall and the tree answer "unchanged" when no change
since the screen's picture touched what they show, and what they show is built once per seq
and shared by every screen."""

import pytest

from facilitator import live_model
from facilitator.storage import Store
from graph.demo import demo_graph

HX = {"HX-Request": "true"}


@pytest.fixture
def demo_id(app):
    with Store(app.config["DATA"]).create("茶志内 デモ") as s:
        s.import_graph(demo_graph(), "test")
        return s.id


def _note(app, session_id: str) -> tuple[str, int]:
    """A phone writes a note (nothing the wall or the tree shows changes)."""
    with Store(app.config["DATA"]).open(session_id) as s:
        phone = s.participant(s.add_participant("スマホ"))["id"]
        note = s.add_note(phone, "idea", "朝市を開く")["id"]
        return note, s.last_seq()


def test_the_wall_is_left_alone_after_a_note_and_redrawn_after_its_approval(app, fac, demo_id):
    with Store(app.config["DATA"]).open(demo_id) as s:
        seq = s.last_seq()
    drawn = fac.get(f"/sessions/{demo_id}/projector/wall?since={seq}", headers=HX)
    assert drawn.status_code == 204
    note, after_note = _note(app, demo_id)
    assert (
        fac.get(f"/sessions/{demo_id}/projector/wall?since={seq}", headers=HX).status_code == 204
    )
    approved = fac.post(f"/sessions/{demo_id}/notes/{note}/approve", headers=HX)
    assert approved.status_code == 200
    wall = fac.get(f"/sessions/{demo_id}/projector/wall?since={after_note}", headers=HX)
    assert wall.status_code == 200
    assert "朝市を開く" in wall.get_data(as_text=True)
    # The redrawn wall names the seq it shows, so the next refresh can be told "unchanged".
    assert f"since={after_note + 1}" in wall.get_data(as_text=True)


def test_the_tree_answers_same_after_a_note_and_a_new_picture_after_its_approval(
    app, fac, demo_id
):
    first = fac.get(f"/sessions/{demo_id}/tree.json").get_json()
    note, after_note = _note(app, demo_id)
    same = fac.get(f"/sessions/{demo_id}/tree.json?since={first['seq']}").get_json()
    assert same == {"seq": after_note, "same": True}
    fac.post(f"/sessions/{demo_id}/notes/{note}/approve", headers=HX)
    new = fac.get(f"/sessions/{demo_id}/tree.json?since={after_note}").get_json()
    assert "same" not in new and new["seq"] == after_note + 1
    assert any(n["name"] == "朝市を開く" for n in new["nodes"])
    assert new["title"] == "茶志内 デモ"


def test_every_screen_gets_the_same_tree_and_wall_built_once(app, fac, demo_id):
    before = dict(live_model.COUNTS)
    trees = [fac.get(f"/sessions/{demo_id}/tree.json?view=projector").data for _ in range(3)]
    walls = [fac.get(f"/sessions/{demo_id}/projector/wall", headers=HX).data for _ in range(3)]
    assert len(set(trees)) == 1 and len(set(walls)) == 1
    assert live_model.COUNTS.get("payload", 0) - before.get("payload", 0) == 1


def test_live_refreshes_do_not_sign_the_login_cookie_again(fac, demo_id):
    page = fac.get(f"/sessions/{demo_id}")
    assert "tsunagari=" in page.headers.get("Set-Cookie", "")  # a page keeps the login fresh
    for path in ("queue", "flags", "projector/wall"):
        refresh = fac.get(f"/sessions/{demo_id}/{path}", headers=HX)
        assert refresh.status_code == 200
        assert "Set-Cookie" not in refresh.headers
    tree = fac.get(f"/sessions/{demo_id}/tree.json", headers={"Accept": "application/json"})
    assert "Set-Cookie" not in tree.headers


def test_the_flags_panel_lists_the_first_hints_and_says_how_many_more(fac, demo_id, monkeypatch):
    from facilitator import flags_panel

    panel = fac.get(f"/sessions/{demo_id}/flags", headers=HX).get_data(as_text=True)
    shown = panel.count('class="flag flag-')
    assert shown >= 3 and "data-flags-more" not in panel
    monkeypatch.setattr(flags_panel, "FLAGS_SHOWN", 2)
    stage = fac.post(f"/sessions/{demo_id}/stage", data={"stage": "ties"}, headers=HX)
    assert stage.status_code == 200  # a new seq: the panel is made again
    panel = fac.get(f"/sessions/{demo_id}/flags", headers=HX).get_data(as_text=True)
    assert panel.count('class="flag flag-') == 2
    assert f"ほかに {shown - 2} 件のヒントがあります" in panel


def test_the_private_tree_lists_the_first_hints_and_counts_them_all(fac, demo_id, monkeypatch):
    from facilitator import tree

    every = fac.get(f"/sessions/{demo_id}/tree.json").get_json()
    assert every["flags_total"] == len(every["flags"]) >= 3
    monkeypatch.setattr(tree, "FLAGS_SHOWN", 2)
    stage = fac.post(f"/sessions/{demo_id}/stage", data={"stage": "ties"}, headers=HX)
    assert stage.status_code == 200  # a new seq: the payload is made again
    first = fac.get(f"/sessions/{demo_id}/tree.json").get_json()
    assert first["flags"] == every["flags"][:2]
    assert first["flags_total"] == every["flags_total"]
    page = fac.get(f"/sessions/{demo_id}/tree").get_data(as_text=True)
    assert 'data-more-flags="ほかに {n} 件のヒントがあります' in page
