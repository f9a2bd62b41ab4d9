"""Tests for graph.merge: duplicate candidates across neighbourhood maps, and the merge."""

from __future__ import annotations

import copy

import pytest

from graph.errors import ValidationError
from graph.merge import candidates, merge, read_decisions
from graph.model import build_graph


@pytest.fixture
def sources():
    """Two neighbourhoods that both drew 佐藤さん's house in 1丁目, under different spellings."""
    east = build_graph(
        [
            {"id": "h1", "kind": "household", "label": "佐藤さん宅", "district": "1丁目"},
            {"id": "p1", "kind": "person", "label": "田中 一郎"},
            {"id": "g1", "kind": "group", "label": "老人クラブ"},
            {"id": "h2", "kind": "household", "label": "鈴木さん宅", "district": "1丁目"},
        ],
        [
            {"id": "t1", "source": "p1", "target": "h1", "kind": "snow"},
            {"id": "t2", "source": "p1", "target": "g1", "kind": "member"},
        ],
        title="東",
    )
    west = build_graph(
        [
            {"id": "h1", "kind": "household", "label": "さとうさん宅", "district": "1丁目"},
            {"id": "p9", "kind": "person", "label": "山本"},
            {"id": "g1", "kind": "group", "label": "老人クラブ", "lives_alone": True},
            {"id": "h3", "kind": "household", "label": "鈴木さん宅", "district": "2丁目"},
            {"id": "p1", "kind": "person", "label": "田中 一郎", "age_band": "75-84"},
        ],
        [
            {"id": "t1", "source": "p9", "target": "h1", "kind": "watch"},
            {"id": "t5", "source": "p1", "target": "h1", "kind": "snow"},
            {"id": "t6", "source": "p1", "target": "g1", "kind": "member"},
        ],
        title="西",
    )
    return {"east": east, "west": west}


def test_candidates_across_sources(sources):
    found = candidates(sources)
    pairs = {c.nodes: (c.id, c.labels, c.exact) for c in found}
    sato = pairs[(("east", "h1"), ("west", "h1"))]
    assert sato[1] == ("佐藤さん宅", "さとうさん宅") and sato[2] is False
    assert pairs[(("east", "g1"), ("west", "g1"))][2] is True
    # The same name, but no age band on one side and no district on either: a person decides.
    assert pairs[(("east", "p1"), ("west", "p1"))][2] is False
    # 鈴木さん宅 of 1丁目 and of 2丁目: the same name, so shown, never joined by itself.
    suzuki = pairs[(("east", "h2"), ("west", "h3"))]
    assert suzuki[2] is False
    assert sato[0] == "east:h1=west:h1"
    assert [c.to_dict() for c in candidates(sources)] == [c.to_dict() for c in found]


def test_sato_is_one_candidate(sources):
    sato = [c for c in candidates(sources) if "佐藤さん宅" in c.labels]
    assert len(sato) == 1
    nodes = sato[0].to_dict()["nodes"]
    assert [(n["source"], n["id"], n["label"], n["district"]) for n in nodes] == [
        ("east", "h1", "佐藤さん宅", "1丁目"),
        ("west", "h1", "さとうさん宅", "1丁目"),
    ]
    assert nodes[0]["ties"] == ["snow ← 田中 一郎"]
    assert nodes[1]["ties"] == ["snow ← 田中 一郎", "watch ← 山本"]


def test_auto_merges_exact_matches_only(sources):
    M = merge(sources, "auto", title="町全体", area="茶志内")
    assert M.graph == {"title": "町全体", "area": "茶志内"}
    labels = sorted(label for _, label in M.nodes(data="label"))
    # 佐藤さん宅 and さとうさん宅 stay apart (not exact), so do the two 田中 一郎 (no age band
    # on one side, no district); 老人クラブ is joined.
    assert labels.count("老人クラブ") == 1 and labels.count("田中 一郎") == 2
    assert "佐藤さん宅" in labels and "さとうさん宅" in labels
    assert M.number_of_nodes() == 4 + 5 - 1
    # h1 names two different nodes after the merge: both are prefixed with their source.
    assert {"east-h1", "west-h1"} <= set(M)
    assert M.nodes["g1"]["lives_alone"] is True  # filled in from west


def test_accepted_candidate_joins_nodes_and_ties_follow(sources):
    (sato,) = [c.id for c in candidates(sources) if "佐藤さん宅" in c.labels]
    tanaka = "east:p1=west:p1"
    accepted = {c.id for c in candidates(sources) if c.exact} | {sato, tanaka}
    M = merge(sources, accepted)
    assert M.number_of_nodes() == 4 + 5 - 3
    assert M.nodes["p1"]["age_band"] == "75-84"
    h1 = M.nodes["h1"]
    assert h1["label"] == "佐藤さん宅"
    assert (h1["from_session"], h1["from_id"]) == ("east|west", "h1|h1")
    ties = sorted((u, v, d["kind"]) for u, v, d in M.edges(data=True))
    # east t1 and west t5 (田中 → 佐藤さん宅, snow) collapse; so do the two memberships.
    assert ties == [("p1", "g1", "member"), ("p1", "h1", "snow"), ("p9", "h1", "watch")]
    snow = next(d for u, v, d in M.edges(data=True) if d["kind"] == "snow")
    assert (snow["from_session"], snow["from_id"]) == ("east|west", "t1|t5")
    watch = next(d for u, v, k, d in M.edges(keys=True, data=True) if d["kind"] == "watch")
    assert (watch["from_session"], watch["from_id"]) == ("west", "t1")
    # Tie ids stay unique: west's t1 collides with east's t1.
    assert len(set(k for _, _, k in M.edges(keys=True))) == M.number_of_edges()


def test_every_node_records_where_it_came_from(sources):
    M = merge(sources)
    assert M.number_of_nodes() == 9 and M.number_of_edges() == 5
    for _, attrs in M.nodes(data=True):
        assert attrs["from_session"] in ("east", "west")
        assert attrs["from_id"] in sources[attrs["from_session"]]
    for _, _, attrs in M.edges(data=True):
        assert attrs["from_session"] in ("east", "west") and attrs["from_id"].startswith("t")
    assert "p9" in M and "east-p1" in M and "west-p1" in M


def test_sources_are_never_modified(sources):
    before = copy.deepcopy(sources)
    merge(sources, {c.id for c in candidates(sources) if "鈴木さん宅" not in c.labels})
    for key, G in sources.items():
        assert dict(G.nodes(data=True)) == dict(before[key].nodes(data=True))
        assert list(G.edges(keys=True, data=True)) == list(before[key].edges(keys=True, data=True))
        assert G.graph == before[key].graph


def test_unknown_candidate_is_refused(sources):
    with pytest.raises(ValidationError, match="no candidate c99"):
        merge(sources, {"c99"})


def _person(pid, label, **attrs):
    return {"id": pid, "kind": "person", "label": label, **attrs}


def _town(age, district, home):
    return build_graph(
        [
            _person("p", "佐藤 花子", **({"age_band": age} if age else {})),
            {
                "id": "h",
                "kind": "household",
                "label": home,
                **({"district": district} if district else {}),
            },
        ],
        [{"id": "t", "source": "p", "target": "h", "kind": "lives_in"}],
    )


@pytest.mark.parametrize(
    ("a", "b"),
    [
        (("85+", "", "佐藤さん宅"), ("under-65", "", "佐藤さん宅")),  # the two 佐藤 花子
        (("85+", "1丁目", "佐藤さん宅"), ("under-65", "1丁目", "佐藤さん宅")),
        (("85+", "1丁目", "佐藤さん宅"), ("85+", "2丁目", "佐藤さん宅")),
        (("85+", "1丁目", "佐藤さん宅"), ("85+", "1丁目", "佐藤さん方（北）")),
        (("", "1丁目", "佐藤さん宅"), ("85+", "1丁目", "佐藤さん宅")),
    ],
)
def test_two_people_of_one_name_are_never_joined_by_themselves(a, b):
    sources = {"east": _town(*a), "west": _town(*b)}
    (person,) = [c for c in candidates(sources) if c.kind == "person"]
    assert person.exact is False and person.differences
    M = merge(sources, "auto")
    assert sum(1 for _, k in M.nodes(data="kind") if k == "person") == 2
    assert all(M.nodes[n].get("age_band") in (None, "85+", "under-65") for n in M)


def test_people_who_agree_on_everything_are_joined_by_auto():
    sources = {
        "east": _town("85+", "1丁目", "佐藤さん宅"),
        "west": _town("85+", "1丁目", "佐藤さん宅"),
    }
    (person,) = [c for c in candidates(sources) if c.kind == "person"]
    assert person.exact and person.differences == ()
    M = merge(sources, "auto")
    assert sum(1 for _, k in M.nodes(data="kind") if k == "person") == 1


def test_decisions_are_keyed_by_nodes_and_refuse_stale_ones(sources):
    found = candidates(sources)
    sato = next(c for c in found if "佐藤さん宅" in c.labels)
    doc = {
        "accept": [
            {
                "nodes": [
                    dict(zip(("source", "id"), n, strict=True), label=lab)
                    for n, lab in zip(sato.nodes, sato.labels, strict=True)
                ]
            }
        ]
    }
    d = read_decisions(doc)
    assert d.accept == {sato.id}
    d.check(found)
    # A note added to a source does not move the decision to another pair …
    sources["west"].add_node("h0", kind="household", label="佐藤さん宅", district="1丁目")
    again = candidates(sources)
    d.check(again)
    assert sato.id in {c.id for c in again}
    # … and a renamed node makes it stale.
    sources["west"].nodes["h1"]["label"] = "サトウさん宅"
    with pytest.raises(ValidationError, match="names changed"):
        d.check(candidates(sources))
    with pytest.raises(ValidationError, match="not a candidate"):
        read_decisions({"reject": ["east:h9=west:h1"]}).check(found)


def test_two_nodes_of_one_source_are_never_joined():
    a = build_graph(
        [
            {"id": "x1", "kind": "household", "label": "佐藤"},
            {"id": "x2", "kind": "household", "label": "佐藤さん宅"},
        ],
        [],
    )
    b = build_graph([{"id": "y1", "kind": "household", "label": "さとう"}], [])
    found = candidates({"a": a, "b": b})
    assert len(found) == 2
    M = merge({"a": a, "b": b}, {c.id for c in found})
    assert M.number_of_nodes() == 2


def test_pending_nodes_are_not_candidates_but_are_kept():
    a = build_graph([{"id": "x", "kind": "group", "label": "サロン", "status": "pending"}], [])
    b = build_graph([{"id": "y", "kind": "group", "label": "サロン"}], [])
    assert candidates({"a": a, "b": b}) == []
    assert merge({"a": a, "b": b}, "auto").nodes["x"]["status"] == "pending"


@pytest.mark.parametrize(
    "data", [[], {"accept": "c1"}, {"accept": [1]}, {"accept": ["c1"], "reject": ["c1"]}]
)
def test_bad_decisions(data):
    with pytest.raises(ValidationError):
        read_decisions(data)
