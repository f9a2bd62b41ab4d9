"""Screens fetch only what a change touched, in as few requests as they can (issue 14): the
dashboard refreshes every touched region in one request, and a projector tab that is not
shown fetches nothing until it is."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 768}


@pytest.fixture(scope="module")
def demo(server):
    """A copy of the demo for this module alone (its notes are approved here)."""
    from facilitator.storage.store import Store
    from graph.demo import AREA, demo_graph

    with Store(server.data).create("デモ（更新の試験）", area=AREA, actor="demo") as session:
        session.import_graph(demo_graph(), actor="demo")
        return session.id


def _note(server, sid: str, text: str) -> dict:
    status, note = server.api(
        f"/api/v1/sessions/{sid}/notes", "POST", {"kind": "idea", "text": text}
    )
    assert status in (200, 201)
    return note


def _requests(page) -> list[str]:
    """The paths (with queries) of the requests ``page`` makes from now on."""
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url.split("/", 3)[-1]))
    return seen


def _open(context, server, path: str):
    page = context("laptop", viewport=LAPTOP).new_page()
    page.goto(f"/login?key={server.key}")
    page.goto(path, wait_until="load")
    return page


def test_an_approved_note_refreshes_the_dashboard_in_one_request(server, context, demo):
    note = _note(server, demo, "朝市を開く")
    page = _open(context, server, f"/sessions/{demo}")
    page.locator("#queue .pending-note").first.wait_for()
    page.locator("[data-live-status][data-state=ok]").wait_for()  # the stream is open
    seen = _requests(page)
    status, _ = server.api(f"/api/v1/sessions/{demo}/notes/{note['id']}/approve", "POST", {})
    assert status == 200
    # The queue, its count, the feed and the node list all follow the approval …
    page.wait_for_function(
        "() => document.querySelector('#queue [data-queue-count]').textContent.trim() === '0'"
    )
    page.locator("#node-results", has_text="朝市を開く").wait_for()
    page.locator("#feed [data-feed-note] .badge.approved").first.wait_for()
    page.wait_for_timeout(300)  # nothing else comes after
    # … through one request for all of them, and none for a region the note did not touch.
    refreshes = [path for path in seen if "/regions?" in path]
    assert len(refreshes) == 1, seen
    assert "queue=" in refreshes[0] and "nodes=" in refreshes[0] and "counts=" in refreshes[0]
    assert "tie_results=" not in refreshes[0] and "controls=" not in refreshes[0]
    single = ("/queue", "/feed", "/counts", "/node-list", "/tie_results", "/tie_form")
    assert not [path for path in seen if path.split("?")[0].endswith(single)], seen


def test_the_hidden_wall_fetches_only_once_shown(server, context, demo):
    page = _open(context, server, f"/sessions/{demo}/projector?view=tree")
    page.wait_for_function("() => Number(document.getElementById('tree').dataset.seq) > 0")
    seen = _requests(page)
    note = _note(server, demo, "夏祭りの手伝い")
    status, _ = server.api(f"/api/v1/sessions/{demo}/notes/{note['id']}/approve", "POST", {})
    assert status == 200
    page.wait_for_function(
        "(seq) => Number(document.getElementById('tree').dataset.seq) >= seq", arg=note["seq"] + 1
    )
    page.wait_for_timeout(300)
    assert not [path for path in seen if "/projector/wall" in path], seen  # the tab is hidden
    page.locator("[data-view-tab=wall]").click()
    page.locator("#wall", has_text="夏祭りの手伝い").wait_for()
    assert len([path for path in seen if "/projector/wall" in path]) == 1, seen
