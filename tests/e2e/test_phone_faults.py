"""Phones under faults and on small screens (issue 11, as an outside checker tries it).

Refusals whose answer is not one of the app's pages (a bare 413, an empty 403, a proxy's
500) are said in the phone's language and give the note back; the laptop stopped and started
again on the same port gets every queued note once, in order; the kind grid fits a 320 px
phone and the largest text size, breaks Japanese between words, and no text is under 16 px.
"""

from __future__ import annotations

import re
import tempfile
from pathlib import Path

import pytest
from playwright.sync_api import Error as PlaywrightError

from tests.e2e.conftest import KEY, Server
from tests.e2e.test_phones import (
    KINDS,
    _axe,
    _forgive_expected_console,
    _in_view,
    _join,
    _notes_with,
    _pick,
    _session,
    _view,
)
from tests.realserver import start_server, stop_server

NOTES = re.compile(r"/s/[^/]+/notes$")
WAITING = "電波が戻ったら自動で送ります"


def _phone(context, width, height, **options):
    return context("phone", viewport={"width": width, "height": height}, **options)


def _texts_in_order(server, session_id) -> list[str]:
    status, events = server.api(f"/api/v1/sessions/{session_id}/events")
    assert status == 200, events
    return [
        (c.get("after") or {}).get("text")
        for e in events
        if e["type"] == "add_note"
        for c in e["payload"]["changes"]
        if (c.get("after") or {}).get("text")
    ]


def _toast(page) -> dict:
    return page.locator("#toast").evaluate(
        """t => { const r = t.getBoundingClientRect();
                  return {cls: t.className, text: t.innerText,
                          inView: r.height > 0 && r.top >= 0 && r.bottom <= innerHeight}; }"""
    )


# -- refusals that are not the app's own pages ---------------------------------------------


REFUSALS = [
    # waitress refuses a body over the limit itself, in plain text
    (413, "text/plain", "Request Entity Too Large\r\n\r\nexceeds max_body", "長すぎて送れません"),
    (403, "text/html", "", "このスマホからはいま送れません"),
    (404, "text/html", "<html><body>Not Found</body></html>", "送れませんでした"),
]


def _answer(status, content_type, body):
    return lambda route: route.fulfill(status=status, content_type=content_type, body=body)


def test_a_bare_refusal_is_said_in_japanese_and_the_note_comes_back(server, context, watch):
    meta = _session(server)
    page = _phone(context, 320, 568).new_page()
    _join(page, meta["code"])
    _pick(page, "place")
    for status, content_type, body, said in REFUSALS:
        text = f"送れない付箋 {status}"
        page.route(NOTES, _answer(status, content_type, body))
        page.locator("#note-text").fill(text)
        page.locator("#note-submit").click()
        page.locator("#toast.error", has_text=said).wait_for()
        assert _toast(page)["inView"], status
        assert page.locator("#note-text").input_value() == text, f"{status}: the note is lost"
        assert page.locator("#note-form input[value=place]").is_checked()
        assert _axe(page) == [], status
        page.unroute(NOTES)
    # A proxy's 500 in English: the phone says it in Japanese and sends it once it can.
    page.route(
        NOTES,
        lambda route: route.fulfill(
            status=500, content_type="text/html", body="<p>Internal Server Error</p>"
        ),
    )
    page.locator("#note-submit").click()
    page.locator("#toast.wait", has_text="問題が起きました").wait_for()
    assert "Internal" not in _toast(page)["text"]
    page.unroute(NOTES)
    page.locator("#toast.ok", has_text="送りました").wait_for(timeout=8000)
    assert len(_notes_with(server, meta["id"], "送れない付箋 404")) == 1
    _forgive_expected_console(watch)


def test_a_long_refused_note_never_hides_the_send_button(server, context, watch):
    """The toast repeats the start of the note only, and a tap puts it away."""
    meta = _session(server)
    page = _phone(context, 320, 568).new_page()
    _join(page, meta["code"])
    _pick(page, "story")
    page.evaluate("document.getElementById('note-text').removeAttribute('maxlength')")
    page.locator("#note-text").fill("秋祭り" * 90)  # 270 characters: refused (422)
    page.locator("#note-submit").click()
    page.locator("#toast.error", has_text="200文字").wait_for()
    toast = _toast(page)
    assert toast["inView"] and len(toast["text"]) < 120, toast
    button, box = (
        page.locator("#note-submit").bounding_box(),
        page.locator("#toast").bounding_box(),
    )
    assert button["y"] + button["height"] <= box["y"], "the toast covers the send button"
    page.locator("#toast").click()
    assert page.locator("#toast").inner_text() == ""
    _forgive_expected_console(watch)


# -- the laptop stops and starts again -------------------------------------------------------


@pytest.fixture
def own_server():
    """A server of this test's own, to stop and start again on the same port."""
    with tempfile.TemporaryDirectory(prefix="tsunagari-e2e-restart-") as tmp:
        data, log = Path(tmp) / "data", Path(tmp) / "server.log"
        process, base = start_server(data, key=KEY, log=log)
        port = int(base.rsplit(":", 1)[1])
        box = {"process": process}

        def restart(up: bool) -> None:
            if up:
                box["process"], _ = start_server(data, key=KEY, log=log, port=port)
            else:
                stop_server(box["process"])

        server = Server(base, base.split("//", 1)[1], KEY, data, log)
        try:
            yield server, restart
        finally:
            stop_server(box["process"])


def test_notes_sent_while_the_laptop_is_down_arrive_once_in_order(own_server, browser, watch):
    server, restart = own_server
    meta = _session(server)
    ctx = browser.new_context(
        base_url=server.base_url,
        viewport={"width": 360, "height": 780},
        locale="ja-JP",
        is_mobile=True,
        has_touch=True,
    )
    ctx.set_default_timeout(5000)
    try:
        page = ctx.new_page()
        _join(page, meta["code"])
        _pick(page, "group")
        restart(False)
        sent = ["くりの木サロン 月3回", "老人クラブ 第2火曜", "子ども会"]
        for text in sent:
            page.locator("#note-text").fill(text)
            page.locator("#note-submit").click()
            page.locator("#toast.wait", has_text=WAITING).wait_for()
        assert _toast(page)["inView"] and "送信待ち" in _toast(page)["text"]
        assert page.locator("#note-text").input_value() == ""
        _view(page, "phone-360x780-laptop-down-view")
        restart(True)
        page.locator("#toast.ok", has_text="子ども会").wait_for(timeout=10000)
        page.wait_for_timeout(1500)  # a stray second try would have arrived by now
        assert _texts_in_order(server, meta["id"]) == sent
    finally:
        ctx.close()


def test_several_notes_queued_offline_arrive_once_in_order(server, context, watch):
    meta = _session(server)
    phone = _phone(context, 375, 667)
    page = phone.new_page()
    _join(page, meta["code"])
    _pick(page, "place")
    phone.set_offline(True)
    sent = ["移動販売車 水曜", "福祉会館の和室", "神社の境内"]
    for text in sent:
        page.locator("#note-text").fill(text)
        page.locator("#note-submit").click()
    page.locator("#toast.wait", has_text="送信待ち：3件").wait_for()
    page.locator("#note-text").fill("まだ書いている")
    # A reload without a signal shows the browser's own error page (no service worker can
    # run over plain http on the hall's LAN); the phone's storage keeps the draft and outbox.
    with pytest.raises(PlaywrightError):
        page.reload()
    phone.set_offline(False)
    page.goto(f"/s/{meta['id']}")
    page.locator("#toast.ok", has_text="神社の境内").wait_for(timeout=8000)
    page.wait_for_timeout(1500)
    assert _texts_in_order(server, meta["id"]) == sent
    assert page.locator("#note-text").input_value() == "まだ書いている"
    _forgive_expected_console(watch)


# -- small screens, large text -----------------------------------------------------------------

#: Where a kind's name may break: between its words, never inside one (「グルー|プ」).
WORD_BREAKS = {"団体・|グループ", "機関・|事業所", "歴史・|文化", "取り組み|案"}

#: Every text node's font size, where it is under 16 px.
SMALL_TEXT = """() => { const out = [];
  const walk = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walk.nextNode()) {
    const el = walk.currentNode.parentElement;
    if (!walk.currentNode.textContent.trim() || !el.getClientRects().length) continue;
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 16) out.push(walk.currentNode.textContent.trim().slice(0, 20) + ' ' + size);
  }
  return out; }"""

#: Where each kind name's lines start (a line starts at a character lower than the last).
LINE_STARTS = """els => els.map(el => {
  const text = el.firstChild, starts = []; let top = null;
  for (let i = 0; i < text.length; i++) {
    const r = document.createRange(); r.setStart(text, i); r.setEnd(text, i + 1);
    const box = r.getBoundingClientRect();
    if (top !== null && box.top > top + 2) starts.push(i);
    top = box.top;
  }
  return [text.textContent, starts]; })"""


@pytest.mark.parametrize(
    "width, height, lang, text_scale",
    [(320, 568, "ja", 1), (320, 568, "en", 1), (360, 780, "ja", 1.3)],
)
def test_the_kind_grid_fits_small_phones_and_large_text(
    server, context, width, height, lang, text_scale
):
    meta = _session(server)
    page = _phone(context, width, height, locale="ja-JP" if lang == "ja" else "en-US").new_page()
    page.goto(f"/j/{meta['code']}?lang={lang}")
    page.locator("#join-submit").click()
    page.locator("#phone[data-ready]").wait_for(state="attached")
    if text_scale != 1:  # Android's largest font size, roughly: every rem grows
        page.add_style_tag(content=f":root {{ font-size: {18 * text_scale}px !important; }}")
    for kind in KINDS:
        page.evaluate("scrollTo(0, 0)")
        _pick(page, kind)
        page.wait_for_timeout(50)
        assert _in_view(page, "#note-text") and _in_view(page, "#note-submit"), kind
        assert page.locator(f".examples-{kind}").is_visible()
    labels = page.locator("#note-form label.kind")
    assert (
        labels.evaluate_all(
            "els => els.filter(e => e.scrollWidth > e.clientWidth + 1).map(e => e.innerText)"
        )
        == []
    ), "a kind name is cut off"
    assert all(
        w >= 44 and h >= 44
        for w, h in labels.evaluate_all(
            "els => els.map(e => [e.getBoundingClientRect().width, e.getBoundingClientRect().height])"
        )
    )
    if text_scale == 1:
        assert page.evaluate(SMALL_TEXT) == [], "text under 16 px"
    if lang == "ja" and text_scale == 1:
        # 「団体・グループ」 may break after 「・」, never inside 「グループ」 (at the largest
        # text size a word wider than its cell wraps rather than being cut off).
        for name, starts in page.locator("#note-form label.kind strong").evaluate_all(LINE_STARTS):
            assert all(f"{name[:i]}|{name[i:]}" in WORD_BREAKS for i in starts), (name, starts)
    _view(page, f"phone-{width}x{height}-{lang}-text{text_scale}-kind-view")
