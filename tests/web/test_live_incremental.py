"""What the live model carries on from one seq to the next (analysis, tree payloads, room labels)
equals a computation afresh."""

import json
import random

import pytest

from facilitator import tree as tree_module
from facilitator.live_model import LiveModel, Version
from facilitator.storage import Store
from facilitator.tree import tree_payload
from facilitator.tree_delta import payload_parts
from graph.analysis import analyse
from graph.demo import demo_graph
from graph.errors import GraphError
from graph.layout import tree_layout
from graph.privacy import room_labels

from ..graph.test_layout_carry import same as same_layout
from ..graph.test_units_carry import _plain

DISTRICTS = ("1丁目", "2丁目", "3丁目", "4丁目", None)
#: The views a screen asks for: (private, winter, expand).
VIEWS = ((False, False, None), (True, False, None), (True, True, None), (True, False, "2丁目"))


def _pick(rng, G, *kinds):
    nodes = [n for n, a in G.nodes(data=True) if a.get("kind") in kinds]
    return rng.choice(nodes) if nodes else None


def _step(s, rng: random.Random) -> None:
    """One random change of the kinds a workshop makes."""
    G = s.graph()
    person, house = _pick(rng, G, "person"), _pick(rng, G, "household")
    what = rng.randrange(11)
    district = rng.choice(DISTRICTS)
    attrs = {"district": district} if district else {}
    if what == 0:
        p = s.add_node("person", rng.choice(("佐藤 花子", "鈴木 一郎", "佐藤 一")), "t", **attrs)
        if house and rng.random() < 0.7:
            s.add_tie(p, house, "lives_in", "t")
    elif what == 1:
        s.add_node("household", rng.choice(("佐藤さん宅", "鈴木さん宅")), "t", **attrs)
    elif what == 2 and person and house:
        kind = rng.choice(("watch", "snow", "talk", "share", "lives_in"))
        season = {"season": "not_in_winter"} if rng.random() < 0.3 else {}
        s.add_tie(person, house, kind, "t", **season)
    elif what == 3 and house:
        s.update_node(house, "t", district=district)
    elif what == 4 and person:
        s.update_node(person, "t", status=rng.choice(("hidden", "approved")))
    elif what == 5:
        ties = list(G.edges(keys=True))
        if ties:
            u, v, k = rng.choice(ties)
            change = rng.choice(({"season": "not_in_winter"}, {"status": "pending"}, {}))
            s.update_tie(k, "t", **(change or {"status": "approved", "season": None}))
    elif what == 6 and person:
        s.remove_node(person, "t")
    elif what == 7:
        other = _pick(rng, G, "person")
        if person and other and other != person:
            s.merge_nodes(person, other, "t")
    elif what == 8:
        s.undo("t")
    elif what == 9:
        phone = s.participant(s.add_participant("スマホ"))["id"]
        note = s.add_note(phone, "person", rng.choice(("佐藤 花子", "新しい 人")))
        s.approve_note(note["id"], "facilitator")
    elif what == 10 and person:
        s.update_node(person, "t", label=rng.choice(("佐藤 花子", "田中 はな")), **attrs)


@pytest.mark.parametrize("seed", [1, 2])
def test_payloads_carried_on_equal_payloads_made_afresh(app, monkeypatch, seed):
    # The demo folds into its districts as a town does.
    monkeypatch.setattr(tree_module, "OVERVIEW_NODES", 40)
    rng = random.Random(seed)
    model = LiveModel()
    with Store(app.config["DATA"]).create("茶志内") as s, app.test_request_context("/"):
        s.import_graph(demo_graph(), "test")
        carried = 0
        for _ in range(40):
            for _ in range(rng.randrange(1, 4)):
                try:
                    _step(s, rng)
                except GraphError:
                    pass  # a change the rules refuse: nothing was written
            version = model.acquire(s)
            if rng.random() < 0.25:
                model.release(version)  # no screen asked at this seq: nothing derived
                continue
            carried += version.carried("units") is not None
            # And a district opened at random: often one not open at the seq before (its
            # notes and ties then start from the overview's of the same seq).
            opened = (rng.random() < 0.5, False, rng.choice(DISTRICTS[:4]))
            for private, winter, expand in (*VIEWS, opened):
                options = {"private": private, "winter": winter, "expand": expand}
                raw: dict = {}
                live = tree_payload(version.G, live=version, raw=raw, **options)
                # Afresh: the same graphs, nothing carried on, no other view made before.
                fresh = Version(-1, version.G, version.A)
                afresh = tree_payload(version.G, live=fresh, **options)
                assert live == afresh, (options, version.seq)
                # The bytes the screens get, from each note's and tie's kept JSON text.
                text = json.dumps(afresh, ensure_ascii=False, separators=(",", ":"))
                assert payload_parts(live, raw).body() == text.encode()
            assert _plain(version.units()) == _plain(analyse(version.active()))
            same_layout(version.layout(None), tree_layout(version.active()))
            labels = version.room_labels()
            assert list(labels.items()) == list(room_labels(version.G).items())
            model.release(version)
        assert carried > 20  # most versions carried on what the one before derived


def _folds_member_by_member(version, expand):
    """The folds as the tree made them before the layout state: every member's district
    and band looked up, and the folded roots grouped from them."""
    A, U, band = version.active(), version.units(), version.layout(None).band
    fold = {}
    for members in U.members.values():
        district = next(
            (A.nodes[m]["district"] for m in members if A.nodes[m].get("district")), ""
        )
        for member in members:
            if (district or "—") != expand and band.get(member) == "roots":
                fold[member] = f"district:{district or '—'}"
    groups: dict = {}
    for member, tag in fold.items():
        groups.setdefault(tag, []).append(member)
    houses = {t: sum(A.nodes[m]["kind"] == "household" for m in g) for t, g in groups.items()}
    return fold, groups, houses


@pytest.mark.parametrize("seed", [3, 4])
def test_folds_from_the_layout_state_equal_folds_member_by_member(app, seed):
    from facilitator.tree_folds import folds_of

    rng = random.Random(seed)
    model = LiveModel()
    with Store(app.config["DATA"]).create("茶志内") as s:
        s.import_graph(demo_graph(), "test")
        for _ in range(30):
            for _ in range(rng.randrange(1, 4)):
                try:
                    _step(s, rng)
                except GraphError:
                    pass
            version = model.acquire(s)
            for expand in (None, "2丁目", "—"):
                folds = folds_of(version.units(), version.layout_state(), expand)
                fold, groups, houses = _folds_member_by_member(version, expand)
                assert list(folds.fold.items()) == list(fold.items())
                assert {t: folds.members(t) for t in folds.groups} == groups
                assert folds.households == houses
            model.release(version)


@pytest.mark.parametrize("seed", [5, 6])
def test_wall_carried_on_equals_the_wall_afresh(app, seed, monkeypatch):
    from facilitator import wall_groups
    from facilitator.wall_groups import carry_wall, wall_of

    made_afresh = []
    monkeypatch.setattr(wall_groups, "wall_of", lambda *a: made_afresh.append(1) or wall_of(*a))
    rng = random.Random(seed)
    model = LiveModel()
    carried_on = 0
    with Store(app.config["DATA"]).create("茶志内") as s:
        s.import_graph(demo_graph(), "test")
        for _ in range(40):
            for _ in range(rng.randrange(1, 3)):
                try:
                    _step(s, rng)
                except GraphError:
                    pass
            version = model.acquire(s)
            if rng.random() < 0.2:
                model.release(version)  # no wall asked at this seq
                continue
            carried = version.carried("wall_groups")
            wall = version.memo(
                "wall_groups",
                lambda v=version, c=carried: carry_wall(v.room_labels(), v.G._node, c),
            )
            afresh = wall_of(version.room_labels(), version.G._node)
            assert wall.shown() == afresh.shown()
            assert (wall.kinds, wall.index) == (afresh.kinds, afresh.index)
            carried_on += carried is not None
            model.release(version)
    assert len(made_afresh) < carried_on / 2  # most walls were carried on, not made afresh


def test_the_walls_kept_for_reuse_stay_within_their_budget():
    """A city's wall of people is ~1.5 MB of HTML and each approval makes a new version of
    it: only a bounded number of characters is kept, and the newest is still reused."""
    from facilitator import regions

    people = [{"id": f"p{i}", "label": f"佐藤 {i} さん"} for i in range(30_000)]
    for n in range(12):  # twelve approvals, each one more person
        newest = regions.stickies_html("person", "👤", people + [{"id": "x", "label": f"{n}"}])
        assert regions._cached_chars <= regions._KEPT_CHARS + len(newest)
    again = regions.stickies_html("person", "👤", people + [{"id": "x", "label": "11"}])
    assert again is newest and "佐藤 29999 さん" in again


def _folds_as_lists(folds):
    return (
        list(folds.fold.items()),
        [(t, [list(members) for members in g]) for t, g in folds.groups.items()],
        list(folds.households.items()),
    )


@pytest.mark.parametrize("seed", [7, 8])
def test_folds_carried_on_equal_folds_afresh(app, seed, monkeypatch):
    """The folds taken on from the version before (only the units after its own folded)
    are the folds afresh, in the same order; the folds carried from are left as they were."""
    from facilitator import tree_folds
    from facilitator.tree_folds import folds_of

    taken_on = []  # the folds grown from carried ones, not made afresh
    fold = tree_folds._fold
    monkeypatch.setattr(
        tree_folds,
        "_fold",
        lambda out, c, e, copied: taken_on.append(copied is not None) or fold(out, c, e, copied),
    )
    rng = random.Random(seed)
    model = LiveModel()
    kept: dict = {}
    with Store(app.config["DATA"]).create("茶志内") as s:
        s.import_graph(demo_graph(), "test")
        phone = s.participant(s.add_participant("スマホ"))["id"]
        for i in range(40):
            if rng.random() < 0.6:  # most changes of a workshop: a note approved
                note = s.add_note(phone, rng.choice(("person", "household")), f"新しい {i}")
                s.approve_note(note["id"], "facilitator")
            else:
                try:
                    _step(s, rng)
                except GraphError:
                    pass
            version = model.acquire(s)
            for expand in (None, "2丁目"):
                old = kept.get(expand)
                before = _folds_as_lists(old) if old is not None else None
                carried = folds_of(version.units(), version.layout_state(), expand, old)
                afresh = folds_of(version.units(), version.layout_state(), expand)
                assert _folds_as_lists(carried) == _folds_as_lists(afresh), (i, expand)
                if old is not None:
                    assert _folds_as_lists(old) == before  # not changed by carrying it on
                kept[expand] = carried
            model.release(version)
    assert sum(taken_on) > 10  # many folds were taken on and grown, not made afresh
