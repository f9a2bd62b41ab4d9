"""A small session graph and the helpers the format tests share."""

from __future__ import annotations

NODES = [
    {"id": "p1", "kind": "person", "label": "佐藤 花子", "age_band": "85+"},
    {"id": "h1", "kind": "household", "label": "鈴木宅, 2丁目", "lives_alone": True},
    {"id": "g1", "kind": "group", "label": '老人クラブ "さくら"'},
]
TIES = [
    {"id": "t1", "source": "p1", "target": "h1", "kind": "snow", "season": "winter_only"},
    {"id": "t2", "source": "p1", "target": "g1", "kind": "member"},
]


def assert_same(G, H):
    assert dict(G.nodes(data=True)) == dict(H.nodes(data=True))
    assert sorted(G.edges(keys=True, data=True), key=str) == sorted(
        H.edges(keys=True, data=True), key=str
    )


def problems_of(excinfo):
    return [(p.where, p.en) for p in excinfo.value.problems]
