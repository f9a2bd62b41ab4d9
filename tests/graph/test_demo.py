"""The demo district 茶志内地区: deterministic, valid, and showing what its docstring promises."""

from collections import Counter

import pytest

from graph.analysis import flags
from graph.demo import AREA, TITLE, demo_graph, demo_records
from graph.model import build_graph, graph_records
from graph.vocabulary import NODE_KINDS, TIE_KINDS


@pytest.fixture(scope="module")
def G():
    return demo_graph()


def kinds(G):
    return Counter(kind for _, kind in G.nodes(data="kind"))


def test_same_records_and_graph_on_every_call():
    assert demo_records() == demo_records()
    assert graph_records(demo_graph()) == graph_records(demo_graph())


def test_records_are_fresh_on_every_call():
    nodes, ties = demo_records()
    nodes[0]["label"] = "changed"
    ties.clear()
    assert demo_records()[0][0]["label"] == "佐藤さん宅"
    assert demo_records()[1]


def test_records_pass_validation():
    nodes, ties = demo_records()
    G = build_graph(nodes, ties)
    assert G.number_of_nodes() == len(nodes)
    assert G.number_of_edges() == len(ties)


def test_title_and_area(G):
    assert G.graph == {"title": TITLE, "area": AREA}
    assert TITLE == "茶志内地区 お宝さがし（デモ）"


def test_about_fifty_households_and_eighty_persons(G):
    assert kinds(G)["household"] == 50
    assert kinds(G)["person"] == 80
    districts = Counter(a["district"] for _, a in G.nodes(data=True) if a["kind"] == "household")
    assert sorted(districts) == ["1丁目", "2丁目", "3丁目", "4丁目"]


def test_every_person_lives_in_one_household(G):
    homes = Counter(u for u, _, kind in G.edges(data="kind") if kind == "lives_in")
    persons = [n for n, kind in G.nodes(data="kind") if kind == "person"]
    assert all(homes[p] == 1 for p in persons)


@pytest.mark.parametrize("kind", sorted(NODE_KINDS))
def test_every_node_kind_is_used(G, kind):
    assert kinds(G)[kind] >= 1


@pytest.mark.parametrize("kind", sorted(TIE_KINDS))
def test_every_tie_kind_is_used(G, kind):
    assert any(k == kind for *_, k in G.edges(data="kind"))


def test_both_seasons_are_marked(G):
    seasons = Counter(season for *_, season in G.edges(data="season"))
    assert seasons["winter_only"] >= 5
    assert seasons["not_in_winter"] >= 2


def test_mix_of_consent_and_mostly_older_people(G):
    persons = [a for _, a in G.nodes(data=True) if a["kind"] == "person"]
    assert set(Counter(a["consent"] for a in persons)) == {"named", "initials", "anonymous"}
    older = [a for a in persons if a["age_band"] in ("75-84", "85+")]
    assert len(older) > len(persons) / 2


def test_node_ids_are_readable_and_tie_ids_numbered():
    nodes, ties = demo_records()
    assert [n["id"] for n in nodes[:2]] == ["h01", "h02"]
    assert [t["id"] for t in ties[:3]] == ["t001", "t002", "t003"]


def flagged(G, name):
    return {f.node for f in flags(G) if f.flag == name}


@pytest.mark.parametrize(
    "name, nodes",
    [
        ("isolated_household", {"h12", "h27", "h34", "h41"}),
        ("single_supporter", {"h14", "h22", "h29", "h36", "h44"}),
        ("winter_risk", {"h38", "h44"}),
        ("infrequent_contact", {"h44"}),
        ("overloaded_person", {"p001", "p004", "p032"}),
        ("succession_risk", {"g03"}),
    ],
)
def test_the_deliberate_cases_are_flagged(G, name, nodes):
    assert flagged(G, name) == nodes


def test_several_older_people_take_part_nowhere(G):
    assert 5 <= len(flagged(G, "no_participation")) <= 20


def test_no_resource_gap(G):
    assert not flagged(G, "resource_gap")
