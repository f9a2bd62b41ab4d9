"""Tests for facilitator.storage.store: creating, opening, listing sessions, join codes."""

from __future__ import annotations

import pytest

from facilitator.storage import CODE_ALPHABET
from graph.errors import NotFound, ValidationError


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
