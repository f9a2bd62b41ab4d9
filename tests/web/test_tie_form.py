"""The dashboard's tie form takes season and frequency, and a team may clear a household's snow."""

from __future__ import annotations

import pytest

HX = {"HX-Request": "true"}


@pytest.fixture
def team_and_home(store, session_id):
    with store.open(session_id) as s:
        return s.add_node("activity", "雪かき隊", "t"), s.add_node("household", "佐藤さん宅", "t")


def _ties(store, sid):
    with store.open(sid) as s:
        return list(s.graph().edges(keys=True, data=True))


@pytest.mark.parametrize("hx", [True, False])
def test_a_snow_team_clears_a_household_in_winter_weekly(
    fac, store, session_id, team_and_home, hx
):
    team, home = team_and_home
    form = {
        "source": team,
        "target": home,
        "kind": "snow",
        "season": "winter_only",
        "frequency": "weekly",
    }
    response = fac.post(f"/sessions/{session_id}/ties", data=form, headers=HX if hx else {})
    assert response.status_code == (200 if hx else 303)
    ((u, v, _, d),) = _ties(store, session_id)
    assert (u, v, d["kind"], d["season"], d["frequency"]) == (
        team,
        home,
        "snow",
        "winter_only",
        "weekly",
    )
    html = fac.get(f"/sessions/{session_id}/ties", headers=HX).get_data(as_text=True)
    assert "冬だけ" in html and "週1回以上" in html


@pytest.mark.parametrize("hx", [True, False])
def test_a_bad_season_is_refused_in_japanese(fac, store, session_id, team_and_home, hx):
    team, home = team_and_home
    form = {"source": team, "target": home, "kind": "snow", "season": "spring"}
    response = fac.post(f"/sessions/{session_id}/ties", data=form, headers=HX if hx else {})
    assert response.status_code == 422
    assert "season" in response.get_data(as_text=True)
    assert _ties(store, session_id) == []
