"""The tree pages and their vis-network payloads: private vs projector, winter, what-if."""

import pytest

from facilitator.storage import Store
from facilitator.tree import OVERVIEW_NODES, tree_payload
from graph.demo import demo_graph
from graph.layout import BANDS

HX = {"HX-Request": "true"}
LOOSE = ("h12", "h27", "h34", "h41")


@pytest.fixture
def demo_id(app):
    with Store(app.config["DATA"]).create("茶志内 デモ") as s:
        s.import_graph(demo_graph(), "test")
        return s.id


def _payload(fac, sid, **params):
    response = fac.get(f"/sessions/{sid}/tree.json", query_string=params)
    assert response.status_code == 200
    return response.get_json()


def _nodes(data):
    return {n["id"]: n for n in data["nodes"]}


@pytest.mark.parametrize(
    "path", ["/sessions/{sid}/tree", "/sessions/{sid}/tree.json", "/sessions/{sid}/projector/tree"]
)
def test_tree_needs_the_facilitator(client, demo_id, path):
    assert client.get(path.format(sid=demo_id)).status_code == 401


@pytest.mark.parametrize("hx", [{}, HX])
def test_tree_page_loads_vis_from_the_app(fac, demo_id, hx):
    text = fac.get(f"/sessions/{demo_id}/tree", headers=hx).get_data(as_text=True)
    assert "/static/vendor/vis-network/vis-network.min.js" in text
    assert f"/sessions/{demo_id}/tree.json?view=private" in text


def test_private_payload_has_every_band_names_and_reasons(fac, demo_id):
    data = _payload(fac, demo_id)
    nodes = _nodes(data)
    assert {n["band"] for n in data["nodes"]} == set(BANDS)
    assert nodes["h12"]["name"] == "山田さん宅" and nodes["h12"]["label"].startswith("⚑")
    assert "まだ見えていません" in nodes["h12"]["title"]
    assert {f["flag"] for f in data["flags"]} >= {"isolated_household", "overloaded_person"}
    assert data["options"]["physics"]["enabled"] is False
    assert all("x" in n and "y" in n for n in data["nodes"])


def test_projector_payload_keeps_worries_private(fac, demo_id):
    private = _nodes(_payload(fac, demo_id))
    data = _payload(fac, demo_id, view="projector")
    labels = " ".join(n["name"] for n in data["nodes"])
    assert data["flags"] == []
    assert all(not n.get("title") for n in data["nodes"])
    assert "孤立" not in labels
    for unit in LOOSE:
        name = private[unit]["name"]
        assert name not in labels
        assert _nodes(data)[unit]["name"].startswith(("Y.宅", "N.宅", "G.宅", "O.宅"))
    assert "つながり要確認" not in labels
    anonymous = [n for n, a in demo_graph().nodes(data=True) if a.get("consent") == "anonymous"]
    for person in anonymous:
        assert demo_graph().nodes[person]["label"] not in labels


def test_projector_draws_support_as_strands_not_a_web_of_arrows(fac, demo_id):
    """The room sees support between neighbours as soft root strands with no arrowheads;
    the facilitator's own tree keeps who helps whom as arrows."""
    support = {"watch", "snow", "ride", "errand", "share"}
    shared = [e for e in _payload(fac, demo_id, view="projector")["edges"] if e["kind"] in support]
    private = [e for e in _payload(fac, demo_id)["edges"] if e["kind"] in support]
    assert shared and private
    assert all(e["arrows"] == "" for e in shared)
    assert all(e["smooth"]["forceDirection"] == "vertical" for e in shared)
    assert all(e["color"]["opacity"] < 0.5 for e in shared)
    assert {e["arrows"] for e in private} == {"to"}


def test_winter_view_drops_summer_only_ties_and_marks_the_cut_off(fac, demo_id):
    summer = {
        k for _, _, k, s in demo_graph().edges(keys=True, data="season") if s == "not_in_winter"
    }
    assert summer
    all_year = {e["id"] for e in _payload(fac, demo_id)["edges"]}
    winter = _payload(fac, demo_id, winter="1")
    assert summer <= all_year
    assert not summer & {e["id"] for e in winter["edges"]}
    assert _nodes(winter)["h44"]["label"].startswith("❄")


def test_whatif_lights_up_the_households_that_lose_support(fac, demo_id):
    data = _payload(fac, demo_id, away="p004")
    affected = {item["unit"] for item in data["whatif"]}
    assert {"h14", "h22"} <= affected
    for unit in affected:
        assert _nodes(data)[unit]["label"].startswith("⚠")
    assert _nodes(data)["p004"]["opacity"] < 1


def test_projector_ignores_whatif(fac, demo_id):
    data = _payload(fac, demo_id, view="projector", away="p004")
    assert data["whatif"] == []


def test_network_layout_and_bad_layout(fac, demo_id):
    data = _payload(fac, demo_id, layout="network")
    assert len(data["nodes"]) >= demo_graph().number_of_nodes()
    assert fac.get(f"/sessions/{demo_id}/tree.json?layout=spiral").status_code == 400


def test_pending_elements_are_not_drawn(fac, store, demo_id):
    with store.open(demo_id) as s:
        token = s.add_participant("はな")
        s.add_note(s.participant(token)["id"], "household", "新しい世帯")
        node = s.add_node("household", "保留の世帯", "test", status="pending")
    ids = set(_nodes(_payload(fac, demo_id)))
    assert node not in ids


def test_a_town_opens_folded_into_districts_and_expands_one():
    from bench.synth import town

    G = town()
    assert G.number_of_nodes() > OVERVIEW_NODES
    overview = tree_payload(G, private=False)
    districts = [n for n in overview["nodes"] if n["kind"] == "district"]
    assert overview["overview"] and len(districts) >= 10
    assert len(overview["nodes"]) < G.number_of_nodes() / 3
    name = districts[0]["district"]
    opened = tree_payload(G, private=False, expand=name)
    assert len(opened["nodes"]) > len(overview["nodes"])
    assert f"district:{name}" not in {n["id"] for n in opened["nodes"]}
    ids = {n["id"] for n in opened["nodes"]}
    assert all(e["from"] in ids and e["to"] in ids for e in opened["edges"])


@pytest.mark.parametrize(
    ("lang", "counted", "title"),
    [
        ("ja", "{district}・{n}世帯", "クリックするとこの地区を開きます"),
        ("en", "{district} · {n} households", "Click to open this district"),
    ],
)
def test_a_folded_district_is_named_with_its_households_in_the_screens_language(
    fac, demo_id, monkeypatch, lang, counted, title
):
    from facilitator import tree as tree_module

    monkeypatch.setattr(tree_module, "OVERVIEW_NODES", 40)  # the demo folds as a town does
    data = fac.get(f"/sessions/{demo_id}/tree.json", headers={"Accept-Language": lang}).get_json()
    roots = [n for n in data["nodes"] if n["kind"] == "district"]
    assert roots and data["overview"]
    G = demo_graph()
    for root in roots:
        name = root["district"]
        homes = sum(
            1
            for _, a in G.nodes(data=True)
            if a.get("kind") == "household" and (a.get("district") or "—") == name
        )
        expected = counted.format(district=name, n=homes) if homes else name
        assert root["label"].startswith(expected), (root["label"], expected)
        assert root["title"] == title
