"""The projector's wall in Chromium takes what it gained along its stream (wall_groups.
delta_html): approved notes of kinds already on the wall come as their stickies only, are
added where they belong with their kind's count, and the wall ends as a page loaded
afresh; a change that is not only new stickies brings the whole wall, and a wall that is
not the one an addition was made against asks for the whole one."""

from __future__ import annotations

import pytest

from tests.e2e.test_projector import _cli, _page
from tests.e2e.test_tree_pushed import STICKIES_JS, _newest

pytestmark = pytest.mark.e2e

WALL_JS = """() => {
  const wall = document.getElementById('wall');
  const counts = Array.from(wall.querySelectorAll('section.kind-group')).map((g) =>
    [g.dataset.kind, g.querySelector('.badge').textContent.trim(),
     g.querySelectorAll('.sticky').length]);
  return {seq: wall.dataset.seq, counts, grown: Number(wall.dataset.grown || 0),
          pushed: Number(wall.dataset.pushed || 0)};
}"""


def _at(page, seq: int) -> None:
    page.wait_for_function(
        "seq => Number(document.getElementById('wall').dataset.seq) >= seq",
        arg=seq,
        timeout=8000,
    )


def _same_as_fresh(page, sid: str) -> None:
    fresh = page.context.new_page()
    fresh.goto(f"/sessions/{sid}/projector?view=wall")
    fresh.wait_for_selector("#wall .sticky")
    assert page.evaluate(STICKIES_JS) == fresh.evaluate(STICKIES_JS)
    ours, theirs = page.evaluate(WALL_JS), fresh.evaluate(WALL_JS)
    assert ours["counts"] == theirs["counts"] and ours["seq"] == theirs["seq"]
    assert all(badge == str(n) for _, badge, n in ours["counts"])
    fresh.close()


def test_approved_notes_come_as_their_stickies_and_the_wall_ends_as_a_fresh_load(server, context):
    sid = _cli(server, "new", "増えていく壁").split("\t")[0]
    first = [server.approved(sid, kind, f"はじめ{kind}") for kind in ("person", "group")]
    laptop = _page(server, context, {"width": 1920, "height": 1080})
    asked: list[str] = []
    laptop.on("request", lambda r: asked.append(r.url) if "/projector/wall" in r.url else None)
    laptop.goto(f"/sessions/{sid}/projector?view=wall")
    laptop.wait_for_selector("#wall .sticky")
    for i in range(6):
        server.approved(sid, "person" if i % 3 else "group", f"増えた{i}")
        _at(laptop, _newest(server, sid))
    state = laptop.evaluate(WALL_JS)
    assert state["grown"] == 6, state  # each came as its sticky alone
    assert not asked, asked
    _same_as_fresh(laptop, sid)
    # A group's name corrected: the whole wall comes, not an addition.
    status, body = server.api(
        f"/api/v1/sessions/{sid}/nodes/{first[1]}", "PATCH", {"label": "直した会"}
    )
    assert status == 200, body
    _at(laptop, _newest(server, sid))
    after = laptop.evaluate(WALL_JS)
    # The whole wall swapped in (a new element: nothing added onto it yet), along the stream.
    assert (after["grown"], after["pushed"]) == (0, state["pushed"] + 1), after
    assert "直した会" in laptop.inner_text("#wall") and not asked
    _same_as_fresh(laptop, sid)


def test_an_addition_for_another_wall_is_not_applied_the_whole_wall_is_asked(server, context):
    sid = _cli(server, "new", "取り違えない壁").split("\t")[0]
    server.approved(sid, "person", "はじめの人")
    laptop = _page(server, context, {"width": 1280, "height": 800})
    asked: list[str] = []
    laptop.on("request", lambda r: asked.append(r.url) if "/projector/wall" in r.url else None)
    laptop.goto(f"/sessions/{sid}/projector?view=wall")
    laptop.wait_for_selector("#wall .sticky")
    server.approved(sid, "person", "届いた人")
    _at(laptop, _newest(server, sid))
    assert laptop.evaluate(WALL_JS)["grown"] == 1
    laptop.evaluate("() => { document.getElementById('wall').dataset.seq = '1'; }")
    server.approved(sid, "person", "取り違えない人")
    newest = _newest(server, sid)
    _at(laptop, newest)
    # Not added onto the wrong wall: the whole wall asked for once instead, swapped in.
    assert laptop.evaluate(WALL_JS)["grown"] == 0
    assert len(asked) == 1, asked
    assert laptop.locator("#wall .sticky.kind-person").count() == 3
    _same_as_fresh(laptop, sid)
