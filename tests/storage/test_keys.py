"""Tests for facilitator.storage.keys: a retried note or tie is answered, never written twice."""

from __future__ import annotations

import threading

import pytest
from sqlite_utils import Database

from facilitator.storage import MIGRATIONS
from graph.errors import ValidationError
from tests.storage.maps import small_map


@pytest.fixture
def phone(session):
    """The participant id of a phone that joined."""
    return session.participant(session.add_participant("はな"))["id"]


def test_a_repeated_key_answers_the_original_note(session, phone):
    first = session.add_note(phone, "place", "福祉会館", client_key="k-1")
    seq = session.last_seq()
    again = session.add_note(phone, "place", "福祉会館", client_key="k-1")
    assert again == {**first, "repeat": True}, "the original, marked as a repeat"
    assert "repeat" not in first
    assert session.last_seq() == seq, "a repeat must write nothing"
    assert [n["id"] for n in session.notes()] == [first["id"]]


def test_the_repeat_shows_the_note_as_it_is_now(session, phone):
    note = session.add_note(phone, "place", "福祉会館", client_key="k-1")
    node = session.approve_note(note["id"], "sc")
    again = session.add_note(phone, "place", "福祉会館", client_key="k-1")
    assert again["id"] == note["id"]
    assert again["status"] == "approved" and again["node_id"] == node


def test_keys_are_per_phone(session, phone):
    other = session.participant(session.add_participant())["id"]
    mine = session.add_note(phone, "place", "福祉会館", client_key="same")
    theirs = session.add_note(other, "place", "福祉会館", client_key="same")
    assert mine["id"] != theirs["id"]
    assert len(session.notes()) == 2


def test_notes_without_a_key_are_never_merged(session, phone):
    session.add_note(phone, "place", "福祉会館")
    session.add_note(phone, "place", "福祉会館")
    assert len(session.notes()) == 2


def test_a_refused_note_does_not_spend_its_key(session, phone):
    with pytest.raises(ValidationError):
        session.add_note(phone, "place", "", client_key="k-1")
    note = session.add_note(phone, "place", "福祉会館", client_key="k-1")
    assert session.notes() == [note]


def test_a_note_taken_back_keeps_its_key_spent(session, phone):
    note = session.add_note(phone, "place", "福祉会館", client_key="k-1")
    session.withdraw_note(note["id"], phone, phone)
    again = session.add_note(phone, "place", "福祉会館", client_key="k-1")
    assert again["id"] == note["id"] and again["status"] == "withdrawn"
    assert session.notes() == []


@pytest.mark.parametrize("key", ["a b", "x" * 101, "ノート", "a/b", 7])
def test_bad_keys_are_refused(session, phone, key):
    with pytest.raises(ValidationError) as e:
        session.add_note(phone, "place", "福祉会館", client_key=key)
    assert e.value.problems[0].where == "idempotency_key"
    assert session.notes() == []


def test_a_repeated_key_answers_the_original_tie(session, phone):
    ids = small_map(session)
    ties = session.graph().number_of_edges()
    first = session.add_tie(ids["sato"], ids["salon"], "member", phone, "pending", client_key="t")
    again = session.add_tie(ids["sato"], ids["salon"], "member", phone, "pending", client_key="t")
    assert again == first
    assert session.graph().number_of_edges() == ties + 1


def test_undoing_a_keyed_tie_frees_its_key(session):
    ids = small_map(session)
    tie = session.add_tie(ids["sato"], ids["salon"], "role", "facilitator", client_key="r")
    session.undo("sc")
    assert tie not in {k for _, _, k in session.graph().edges(keys=True)}
    again = session.add_tie(ids["sato"], ids["salon"], "role", "facilitator", client_key="r")
    assert again in {k for _, _, k in session.graph().edges(keys=True)}


def test_two_connections_sending_the_same_key_make_one_note(store, session, phone):
    """Two requests of one phone racing (a retry while the first is still on its way)."""
    results, errors = [], []
    barrier = threading.Barrier(4)

    def send():
        with store.open(session.id) as s:
            barrier.wait()
            try:
                results.append(s.add_note(phone, "place", "福祉会館", client_key="race")["id"])
            except Exception as e:  # noqa: BLE001 - reported below
                errors.append(e)

    threads = [threading.Thread(target=send) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(set(results)) == 1
    assert len(session.notes()) == 1


def test_an_older_file_gets_the_key_table(store):
    store.root.mkdir(parents=True)
    with Database(store.path("old00002")) as db:
        MIGRATIONS.apply(db, stop_before="m003_client_keys")
        assert "client_keys" not in db.table_names()
    with store.open("old00002") as s:
        assert "client_keys" in s.db.table_names()
        assert MIGRATIONS.pending(s.db) == []
