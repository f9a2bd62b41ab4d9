"""Tests for graph.formats.nodelink: node-link data and JSON files, and their problems."""

from __future__ import annotations

import json

import pytest

from graph.errors import ValidationError
from graph.io import from_node_link, read_graph, to_node_link
from tests.graph.formats.samples import assert_same, problems_of


def test_node_link_integer_keys_get_fresh_ids():
    H = from_node_link(
        {
            "nodes": [
                {"id": 1, "kind": "person", "label": "a"},
                {"id": 2, "kind": "person", "label": "b"},
            ],
            "edges": [{"source": 1, "target": 2, "kind": "talk", "key": 0}],
        }
    )
    # No tie id in the file: NetworkX's integer key, for the session to give a fresh id.
    assert list(H.edges(keys=True)) == [("1", "2", 0)]


def test_node_link_uses_edges_and_key(G):
    data = to_node_link(G)
    assert "edges" in data and "links" not in data
    assert {e["key"] for e in data["edges"]} == {"t1", "t2"}
    assert_same(G, from_node_link(json.loads(json.dumps(data))))


def test_node_link_accepts_links_and_id():
    H = from_node_link(
        {
            "nodes": [
                {"id": "p1", "kind": "person", "label": "a"},
                {"id": "p2", "kind": "person", "label": "b"},
            ],
            "links": [{"source": "p1", "target": "p2", "kind": "talk", "id": "x"}],
        }
    )
    assert list(H.edges(keys=True)) == [("p1", "p2", "x")]


def test_node_link_keeps_graph_attributes(G):
    G.graph["name"] = "2丁目"
    assert from_node_link(to_node_link(G)).graph == {"name": "2丁目"}


def test_unknown_kind_in_json(tmp_path):
    path = tmp_path / "m.json"
    path.write_text(
        json.dumps({"nodes": [{"id": "a", "kind": "tree", "label": "x"}], "edges": []}),
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as excinfo:
        read_graph(path)
    assert problems_of(excinfo) == [("m.json nodes[0]", "unknown kind 'tree'")]


@pytest.mark.parametrize(
    ("text", "where", "en"),
    [
        ('{"nodes": [}', "m.json line 1 col 12", "not valid JSON"),
        ("[1, 2]", "m.json", "wrong shape"),
        ('{"nodes": {}}', "m.json nodes", "wrong shape"),
        ('{"nodes": [], "edges": [3]}', "m.json edges[0]", "wrong shape"),
        ('{"nodes": [{"id": [1], "kind": "person", "label": "a"}]}', "m.json nodes[0]", "id"),
    ],
)
def test_bad_json(tmp_path, text, where, en):
    path = tmp_path / "m.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ValidationError) as excinfo:
        read_graph(path)
    assert any(w == where and en in e for w, e in problems_of(excinfo)), problems_of(excinfo)
