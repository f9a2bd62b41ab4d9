"""Tests for facilitator.storage.phones: hide all from a phone, block a phone, undo."""

from __future__ import annotations

import pytest

from graph.errors import Forbidden, NotFound


def _phone(session, name="ゆき"):
    return session.participant(session.add_participant(name))["id"]


def test_hide_everything_a_phone_has_waiting_in_one_event(session):
    flood, calm = _phone(session), _phone(session, "はな")
    for i in range(5):
        session.add_note(flood, "place", f"集会所{i}")
    kept = session.add_note(calm, "place", "神社")
    seq = session.last_seq()
    assert session.hide_phone(flood, "sc") == 5
    assert session.last_seq() == seq + 1
    assert [n["id"] for n in session.notes("pending")] == [kept["id"]]
    assert session.hide_phone(flood, "sc") == 0 and session.last_seq() == seq + 1
    session.undo("sc")
    assert len(session.notes("pending")) == 6


def test_a_blocked_phone_can_send_nothing_until_unblocked(session):
    flood, calm = _phone(session), _phone(session, "はな")
    session.set_meta("sc", stage="ties")
    session.add_note(flood, "place", "集会所")
    session.block_phone(flood, "sc")
    assert session.notes("pending") == [] and session.blocked_phones() == {flood}
    seq = session.last_seq()
    with pytest.raises(Forbidden) as e:
        session.add_note(flood, "place", "また集会所")
    assert "進行役にお声がけください" in e.value.message("ja")
    a = session.add_node("person", "佐藤さん", "sc")
    b = session.add_node("person", "鈴木さん", "sc")
    seq = session.last_seq()
    with pytest.raises(Forbidden):
        session.add_tie(a, b, "talk", flood, status="pending")
    assert session.last_seq() == seq
    session.add_note(calm, "place", "神社")  # other phones are not affected
    session.unblock_phone(flood, "sc")
    session.add_note(flood, "place", "また集会所")
    with pytest.raises(NotFound):
        session.block_phone("nobody", "sc")
