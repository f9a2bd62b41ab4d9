"""The live stream brings the tree along (facilitator/stream_push.py): the facilitator's tree
and the projector's take each change from their stream without asking, and after many
approvals, ties, corrections, removals and undos they show exactly what a page loaded
afresh shows — the same notes with the same labels and places, the same ties."""

from __future__ import annotations

import json
import random

import pytest

from tests.e2e.test_projector import _cli, _page, _wait_loads

pytestmark = pytest.mark.e2e

#: Every note and tie as drawn, by id, with every field vis holds for it.
DRAWN_JS = """() => {
  const data = window.tsunagariNetwork.body.data;
  const pick = (set) => Object.fromEntries(set.get().map((item) => {
    const keys = Object.keys(item).sort();
    return [item.id, JSON.stringify(item, keys)];
  }));
  return {nodes: pick(data.nodes), edges: pick(data.edges)};
}"""

KINDS = ["household", "person", "group", "place", "idea", "institution", "activity"]
TIES = ["member", "talk", "share", "care"]


def _newest(server, sid: str) -> int:
    return max(e["seq"] for e in server.api(f"/api/v1/sessions/{sid}/events")[1])


def _asked(page) -> list[str]:
    asked: list[str] = []
    page.on("request", lambda r: asked.append(r.url) if "/tree.json" in r.url else None)
    return asked


def _change(server, sid: str, rng: random.Random, nodes: list[str], step: int) -> None:
    """One change a facilitator makes: mostly approvals, then ties, corrections, removals
    and undos."""
    roll = rng.random()
    if roll < 0.4 or len(nodes) < 3:
        nodes.append(server.approved(sid, rng.choice(KINDS), f"付箋{step}"))
    elif roll < 0.6:
        source, target = rng.sample(nodes, 2)
        tie = {"source": source, "target": target, "kind": rng.choice(TIES)}
        status, body = server.api(f"/api/v1/sessions/{sid}/ties", "POST", tie)
        assert status in (200, 201, 422), body
    elif roll < 0.75:
        node = rng.choice(nodes)
        status, body = server.api(
            f"/api/v1/sessions/{sid}/nodes/{node}", "PATCH", {"label": f"直した{step}"}
        )
        assert status == 200, body
    elif roll < 0.87:
        node = nodes.pop(rng.randrange(len(nodes)))
        status, body = server.api(f"/api/v1/sessions/{sid}/nodes/{node}", "DELETE")
        assert status == 200, body
    else:
        status, body = server.api(f"/api/v1/sessions/{sid}/undo", "POST", {})
        assert status in (200, 404, 422), body


def test_trees_brought_by_the_stream_end_as_a_fresh_load(server, context):
    sid = _cli(server, "new", "流れてくる木").split("\t")[0]
    nodes = [server.approved(sid, kind, f"はじめ{i}") for i, kind in enumerate(KINDS)]
    laptop = _page(server, context, {"width": 1280, "height": 800})
    screens = {
        "facilitator": f"/sessions/{sid}/tree",
        "projector": f"/sessions/{sid}/projector?view=tree",
    }
    pages, asked = {}, {}
    for name, path in screens.items():
        page = laptop if name == "facilitator" else laptop.context.new_page()
        asked[name] = _asked(page)
        page.goto(path)
        _wait_loads(page)
        pages[name] = page
    rng = random.Random(14)
    for step in range(24):
        _change(server, sid, rng, nodes, step)
        newest = _newest(server, sid)
        for page in pages.values():
            page.wait_for_function(
                "seq => Number(document.getElementById('tree').dataset.seq) >= seq",
                arg=newest,
                timeout=8000,
            )
    for name, page in pages.items():
        # The changes came along the stream: the page asked only for its first picture.
        pushed = int(page.evaluate("() => document.getElementById('tree').dataset.pushed || 0"))
        assert pushed >= 12
        # Most came as what changed since the picture on screen (tree_delta.py).
        deltas = int(page.evaluate("() => document.getElementById('tree').dataset.deltas || 0"))
        assert deltas >= 8, (name, deltas, pushed)
        assert len(asked[name]) <= 3, asked[name]
        drawn = page.evaluate(DRAWN_JS)
        fresh = laptop.context.new_page()
        fresh.goto(screens[name])
        _wait_loads(fresh)
        again = fresh.evaluate(DRAWN_JS)
        assert drawn["nodes"].keys() == again["nodes"].keys(), name
        assert drawn["edges"].keys() == again["edges"].keys(), name
        differ = [n for n in drawn["nodes"] if drawn["nodes"][n] != again["nodes"][n]]
        assert not differ, (name, [(drawn["nodes"][n], again["nodes"][n]) for n in differ[:2]])
        assert drawn["edges"] == again["edges"], name
        labels = {json.loads(v)["label"] for v in drawn["nodes"].values()}
        assert any("直した" in label for label in labels) or name == "projector"
        fresh.close()


STICKIES_JS = """() => Array.from(document.querySelectorAll('#wall .kind-group')).map((g) =>
  [g.dataset.kind, Array.from(g.querySelectorAll('.sticky')).map((s) => [s.dataset.node, s.textContent.trim()])])"""


def test_the_wall_brought_by_the_stream_ends_as_a_fresh_load(server, context):
    sid = _cli(server, "new", "流れてくる付箋").split("\t")[0]
    nodes = [server.approved(sid, kind, f"はじめ{i}") for i, kind in enumerate(KINDS)]
    laptop = _page(server, context, {"width": 1280, "height": 800})
    asked: list[str] = []
    laptop.on("request", lambda r: asked.append(r.url) if "/projector/wall" in r.url else None)
    laptop.goto(f"/sessions/{sid}/projector?view=wall")
    laptop.wait_for_selector("#wall .sticky")
    rng = random.Random(7)
    for step in range(16):
        _change(server, sid, rng, nodes, step)
        newest = _newest(server, sid)
        laptop.wait_for_function(
            "seq => Number(new URL(document.getElementById('wall').getAttribute('hx-get'),"
            " location.href).searchParams.get('since')) >= seq",
            arg=newest,
            timeout=8000,
        )
    pushed = int(laptop.evaluate("() => document.getElementById('wall').dataset.pushed || 0"))
    assert pushed >= 8, pushed
    assert not asked, asked  # every change came along the stream
    drawn = laptop.evaluate(STICKIES_JS)
    fresh = laptop.context.new_page()
    fresh.goto(f"/sessions/{sid}/projector?view=wall")
    fresh.wait_for_selector("#wall .sticky")
    assert drawn == fresh.evaluate(STICKIES_JS)


def test_a_delta_for_another_picture_is_not_applied_the_whole_picture_is_asked(server, context):
    # A screen whose picture is not the one a delta was made against (it missed a push, its
    # line dropped) must not apply it: it asks for the whole picture and ends as a fresh load.
    sid = _cli(server, "new", "取り違えない木").split("\t")[0]
    nodes = [server.approved(sid, kind, f"はじめ{i}") for i, kind in enumerate(KINDS)]
    page = _page(server, context, {"width": 1280, "height": 800})
    asked = _asked(page)
    page.goto(f"/sessions/{sid}/tree")
    _wait_loads(page)
    nodes.append(server.approved(sid, "person", "届いた人"))
    newest = _newest(server, sid)
    page.wait_for_function(
        "seq => Number(document.getElementById('tree').dataset.seq) >= seq", arg=newest
    )
    assert int(page.evaluate("() => document.getElementById('tree').dataset.deltas || 0")) == 1
    before = len(asked)
    page.evaluate("() => { document.getElementById('tree').dataset.picture = '1'; }")
    nodes.append(server.approved(sid, "person", "取り違えない人"))
    newest = _newest(server, sid)
    page.wait_for_function(
        "seq => Number(document.getElementById('tree').dataset.seq) >= seq", arg=newest
    )
    page.wait_for_function(
        "() => document.getElementById('tree').dataset.picture !== '1'", timeout=8000
    )
    assert int(page.evaluate("() => document.getElementById('tree').dataset.deltas || 0")) == 1
    assert len(asked) == before + 1, asked[before:]
    drawn = page.evaluate(DRAWN_JS)
    fresh = page.context.new_page()
    fresh.goto(f"/sessions/{sid}/tree")
    _wait_loads(fresh)
    assert drawn == fresh.evaluate(DRAWN_JS)
    assert "取り違えない人" in {json.loads(v).get("name") for v in drawn["nodes"].values()}
    fresh.close()
