"""End-to-end fixtures: the real `tsunagari serve` in a subprocess and headless Chromium.

Every browser context may talk to the test server only: any request to another host is
aborted and fails the test (the app must work offline), and so does any JavaScript error.
"""

from __future__ import annotations

import json
import os
import tempfile
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.realserver import CHROMIUM, CHROMIUM_ARGS, start_server, stop_server

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
KEY = "e2e-key-0123456789ab"
PHONE = {
    "viewport": {"width": 390, "height": 844},
    "locale": "ja-JP",
    "is_mobile": True,
    "has_touch": True,
    "device_scale_factor": 2,
}
LAPTOP = {"viewport": {"width": 1280, "height": 800}, "locale": "ja-JP"}


def pytest_collection_modifyitems(config, items):
    here = Path(__file__).resolve().parent
    for item in items:
        if Path(item.path).resolve().is_relative_to(here):
            item.add_marker(pytest.mark.e2e)


def _unavailable(reason: str):
    """Skip on a developer machine without Chromium; fail in CI, where it must be there."""
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"end-to-end tests cannot run in CI: {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass
class Server:
    """The running server: where it is, the facilitator key and its data folder."""

    base_url: str
    host: str
    key: str
    data: Path
    log: Path

    def url(self, path: str) -> str:
        return self.base_url + path

    def approved(self, sid: str, kind: str, text: str) -> str:
        """Post a note as the facilitator and approve it; returns the new node's id."""
        status, note = self.api(
            f"/api/v1/sessions/{sid}/notes", "POST", {"kind": kind, "text": text}
        )
        assert status == 201, note
        status, body = self.api(f"/api/v1/sessions/{sid}/notes/{note['id']}/approve", "POST", {})
        assert status == 200, body
        return body["node"]["id"]

    def api(self, path: str, method: str = "GET", body: dict | None = None):
        """Call the JSON API with the facilitator key; returns (status, decoded JSON)."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.url(path),
            data=data,
            method=method,
            headers={"Authorization": f"Bearer {self.key}", "Accept": "application/json"}
            | ({"Content-Type": "application/json"} if data is not None else {}),
        )
        try:
            with urllib.request.urlopen(request, timeout=5) as response:  # noqa: S310
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as e:
            with e:
                raw = e.read()
            try:
                return e.code, json.loads(raw)
            except ValueError:
                return e.code, raw.decode(errors="replace")


@pytest.fixture(scope="session")
def server():
    """`python -m facilitator.cli --data <tmp> serve …` on a free port, until the session ends."""
    with tempfile.TemporaryDirectory(prefix="tsunagari-e2e-") as tmp:
        data = Path(tmp) / "data"
        log = Path(tmp) / "server.log"
        try:
            process, base = start_server(data, key=KEY, log=log)
        except RuntimeError as e:
            pytest.fail(str(e), pytrace=False)
        try:
            yield Server(base, urlsplit(base).netloc, KEY, data, log)
        finally:
            stop_server(process)


@pytest.fixture(scope="session")
def browser():
    """One headless Chromium for the whole run (Debian's, as `playwright install` is offline)."""
    if not Path(CHROMIUM).exists():
        _unavailable(f"{CHROMIUM} is missing (apt-get install chromium)")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("Python Playwright is not installed (pip install playwright)")
    SCREENSHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")`` saves a full-page PNG into tests/e2e/screenshots/."""

    def shoot(page, name: str) -> None:
        SCREENSHOTS.mkdir(exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)

    return shoot


@dataclass
class Watch:
    """What went wrong in the browsers of one test."""

    foreign: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@pytest.fixture
def watch():
    return Watch()


@pytest.fixture
def context(browser, server, watch):
    """A factory: ``context("phone")`` or ``context("laptop")`` gives a fresh browser context
    (keyword arguments override its options, say ``viewport``).

    Requests to any host but the server are aborted and recorded; JavaScript errors and
    console errors of every page are recorded; both fail the test at teardown.
    """
    contexts = []

    def guard(route):
        url = route.request.url
        parts = urlsplit(url)
        if parts.scheme in ("data", "blob", "about") or parts.netloc == server.host:
            route.continue_()
        else:
            watch.foreign.append(url)
            route.abort()

    def on_console(message):
        if message.type == "error":
            where = message.location.get("url", "") if message.location else ""
            watch.errors.append(f"{message.text} ({where})")

    def on_page(page):
        page.on("pageerror", lambda error: watch.errors.append(str(error)))
        page.on("console", on_console)

    def make(kind: str = "phone", **overrides):
        options = (PHONE if kind == "phone" else LAPTOP) | overrides
        ctx = browser.new_context(base_url=server.base_url, **options)
        ctx.set_default_timeout(5000)
        ctx.route("**/*", guard)
        ctx.on("page", on_page)
        contexts.append(ctx)
        return ctx

    yield make
    for ctx in contexts:
        ctx.close()
    assert not watch.foreign, "request to another host: " + ", ".join(watch.foreign)
    assert not watch.errors, "page JavaScript error: " + " | ".join(watch.errors)
