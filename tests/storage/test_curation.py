"""Tests for facilitator.storage.curation: corrections after approval, each one undoable event."""

from __future__ import annotations

import pytest

from graph.errors import NotFound, ValidationError
from tests.storage.maps import small_map, snapshot


def test_edit_node_changes_label_kind_and_consent_in_one_event(session):
    ids = small_map(session)
    seq = session.last_seq()
    row = session.edit_node(ids["sato"], "sc", label="佐藤 花子", consent="named", district="東")
    assert row["label"] == "佐藤 花子" and row["attrs"]["consent"] == "named"
    assert session.last_seq() == seq + 1
    session.edit_node(ids["salon"], "sc", kind="activity")  # member + held_at still allowed
    assert session.graph().nodes[ids["salon"]]["kind"] == "activity"
    session.edit_node(ids["sato"], "sc", age_band=None)
    assert "age_band" not in session.graph().nodes[ids["sato"]]


@pytest.mark.parametrize(
    "changes",
    [
        {"kind": "tree"},
        {"kind": "place"},  # the person's snow and member ties forbid it
        {"consent": "yes"},
        {"colour": "red"},
        {"status": "pending"},
        {"label": ""},
    ],
)
def test_bad_node_edits_change_nothing(session, changes):
    ids = small_map(session)
    seq, before = session.last_seq(), snapshot(session.graph())
    with pytest.raises(ValidationError):
        session.edit_node(ids["sato"], "sc", **changes)
    assert session.last_seq() == seq and snapshot(session.graph()) == before


def test_unknown_ids_are_not_found(session):
    small_map(session)
    for call in (
        lambda: session.edit_node("n404", "sc", label="x"),
        lambda: session.remove_node("n404", "sc"),
        lambda: session.edit_tie("t404", "sc", kind="talk"),
        lambda: session.remove_tie("t404", "sc"),
    ):
        with pytest.raises(NotFound):
            call()


def test_remove_node_takes_its_ties_and_undo_brings_them_back(session):
    ids = small_map(session)
    session.move_node(ids["sato"], 10, 20, "sc")
    before = snapshot(session.graph())
    session.remove_node(ids["sato"], "sc")
    G = session.graph()
    assert ids["sato"] not in G and G.number_of_edges() == 1  # only held_at is left
    assert session.positions() == {}
    assert session.events()[-1]["type"] == "remove_node"
    undone = session.undo("sc")
    assert undone["payload"]["undone_type"] == "remove_node"
    assert snapshot(session.graph()) == before
    assert session.positions() == {ids["sato"]: (10.0, 20.0)}


def test_removing_a_node_hides_the_note_that_made_it(session):
    token = session.add_participant("ゆき")
    phone = session.participant(token)["id"]
    note = session.add_note(phone, "person", "わたなべさん")
    node = session.approve_note(note["id"], "sc")
    session.remove_node(node, "sc")
    assert session.note(note["id"])["status"] == "hidden"


def test_merge_two_spellings_reconciles_attributes_with_a_choice(session):
    a = session.add_node("person", "わたなべさん", "sc", age_band="75-84", district="東")
    b = session.add_node("person", "渡辺さん", "sc", age_band="85+", consent="named")
    h = session.add_node("household", "渡辺さん宅", "sc")
    session.add_tie(b, h, "lives_in", "sc")
    assert session.merge_conflicts(a, b) == {
        "label": ("わたなべさん", "渡辺さん"),
        "age_band": ("75-84", "85+"),
    }
    row = session.merge_nodes(a, b, "sc", label="渡辺さん", age_band="85+")
    assert row["label"] == "渡辺さん"
    assert row["attrs"] == {"age_band": "85+", "district": "東", "consent": "named"}
    G = session.graph()
    assert b not in G and G.has_edge(a, h)
    session.undo("sc")
    assert session.graph().nodes[a]["label"] == "わたなべさん" and b in session.graph()


def test_merge_without_a_choice_keeps_the_kept_nodes_values(session):
    a = session.add_node("person", "わたなべさん", "sc", age_band="75-84")
    b = session.add_node("person", "渡辺さん", "sc", age_band="85+")
    row = session.merge_nodes(a, b, "sc")
    assert row["label"] == "わたなべさん" and row["attrs"]["age_band"] == "75-84"


def test_a_person_and_a_household_are_not_merged_but_offered_lives_in(session):
    p = session.add_node("person", "さとうさん", "sc")
    h = session.add_node("household", "佐藤さん宅", "sc")
    seq = session.last_seq()
    with pytest.raises(ValidationError) as e:
        session.merge_nodes(p, h, "sc")
    assert "同居" in e.value.message("ja")
    with pytest.raises(ValidationError) as e:
        session.merge_nodes(p, session.add_node("group", "老人クラブ", "sc"), "sc")
    assert "種類の違う" in e.value.message("ja")
    assert session.last_seq() == seq + 1  # only the group was added
    with pytest.raises(ValidationError):
        session.merge_nodes(p, h, "sc", colour="red")


def test_edit_and_remove_ties(session):
    ids = small_map(session)
    row = session.edit_tie(ids["snow"], "sc", frequency="weekly", origin="hearsay")
    assert row["attrs"] == {"season": "winter_only", "frequency": "weekly", "origin": "hearsay"}
    session.edit_tie(ids["snow"], "sc", kind="watch", season=None)
    assert session.graph().edges[ids["sato"], ids["suzuki"], ids["snow"]]["kind"] == "watch"
    for bad in ({"kind": "held_at"}, {"frequency": "hourly"}, {"source": ids["hall"]}):
        with pytest.raises(ValidationError):
            session.edit_tie(ids["snow"], "sc", **bad)
    session.remove_tie(ids["snow"], "sc")
    assert not session.graph().has_edge(ids["sato"], ids["suzuki"])


def test_undo_steps_back_through_history_over_the_phones_notes(session):
    ids = small_map(session)
    start = snapshot(session.graph())
    session.edit_node(ids["sato"], "sc", consent="named")
    token = session.add_participant("ゆき")
    session.add_note(session.participant(token)["id"], "place", "集会所")  # not undoable
    session.remove_tie(ids["member"], "sc")
    session.remove_node(ids["hall"], "sc")
    steps = [session.undo("sc")["payload"]["undone_type"] for _ in range(3)]
    assert steps == ["remove_node", "remove_tie", "update_node"]
    assert snapshot(session.graph()) == start
    assert [e["type"] for e in session.events()[-3:]] == ["undo"] * 3


@pytest.mark.parametrize("source", ["activity", "group"])
@pytest.mark.parametrize("kind", ["watch", "snow", "ride", "errand", "share"])
def test_activities_and_groups_give_support_to_households_and_persons(session, source, kind):
    team = session.add_node(source, "雪かき隊", "sc")
    for target in ("household", "person"):
        other = session.add_node(target, "佐藤さん宅", "sc")
        tie = session.add_tie(team, other, kind, "sc", season="winter_only", frequency="weekly")
        assert session.graph().edges[team, other, tie]["season"] == "winter_only"
