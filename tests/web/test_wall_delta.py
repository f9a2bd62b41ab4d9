"""The projector's wall stream brings what the wall gained (wall_groups.delta_html): after
an approved note of a kind already on the wall, only its sticky and its kind's count, made
against the wall of the seq before; anything else (a label changed, a first note of a kind)
the whole wall, as before."""

import re

from tests.web.test_stream_push import SECRET, _approve, _data, _seq

STICKY = re.compile(r'<div class="sticky kind-([a-z_]+)" data-node="([^"]+)">')
GROUP = re.compile(r'<section class="kind-group kind-[a-z_]+" data-kind="([a-z_]+)">')


def _wall(fac, session_id) -> str:
    answer = fac.get(f"/sessions/{session_id}/projector/wall", headers={"HX-Request": "true"})
    assert answer.status_code == 200
    return answer.get_data(as_text=True)


def _pushed(fac, session_id, after) -> str:
    text = fac.get(f"/sessions/{session_id}/stream?once=1&after={after}&wall=1").get_data(
        as_text=True
    )
    return _data(text, "wall")


def _stickies(html: str) -> list[tuple[str, str]]:
    return STICKY.findall(html)


def _by_kind(html: str) -> dict[str, list[str]]:
    groups: dict[str, list[str]] = {}
    for kind, node in _stickies(html):
        groups.setdefault(kind, []).append(node)
    return groups


def _counts(html: str) -> dict[str, int]:
    kinds = GROUP.findall(html)
    badges = [int(n) for n in re.findall(r'<span class="badge">(\d+)</span>', html)]
    return dict(zip(kinds, badges, strict=True))


def test_an_approved_note_brings_only_its_sticky_onto_the_wall_before(fac, store, session_id):
    _approve(fac, store, session_id, "person", "山田 太郎")
    _approve(fac, store, session_id, "group", "朝市の会")
    before = _seq(store, session_id)
    shown = _wall(fac, session_id)  # the projector's wall, at this seq
    assert f'data-seq="{before}"' in shown
    node = _approve(fac, store, session_id, "person", SECRET)
    pushed = _pushed(fac, session_id, before)
    seq = _seq(store, session_id)
    assert pushed.startswith(f'<template data-wall-base="{before}" data-wall-seq="{seq}">')
    assert _stickies(pushed) == [("person", node)]  # nothing else drawn again
    assert SECRET not in pushed  # no name without consent on the room's screen
    # Added to the wall before, it is the wall of the new seq.
    whole = _wall(fac, session_id)
    assert f'data-seq="{seq}"' in whole
    grown = _by_kind(shown)
    grown["person"].append(node)
    assert _by_kind(whole) == grown
    assert re.search(r'data-kind="person" data-count="(\d+)"', pushed)[1] == str(
        _counts(whole)["person"]
    )


def test_a_changed_label_or_a_new_kind_brings_the_whole_wall(fac, store, session_id):
    person = _approve(fac, store, session_id, "person", "山田 太郎")
    before = _seq(store, session_id)
    _wall(fac, session_id)
    _approve(fac, store, session_id, "place", "公民館")  # the first place: no group yet
    pushed = _pushed(fac, session_id, before)
    assert pushed.startswith('<div id="wall"') and "公民館" in pushed
    before = _seq(store, session_id)
    with store.open(session_id) as s:
        s.update_node(person, "facilitator", label="山田 次郎")
    pushed = _pushed(fac, session_id, before)
    assert pushed.startswith('<div id="wall"')
    assert pushed == _wall(fac, session_id)


def test_without_a_wall_made_before_the_whole_wall_comes(fac, store, session_id):
    _approve(fac, store, session_id, "person", "山田 太郎")
    before = _seq(store, session_id)  # no projector asked for the wall at this seq
    _approve(fac, store, session_id, "person", "鈴木 一郎")
    assert _pushed(fac, session_id, before).startswith('<div id="wall"')
