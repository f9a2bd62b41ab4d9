"""What changed between two sessions, or one session at two points."""

import json

from facilitator.storage import Store

from .helpers import names_in


def test_compare_summarises_the_change_without_names(fac, demo_id, older_id):
    r = fac.get("/archive/compare", query_string={"a": older_id, "b": demo_id})
    text = r.get_data(as_text=True)
    assert r.status_code == 200
    summary = text.split('<textarea id="summary" readonly')[1].split("</textarea>")[0]
    assert "つながりが1本増え" in summary
    assert "つながり要確認の世帯は4世帯から3世帯に減りました" in summary
    assert "つながり要確認ではなくなった世帯" in text
    assert not names_in(text.encode())
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


def test_compare_tree_without_names_is_labelled_like_a_pseudonymised_export(fac, app):
    store = Store(app.config["DATA"])
    with store.create("北町 前", area="北町") as a:
        a.add_node("group", "老人クラブ", "facilitator")
        ida = a.id
    with store.create("北町 今", area="北町") as b:
        p = b.add_node("person", "佐藤 ウメ", "facilitator")
        h = b.add_node("household", "佐藤さん宅", "facilitator")
        b.add_tie(p, h, "lives_in", "facilitator")
        b.add_node("place", "佐藤ウメさん宅前のゴミ集積所", "facilitator")
        b.add_node("group", "老人クラブ", "facilitator")
        idb = b.id
        ids = b.pseudonyms()
    r = fac.get(
        "/archive/compare/tree.json", query_string={"a": ida, "b": idb, "view": "projector"}
    )
    text = json.dumps(r.get_json(), ensure_ascii=False)
    labels = {n["id"]: n["label"] for n in r.get_json()["nodes"]}
    assert labels[h] == ids[h] and labels[p] == ids[p]
    assert any(label.startswith("ゴミ集積所（場所-") for label in labels.values())
    assert "佐藤" not in text and "ウメ" not in text
