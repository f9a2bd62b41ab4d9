"""The hall's Wi-Fi QR on the projector (`tsunagari serve --wifi`), and its command line."""

from __future__ import annotations

import pytest
from click.testing import CliRunner

from facilitator.cli import main
from facilitator.wifi import wifi_payload, wifi_problems
from tests.cli.test_serve import fake_waitress, japanese, network  # noqa: F401 - fixtures
from tests.web.conftest import KEY, _make_app


@pytest.mark.parametrize(
    "ssid, password, payload",
    [
        ("hall", "snowsnow", "WIFI:T:WPA;S:hall;P:snowsnow;;"),
        ("a;b,c:d", 'p\\w"d12', 'WIFI:T:WPA;S:a\\;b\\,c\\:d;P:p\\\\w\\"d12;;'),
        ("福祉会館", None, "WIFI:T:nopass;S:福祉会館;;"),
    ],
)
def test_the_payload_escapes_what_the_format_reserves(ssid, password, payload):
    assert wifi_payload(ssid, password) == payload


@pytest.mark.parametrize(
    "ssid, password, ok",
    [
        ("hall", "12345678", True),
        ("hall", None, True),
        (None, None, True),
        ("hall", "1234567", False),
        ("hall", "x" * 64, False),
        ("あ" * 11, None, False),  # 33 bytes
        ("", None, False),
        (None, "12345678", False),
    ],
)
def test_problems(ssid, password, ok):
    assert (wifi_problems(ssid, password) == []) is ok


@pytest.fixture
def wifi_fac(tmp_path):
    app = _make_app(tmp_path, WIFI_SSID="公民館-hotspot", WIFI_PASSWORD="yuki;2026")
    c = app.test_client()
    c.get(f"/login?key={KEY}")
    return c


def test_the_projector_shows_the_wifi_qr_beside_the_join_qr(wifi_fac):
    r = wifi_fac.post("/sessions", data={"title": "会"}, follow_redirects=False)
    session_id = r.location.rstrip("/").rsplit("/", 1)[-1]
    page = wifi_fac.get(f"/sessions/{session_id}/projector").text
    assert page.count('id="wifi-join"') == 1
    assert "公民館-hotspot" in page and "yuki;2026" in page
    assert 'src="/wifi.svg"' in page and f"/sessions/{session_id}/qr.svg" in page
    svg = wifi_fac.get("/wifi.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"


def test_no_wifi_no_qr(fac, session_id):
    assert 'id="wifi-join"' not in fac.get(f"/sessions/{session_id}/projector").text
    assert fac.get("/wifi.svg").status_code == 404


def test_the_wifi_qr_is_the_facilitators(tmp_path):
    client = _make_app(tmp_path, WIFI_SSID="hall").test_client()
    assert client.get("/wifi.svg").status_code in (302, 303, 401)


def test_serve_passes_the_wifi_to_the_app(tmp_path, fake_waitress):  # noqa: F811
    args = ["--data", str(tmp_path), "serve", "--host", "127.0.0.1", "--port", "0"]
    result = CliRunner().invoke(main, [*args, "--wifi", "hall", "--wifi-password", "yuki2026"])
    assert result.exit_code == 0, result.output
    config = fake_waitress[-1].app.config
    assert (config["WIFI_SSID"], config["WIFI_PASSWORD"]) == ("hall", "yuki2026")


def test_serve_refuses_a_short_password(tmp_path, fake_waitress):  # noqa: F811
    args = ["--data", str(tmp_path), "serve", "--wifi", "hall", "--wifi-password", "short"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 2 and "8〜63文字" in result.output
    assert fake_waitress == []


def _decoded(qr) -> list:
    """What a phone camera reads in a segno QR code (zxing-cpp, from its modules)."""
    zxingcpp = pytest.importorskip("zxingcpp")
    scale, border = 4, 4
    rows = [list(row) for row in qr.matrix]
    size = (len(rows) + 2 * border) * scale
    pixels = bytearray()
    for y in range(size):
        for x in range(size):
            r, c = y // scale - border, x // scale - border
            dark = 0 <= r < len(rows) and 0 <= c < len(rows) and rows[r][c]
            pixels.append(0 if dark else 255)
    return zxingcpp.read_barcodes(memoryview(bytes(pixels)).cast("B", (size, size)))


@pytest.mark.parametrize(
    "ssid, password",
    [
        ("福祉会館", "yuki;2026"),
        ('茶志内;公民館,"2F":\\', 'p;a:s,s\\"w1'),
        ("ﾌｸｼｶｲｶﾝ", None),
        ("CAFE1234", "snowsnow"),
    ],
)
def test_a_phone_reads_the_wifi_qr_as_written(ssid, password):
    """The QR code holds the payload in UTF-8 (not Shift_JIS): a phone gets the real name."""
    from facilitator.wifi import wifi_qr

    found = _decoded(wifi_qr(ssid, password))
    assert len(found) == 1
    payload = wifi_payload(ssid, password)
    assert found[0].text == payload
    assert found[0].bytes == payload.encode("utf-8")
    assert ("T:nopass;" in payload) is (password is None)


def test_a_hex_looking_name_is_quoted():
    assert wifi_payload("CAFE1234", "snowsnow") == 'WIFI:T:WPA;S:"CAFE1234";P:snowsnow;;'
    assert wifi_payload("CAFE123", None) == "WIFI:T:nopass;S:CAFE123;;"
