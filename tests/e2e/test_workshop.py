"""The workshop from the issue, in headless Chromium against the real `tsunagari serve`.

Done when: a new user opens the facilitator URL, shows the QR, joins from a phone, adds a
note, approves it, and sees it on the projector. Here: the facilitator creates the session;
two phones join and post notes (one Enter during a kana→kanji conversion must not send); the
dashboard queue and the projector update live over SSE, without reloading; then the stage
opens ties and a phone says, by name search in kana, that 田中さん clears the snow at 佐藤さん宅.
"""

from __future__ import annotations

import re
import time

import pytest

pytestmark = pytest.mark.e2e

TITLE = "茶志内地区 お宝さがし"
AREA = "茶志内"
TANAKA = "田中さん 畑の野菜をくれる"
SHOP = "移動販売車 水曜"
SATO = "佐藤さん宅"
SALON = "くりの木サロン 月3回"
#: How long a change may take to reach another screen (the issue: "within 1 s").
LIVE_SECONDS = 1.0
STICKIES = "#wall .sticky[data-node]"


# -- helpers -----------------------------------------------------------------------------------


def _events(server, session_id: str, type_: str) -> list[dict]:
    """The events of ``type_`` in the session's log, read through the JSON API."""
    status, body = server.api(f"/api/v1/sessions/{session_id}/events")
    assert status == 200, f"GET /api/v1/sessions/{session_id}/events → {status}: {body}"
    events = body.get("events", body) if isinstance(body, dict) else body
    return [e for e in events if e.get("type") == type_]


def _wait_until(predicate, timeout: float = 3.0, step: float = 0.05) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def _join(page, code: str, nickname: str) -> None:
    page.goto("/j")
    page.locator("#join-form input[name=code]").fill(code)
    page.locator("#join-form input[name=nickname]").fill(nickname)
    page.locator("#join-form [type=submit]").click()
    page.locator("#phone[data-ready]").wait_for(state="attached")  # the page's script runs
    assert re.search(r"/s/[^/?#]+$", page.url), page.url


def _mark_stale(page, selector: str) -> None:
    """Mark the element so the one htmx swaps in after a post can be told apart."""
    page.locator(selector).evaluate("el => el.setAttribute('data-stale', '1')")


def _clear_toast(page) -> None:
    """Empty the phone's toast, so the next confirmation can be told apart."""
    page.evaluate("document.getElementById('toast').className = ''")


def _pick_kind(page, kind: str) -> None:
    page.locator(f"#note-form label.kind:has(input[name=kind][value={kind}])").click()
    assert page.locator(f"#note-form input[name=kind][value={kind}]").is_checked()


def _post_note(page, kind: str, text: str) -> float:
    """Pick ``kind`` with its big button, type ``text`` and send; returns the click time."""
    _pick_kind(page, kind)
    page.locator("#note-text").fill(text)
    _clear_toast(page)
    sent = time.monotonic()
    page.locator("#note-form [type=submit]").click()
    page.locator("#toast.ok").wait_for()
    print(f"  phone: send → 'sent' message {(time.monotonic() - sent) * 1000:.0f} ms")
    assert page.locator("#note-text").input_value() == "", "the form should be fresh again"
    return sent


def _queued(dashboard, text: str):
    return dashboard.locator("#queue article[data-note]", has_text=text)


def _live(locator, since: float, what: str, delays: dict) -> None:
    """Wait for ``locator`` to show; check it came within LIVE_SECONDS of ``since``."""
    locator.first.wait_for(timeout=5000)
    delay = time.monotonic() - since
    delays[what] = delay
    print(f"  {what}: {delay * 1000:.0f} ms")


def _approve(dashboard, projector, text: str, delays: dict, what: str) -> tuple[str, str]:
    """Approve the queued note showing ``text``; wait for its new sticky on the projector.

    Returns the sticky's node id and the text the projector shows for it.
    """
    note_id = _queued(dashboard, text).first.get_attribute("data-note")
    assert note_id
    before = projector.locator(STICKIES).evaluate_all("els => els.map(e => e.dataset.node)")
    clicked = time.monotonic()
    dashboard.locator(f'[data-testid="approve-{note_id}"]').click()
    projector.wait_for_function(
        "seen => [...document.querySelectorAll('#wall .sticky[data-node]')]"
        ".some(e => !seen.includes(e.dataset.node))",
        arg=before,
        timeout=5000,
    )
    delay = time.monotonic() - clicked
    delays[what] = delay
    print(f"  {what}: {delay * 1000:.0f} ms")
    new = projector.locator(STICKIES).evaluate_all(
        "(els, seen) => els.filter(e => !seen.includes(e.dataset.node))"
        ".map(e => [e.dataset.node, e.textContent.trim()])",
        before,
    )
    assert len(new) == 1, new
    node, label = new[0]
    _queued(dashboard, text).first.wait_for(state="detached")
    return node, label


# -- the scenario ------------------------------------------------------------------------------


def test_workshop(server, context, screenshot):
    delays: dict[str, float] = {}
    print("\nlive delays:")

    # 1. The facilitator opens the facilitator URL and starts the session.
    laptop = context("laptop")
    dashboard = laptop.new_page()
    dashboard.goto(f"/login?key={server.key}")
    assert re.search(r"/sessions/?$", dashboard.url), dashboard.url
    form = dashboard.locator("form:has(input[name=title])")
    form.locator("input[name=title]").fill(TITLE)
    form.locator("input[name=area]").fill(AREA)
    form.locator("[type=submit]").click()
    dashboard.wait_for_url(re.compile(r"/sessions/[^/?#]+$"))
    session_id = re.search(r"/sessions/([^/?#]+)$", dashboard.url).group(1)
    assert dashboard.locator("h1", has_text=TITLE).is_visible()
    code = re.sub(r"\W", "", dashboard.locator("#join-code").inner_text())
    assert re.fullmatch(r"[A-Z0-9]{6}", code), code
    qr = dashboard.locator(".qr img, .qr svg").first
    qr.wait_for()
    assert qr.evaluate("el => el.tagName === 'svg' || (el.complete && el.naturalWidth > 0)"), (
        "the QR code image did not load"
    )
    assert qr.bounding_box()["width"] >= 100, "the QR should be big enough to scan"

    # The projector is a second window, on the projector's screen: its own context (two tabs
    # of one headless window share one animation-frame clock, which stalls the other tab).
    projector = context("laptop").new_page()
    projector.goto(f"/login?key={server.key}")
    projector.goto(f"/sessions/{session_id}/projector")
    projector.locator("#wall").wait_for(state="attached")
    assert projector.locator("#join-code").inner_text().strip() == code
    projector.evaluate("window.__marker = 1")
    dashboard.evaluate("window.__marker = 1")
    # Let both SSE streams connect before anything happens (the projector shows no status).
    dashboard.locator('[data-live-status][data-state="ok"]').wait_for()
    projector.wait_for_timeout(200)

    # 2. Two phones join (one types the code in small letters) and post notes.
    phone1 = context("phone").new_page()
    phone2 = context("phone").new_page()
    _join(phone1, code.lower(), "たなか")
    _join(phone2, code, "")
    dashboard.locator('#counts [data-count="joined"]', has_text="2").wait_for()
    sent = _post_note(phone1, "person", TANAKA)
    _live(_queued(dashboard, TANAKA), sent, "note → dashboard queue (田中さん)", delays)
    sent = _post_note(phone2, "place", SHOP)
    _live(_queued(dashboard, SHOP), sent, "note → dashboard queue (移動販売車)", delays)
    _post_note(phone2, "household", SATO)
    _queued(dashboard, SATO).first.wait_for()
    assert len(_events(server, session_id, "add_note")) == 3
    _pick_kind(phone2, "person")
    screenshot(phone2, "phone-note-form")

    # 3. IME: the Enter that confirms a kana→kanji conversion must not send the note.
    _pick_kind(phone1, "group")
    text = phone1.locator("#note-text")
    text.fill(SALON)
    text.evaluate("el => el.dispatchEvent(new CompositionEvent('compositionstart', {data: ''}))")
    text.evaluate(
        """el => el.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter', code: 'Enter',
            keyCode: 229, isComposing: true, bubbles: true, cancelable: true}))"""
    )
    text.press("Enter")  # a real (trusted) Enter while composing: would submit the form
    phone1.wait_for_timeout(500)
    assert len(_events(server, session_id, "add_note")) == 3, "Enter during IME sent the note"
    assert text.input_value() == SALON, "the text typed during conversion must stay"
    text.evaluate("el => el.dispatchEvent(new CompositionEvent('compositionend', {data: '回'}))")
    phone1.wait_for_timeout(150)  # Safari's confirming Enter comes just after compositionend
    _clear_toast(phone1)
    text.press("Enter")  # now an ordinary Enter sends it
    phone1.locator("#toast.ok").wait_for()
    assert _wait_until(lambda: len(_events(server, session_id, "add_note")) == 4)
    _queued(dashboard, "くりの木サロン").first.wait_for()
    screenshot(dashboard, "dashboard-queue")

    # 4. The facilitator approves; the projector shows the notes live, without reloading.
    tanaka, shown = _approve(dashboard, projector, TANAKA, delays, "approve → projector (人)")
    # A person without consent is shown anonymously on the shared screen.
    assert "畑の野菜" not in projector.locator("#wall").inner_text()
    assert projector.locator(f'#wall .kind-person [data-node="{tanaka}"]').count() == 1
    print(f"  projector label of 田中さん: {shown!r}")
    shop, shown = _approve(dashboard, projector, SHOP, delays, "approve → projector (移動販売車)")
    assert "移動販売車" in shown
    sato, shown = _approve(dashboard, projector, SATO, delays, "approve → projector (佐藤さん宅)")
    # A household with no ties yet is flagged privately: the room sees its room label only.
    assert "佐藤" not in shown and "つながり要確認" not in shown and "S.宅" in shown, shown
    assert projector.locator(f'#wall .kind-household [data-node="{sato}"]').count() == 1
    print(f"  projector label of 佐藤さん宅: {shown!r}")
    approved = {e["payload"].get("node") for e in _events(server, session_id, "approve_note")}
    assert {tanaka, shop, sato} <= approved, approved
    assert projector.evaluate("window.__marker") == 1, "the projector page was reloaded"
    assert dashboard.evaluate("window.__marker") == 1, "the dashboard was reloaded"
    screenshot(projector, "projector")

    # 5. Notes and ties: phone 1 says 田中さん clears the snow at 佐藤さん宅.
    dashboard.locator("#controls button[name=stage][value=ties]").click()
    dashboard.locator('#controls button[name=stage][value=ties][aria-pressed="true"]').wait_for()
    phone1.reload()
    tie_form = phone1.locator("#tie-form")
    tie_form.wait_for()
    # The search reads kana; the result shows what the room may see (initials for a
    # person without consent), so the pick is found by its node id.
    for field, query, node in (("source", "たなか", tanaka), ("target", "さとう", sato)):
        phone1.locator(f"#tie-{field}-q").fill(query)
        pick = phone1.locator(f'#tie-{field}-results button.pick[data-id="{node}"]')
        pick.wait_for()
        name = pick.get_attribute("data-name")
        print(f"  phone search {query!r} → {name!r}")
        pick.click()
        assert name in phone1.locator(f"#tie-{field}-chosen").inner_text()
        assert phone1.locator(f"#tie-{field}").input_value() == node
    assert "畑の野菜" not in phone1.locator("#tie-form").inner_text()
    tie_form.locator("label.kind:has(input[name=kind][value=snow])").click()
    tie_form.locator("label.kind:has(input[name=season][value=winter_only])").click()
    screenshot(phone1, "phone-tie-form")
    _clear_toast(phone1)
    sent = time.monotonic()
    phone1.locator("#tie-form [type=submit]").click()
    phone1.locator("#toast.ok").wait_for()
    ties = _events(server, session_id, "add_tie")
    assert len(ties) == 1, ties
    (row,) = [c["after"] for c in ties[0]["payload"]["changes"] if c["table"] == "ties"]
    assert (row["source"], row["target"], row["kind"]) == (tanaka, sato, "snow"), row
    _live(
        dashboard.locator("#ties li[data-tie]", has_text="佐藤さん宅"),
        sent,
        "tie → dashboard (田中さん → 佐藤さん宅)",
        delays,
    )
    screenshot(dashboard, "dashboard-ties")
    assert projector.evaluate("window.__marker") == 1, "the projector page was reloaded"

    # Every screen followed within the limit (checked last, so all delays get printed).
    slow = {what: round(d, 2) for what, d in delays.items() if d >= LIVE_SECONDS}
    assert not slow, f"slower than {LIVE_SECONDS} s: {slow}"


def test_guard_catches_other_hosts_and_errors(context, watch):
    """The fixture's own check: a request off the server and a JS error are both caught."""
    from playwright.sync_api import Error

    page = context("phone").new_page()
    with pytest.raises(Error):
        page.goto("http://example.invalid/x.png")
    page = context("phone").new_page()
    page.goto("/j")
    page.evaluate("() => { setTimeout(() => { throw new Error('boom'); }) }")
    page.wait_for_timeout(200)
    assert set(watch.foreign) == {"http://example.invalid/x.png"}  # Chromium may retry
    assert any("boom" in e for e in watch.errors), watch.errors
    watch.foreign.clear()
    watch.errors.clear()
