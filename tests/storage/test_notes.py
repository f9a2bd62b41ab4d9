"""Tests for facilitator.storage.notes: participants, notes, approval and phones' own edits."""

from __future__ import annotations

import pytest

from facilitator.storage import MAX_NOTE
from graph.errors import NotFound, ValidationError
from tests.storage.maps import small_map


def test_participant_token_is_stored_only_as_a_hash(session):
    token = session.add_participant("はなこ")
    person = session.participant(token)
    assert person["nickname"] == "はなこ"
    assert session.participant("not a token") is None
    dump = "\n".join(session.db.conn.iterdump())
    assert token not in dump
    assert person["id"] in dump


def test_approve_note_creates_node(session):
    token = session.add_participant()
    who = session.participant(token)["id"]
    note = session.add_note(who, "group", " くりの木サロン　月3回 ", frequency="monthly")
    assert note["status"] == "pending" and note["text"] == "くりの木サロン　月3回"
    assert session.notes("pending") == [note]
    seq = session.last_seq()

    node = session.approve_note(note["id"], "sc", label="くりの木サロン")

    assert session.last_seq() == seq + 1
    assert session.graph().nodes[node] == {
        "kind": "group",
        "label": "くりの木サロン",
        "status": "approved",
        "frequency": "monthly",
    }
    approved = session.note(note["id"])
    assert approved["status"] == "approved" and approved["node_id"] == node
    assert session.db["nodes"].get(node)["note_id"] == note["id"]
    with pytest.raises(ValidationError):
        session.approve_note(note["id"], "sc")
    session.undo("sc")
    assert node not in session.graph()
    assert session.note(note["id"])["status"] == "pending"


def test_hide_and_merge_notes(session):
    ids = small_map(session)
    a = session.add_note("facilitator", "person", "さとうさん")
    b = session.add_note("facilitator", "person", "HTML <b>太字</b>")
    session.merge_note(a["id"], ids["sato"], "sc")
    session.hide_note(b["id"], "sc")
    assert session.note(a["id"])["status"] == "merged"
    assert session.note(a["id"])["node_id"] == ids["sato"]
    assert [n["id"] for n in session.notes("hidden")] == [b["id"]]
    with pytest.raises(NotFound):
        session.merge_note(b["id"], "n404", "sc")


def test_auto_approve_puts_notes_on_the_map(session):
    session.set_meta("sc", auto_approve=True)
    note = session.add_note("facilitator", "place", "福祉会館")
    assert note["status"] == "approved"
    assert session.graph().nodes[note["node_id"]]["label"] == "福祉会館"


@pytest.mark.parametrize("text", ["", "   \n ", "あ" * (MAX_NOTE + 1), None, 42])
def test_note_text_limits(session, text):
    seq = session.last_seq()
    with pytest.raises(ValidationError) as e:
        session.add_note("facilitator", "person", text)
    assert e.value.message("ja") and e.value.message("en")
    assert session.last_seq() == seq and session.notes() == []


def test_note_text_is_nfc_normalised_and_may_fill_the_limit(session):
    decomposed = "か\u3099"  # か + combining dakuten = が
    note = session.add_note("facilitator", "person", decomposed + "あ" * (MAX_NOTE - 1))
    assert note["text"].startswith("が") and len(note["text"]) == MAX_NOTE


def test_note_kind_and_attributes_are_validated(session):
    with pytest.raises(ValidationError):
        session.add_note("facilitator", "tree", "木")
    with pytest.raises(ValidationError):
        session.add_note("facilitator", "person", "佐藤さん", age_band="old")


def test_closed_session_takes_no_notes(session):
    session.set_meta("sc", stage="closed")
    with pytest.raises(ValidationError):
        session.add_note("facilitator", "person", "佐藤さん")


# -- a phone editing and withdrawing its own pending notes ------------------------------


@pytest.fixture
def phones(session):
    """Two participants' ids."""
    return [session.participant(session.add_participant(name))["id"] for name in ("A", "B")]


def test_update_own_pending_note(session, phones):
    me, _ = phones
    note = session.add_note(me, "person", "田中さん", age_band="75-84")
    seq = session.last_seq()
    after = session.update_note(note["id"], me, me, text=" 田中 花子さん ", kind="person")
    assert after["text"] == "田中 花子さん"
    assert session.note(note["id"])["text"] == "田中 花子さん"
    assert session.note(note["id"])["attrs"] == {"age_band": "75-84"}
    event = session.events(after=seq)[0]
    assert event["type"] == "update_note" and event["payload"]["note"] == note["id"]


def test_update_changes_kind_and_drops_attributes(session, phones):
    me, _ = phones
    note = session.add_note(me, "person", "佐藤さん", age_band="85+")
    session.update_note(note["id"], me, me, kind="household", age_band=None, lives_alone=True)
    stored = session.note(note["id"])
    assert stored["kind"] == "household"
    assert stored["attrs"] == {"lives_alone": True}


def test_update_without_change_writes_nothing(session, phones):
    me, _ = phones
    note = session.add_note(me, "place", "福祉会館")
    seq = session.last_seq()
    session.update_note(note["id"], me, me, text="福祉会館")
    assert session.last_seq() == seq


@pytest.mark.parametrize(
    "changes",
    [
        {"text": ""},
        {"text": "   "},
        {"text": "あ" * (MAX_NOTE + 1)},
        {"kind": "spaceship"},
        {"age_band": "teen"},
        {"status": "approved"},
        {"label": "x"},
    ],
)
def test_update_refuses_bad_values(session, phones, changes):
    me, _ = phones
    note = session.add_note(me, "person", "田中さん")
    seq = session.last_seq()
    with pytest.raises(ValidationError):
        session.update_note(note["id"], me, me, **changes)
    assert session.last_seq() == seq
    assert session.note(note["id"]) == note


def test_other_phones_note_is_not_found(session, phones):
    me, other = phones
    note = session.add_note(other, "person", "田中さん")
    with pytest.raises(NotFound):
        session.update_note(note["id"], me, me, text="書き換え")
    with pytest.raises(NotFound):
        session.withdraw_note(note["id"], me, me)
    with pytest.raises(NotFound):
        session.withdraw_note("note999", me, me)
    assert session.note(note["id"])["text"] == "田中さん"


@pytest.mark.parametrize("handle", ["approve", "hide"])
def test_handled_note_is_frozen(session, phones, handle):
    me, _ = phones
    note = session.add_note(me, "person", "田中さん")
    if handle == "approve":
        session.approve_note(note["id"], "sc")
    else:
        session.hide_note(note["id"], "sc")
    with pytest.raises(ValidationError):
        session.update_note(note["id"], me, me, text="書き換え")
    with pytest.raises(ValidationError):
        session.withdraw_note(note["id"], me, me)
    assert session.note(note["id"])["text"] == "田中さん"


def test_closed_session_freezes_notes(session, phones):
    me, _ = phones
    note = session.add_note(me, "person", "田中さん")
    session.set_meta("sc", stage="closed")
    with pytest.raises(ValidationError):
        session.update_note(note["id"], me, me, text="書き換え")
    with pytest.raises(ValidationError):
        session.withdraw_note(note["id"], me, me)


def test_withdraw_removes_the_row_and_logs_it(session, phones):
    me, _ = phones
    note = session.add_note(me, "need", "ゴミ出しが大変", category="errand")
    session.withdraw_note(note["id"], me, me)
    assert session.note(note["id"]) is None
    assert session.notes() == []
    event = session.events(after=session.last_seq() - 1)[0]
    assert event["type"] == "withdraw_note"
    assert event["payload"]["changes"][0]["before"]["text"] == "ゴミ出しが大変"
    # A withdrawal is the phone's own act, not a facilitator edit: undo steps over it.
    with pytest.raises(NotFound):
        session.undo("sc")
    # Replay still equals the current graph.
    assert sorted(session.replay().nodes) == sorted(session.graph().nodes)
