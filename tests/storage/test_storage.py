"""Tests for facilitator.storage: session files, the event log, undo, replay and notes."""

from __future__ import annotations

import sqlite3
import threading

import networkx as nx
import pytest
from sqlite_utils import Database

from facilitator.storage import CODE_ALPHABET, MAX_NOTE, MIGRATIONS, Session, Store
from graph.errors import GraphError, NotFound, ValidationError


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "sessions")


@pytest.fixture
def session(store):
    with store.create("茶志内地区 お宝さがし", area="茶志内") as s:
        yield s


def snapshot(G: nx.MultiDiGraph):
    """Everything about a graph that matters, in a comparable form."""
    return (
        sorted(G.nodes(data=True)),
        sorted(G.edges(keys=True, data=True), key=lambda e: e[2]),
    )


def small_map(s: Session) -> dict[str, str]:
    ids = {
        "sato": s.add_node("person", "佐藤さん", "sc", age_band="75-84", consent="initials"),
        "suzuki": s.add_node("household", "鈴木宅", "sc", lives_alone=True),
        "salon": s.add_node("group", "くりの木サロン", "sc"),
        "hall": s.add_node("place", "福祉会館", "sc"),
    }
    ids["snow"] = s.add_tie(ids["sato"], ids["suzuki"], "snow", "sc", season="winter_only")
    ids["member"] = s.add_tie(ids["sato"], ids["salon"], "member", "sc", frequency="weekly")
    ids["held_at"] = s.add_tie(ids["salon"], ids["hall"], "held_at", "sc")
    return ids


# -- sessions in the data folder -----------------------------------------------------------


def test_create_list_and_find_by_code(store):
    with store.create("A地区", area="A", overload_sole=3) as a, store.create("B地区") as b:
        meta = a.meta()
        assert meta["title"] == "A地区"
        assert meta["stage"] == "notes"
        assert meta["auto_approve"] is False
        assert meta["closed"] is False
        assert meta["settings"] == {
            "overload_households": 5,
            "overload_roles": 3,
            "overload_sole": 3,
        }
        assert len(a.id) == 8 and a.id.isalnum() and a.id.islower()
        assert store.path(a.id) == store.root / f"{a.id}.sqlite"
        code = meta["code"]
        assert len(code) == 6 and set(code) <= set(CODE_ALPHABET)
        assert code != b.meta()["code"]
        a.add_node("person", "佐藤さん", "sc")

    listed = {s["id"]: s for s in store.list()}
    assert set(listed) == {a.id, b.id}
    assert listed[a.id]["nodes"] == 1 and listed[a.id]["ties"] == 0
    assert listed[a.id]["code"] == code
    assert listed[a.id]["last_change"] >= listed[a.id]["created"]
    assert store.find_by_code(code.lower()) == a.id
    assert store.find_by_code(f" {code} ") == a.id
    assert store.find_by_code("ZZZZZZ" if code != "ZZZZZZ" else "YYYYYY") is None


@pytest.mark.parametrize("bad", ["../x", "..", "abc", "ABCDEFGH", "abcdefg/", "a" * 9, ""])
def test_open_refuses_anything_but_a_session_id(store, bad):
    with pytest.raises(NotFound):
        store.open(bad)


def test_open_missing_session_is_not_found_with_both_languages(store):
    with pytest.raises(NotFound) as e:
        store.open("abcd1234")
    assert "見つかりません" in e.value.message("ja")
    assert "no session" in e.value.message("en")


@pytest.mark.parametrize("title", ["", "   ", "x" * 101])
def test_create_validates_title(store, title):
    with pytest.raises(ValidationError):
        store.create(title)
    assert store.list() == []


def test_create_rejects_unknown_setting(store):
    with pytest.raises(ValidationError):
        store.create("A", overload_everything=1)


def test_set_meta(session):
    session.set_meta("sc", stage="ties", auto_approve=True, settings={"overload_roles": 4})
    meta = session.meta()
    assert meta["stage"] == "ties" and meta["auto_approve"] is True
    assert meta["settings"]["overload_roles"] == 4
    assert meta["settings"]["overload_households"] == 5
    session.set_meta("sc", closed=True)
    assert session.meta()["closed"] is True and session.meta()["closed_at"]
    before = session.last_seq()
    for bad in ({"stage": "party"}, {"settings": {"overload_roles": 0}}, {"code": "AAAAAA"}):
        with pytest.raises(ValidationError):
            session.set_meta("sc", **bad)
    assert session.last_seq() == before


# -- the file itself ------------------------------------------------------------------------


def test_wal_and_synchronous_full(session):
    assert session.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    # 2 = FULL
    assert session.db.execute("PRAGMA synchronous").fetchone()[0] == 2
    assert session.db.execute("PRAGMA busy_timeout").fetchone()[0] >= 30_000


def test_migrations_are_recorded(session):
    names = [m.name for m in MIGRATIONS.applied(session.db)]
    assert names == ["m001_initial", "m002_indexes"]
    assert MIGRATIONS.pending(session.db) == []


def test_opening_an_older_file_applies_pending_migrations(store):
    store.root.mkdir(parents=True)
    path = store.path("old00001")
    with Database(path) as db:
        MIGRATIONS.apply(db, stop_before="m002_indexes")
        assert [m.name for m in MIGRATIONS.pending(db)] == ["m002_indexes"]
    with store.open("old00001") as s:
        assert MIGRATIONS.pending(s.db) == []
        assert any(i.columns == ["source"] for i in s.db["ties"].indexes)


def test_reopening_rebuilds_the_same_graph(store, session):
    small_map(session)
    before = snapshot(session.graph())
    session.close()
    with store.open(session.id) as again:
        assert snapshot(again.graph()) == before
    nodes = dict(before[0])
    assert nodes["n2"] == {
        "kind": "person",
        "label": "佐藤さん",
        "status": "approved",
        "age_band": "75-84",
        "consent": "initials",
    }


# -- nodes and ties -------------------------------------------------------------------------


def test_graph_holds_nodes_and_keyed_ties(session):
    ids = small_map(session)
    G = session.graph()
    assert isinstance(G, nx.MultiDiGraph)
    assert G.number_of_nodes() == 4 and G.number_of_edges() == 3
    assert G.edges[ids["sato"], ids["suzuki"], ids["snow"]] == {
        "kind": "snow",
        "status": "approved",
        "season": "winter_only",
    }
    assert G.nodes[ids["suzuki"]]["lives_alone"] is True


@pytest.mark.parametrize(
    "tie",
    [
        ("suzuki", "sato", "lives_in"),  # household -> person is the wrong way round
        ("sato", "hall", "snow"),  # nobody clears snow for a place
        ("sato", "nobody", "talk"),  # missing node
        ("sato", "sato", "talk"),  # self-loop
        ("sato", "suzuki", "hug"),  # unknown kind
    ],
)
def test_invalid_tie_raises_and_writes_nothing(session, tie):
    ids = small_map(session)
    source, target, kind = (ids.get(x, x) for x in tie)
    seq, graph = session.last_seq(), snapshot(session.graph())
    with pytest.raises(ValidationError) as e:
        session.add_tie(source, target, kind, "sc")
    assert e.value.message("ja") and e.value.message("en")
    assert session.last_seq() == seq
    assert snapshot(session.graph()) == graph


def test_invalid_tie_attribute_raises(session):
    ids = small_map(session)
    seq = session.last_seq()
    with pytest.raises(ValidationError):
        session.add_tie(ids["sato"], ids["suzuki"], "ride", "sc", season="monsoon")
    assert session.last_seq() == seq


@pytest.mark.parametrize(
    ("kind", "label", "attrs"),
    [
        ("tree", "x", {}),
        ("person", "", {}),
        ("person", "x" * 501, {}),
        ("person", "x", {"age_band": "100+"}),
        ("person", "x", {"id": "n99"}),
    ],
)
def test_invalid_node_raises_and_writes_nothing(session, kind, label, attrs):
    with pytest.raises(ValidationError):
        session.add_node(kind, label, "sc", **attrs)
    assert session.graph().number_of_nodes() == 0
    assert session.last_seq() == 1  # only the creation event


def test_update_node_and_tie(session):
    ids = small_map(session)
    session.update_node(ids["sato"], "sc", label="佐藤 花子さん", age_band=None, status="hidden")
    session.update_tie(ids["snow"], "sc", kind="watch", frequency="daily")
    G = session.graph()
    assert G.nodes[ids["sato"]] == {
        "kind": "person",
        "label": "佐藤 花子さん",
        "status": "hidden",
        "consent": "initials",
    }
    assert G.edges[ids["sato"], ids["suzuki"], ids["snow"]]["kind"] == "watch"
    assert G.edges[ids["sato"], ids["suzuki"], ids["snow"]]["frequency"] == "daily"


def test_update_node_kind_must_keep_its_ties_allowed(session):
    ids = small_map(session)
    seq = session.last_seq()
    with pytest.raises(ValidationError):
        session.update_node(ids["sato"], "sc", kind="place")
    assert session.last_seq() == seq


def test_update_missing_node_is_not_found(session):
    with pytest.raises(NotFound):
        session.update_node("n404", "sc", label="x")
    with pytest.raises(NotFound):
        session.update_tie("t404", "sc", kind="talk")


# -- undo, merge, import --------------------------------------------------------------------


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


def test_merge_nodes_moves_ties(session):
    ids = small_map(session)
    dup = session.add_node("person", "さとうさん", "sc", district="東")
    talk = session.add_tie(ids["sato"], dup, "talk", "sc")  # becomes a self-loop
    ride = session.add_tie(dup, ids["suzuki"], "ride", "sc")  # moves
    snow = session.add_tie(dup, ids["suzuki"], "snow", "sc")  # repeats sato's snow tie
    role = session.add_tie(dup, ids["salon"], "role", "sc")  # moves
    events = session.last_seq()

    session.merge_nodes(ids["sato"], dup, "sc")

    assert session.last_seq() == events + 1
    G = session.graph()
    assert dup not in G
    keys = {k for _, _, k in G.edges(keys=True)}
    assert talk not in keys and snow not in keys
    assert G.has_edge(ids["sato"], ids["suzuki"], ride)
    assert G.has_edge(ids["sato"], ids["salon"], role)
    assert G.nodes[ids["sato"]]["district"] == "東"
    assert not any(u == v for u, v in G.edges())
    assert snapshot(session.replay()) == snapshot(G)

    session.undo("sc")
    assert dup in session.graph() and session.graph().has_edge(ids["sato"], dup, talk)


def test_merge_nodes_refuses_ties_the_kept_kind_cannot_have(session):
    ids = small_map(session)
    seq = session.last_seq()
    with pytest.raises(ValidationError):
        session.merge_nodes(ids["hall"], ids["sato"], "sc")  # a place cannot clear snow
    with pytest.raises(ValidationError):
        session.merge_nodes(ids["sato"], ids["sato"], "sc")
    assert session.last_seq() == seq


def imported() -> nx.MultiDiGraph:
    G = nx.MultiDiGraph()
    G.add_node("p1", kind="person", label="田中さん", age_band="85+")
    G.add_node("h1", kind="household", label="田中宅", elderly_only=True, status="pending")
    G.add_edge("p1", "h1", key="imp1", kind="lives_in")
    G.add_edge("p1", "h1", kind="kin")  # integer key 0: gets a new id
    return G


def test_import_graph_keeps_ids_in_one_event(session):
    seq = session.last_seq()
    session.import_graph(imported(), "cli")
    assert session.last_seq() == seq + 1
    G = session.graph()
    assert G.nodes["h1"]["status"] == "pending" and G.nodes["h1"]["elderly_only"] is True
    assert G.has_edge("p1", "h1", "imp1")
    kinds = sorted(kind for _, _, kind in G.edges(data="kind"))
    assert kinds == ["kin", "lives_in"]
    new = session.add_node("person", "新しい人", "sc")
    assert new not in {"p1", "h1"}


def test_import_of_an_invalid_graph_writes_nothing(session):
    G = imported()
    G.add_node("x1", kind="tree", label="木")
    G.add_edge("h1", "p1", key="bad", kind="lives_in")
    seq = session.last_seq()
    with pytest.raises(ValidationError) as e:
        session.import_graph(G, "cli")
    assert len(e.value.problems) == 2
    assert session.last_seq() == seq
    assert session.graph().number_of_nodes() == 0


def test_import_refuses_existing_ids(session):
    session.import_graph(imported(), "cli")
    seq = session.last_seq()
    with pytest.raises(ValidationError, match="already exists"):
        session.import_graph(imported(), "cli")
    assert session.last_seq() == seq


def test_new_ids_never_collide_with_imported_ones(session):
    G = nx.MultiDiGraph()
    G.add_node("n2", kind="person", label="取り込み済み")
    session.import_graph(G, "cli")  # seq 2
    node = session.add_node("person", "次の人", "sc")  # would be n3
    assert node == "n3"
    G = nx.MultiDiGraph()
    G.add_node("n5", kind="person", label="先回り")
    session.import_graph(G, "cli")  # seq 4
    assert session.add_node("person", "さらに次", "sc") == "n5_2"


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


# -- participants and notes -----------------------------------------------------------------


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


# -- concurrency ----------------------------------------------------------------------------


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


def test_session_connection_is_closed(store, session):
    session.close()
    with pytest.raises(sqlite3.ProgrammingError):
        session.db.execute("SELECT 1")
