"""Times in the machine's zone (TZ=Asia/Tokyo) on pages, in the report, the archive and the CLI."""

import json
import time

import pytest
from click.testing import CliRunner

from facilitator.cli import main
from facilitator.localtime import local_date, local_datetime, local_hhmm

# 01:20 UTC on 3 Dec is 10:20 in Japan; 23:30 UTC on 2 Dec is already 3 Dec there.
MORNING = "2026-12-03T01:20:00.000+00:00"
LATE_UTC = "2026-12-02T23:30:00.000+00:00"


@pytest.fixture(autouse=True)
def tokyo(monkeypatch):
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_the_helpers_read_utc_as_japan_time():
    assert local_hhmm(MORNING) == "10:20"
    assert local_datetime(MORNING) == "2026-12-03 10:20"
    assert local_date(LATE_UTC) == "2026-12-03"
    assert local_date("2026-12-02T23:30:00") == "2026-12-03"  # no offset: written as UTC
    assert local_date("not a time") == "" and local_date(None) == ""


def _backdate(store, sid, when):
    with store.open(sid) as s:
        s.db.execute("UPDATE meta SET value = ? WHERE key = 'created'", [json.dumps(when)])
        s.db.execute("UPDATE events SET time = ?", [when])
        s.db.execute("UPDATE notes SET created = ?", [when])


@pytest.fixture
def early(store):
    """A session held at 08:30 JST on 3 Dec (23:30 UTC on 2 Dec), with one note."""
    with store.create("朝の会", area="茶志内") as s:
        sid = s.id
        s.add_node("group", "老人クラブ", "facilitator")
    _backdate(store, sid, LATE_UTC)
    return sid


def test_archive_view_history_and_report_show_japan_dates(fac, early):
    archive = fac.get("/archive").get_data(as_text=True)
    assert "2026-12-03" in archive and "2026-12-02" not in archive
    assert "2026-12-03 08:30" in archive  # the last change
    view = fac.get(f"/archive/{early}").get_data(as_text=True)
    assert "2026-12-03" in view and "2026-12-02" not in view
    history = fac.get(f"/archive/{early}/history").get_data(as_text=True)
    assert "2026-12-03 08:30" in history and "23:30" not in history
    report = fac.get(f"/archive/{early}/report").get_data(as_text=True)
    assert "2026-12-03" in report and "2026-12-02" not in report  # 実施日 is the local day
    sessions = fac.get("/sessions").get_data(as_text=True)
    assert "2026-12-03" in sessions and "2026-12-02" not in sessions


def test_cli_sessions_list_the_local_date(store, early, monkeypatch):
    result = CliRunner().invoke(main, ["--data", str(store.root), "sessions"])
    assert result.exit_code == 0, result.output
    assert "\t2026-12-03\t朝の会" in result.output
