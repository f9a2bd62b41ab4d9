"""The flag rules of the foundation issue, each at its boundaries."""

import pytest

from graph.analysis import flags, whatif
from graph.errors import NotFound
from graph.model import build_graph

KIND_OF_PREFIX = {
    "h": "household",
    "p": "person",
    "g": "group",
    "a": "activity",
    "i": "institution",
    "n": "need",
    "x": "place",
}


def town(*ties, nodes=(), **node_attrs):
    """A graph from tie tuples (source, kind, target[, attrs]); node kinds follow id prefixes."""
    ids = set(nodes)
    for tie in ties:
        ids.update((tie[0], tie[2]))
    node_records = [
        {"id": n, "kind": KIND_OF_PREFIX[n[0]], "label": n.upper(), **node_attrs.get(n, {})}
        for n in sorted(ids)
    ]
    tie_records = [
        {"source": t[0], "kind": t[1], "target": t[2], **(t[3] if len(t) > 3 else {})}
        for t in ties
    ]
    return build_graph(node_records, tie_records)


def found(G, name, **settings):
    return sorted(f.node for f in flags(G, settings) if f.flag == name)


# --- isolated_household -------------------------------------------------------------------


def test_household_with_no_outside_tie_is_isolated():
    G = town(("p1", "lives_in", "h1"), nodes=["h2"])
    assert found(G, "isolated_household") == ["h1", "h2"]


def test_informal_tie_from_outside_ends_isolation():
    G = town(("p1", "lives_in", "h1"), ("p2", "watch", "h1"))
    # p2 lives nowhere recorded: a unit of its own, and it has contact with h1.
    assert found(G, "isolated_household") == []


def test_tie_into_a_member_counts_for_the_household():
    G = town(("p1", "lives_in", "h1"), ("p2", "snow", "p1"))
    assert "h1" not in found(G, "isolated_household")


def test_group_membership_ends_isolation():
    G = town(("p1", "lives_in", "h1"), ("p1", "member", "g1"))
    assert found(G, "isolated_household") == []


def test_ties_inside_the_household_do_not_count():
    G = town(("p1", "lives_in", "h1"), ("p2", "lives_in", "h1"), ("p1", "talk", "p2"))
    assert found(G, "isolated_household") == ["h1"]


@pytest.mark.parametrize("kind", ["care", "watch", "snow"])
def test_institution_ties_do_not_end_isolation(kind):
    G = town(("p1", "lives_in", "h1"), ("i1", kind, "h1"))
    assert found(G, "isolated_household") == ["h1"]
    reason = next(f for f in flags(G) if f.node == "h1").reason_ja
    assert ("専門職の支援のみ" in reason) == (kind == "care")


def test_lone_person_is_a_unit_of_their_own():
    G = town(("p1", "has_need", "n1"), nodes=["p2"])
    assert found(G, "isolated_household") == ["p1", "p2"]


@pytest.mark.parametrize("status", ["pending", "hidden"])
def test_pending_and_hidden_ties_are_ignored(status):
    G = town(("p1", "lives_in", "h1"), ("p2", "watch", "h1", {"status": status}))
    assert "h1" in found(G, "isolated_household")


@pytest.mark.parametrize("status", ["pending", "hidden"])
def test_ties_of_an_ignored_node_are_ignored(status):
    G = town(("p1", "lives_in", "h1"), ("p2", "watch", "h1"), p2={"status": status})
    assert "h1" in found(G, "isolated_household")
    assert "p2" not in found(G, "isolated_household")


def test_hidden_household_is_not_flagged():
    G = town(nodes=["h1"], h1={"status": "hidden"})
    assert found(G, "isolated_household") == []


def test_approved_status_counts_like_no_status():
    G = town(("p1", "lives_in", "h1"), ("p2", "watch", "h1", {"status": "approved"}))
    assert "h1" not in found(G, "isolated_household")


# --- single_supporter ---------------------------------------------------------------------


def test_one_supporter_flags_two_do_not():
    one = town(("p1", "watch", "h1"), ("p1", "snow", "h1"))
    two = town(("p1", "watch", "h1"), ("p2", "snow", "h1"))
    assert found(one, "single_supporter") == ["h1"]
    assert found(two, "single_supporter") == []


def test_a_group_can_be_the_single_supporter():
    G = town(("g1", "snow", "h1"))
    assert found(G, "single_supporter") == ["h1"]
    assert found(G, "isolated_household") == []


def test_institution_is_not_a_supporter():
    G = town(("p1", "watch", "h1"), ("i1", "watch", "h1"))
    assert found(G, "single_supporter") == ["h1"]


def test_mutual_ties_count_either_way():
    G = town(("p1", "lives_in", "h1"), ("p1", "talk", "p2"), ("p3", "kin", "h1"))
    # h1 is supported by p2 (talk, other direction) and p3 (kin).
    assert "h1" not in found(G, "single_supporter")
    # p2 (a lone person) gets p1 as a talk partner: its single supporter.
    assert "p2" in found(G, "single_supporter")


def test_participation_only_is_neither_isolated_nor_single_supported():
    G = town(("p1", "lives_in", "h1"), ("p1", "member", "g1"))
    assert found(G, "single_supporter") == []
    assert found(G, "isolated_household") == []


# --- infrequent_contact -------------------------------------------------------------------


@pytest.mark.parametrize("frequency", ["monthly", "rarely"])
def test_outside_contact_monthly_or_rarer_is_flagged(frequency):
    G = town(("p2", "lives_in", "h1"), ("p1", "watch", "p2", {"frequency": frequency}))
    # both ends of the tie see each other that rarely: the household and the helper
    assert found(G, "infrequent_contact") == ["h1", "p1"]
    assert found(G, "isolated_household") == []


@pytest.mark.parametrize("frequency", ["daily", "weekly"])
def test_weekly_or_more_is_not_flagged(frequency):
    G = town(("p1", "watch", "h1", {"frequency": frequency}))
    assert found(G, "infrequent_contact") == []


def test_a_tie_with_no_frequency_counts_as_contact():
    G = town(("p1", "watch", "h1"))
    assert found(G, "infrequent_contact") == []


def test_one_frequent_tie_is_enough():
    G = town(
        ("p1", "watch", "h1", {"frequency": "monthly"}),
        ("p2", "share", "h1", {"frequency": "weekly"}),
    )
    assert "h1" not in found(G, "infrequent_contact")


def test_ties_inside_the_household_do_not_make_contact_frequent():
    G = town(
        ("p1", "lives_in", "h1"),
        ("p2", "lives_in", "h1"),
        ("p1", "talk", "p2", {"frequency": "daily"}),
        ("p3", "share", "h1", {"frequency": "rarely"}),
    )
    assert "h1" in found(G, "infrequent_contact")


def test_an_isolated_unit_gets_the_isolation_flag_not_this_one():
    G = town(("p1", "lives_in", "h1"))
    assert found(G, "infrequent_contact") == []
    assert found(G, "isolated_household") == ["h1"]


def test_an_institution_makes_no_contact_frequent():
    G = town(
        ("i1", "care", "h1", {"frequency": "daily"}),
        ("p1", "snow", "h1", {"frequency": "monthly"}),
    )
    assert "h1" in found(G, "infrequent_contact")


@pytest.mark.parametrize(
    ("meets", "flagged"), [("monthly", True), ("weekly", False), (None, False)]
)
def test_a_member_meets_as_often_as_the_group(meets, flagged):
    G = town(("p1", "member", "a1"), a1={"frequency": meets} if meets else {})
    assert (found(G, "infrequent_contact") == ["p1"]) is flagged


def test_the_tie_frequency_outweighs_the_group_frequency():
    G = town(("p1", "member", "a1", {"frequency": "weekly"}), a1={"frequency": "monthly"})
    assert found(G, "infrequent_contact") == []


def test_the_reason_names_the_unit_and_the_evidence():
    G = town(("p1", "watch", "h1", {"frequency": "monthly"}))
    flag = next(f for f in flags(G) if f.flag == "infrequent_contact" and f.node == "h1")
    assert flag.reason_ja.startswith("H1さんの世帯の外との行き来は、どれも月1回以下です")
    assert "monthly or rarer" in flag.reason_en
    assert flag.to_dict()["title"] == "行き来が月1回以下"


# --- winter_risk --------------------------------------------------------------------------


def test_summer_only_contact_is_a_winter_risk():
    G = town(("p1", "ride", "h1", {"season": "not_in_winter"}))
    # the helper, living nowhere recorded, loses that contact in winter too
    assert found(G, "winter_risk") == ["h1", "p1"]


@pytest.mark.parametrize("season", ["all_year", "winter_only"])
def test_contact_that_lasts_the_winter_is_no_risk(season):
    G = town(
        ("p1", "ride", "h1", {"season": "not_in_winter"}),
        ("p2", "watch", "h1", {"season": season}),
    )
    assert "h1" not in found(G, "winter_risk")


def test_isolated_unit_is_not_a_summer_only_risk():
    G = town(("p1", "lives_in", "h1"))
    assert found(G, "winter_risk") == []


def test_snow_need_without_snow_tie_applies_to_isolated_units_too():
    G = town(("h1", "has_need", "n1"), n1={"category": "snow"})
    assert found(G, "winter_risk") == ["h1"]
    assert found(G, "isolated_household") == ["h1"]


def test_snow_need_met_by_an_institution_is_no_risk():
    G = town(
        ("p1", "lives_in", "h1"),
        ("p1", "has_need", "n1"),
        ("i1", "snow", "p1"),
        n1={"category": "snow"},
    )
    assert found(G, "winter_risk") == []


def test_need_of_another_category_is_no_winter_risk():
    G = town(("h1", "has_need", "n1"), n1={"category": "ride"})
    assert found(G, "winter_risk") == []


# --- overloaded_person --------------------------------------------------------------------


def _helper_of(n_households, **extra):
    ties = [("p1", "watch", f"h{i}") for i in range(n_households)]
    # a second supporter for every household so "sole" stays 0
    ties += [("p2", "share", f"h{i}") for i in range(n_households)]
    return town(*ties, **extra)


def test_load_four_is_fine_five_is_overload():
    assert "p1" not in found(_helper_of(4), "overloaded_person")
    assert "p1" in found(_helper_of(5), "overloaded_person")


def test_load_counts_distinct_households_not_ties():
    ties = [("p1", kind, "h1") for kind in ("watch", "snow", "ride", "errand", "share")]
    assert found(town(*ties), "overloaded_person") == []


def test_load_counts_members_of_one_household_once():
    ties = [("p9", "lives_in", "h1"), ("p8", "lives_in", "h1")]
    ties += [("p1", "watch", "p9"), ("p1", "watch", "p8"), ("p1", "watch", "h1")]
    ties += [("p1", "watch", f"h{i}") for i in range(2, 5)]
    ties += [("p2", "watch", f"h{i}") for i in range(1, 5)]
    assert found(town(*ties), "overloaded_person") == []


def test_threshold_is_a_session_setting():
    assert "p1" in found(_helper_of(4), "overloaded_person", overload_households=4)


def test_two_roles_fine_three_overload():
    two = town(
        ("p1", "role", "g1"), ("p1", "role", "g2"), ("p2", "role", "g1"), ("p2", "role", "g2")
    )
    three = town(("p1", "role", "g1"), ("p1", "role", "g2"), ("p1", "role", "a1"))
    assert found(two, "overloaded_person") == []
    assert found(three, "overloaded_person") == ["p1"]


def test_sole_supporter_of_two_households_is_overloaded():
    one = town(("p1", "watch", "h1"))
    two = town(("p1", "watch", "h1"), ("p1", "snow", "h2"))
    assert found(one, "overloaded_person") == []
    assert found(two, "overloaded_person") == ["p1"]
    reason = next(f for f in flags(two) if f.flag == "overloaded_person").reason_ja
    assert reason == "P1さんは2世帯を支えています（うち2世帯はP1さんだけが支え手）。"


def test_pending_support_does_not_add_load():
    ties = [("p1", "watch", f"h{i}") for i in range(4)]
    ties += [("p1", "watch", "h9", {"status": "pending"})]
    ties += [("p2", "watch", f"h{i}") for i in range(4)] + [("p3", "watch", "h9")]
    assert found(town(*ties), "overloaded_person") == []


def test_support_into_own_household_is_not_load():
    ties = [("p1", "lives_in", "h0"), ("p1", "watch", "h0")]
    ties += [("p1", "watch", f"h{i}") for i in range(1, 5)]
    ties += [("p2", "watch", f"h{i}") for i in range(0, 5)]
    assert "p1" not in found(town(*ties), "overloaded_person")


# --- no_participation, succession_risk, resource_gap ------------------------------------


@pytest.mark.parametrize(
    ("band", "flagged"),
    [("under-65", False), ("65-74", True), ("75-84", True), ("85+", True), (None, False)],
)
def test_older_person_without_group_is_flagged(band, flagged):
    attrs = {"age_band": band} if band else {}
    G = town(nodes=["p1"], p1=attrs)
    assert (found(G, "no_participation") == ["p1"]) is flagged


@pytest.mark.parametrize("kind", ["member", "role"])
def test_membership_or_role_is_participation(kind):
    G = town(("p1", kind, "g1"), p1={"age_band": "85+"})
    assert found(G, "no_participation") == []


def test_pending_membership_is_no_participation():
    G = town(("p1", "member", "g1", {"status": "pending"}), p1={"age_band": "75-84"})
    assert found(G, "no_participation") == ["p1"]


def test_exactly_one_organiser_is_a_succession_risk():
    one = town(("p1", "role", "g1"), ("p1", "role", "g1"), ("p2", "member", "g1"))
    two = town(("p1", "role", "g1"), ("p2", "role", "g1"))
    none = town(("p1", "member", "a1"))
    assert found(one, "succession_risk") == ["g1"]
    assert found(two, "succession_risk") == []
    assert found(none, "succession_risk") == []


def test_resource_gap_lists_each_missing_category():
    G = town(("p1", "watch", "h1"), ("p1", "share", "h2"))
    gaps = [f for f in flags(G) if f.flag == "resource_gap"]
    assert [f.category for f in gaps] == ["snow", "ride", "errand"]
    assert all(f.node is None for f in gaps)
    assert "除雪" in gaps[0].reason_ja


def test_pending_tie_does_not_fill_a_gap():
    G = town(("p1", "snow", "h1", {"status": "pending"}))
    assert "snow" in [f.category for f in flags(G) if f.flag == "resource_gap"]


def test_flag_dict_has_the_json_fields():
    item = flags(town(nodes=["h1"]))[0].to_dict("en")
    assert {"flag", "node", "label", "reason"} <= item.keys()
    assert item["reason"].startswith("No informal support")


# --- what-if ------------------------------------------------------------------------------


def test_whatif_lists_units_that_would_be_cut_off():
    G = town(
        ("p1", "watch", "h1"),  # only tie of h1 → isolated
        ("p1", "snow", "h2"),
        ("p3", "member", "g1"),
        ("p3", "lives_in", "h2"),  # h2 keeps its group contact → no supporter left
        ("p1", "watch", "h3"),
        ("p2", "watch", "h3"),  # h3 keeps p2
    )
    assert whatif(G, "p1") == [
        {"unit": "h1", "label": "H1", "effect": "isolated"},
        {"unit": "h2", "label": "H2", "effect": "no_supporter"},
    ]


def test_whatif_can_isolate_the_helpers_own_household():
    G = town(("p1", "lives_in", "h1"), ("p2", "lives_in", "h1"), ("p1", "member", "g1"))
    assert whatif(G, "p1") == [{"unit": "h1", "label": "H1", "effect": "isolated"}]


@pytest.mark.parametrize("who", ["h1", "nobody"])
def test_whatif_needs_a_person(who):
    with pytest.raises(NotFound):
        whatif(town(nodes=["h1"]), who)
