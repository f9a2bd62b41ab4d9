"""The event log of a session and its replay to an earlier point."""

import pytest

from facilitator.storage import Store

from .helpers import HX


@pytest.mark.parametrize("hx", [{}, HX])
def test_history_replays_an_earlier_point(fac, app, session_id, hx):
    with Store(app.config["DATA"]).open(session_id) as s:
        s.add_node("household", "鈴木さん宅", "facilitator")
        early = s.last_seq()
        s.add_node("household", "田中さん宅", "facilitator")
        s.add_node("person", "田中 花子", "facilitator")
        last = s.last_seq()
    text = fac.get(f"/archive/{session_id}/history?seq={early}", headers=hx).get_data(as_text=True)
    assert f"記録{early}番の時点：項目1件" in text
    assert 'type="range"' in text and f'max="{last}"' in text
    assert "進行役" in text and "鈴木さん宅" in text  # who and what, in the log
    assert f"tree.json?seq={early}" in text
    now = fac.get(f"/archive/{session_id}/history").get_data(as_text=True)
    assert f"記録{last}番の時点：項目3件" in now
    old = fac.get(f"/archive/{session_id}/tree.json?seq={early}").get_json()
    new = fac.get(f"/archive/{session_id}/tree.json").get_json()
    assert len(old["nodes"]) < len(new["nodes"])


def test_history_rejects_a_bad_seq(fac, session_id):
    assert fac.get(f"/archive/{session_id}/history?seq=abc").status_code == 400
