"""End-to-end fixtures: the real `tsunagari serve` in a subprocess and headless Chromium.

Every browser context may talk to the test server only: any request to another host is
aborted and fails the test (the app must work offline), and so does any JavaScript error.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
#: Debian's Chromium (`playwright install` needs the internet); E2E_CHROMIUM overrides it.
CHROMIUM = os.environ.get("E2E_CHROMIUM", "/usr/bin/chromium")
KEY = "e2e-key"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
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


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
        port = _free_port()
        env = os.environ | {"PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}
        env.pop("TSUNAGARI_FACILITATOR_KEY", None)
        env.pop("TSUNAGARI_DATA", None)
        command = [
            sys.executable,
            "-m",
            "facilitator.cli",
            "--data",
            str(data),
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--facilitator-key",
            KEY,
        ]
        base = f"http://127.0.0.1:{port}"
        with open(log, "wb") as out:
            process = subprocess.Popen(  # noqa: S603
                command, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT
            )
            try:
                deadline = time.monotonic() + 20
                while True:
                    if process.poll() is not None:
                        pytest.fail(
                            f"tsunagari serve exited with {process.returncode}:\n"
                            + log.read_text(errors="replace"),
                            pytrace=False,
                        )
                    try:
                        with urllib.request.urlopen(base + "/j", timeout=1) as r:  # noqa: S310
                            if r.status == 200:
                                break
                    except (urllib.error.URLError, OSError):
                        pass
                    if time.monotonic() > deadline:
                        pytest.fail(
                            "tsunagari serve did not answer GET /j with 200 within 20 s:\n"
                            + log.read_text(errors="replace"),
                            pytrace=False,
                        )
                    time.sleep(0.1)
                yield Server(base, f"127.0.0.1:{port}", KEY, data, log)
            finally:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait(5)


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
    """A factory: ``context("phone")`` or ``context("laptop")`` gives a fresh browser context.

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

    def make(kind: str = "phone"):
        options = PHONE if kind == "phone" else LAPTOP
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
