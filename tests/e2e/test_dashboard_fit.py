"""The demo dashboard on a 1366×768 laptop in headless Chromium (issue 10): the queue with its
count and the live feed in the first screen, the join QR folded once phones joined, private
panels closed and hidden by Esc, keyboard shortcuts on the focused note, and the whole page
≤ 300 KB (its time, ≤ 500 ms, is measured by bench/dashboard.py). Screenshots go to tests/e2e/screenshots/."""

from __future__ import annotations

import json
import urllib.request

import pytest

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1366, "height": 768}
#: Everything the page loaded: the document and every resource, bytes on the wire and time.
WEIGHT_JS = """() => {
  const nav = performance.getEntriesByType('navigation')[0];
  const res = performance.getEntriesByType('resource');
  const bytes = [nav, ...res].reduce((s, e) => s + (e.encodedBodySize || 0), 0);
  const late = res.filter((e) => !e.name.includes('/stream') && !e.name.includes('favicon'));
  const end = Math.max(nav.loadEventEnd, ...late.map((e) => e.responseEnd));
  return {bytes, ms: end - nav.startTime, resources: res.length, document: nav.encodedBodySize,
    dcl: nav.domContentLoadedEventEnd, load: nav.loadEventEnd,
    each: [nav, ...late].map((e) => `${e.name.split('/').slice(-2).join('/')} ${Math.round(e.startTime)}-${Math.round(e.responseEnd)}`)};
}"""


def _join(server, code, nickname):
    request = urllib.request.Request(
        server.url("/api/v1/join"),
        data=json.dumps({"code": code, "nickname": nickname}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return json.loads(response.read())["token"]


def _phone_note(server, sid, token, kind, text):
    request = urllib.request.Request(
        server.url(f"/api/v1/sessions/{sid}/notes"),
        data=json.dumps({"kind": kind, "text": text}).encode(),
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
        return json.loads(response.read())["id"]


@pytest.fixture(scope="module")
def demo(server):
    """A copy of the demo for this module alone: its tests approve and hide notes, and the
    projector tests count the pristine demo's notes on the same server."""
    from facilitator.storage.store import Store
    from graph.demo import AREA, demo_graph

    with Store(server.data).create(
        "デモ（ダッシュボードの試験）", area=AREA, actor="demo"
    ) as session:
        session.import_graph(demo_graph(), actor="demo")
        sid = session.id
    code = next(s for s in server.api("/api/v1/sessions")[1] if s["id"] == sid)["code"]
    token = _join(server, code, "ゆき")
    for kind, text in [
        ("place", "旧小学校の体育館"),
        ("need", "母が認知症でゴミ出しが大変"),
        ("person", "さとうさん"),
        ("activity", "朝のラジオ体操"),
    ]:
        _phone_note(server, sid, token, kind, text)
    return sid


def _open(server, context, sid):
    page = context("laptop", viewport=LAPTOP).new_page()
    page.goto(f"/login?key={server.key}")
    page.goto(f"/sessions/{sid}", wait_until="load")
    page.locator("[data-live-status][data-state=ok]").wait_for()
    return page


def test_the_queue_and_the_feed_are_the_first_screen(server, context, demo, screenshot):
    page = _open(server, context, demo)
    # Measured on the second load: the first after the server starts also reads the session
    # into the live model and loads the kana reader, once per server.
    # The best of three loads: the test machine runs other suites beside this one.
    loads = []
    for _ in range(3):
        page.reload(wait_until="load")
        page.locator("[data-live-status][data-state=ok]").wait_for()
        loads.append(page.evaluate(WEIGHT_JS))
    weight = min(loads, key=lambda w: w["ms"])
    print(
        f"\ndemo dashboard at 1366×768: {weight['bytes'] / 1024:.0f} KB in {weight['ms']:.0f} ms"
        f" ({weight['resources']} resources, document {weight['document'] / 1024:.0f} KB)"
    )
    print("  " + "\n  ".join(weight["each"]))
    # The weight is the page's own; its time depends on the machine and is checked by
    # bench/dashboard.py (≤ 500 ms), not here.
    assert weight["bytes"] <= 300 * 1024
    page.screenshot(path=str(screenshot_path("dashboard-1366x768")), full_page=False)
    screenshot(page, "dashboard-1366x768-full")

    def box(selector):
        return page.locator(selector).first.bounding_box()

    count = box("#queue [data-queue-count]")
    assert count and count["y"] + count["height"] <= LAPTOP["height"]
    assert page.locator("#queue [data-queue-count]").inner_text() == "4"
    first_note = box("#queue .pending-note")
    assert first_note["y"] < LAPTOP["height"] - 100
    feed = box("#feed")
    assert feed["y"] < LAPTOP["height"] - 150 and feed["x"] > first_note["x"]
    assert page.locator("#feed li[data-feed-note]").first.is_visible()
    # A phone has joined: the QR is folded away (the projector shows it to the room).
    assert page.locator("#join").evaluate("d => d.open") is False
    assert page.locator("#join .qr img").is_hidden()
    # The note sent despite the warning carries its marker.
    assert page.locator("#queue [data-diagnosis]").count() == 1
    # The flags and the what-if are closed; opened with a click, hidden again by Esc.
    flags = page.locator("#flags-fold")
    assert flags.evaluate("d => d.open") is False
    flags.locator("summary").click()
    page.locator("#flags .flag-list").wait_for()  # loaded when opened
    page.keyboard.press("Escape")
    assert flags.evaluate("d => d.open") is False
    assert page.locator("#flags .flag-list").is_hidden()


def screenshot_path(name):
    from tests.e2e.conftest import SCREENSHOTS

    SCREENSHOTS.mkdir(exist_ok=True)
    return SCREENSHOTS / f"{name}.png"


def test_keyboard_approve_hide_and_edit_on_the_focused_note(server, context, demo):
    page = _open(server, context, demo)
    notes = page.locator("#queue .pending-note")
    before = int(page.locator("#queue [data-queue-count]").inner_text())
    first = notes.first
    text = first.locator(".note-text").inner_text()
    first.focus()
    page.keyboard.press("e")
    assert page.evaluate("document.activeElement.matches('[data-edit]')")
    page.keyboard.type("旧小学校の体育館（確認）")  # E selects the label: typing replaces it
    first.focus()
    page.keyboard.press("a")
    page.wait_for_function(
        "n => Number(document.querySelector('#queue [data-queue-count]').textContent) === n",
        arg=before - 1,
    )
    graph = server.api(f"/api/v1/sessions/{demo}/graph")[1]
    assert text == "旧小学校の体育館"
    assert any(n["label"] == "旧小学校の体育館（確認）" for n in graph["nodes"])
    # The next note has the focus: H hides it.
    page.wait_for_function("() => document.activeElement.matches('.pending-note')")
    page.keyboard.press("h")
    page.wait_for_function(
        "n => Number(document.querySelector('#queue [data-queue-count]').textContent) === n",
        arg=before - 2,
    )
