"""The hall's Wi-Fi on the projector: a QR code that puts phones on the laptop's hotspot.

Phones must be on the laptop's network before the join QR can work. With ``WIFI_SSID`` (and
``WIFI_PASSWORD``) set — ``tsunagari serve --wifi SSID --wifi-password …`` — the projector
shows a second QR code beside the join QR, in the format phone cameras read
(``WIFI:T:WPA;S:…;P:…;;``).
"""

from __future__ import annotations

import io
import re

import segno
from flask import Blueprint, Response, abort, current_app

from .auth import facilitator_required

__all__ = ["bp", "wifi_payload", "wifi_problems", "wifi_qr"]

bp = Blueprint("wifi", __name__)

# The characters the Wi-Fi QR format escapes with a backslash (ZXing's WIFI: syntax).
_SPECIAL = re.compile(r'([\\;,:"])')
# A name of hex digits only (「CAFE1234」) would be read as the name's bytes in hex: the
# format says to put it in double quotes.
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})+")


def _escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text)


def _ssid(ssid: str) -> str:
    return f'"{_escape(ssid)}"' if _HEX.fullmatch(ssid) else _escape(ssid)


def wifi_payload(ssid: str, password: str | None = None) -> str:
    """The text of a Wi-Fi QR code: WPA/WPA2 with a password, an open network without.

    >>> wifi_payload("hall", "snow;2026")
    'WIFI:T:WPA;S:hall;P:snow\\\\;2026;;'
    >>> wifi_payload('福祉会館 "A"')
    'WIFI:T:nopass;S:福祉会館 \\\\"A\\\\";;'
    >>> wifi_payload("CAFE1234", "snowsnow")
    'WIFI:T:WPA;S:"CAFE1234";P:snowsnow;;'
    """
    if not password:
        return f"WIFI:T:nopass;S:{_ssid(ssid)};;"
    return f"WIFI:T:WPA;S:{_ssid(ssid)};P:{_escape(password)};;"


def wifi_problems(ssid: str | None, password: str | None) -> list[tuple[str, str]]:
    """What is wrong with a network name and password, as ``(Japanese, English)`` sentences.

    A name holds 1 to 32 bytes (UTF-8); a WPA password 8 to 63 characters; a password
    without a name means nothing.

    >>> wifi_problems("hall", "short")
    [('Wi-Fiのパスワードは8〜63文字です。', 'A Wi-Fi password has 8 to 63 characters.')]
    >>> wifi_problems("hall", "long enough")
    []
    """
    problems = []
    if ssid is None:
        if password:
            problems.append(
                (
                    "Wi-Fiのパスワードには --wifi（ネットワーク名）も必要です。",
                    "A Wi-Fi password needs --wifi (the network name) too.",
                )
            )
        return problems
    if not 1 <= len(ssid.encode("utf-8")) <= 32:
        problems.append(
            ("Wi-Fiのネットワーク名は1〜32バイトです。", "A Wi-Fi network name has 1 to 32 bytes.")
        )
    if password and not 8 <= len(password) <= 63:
        problems.append(
            ("Wi-Fiのパスワードは8〜63文字です。", "A Wi-Fi password has 8 to 63 characters.")
        )
    return problems


def wifi_qr(ssid: str, password: str | None = None) -> segno.QRCode:
    """The Wi-Fi QR code, its text in UTF-8 as the network's name is: segno would pick
    Shift_JIS for 「福祉会館」, which a phone reading the bytes as UTF-8 (Android's own Wi-Fi
    QR codes are UTF-8, without an ECI marker) turns into another name."""
    return segno.make(wifi_payload(ssid, password), encoding="utf-8", micro=False)


@bp.get("/wifi.svg")
@facilitator_required
def qr():
    """The Wi-Fi QR code as an SVG image (404 when no network is set)."""
    ssid = current_app.config.get("WIFI_SSID")
    if not ssid:
        abort(404)
    out = io.BytesIO()
    wifi_qr(ssid, current_app.config.get("WIFI_PASSWORD")).save(
        out, kind="svg", scale=10, dark="#000", light="#fff", border=4, omitsize=True
    )
    return Response(out.getvalue(), mimetype="image/svg+xml")
