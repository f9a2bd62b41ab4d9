"""Bursts of approvals on a generated session, in every view of the presenter remote (issue 9).

Six notes approved in a row, twice, while the projector shows the whole tree, the winter view
or the step-by-step reveal: every new note reaches the projector-only page and ends up inside
the picture (the revealed ones once their band is shown), the page keeps the window's height,
and the winter view says so on screen.
"""

from __future__ import annotations

import json

import pytest

from tests.e2e.test_projector import CANVAS_JS, _cli, _page, _wait_loads
from tests.shapes import shaped

pytestmark = pytest.mark.e2e


# -- bursts of approvals on a generated session, in every view of the remote ------------------

INSIDE_DRAWN_JS = """ids => {
  const n = window.tsunagariNetwork, el = document.getElementById('tree');
  const a = n.DOMtoCanvas({x: 0, y: 0}), z = n.DOMtoCanvas({x: el.clientWidth, y: el.clientHeight});
  return ids.map((id) => {
    const d = n.body.data.nodes.get(id);
    if (!d) return 'missing';
    if (d.hidden) return 'hidden';
    const b = n.getBoundingBox(id);
    return b.left >= a.x && b.right <= z.x && b.top >= a.y && b.bottom <= z.y ? 'inside' : 'outside';
  });
}"""


@pytest.mark.parametrize("mode", ["tree", "winter", "reveal"])
def test_bursts_of_approvals_reach_the_projector_in_every_view(
    server, context, tmp_path, screenshot, mode
):
    path = tmp_path / "village.json"
    path.write_text(json.dumps(shaped("village", 1), ensure_ascii=False), encoding="utf-8")
    sid = _cli(server, "new", f"連続承認 {mode}").split("\t")[0]
    _cli(server, "import", sid, str(path), "--yes")
    laptop = _page(server, context, {"width": 1280, "height": 800})
    laptop.goto(f"/sessions/{sid}/tree")
    _wait_loads(laptop)
    projector = laptop.context.new_page()
    projector.set_viewport_size({"width": 1920, "height": 1080})
    projector.goto(f"/sessions/{sid}/projector/tree")
    _wait_loads(projector)
    if mode == "winter":
        laptop.locator("#present-winter").check()
        projector.wait_for_function("() => !document.getElementById('winter-banner').hidden")
    if mode == "reveal":  # the roots and the soil only
        laptop.locator("#present-reveal").click()
        laptop.locator("#present-reveal").click()
        projector.wait_for_function(
            "() => window.tsunagariNetwork.body.data.nodes.get().some((n) => n.hidden)"
        )
    height = projector.evaluate(CANVAS_JS)["height"]
    kinds = ["household", "group", "place", "idea", "household", "institution"]
    added = []
    for run in range(2):
        new = [server.approved(sid, k, f"{mode}の付箋{run}-{i}") for i, k in enumerate(kinds)]
        added += new
        newest = max(e["seq"] for e in server.api(f"/api/v1/sessions/{sid}/events")[1])
        projector.wait_for_function(
            "seq => Number(document.getElementById('tree').dataset.seq) >= seq", arg=newest
        )
        projector.wait_for_function(
            f"ids => ({INSIDE_DRAWN_JS})(ids).every((w) => w === 'inside' || w === 'hidden')",
            arg=new,
            timeout=3000,
        )
        assert "missing" not in projector.evaluate(INSIDE_DRAWN_JS, new)
    if mode == "reveal":  # the whole tree again: the notes revealed come into the picture
        laptop.locator("#present-reveal").click()
        laptop.locator("#present-reveal").click()
        laptop.locator("#present-reveal").click()
        laptop.locator("#present-reveal").click()
        projector.wait_for_function(
            "() => !window.tsunagariNetwork.body.data.nodes.get().some((n) => n.hidden)"
        )
    projector.wait_for_function(
        f"ids => ({INSIDE_DRAWN_JS})(ids).every((w) => w === 'inside')", arg=added, timeout=3000
    )
    if mode == "winter":
        assert projector.locator("#winter-banner").is_visible()
        assert "冬" in projector.locator("#winter-banner").inner_text()
    assert projector.evaluate(CANVAS_JS)["height"] == height == 1080
    screenshot(projector, f"burst-{mode}-1920")
