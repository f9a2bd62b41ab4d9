"""Room labels: unique in the session, and never a name the facilitator has not consented."""

from __future__ import annotations

import random
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from graph.demo import demo_graph
from graph.model import build_graph
from graph.privacy import ANONYMOUS, room_labels, shared_label

SURNAMES = ["田中", "高橋", "田村", "佐藤", "鈴木", "斎藤", "佐々木", "高田", "竹内", "谷口"]
GIVEN = ["花子", "ひろし", "はるか", "久子", "博", "秀樹", "はな", "浩二", "裕子", "浩"]
DISTRICTS = ["1丁目", "2丁目", "坂の上", "川沿い", None, "駅前", "山側"]
#: Districts a phone might type that must never reach a shared screen.
NOT_PLACES = [
    "佐藤さんの隣",
    "一人暮らし",
    "田中様方",
    "85歳",
    "ずっと遠くのほうの大きな家の近く",
    "高橋花子の家",
    "鈴木の隣",
]


def _graph(seed: int, n: int = 200):
    """A session of ``n`` nodes with many repeated surnames and initials."""
    rng = random.Random(seed)
    nodes, ties = [], []
    households = []
    for i in range(n // 4):
        surname = rng.choice(SURNAMES)
        hid = f"h{i}"
        households.append((hid, surname))
        district = rng.choice(DISTRICTS + NOT_PLACES[:2])
        node = {"id": hid, "kind": "household", "label": f"{surname}さん宅"}
        if district:
            node["district"] = district
        if rng.random() < 0.3:
            node["lives_alone"] = True
        nodes.append(node)
    for i in range(n - len(households) - 6):
        hid, surname = rng.choice(households)
        if rng.random() < 0.2:  # someone of another family lives there too
            surname = rng.choice(SURNAMES)
        consent = rng.choice([None, None, "initials", "anonymous", "named"])
        node = {"id": f"p{i}", "kind": "person", "label": f"{surname} {rng.choice(GIVEN)}"}
        if consent:
            node["consent"] = consent
        if rng.random() < 0.2:
            node["district"] = rng.choice(DISTRICTS[:-1] + NOT_PLACES)
        elif rng.random() < 0.1:  # where they live, by their own name
            node["district"] = node["label"].replace(" ", "") + "の所"
        nodes.append(node)
        ties.append({"source": node["id"], "target": hid, "kind": "lives_in"})
    for i, (kind, label) in enumerate(
        [("group", "サロン"), ("group", "サロン"), ("place", "福祉会館")]
        + [("need", "ゴミ出しが大変"), ("need", "ゴミ出しが大変"), ("idea", "雪かき当番")]
    ):
        nodes.append({"id": f"o{i}", "kind": kind, "label": label})
    return build_graph(nodes, ties)


def _names_hidden(G, labels) -> list[str]:
    """The labels that show a name (or a non-place district) without consent."""
    leaks = []
    for node, label in labels.items():
        attrs = G.nodes[node]
        if attrs["kind"] not in ("person", "household") or attrs.get("consent") == "named":
            continue
        name = attrs["label"].replace("さん宅", "")
        words = name.split()
        if any(w in label for w in words) or any(bad in label for bad in NOT_PLACES):
            leaks.append(label)
        if any(ch in label for ch in "".join(words)):
            leaks.append(label)
    return leaks


@pytest.mark.parametrize("seed", range(8))
def test_room_labels_are_unique_and_name_nobody_without_consent(seed):
    G = _graph(seed)
    labels = room_labels(G)
    assert set(labels) == set(G), "every visible node has a room label"
    assert len(set(labels.values())) == len(labels), "two nodes share a label"
    assert not _names_hidden(G, labels)
    for node, label in labels.items():
        attrs = G.nodes[node]
        if attrs.get("consent") == "named" or attrs["kind"] not in ("person", "household"):
            assert label.startswith(attrs["label"]), (attrs, label)
        assert "一人" not in label and "暮らし" not in label


def test_same_initials_are_told_apart_by_district_then_by_number():
    G = build_graph(
        [
            {"id": "p1", "kind": "person", "label": "田中 花子", "district": "川沿い"},
            {"id": "p2", "kind": "person", "label": "高橋 ひろし", "district": "坂の上"},
            {"id": "p3", "kind": "person", "label": "竹内 はるか", "district": "坂の上"},
            {"id": "p4", "kind": "person", "label": "田村 秀樹"},
            {"id": "h1", "kind": "household", "label": "鈴木さん宅", "district": "佐藤さんの隣"},
            {"id": "h2", "kind": "household", "label": "斎藤さん宅"},
        ],
        [],
    )
    labels = room_labels(G)
    assert labels["p1"] == "T.H.（川沿い）"
    assert labels["p2"] == "T.H.（坂の上）"
    assert labels["p3"] == "T.H.（坂の上）②"
    assert labels["p4"] == "T.H."
    # A district that names someone is never shown; a number tells the two houses apart.
    assert labels["h1"] == "S.宅" and labels["h2"] == "S.宅②"


def test_names_that_only_differ_in_spaces_width_or_case_are_told_apart():
    """「佐藤 花子」 and 「佐藤　花子」 (a full-width space) look the same on a phone."""
    named = [
        "佐藤 花子",
        "佐藤\u3000花子",
        "佐藤花子",
        "SATO HANAKO",
        "ＳＡＴＯ　ＨＡＮＡＫＯ",
        "sato hanako",
    ]
    G = build_graph(
        [
            {"id": f"p{i}", "kind": "person", "label": label, "consent": "named"}
            for i, label in enumerate(named)
        ]
        + [
            {"id": "g1", "kind": "group", "label": "サロン"},
            {"id": "g2", "kind": "group", "label": "ｻﾛﾝ"},
        ],
        [],
    )
    labels = room_labels(G)
    looks = {"".join(unicodedata.normalize("NFKC", v).casefold().split()) for v in labels.values()}
    assert len(looks) == len(labels), labels
    assert labels["p0"] == "佐藤 花子" and labels["p1"] == "佐藤\u3000花子②"
    assert labels["g1"] == "サロン" and labels["g2"] == "ｻﾛﾝ②"


def test_a_person_takes_the_district_of_their_household():
    G = build_graph(
        [
            {"id": "h1", "kind": "household", "label": "田中さん宅", "district": "川沿い"},
            {"id": "p1", "kind": "person", "label": "田中 花子"},
            {"id": "p2", "kind": "person", "label": "高橋 ひろし"},
        ],
        [{"source": "p1", "target": "h1", "kind": "lives_in"}],
    )
    labels = room_labels(G)
    assert labels["p1"] == "T.H.（川沿い）" and labels["p2"] == "T.H."


def test_anonymous_persons_are_numbered_and_pending_nodes_have_no_label():
    G = build_graph(
        [
            {"id": f"p{i}", "kind": "person", "label": f"山田 {i}", "consent": "anonymous"}
            for i in range(25)
        ]
        + [{"id": "x", "kind": "person", "label": "秘密 太郎", "status": "pending"}],
        [],
    )
    labels = room_labels(G)
    assert "x" not in labels
    assert labels["p0"] == ANONYMOUS and labels["p1"] == ANONYMOUS + "②"
    assert labels["p24"] == ANONYMOUS + "(25)"
    assert len(set(labels.values())) == 25


def test_a_name_that_looks_like_a_number_does_not_collide():
    G = build_graph(
        [
            {"id": "p1", "kind": "person", "label": "佐藤 花子"},
            {"id": "p2", "kind": "person", "label": "S.H.②", "consent": "named"},
            {"id": "p3", "kind": "person", "label": "鈴木 浩"},
        ],
        [],
    )
    labels = room_labels(G)
    assert len(set(labels.values())) == 3 and labels["p2"] == "S.H.②"


def test_households_all_read_alike_whether_or_not_someone_lives_alone():
    alone = shared_label({"kind": "household", "label": "大野さん宅", "lives_alone": True})
    family = shared_label({"kind": "household", "label": "大野さん宅"})
    assert alone == family == "O.宅"
    assert shared_label({"kind": "household", "label": "大野さん宅", "consent": "named"}) == (
        "大野さん宅"
    )


def test_the_demo_has_one_label_per_node():
    G = demo_graph()
    labels = room_labels(G)
    assert len(set(labels.values())) == len(labels) == G.number_of_nodes()
    assert not _names_hidden(G, labels)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["person", "household", "group"]),
            st.sampled_from(SURNAMES),
            st.sampled_from(GIVEN),
            st.sampled_from([None, "initials", "anonymous", "named"]),
            st.sampled_from(DISTRICTS + NOT_PLACES),
        ),
        max_size=60,
    )
)
def test_room_labels_are_always_unique(rows):
    nodes = []
    for i, (kind, surname, first, consent, district) in enumerate(rows):
        label = f"{surname}さん宅" if kind == "household" else f"{surname} {first}"
        node = {"id": f"n{i}", "kind": kind, "label": label}
        if consent and kind != "group":
            node["consent"] = consent
        if district:
            node["district"] = district
        nodes.append(node)
    G = build_graph(nodes, [])
    labels = room_labels(G)
    assert len(set(labels.values())) == len(labels) == len(nodes)
    assert not _names_hidden(G, labels)
