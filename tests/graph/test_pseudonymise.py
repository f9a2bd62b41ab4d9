"""Tests for graph.privacy.pseudonymise: exports that name no resident."""

from __future__ import annotations

import io
import zipfile

import pytest

from graph.analysis import flags
from graph.demo import demo_graph
from graph.io import FORMATS, read_graph, write_graph
from graph.model import build_graph
from graph.privacy import PRIVATE_KINDS, pseudonymise


@pytest.fixture(scope="module")
def demo():
    return demo_graph()


def private_words(G) -> set[str]:
    """Every person and household label, and each family name alone (「佐藤さん宅」 → 「佐藤」)."""
    words = set()
    for _, attrs in G.nodes(data=True):
        if attrs["kind"] in ("person", "household"):
            label = attrs["label"]
            words.add(label)
            words.add(label.removesuffix("宅").removesuffix("さん"))
            words.update(w for w in label.split() if len(w) > 1)  # 「実」 is in 「実行委員会」
    return words


def written_bytes(paths) -> bytes:
    """The bytes of every written file, and of the members of any zip among them."""
    out = b""
    for path in paths:
        data = path.read_bytes()
        out += data
        if path.suffix == ".zip":
            with zipfile.ZipFile(io.BytesIO(data)) as zf:
                out += b"".join(zf.read(name) for name in zf.namelist())
    return out


def test_ids_and_labels_are_pseudonyms(demo):
    P = pseudonymise(demo)
    assert P.number_of_nodes() == demo.number_of_nodes()
    assert P.number_of_edges() == demo.number_of_edges()
    assert P.nodes["世帯-001"]["label"] == "世帯-001"  # h01, the first household id
    assert P.nodes["世帯-001"]["district"] == "1丁目"
    assert "人-080" in P and "困りごと-007" in P and "案-004" in P
    assert P.nodes["団体-003"]["label"] == "くりの木サロン"  # public resources keep labels
    keys = [k for _, _, k in P.edges(keys=True)]
    assert len(set(keys)) == len(keys)
    assert all(k.startswith(f"{u}.{v}.") for u, v, k in P.edges(keys=True))
    assert P.graph == {"title": demo.graph["title"], "area": demo.graph["area"]}


def test_anonymous_people_stay_anonymous(demo):
    P = pseudonymise(demo)
    assert demo.nodes["p006"]["consent"] == "anonymous"
    assert P.nodes["人-006"]["label"] == "匿名"
    assert P.nodes["人-001"]["label"] == "人-001"


def test_same_graph_same_pseudonyms(demo):
    assert list(pseudonymise(demo).nodes(data=True)) == list(
        pseudonymise(demo_graph()).nodes(data=True)
    )


def test_free_text_and_provenance_are_dropped():
    G = build_graph(
        [
            {
                "id": "佐藤",
                "kind": "person",
                "label": "佐藤",
                "note": "認知症かも",
                "from_id": "x",
            },
            {"id": "h", "kind": "household", "label": "鈴木宅", "text": "鈴木さんの話"},
        ],
        [{"id": "佐藤→h", "source": "佐藤", "target": "h", "kind": "watch", "memo": "毎朝"}],
        session="abcd1234",
        title="茶志内",
    )
    P = pseudonymise(G)
    assert dict(P.nodes(data=True)) == {
        "人-001": {"kind": "person", "label": "人-001"},
        "世帯-001": {"kind": "household", "label": "世帯-001"},
    }
    assert list(P.edges(keys=True, data=True)) == [
        ("人-001", "世帯-001", "人-001.世帯-001.watch", {"kind": "watch"})
    ]
    assert P.graph == {"title": "茶志内"}
    assert G.nodes["佐藤"]["note"] == "認知症かも"  # the source is untouched


def test_flags_are_the_same_under_pseudonyms(demo):
    def shape(G):
        return sorted((f.flag, G.nodes[f.node]["kind"] if f.node else None) for f in flags(G))

    assert shape(pseudonymise(demo)) == shape(demo)


@pytest.mark.parametrize("fmt", FORMATS)
def test_no_private_label_in_any_export_format(demo, tmp_path, fmt):
    target = tmp_path / {"csv": "m.zip", "json": "m.json"}.get(fmt, f"m.{fmt}")
    paths = write_graph(pseudonymise(demo), target, fmt)
    data = written_bytes(paths)
    assert "世帯-001".encode() in data
    words = private_words(demo)
    assert "佐藤" in words and "佐藤 正雄" in words
    leaked = sorted(w for w in words if w.encode("utf-8") in data)
    assert leaked == []
    read_graph(paths[0])  # still a valid map


def test_private_kinds():
    assert PRIVATE_KINDS == {"person", "household", "need", "idea"}
