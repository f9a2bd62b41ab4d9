"""Merging neighbourhood maps into a new session, sources untouched."""

import hashlib

import pytest

from facilitator.storage import Store

from .helpers import HX


def _file_hash(app, sid: str) -> str:
    return hashlib.sha256((app.config["DATA"] / f"{sid}.sqlite").read_bytes()).hexdigest()


@pytest.fixture
def two_maps(app):
    store = Store(app.config["DATA"])
    with store.create("1丁目", area="茶志内") as a:
        h = a.add_node("household", "佐藤さん宅", "facilitator")
        p = a.add_node("person", "工藤 誠", "facilitator")
        a.add_tie(p, h, "snow", "facilitator")
        ida = a.id
    with store.create("2丁目", area="茶志内") as b:
        b.add_node("household", "さとうさん宅", "facilitator")
        b.add_node("group", "老人クラブ", "facilitator")
        b.add_node("household", "中島さん宅", "facilitator")
        idb = b.id
    return ida, idb


@pytest.mark.parametrize("hx", [{}, HX])
def test_merge_page_shows_candidates(fac, two_maps, hx):
    a, b = two_maps
    text = fac.get("/archive/merge", query_string={"s": [a, b]}, headers=hx).get_data(as_text=True)
    assert "佐藤さん宅" in text and "さとうさん宅" in text
    assert 'value="same" required' in text and 'value="different" required' in text
    assert "checked" not in text.split('class="candidates"')[1]  # nothing pre-ticked
    assert "除雪 ← 工藤 誠" in text  # the ties, side by side


def _pair(app, a, b, label_a="佐藤さん宅"):
    from graph.merge import candidates

    store = Store(app.config["DATA"])
    with store.open(a) as sa, store.open(b) as sb:
        found = candidates({a: sa.graph(), b: sb.graph()})
    return next(c.id for c in found if label_a in c.labels)


def test_merge_creates_a_new_session_and_leaves_sources_alone(fac, app, two_maps):
    a, b = two_maps
    hashes = {sid: _file_hash(app, sid) for sid in two_maps}
    r = fac.post(
        "/archive/merge",
        data={
            "s": [a, b],
            f"c_{_pair(app, a, b)}": "same",
            "title": "茶志内 全体",
            "area": "茶志内",
        },
    )
    assert r.status_code == 303
    new_id = r.headers["Location"].rsplit("/", 1)[1]
    assert new_id not in two_maps
    with Store(app.config["DATA"]).open(new_id) as s:
        assert s.meta()["title"] == "茶志内 全体"
        G = s.graph()
    households = [d for _, d in G.nodes(data=True) if d["kind"] == "household"]
    assert len(households) == 2  # 佐藤さん宅 and さとうさん宅 joined; 中島さん宅
    joined = next(d for d in households if "|" in d["from_session"])
    assert set(joined["from_session"].split("|")) == {a, b}
    assert all(d.get("from_session") for _, d in G.nodes(data=True))
    assert {sid: _file_hash(app, sid) for sid in two_maps} == hashes


def test_merge_rejected_candidate_keeps_both(fac, app, two_maps):
    a, b = two_maps
    data = {"s": [a, b], f"c_{_pair(app, a, b)}": "different", "title": "全体"}
    r = fac.post("/archive/merge", data=data)
    new_id = r.headers["Location"].rsplit("/", 1)[1]
    with Store(app.config["DATA"]).open(new_id) as s:
        assert sum(1 for _, k in s.graph().nodes(data="kind") if k == "household") == 3


@pytest.mark.parametrize("hx", [{}, HX])
def test_merge_needs_two_sessions_and_a_title(fac, app, two_maps, hx):
    a, b = two_maps
    count = len(Store(app.config["DATA"]).ids())
    r = fac.post("/archive/merge", data={"s": [a], "title": "x"}, headers=hx)
    assert r.status_code == 422 and "2つ以上" in r.get_data(as_text=True)
    r = fac.post("/archive/merge", data={"s": [a, b], "title": " "}, headers=hx)
    assert r.status_code == 422 and 'role="alert"' in r.get_data(as_text=True)
    assert len(Store(app.config["DATA"]).ids()) == count


@pytest.mark.parametrize("hx", [{}, HX])
def test_an_undecided_pair_is_refused_and_nothing_is_created(fac, app, two_maps, hx):
    a, b = two_maps
    count = len(Store(app.config["DATA"]).ids())
    r = fac.post("/archive/merge", data={"s": [a, b], "title": "全体"}, headers=hx)
    assert r.status_code == 422
    assert "同じかどうかを選んでください（残り1組）" in r.get_data(as_text=True)
    assert len(Store(app.config["DATA"]).ids()) == count
