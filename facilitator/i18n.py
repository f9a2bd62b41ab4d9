"""Japanese first, English second: the locale follows a switch, then Accept-Language."""

from __future__ import annotations

from pathlib import Path

from flask import Flask, request
from flask_babel import Babel

__all__ = ["LANGUAGES", "init_app", "select_locale"]

LANGUAGES = ("ja", "en")
_COOKIE = "lang"


def select_locale() -> str:
    """``?lang=`` (the switch on every page), then the cookie, then Accept-Language, then ja."""
    for choice in (request.args.get("lang"), request.cookies.get(_COOKIE)):
        if choice in LANGUAGES:
            return choice
    return request.accept_languages.best_match(LANGUAGES) or "ja"


def _remember_choice(response):
    choice = request.args.get("lang")
    if choice in LANGUAGES and request.cookies.get(_COOKIE) != choice:
        response.set_cookie(_COOKIE, choice, max_age=365 * 86400, samesite="Lax", httponly=True)
    return response


def init_app(app: Flask) -> None:
    """Attach Flask-Babel with the catalogues shipped in ``facilitator/translations``."""
    app.config.setdefault(
        "BABEL_TRANSLATION_DIRECTORIES", str(Path(__file__).parent / "translations")
    )
    Babel(app, locale_selector=select_locale)
    app.after_request(_remember_choice)
