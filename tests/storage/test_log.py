"""Tests for facilitator.storage.log: undo, replay, transactions and concurrent writers."""

from __future__ import annotations

import threading

import pytest

from graph.errors import GraphError, NotFound, ValidationError
from tests.storage.maps import imported, small_map, snapshot


def test_undo_restores_the_previous_state_twice(session):
    ids = small_map(session)
    after_map = snapshot(session.graph())
    session.update_node(ids["sato"], "sc", label="佐藤（訂正）")
    after_update = snapshot(session.graph())
    extra = session.add_tie(ids["sato"], ids["salon"], "role", "sc")

    event = session.undo("sc")
    assert event["type"] == "undo" and event["payload"]["undoes"] == session.last_seq() - 1
    assert snapshot(session.graph()) == after_update
    assert extra not in {k for _, _, k in session.graph().edges(keys=True)}

    session.undo("sc")
    assert snapshot(session.graph()) == after_map


def test_undo_steps_over_participant_events(session):
    ids = small_map(session)
    token = session.add_participant("はなこ")
    session.add_note(session.participant(token)["id"], "place", "移動販売車 水曜")
    session.undo("sc")  # undoes the held_at tie, not the participant's note
    assert ids["held_at"] not in {k for _, _, k in session.graph().edges(keys=True)}
    assert len(session.notes()) == 1


def test_undo_of_nothing_is_a_domain_error(session):
    with pytest.raises(NotFound) as e:
        session.undo("sc")
    assert "取り消せる" in e.value.message("ja")
    assert "nothing to undo" in e.value.message("en")
    session.add_node("person", "佐藤さん", "sc")
    session.undo("sc")
    with pytest.raises(GraphError):
        session.undo("sc")


def test_replay_equals_graph_after_many_operations(session):
    ids = small_map(session)
    session.update_node(ids["salon"], "sc", label="くりの木サロン（月3回）")
    dup = session.add_node("person", "さとう", "sc")
    session.add_tie(dup, ids["salon"], "role", "sc")
    session.merge_nodes(ids["sato"], dup, "sc")
    session.undo("sc")
    session.undo("sc")
    session.import_graph(imported(), "cli")
    token = session.add_participant()
    note = session.add_note(session.participant(token)["id"], "need", "ゴミ出しが大変")
    node = session.approve_note(note["id"], "sc")
    session.add_tie("p1", node, "has_need", "sc")
    session.update_tie(ids["snow"], "sc", status="hidden")
    session.undo("sc")
    session.merge_nodes("p1", ids["sato"], "sc")
    assert snapshot(session.replay()) == snapshot(session.graph())
    # and any earlier point is the graph as it was then
    mid = session.last_seq() - 1
    G = session.replay(upto_seq=mid)
    assert ids["sato"] in G and ids["sato"] not in session.graph()
    assert session.replay(upto_seq=0).number_of_nodes() == 0


def test_concurrent_writers(store, session):
    errors: list[BaseException] = []

    def write(worker: int) -> None:
        try:
            with store.open(session.id) as mine:
                for i in range(50):
                    mine.add_node("person", f"人 {worker}-{i}", f"writer{worker}")
        except BaseException as e:  # reported by the assertion below
            errors.append(e)

    threads = [threading.Thread(target=write, args=(w,)) for w in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    assert errors == []
    assert session.graph().number_of_nodes() == 200
    seqs = [e["seq"] for e in session.events()]
    assert seqs == list(range(1, 202))
    assert len(session.events(after=100, limit=10)) == 10


def test_a_failed_write_leaves_no_transaction_open(session):
    with pytest.raises(ValidationError):
        session.add_tie("n1", "n2", "talk", "sc")
    assert not session.db.conn.in_transaction
    session.add_node("person", "佐藤さん", "sc")
