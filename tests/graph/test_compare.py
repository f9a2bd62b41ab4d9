"""Tests for graph.compare: what changed between two session graphs, and the summary."""

from __future__ import annotations

import json

import pytest

from graph.compare import diff, match_nodes, summary
from graph.demo import demo_graph
from graph.model import build_graph, graph_records


@pytest.fixture(scope="module")
def demo():
    return demo_graph()


def with_tie(G, source, target, kind, key="t_new"):
    H = G.copy()
    H.add_edge(source, target, key=key, kind=kind)
    return H


def test_identical_graphs_have_an_empty_diff(demo):
    d = diff(demo, demo_graph())
    assert d.empty
    assert not d.matches and not d.no_longer_isolated and not d.flags_added
    assert d.counts["before"] == d.counts["after"]


def test_a_tie_to_an_isolated_household_ends_its_isolation(demo):
    # 中島さん宅 (h27) has no tie to anyone outside; 石井 浩 (p044) starts watching over it.
    assert demo.nodes["h27"]["label"] == "中島さん宅"
    d = diff(demo, with_tie(demo, "p044", "h27", "watch"))
    assert [t["id"] for t in d.ties_added] == ["t_new"]
    assert d.ties_added[0]["target_label"] == "中島さん宅"
    assert [u["id"] for u in d.no_longer_isolated] == ["h27"]
    assert not d.newly_isolated
    assert d.counts["after"]["isolated"] == d.counts["before"]["isolated"] - 1
    assert d.counts["after"]["ties"] == d.counts["before"]["ties"] + 1
    assert [(h["id"], h["before"], h["after"]) for h in d.load_up] == [("p044", 3, 4)]
    assert not d.nodes_added and not d.nodes_removed and not d.nodes_changed


def test_summary_counts_without_names(demo):
    d = diff(demo, with_tie(demo, "p044", "h27", "watch"))
    before, after = d.counts["before"]["isolated"], d.counts["after"]["isolated"]
    text = summary(d)
    assert text.startswith("前回と比べて、つながりが1本増え")
    assert f"つながり要確認の世帯は{before}世帯から{after}世帯に減りました" in text
    assert "つながり要確認ではなくなった世帯が1世帯あります。" in text
    assert "中島" not in text and "石井" not in text
    en = summary(d, lang="en")
    assert f"went down from {before} to {after}" in en and "1 is no longer flagged." in en
    assert "中島" not in en


def test_summary_names_households_only_when_asked(demo):
    d = diff(demo, with_tie(demo, "p044", "h27", "watch"))
    assert "（中島さん宅）" in summary(d, names=True)
    assert "石井 浩" in summary(d, names=True)
    assert "(中島さん宅)" in summary(d, lang="en", names=True)


def test_removing_the_only_tie_isolates_and_lowers_the_load(demo):
    # 今野 健 (p073) is 菊地さん宅's (h44) only contact.
    B = demo.copy()
    (key,) = [k for _, v, k in B.out_edges("p073", keys=True) if v == "h44"]
    B.remove_edge("p073", "h44", key)
    d = diff(demo, B)
    assert [t["id"] for t in d.ties_removed] == [key]
    assert [u["id"] for u in d.newly_isolated] == ["h44"]
    assert [(h["id"], h["before"], h["after"]) for h in d.load_down] == [("p073", 1, 0)]
    assert "新たにつながり要確認となった世帯が1世帯あります。" in summary(d)


def test_changed_attributes_of_nodes_and_ties(demo):
    B = demo.copy()
    B.nodes["h27"]["lives_alone"] = False
    B.nodes["h27"]["district"] = "4丁目"
    u, v, k = next(iter(B.out_edges("p004", keys=True)))
    B.edges[u, v, k]["frequency"] = "daily"
    d = diff(demo, B)
    (node,) = d.nodes_changed
    assert node["id"] == "h27"
    assert node["changes"] == {
        "district": {"before": "3丁目", "after": "4丁目"},
        "lives_alone": {"before": True, "after": False},
    }
    (tie,) = d.ties_changed
    assert tie["id"] == k and tie["changes"]["frequency"]["after"] == "daily"


def test_pending_and_hidden_elements_are_ignored(demo):
    B = with_tie(demo, "p044", "h27", "watch")
    B.edges["p044", "h27", "t_new"]["status"] = "pending"
    B.add_node("n999", kind="person", label="新しい人", status="hidden")
    assert diff(demo, B).empty


def test_other_flags_added_and_resolved(demo):
    # A second organiser for くりの木サロン (g03) ends its succession risk.
    d = diff(demo, with_tie(demo, "p042", "g03", "role"))
    assert [(f["flag"], f["node"]) for f in d.flags_resolved] == [("succession_risk", "g03")]
    assert not d.flags_added
    assert "そのほかの気づきが1件解消しました。" in summary(d)


def test_to_dict_is_json_ready(demo):
    d = diff(demo, with_tie(demo, "p044", "h27", "watch"))
    data = json.loads(json.dumps(d.to_dict(), ensure_ascii=False))
    assert data["no_longer_isolated"][0]["id"] == "h27"
    assert set(data) >= {"nodes_added", "ties_added", "matches", "counts", "load_up"}


def _renamed(G, prefix):
    """G as an independently made session would hold it: the same things under other ids."""
    nodes, ties = graph_records(G)
    new = {n["id"]: f"{prefix}{i}" for i, n in enumerate(nodes, 1)}
    nodes = [{**n, "id": new[n["id"]]} for n in nodes]
    ties = [
        {**t, "id": f"{prefix}t{i}", "source": new[t["source"]], "target": new[t["target"]]}
        for i, t in enumerate(ties, 1)
    ]
    return build_graph(nodes, ties), new


def test_independent_sessions_are_matched_by_label(demo):
    B, new = _renamed(with_tie(demo, "p044", "h27", "watch"), "n")
    d = diff(demo, B)
    assert len(d.matches) == demo.number_of_nodes()
    assert {(m["a_id"], m["b_id"]) for m in d.matches} == set(new.items())
    assert not d.nodes_added and not d.nodes_removed and not d.nodes_changed
    assert [(t["source"], t["target"]) for t in d.ties_added] == [(new["p044"], new["h27"])]
    assert not d.ties_removed
    assert [u["id"] for u in d.no_longer_isolated] == [new["h27"]]
    assert "名前で照合しました" in summary(d)


def test_ids_reused_for_other_things_are_not_trusted_across_sessions():
    A = build_graph([{"id": "n1", "kind": "household", "label": "佐藤さん宅"}], [])
    B = build_graph(
        [
            {"id": "n1", "kind": "household", "label": "鈴木さん宅"},
            {"id": "n2", "kind": "household", "label": "佐藤宅"},
        ],
        [],
    )
    assert match_nodes(A, B) == ({"n1": "n2"}, {"n1"})
    # States of one session: the same id is the same node, even with a new label.
    A.graph["session"] = B.graph["session"] = "abcd1234"
    assert match_nodes(A, B) == ({"n1": "n1"}, set())
    d = diff(A, B)
    assert d.nodes_changed[0]["changes"]["label"] == {
        "before": "佐藤さん宅",
        "after": "鈴木さん宅",
    }


def test_label_matches_need_the_same_district_when_both_have_one():
    A = build_graph([{"id": "a", "kind": "household", "label": "佐藤", "district": "1丁目"}], [])
    B = build_graph([{"id": "b", "kind": "household", "label": "佐藤", "district": "2丁目"}], [])
    C = build_graph([{"id": "c", "kind": "household", "label": "佐藤さん宅"}], [])
    assert match_nodes(A, B) == ({}, set())
    assert match_nodes(A, C) == ({"a": "c"}, {"a"})
