"""The inspector in headless Chromium (issue 10): a facilitator corrects approved notes by hand
on the dashboard — consent and label, merge of two spellings with a choice, remove and undo,
lives-here — live on the projector, and opens a note from their own tree; Esc hides it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.e2e


def _note(server, sid, kind, text):
    status, body = server.api(
        f"/api/v1/sessions/{sid}/notes", "POST", {"kind": kind, "text": text}
    )
    assert status == 201 and body["node"], body
    return body["node"]


@pytest.fixture
def workshop(server):
    status, meta = server.api("/api/v1/sessions", "POST", {"title": "直す練習", "area": "東町"})
    assert status == 201
    sid = meta["id"]
    assert server.api(f"/api/v1/sessions/{sid}", "PATCH", {"auto_approve": True})[0] == 200
    ids = {
        "a": _note(server, sid, "person", "わたなべさん"),
        "b": _note(server, sid, "person", "渡辺さん"),
        "home": _note(server, sid, "household", "佐藤さん宅"),
        "sato": _note(server, sid, "person", "さとうさん"),
    }
    for node, age in ((ids["a"], "75-84"), (ids["b"], "85+")):
        server.api(f"/api/v1/sessions/{sid}/nodes/{node}", "PATCH", {"age_band": age})
    status, _ = server.api(
        f"/api/v1/sessions/{sid}/ties",
        "POST",
        {"source": ids["b"], "target": ids["home"], "kind": "watch"},
    )
    assert status == 201
    return sid, ids


def _graph(server, sid):
    status, body = server.api(f"/api/v1/sessions/{sid}/graph")
    assert status == 200
    return {n["id"]: n for n in body["nodes"]}, body["edges"]


def test_correct_merge_remove_and_undo_by_hand(server, context, workshop, screenshot):
    sid, ids = workshop
    ctx = context("laptop", viewport={"width": 1366, "height": 768})
    page = ctx.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"/login?key={server.key}")
    projector = ctx.new_page()
    projector.goto(f"/sessions/{sid}/projector?view=wall")
    page.goto(f"/sessions/{sid}")

    # Open わたなべさん from the list; record consent and a corrected label.
    page.locator("#node-results a", has_text="わたなべさん").click()
    inspector = page.locator("#inspector")
    inspector.locator("[data-inspected-label]", has_text="わたなべさん").wait_for()
    inspector.locator("#insp-label").fill("ワタナベさん")
    inspector.locator("#insp-consent").select_option("named")
    inspector.get_by_test_id("inspector-save").click()
    inspector.get_by_text("保存しました").wait_for()
    nodes, _ = _graph(server, sid)
    assert nodes[ids["a"]]["label"] == "ワタナベさん" and nodes[ids["a"]]["consent"] == "named"
    # Live on the projector: the name is shown now that consent is recorded.
    projector.locator(f'[data-node="{ids["a"]}"]', has_text="ワタナベさん").wait_for(timeout=5000)

    # 渡辺さん is offered as the same person; merge it, taking its age band.
    assert inspector.locator(f'[data-duplicate="{ids["b"]}"]').count() == 1
    inspector.locator("#insp-drop").select_option(ids["b"])
    inspector.get_by_test_id("inspector-merge").click()
    inspector.locator('[data-conflict="age_band"]').wait_for()
    inspector.locator('[data-conflict="age_band"] input[value="drop"]').check()
    screenshot(page, "inspector-merge-1366")
    inspector.get_by_test_id("inspector-merge-confirm").click()
    inspector.get_by_text("統合しました").wait_for()
    nodes, edges = _graph(server, sid)
    assert ids["b"] not in nodes and nodes[ids["a"]]["age_band"] == "85+"
    assert {(e["source"], e["target"]) for e in edges} == {(ids["a"], ids["home"])}
    projector.locator(f'[data-node="{ids["b"]}"]').wait_for(state="detached", timeout=5000)

    # Remove 佐藤さん宅 (its tie goes too), then undo brings both back.
    page.locator("#node-q").fill("佐藤さん宅")
    page.locator("#node-results a", has_text="佐藤さん宅").click()
    inspector.locator("[data-inspected-label]", has_text="佐藤さん宅").wait_for()
    inspector.get_by_test_id("inspector-remove").click()
    inspector.locator(f'[data-removed="{ids["home"]}"]').wait_for()
    assert ids["home"] not in _graph(server, sid)[0]
    on_projector = projector.locator(f'[data-node="{ids["home"]}"]')
    on_projector.wait_for(state="detached", timeout=5000)
    inspector.get_by_test_id("inspector-undo").click()
    inspector.get_by_text("の削除を取り消しました").wait_for()
    nodes, edges = _graph(server, sid)
    assert ids["home"] in nodes and len(edges) == 1
    on_projector.wait_for(timeout=5000)

    # さとうさん is not merged into 佐藤さん宅: the inspector offers "lives there" instead.
    page.locator("#node-q").fill("さとう")
    page.locator("#node-results a", has_text="さとうさん").click()
    inspector.locator("#insp-lives").select_option(ids["home"])
    inspector.get_by_test_id("inspector-lives-in").click()
    inspector.get_by_text("同居として保存しました").wait_for()
    kinds = {(e["source"], e["target"]): e["kind"] for e in _graph(server, sid)[1]}
    assert kinds[(ids["sato"], ids["home"])] == "lives_in"

    # 雪かき隊 was sent as an activity but is a group: correct its kind, then its tie.
    team = _note(server, sid, "activity", "雪かき隊")
    status, tie = server.api(
        f"/api/v1/sessions/{sid}/ties",
        "POST",
        {"source": team, "target": ids["home"], "kind": "snow"},
    )
    assert status == 201
    page.locator("#node-q").fill("雪かき隊")
    page.locator("#node-results a", has_text="雪かき隊").click()
    inspector.locator("[data-inspected-label]", has_text="雪かき隊").wait_for()
    inspector.locator("#insp-kind").select_option("group")
    inspector.get_by_test_id("inspector-save").click()
    inspector.locator(".badge.kind", has_text="団体").wait_for()
    inspector.locator(f"#tseason-{tie['id']}").select_option("winter_only")
    inspector.locator(f"#tfrequency-{tie['id']}").select_option("weekly")
    with page.expect_response(lambda r: f"/ties/{tie['id']}" in r.url) as saving:
        inspector.get_by_test_id(f"tie-save-{tie['id']}").click()
    assert saving.value.status == 200
    assert _graph(server, sid)[0][team]["kind"] == "group"
    saved = next(e for e in _graph(server, sid)[1] if e["source"] == team)
    assert (saved["season"], saved["frequency"]) == ("winter_only", "weekly")

    # Esc hides the inspector (a mirrored laptop shows nothing private).
    page.keyboard.press("Escape")
    assert inspector.is_hidden()


def test_a_click_on_the_facilitators_tree_opens_the_inspector(server, context, workshop):
    sid, ids = workshop
    page = context("laptop", viewport={"width": 1366, "height": 768}).new_page()
    page.goto(f"/login?key={server.key}")
    page.goto(f"/sessions/{sid}/tree")
    page.wait_for_function(
        "() => window.tsunagariNetwork && document.getElementById('tree').dataset.loads"
    )
    # On the facilitator's laptop the whole picture is in the window, under both toolbars,
    # and it has most of the window (it had 38% with full-size toolbars and legend).
    box = page.evaluate(
        "() => { const r = document.getElementById('tree').getBoundingClientRect();"
        " return {bottom: r.bottom, share: r.width * r.height / (innerWidth * innerHeight)}; }"
    )
    assert box["bottom"] <= 768 and box["share"] >= 0.5, box
    point = page.evaluate(
        "id => { const n = window.tsunagariNetwork, p = n.getPositions([id])[id];"
        " const d = n.canvasToDOM(p), r = document.getElementById('tree')"
        ".getBoundingClientRect(); return {x: d.x + r.left, y: d.y + r.top}; }",
        ids["home"],
    )
    page.mouse.click(point["x"], point["y"])
    inspector = page.locator("#inspector")
    inspector.locator("[data-inspected-label]", has_text="佐藤さん宅").wait_for()
    inspector.locator("#insp-lives_alone").select_option("true")
    inspector.get_by_test_id("inspector-save").click()
    inspector.get_by_text("保存しました").wait_for()
    assert _graph(server, sid)[0][ids["home"]]["lives_alone"] is True
    page.keyboard.press("Escape")
    assert inspector.is_hidden()
