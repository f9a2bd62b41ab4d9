"""Tests for a phone editing and withdrawing its own pending notes (Session.update_note/withdraw_note)."""

from __future__ import annotations

import pytest

from facilitator.storage import MAX_NOTE, Store
from graph.errors import NotFound, ValidationError


@pytest.fixture
def session(tmp_path):
    with Store(tmp_path).create("茶志内地区 お宝さがし", area="茶志内") as s:
        yield s


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
