"""Tsunagari's Flask app: the participant, facilitation and coordinator screens over storage."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from flask import Flask

from .startup import LazyBuilderRule, template_cache

__all__ = ["create_app", "asset_folder", "SETTINGS"]

#: The settings of the app, each documented in the README (a test checks).
SETTINGS = (
    "DATA",
    "FACILITATOR_KEY",
    "SECRET_KEY",
    "PUBLIC_URL",
    "MAX_CONTENT_LENGTH",
    "JOIN_LIMIT_PER_MINUTE",
    "KEY_LIMIT_PER_MINUTE",
    "PHONE_BURST",
    "PHONE_PER_MINUTE",
    "MAX_STREAMS",
    "HEAVY_PAGES",
    "LARGE_SESSION_NODES",
    "IMPORT_MAX_NODES",
    "IMPORT_MAX_TIES",
    "IMPORT_MAX_BYTES",
    "IMPORT_MAX_RATIO",
    "STREAM_SECONDS",
    "QUIET_CHECKPOINT_SECONDS",
    "WIFI_SSID",
    "WIFI_PASSWORD",
)


def asset_folder(name: str) -> Path:
    """Where ``templates`` or ``static`` live: inside the installed wheel, else the checkout."""
    here = Path(__file__).resolve().parent
    packaged = here / name
    return packaged if packaged.is_dir() else here.parent / name


def _hardening_defaults() -> dict[str, Any]:
    """The limits of issue 13 and the per-phone limit of issue 10 (README: Settings, Security)."""
    return {
        "JOIN_LIMIT_PER_MINUTE": 10,
        "KEY_LIMIT_PER_MINUTE": 5,
        "PHONE_BURST": int(os.environ.get("TSUNAGARI_PHONE_BURST", 10)),
        "PHONE_PER_MINUTE": int(os.environ.get("TSUNAGARI_PHONE_PER_MINUTE", 6)),
        "MAX_STREAMS": 16,
        "STREAM_SECONDS": int(os.environ.get("TSUNAGARI_STREAM_SECONDS", 55)),
        "HEAVY_PAGES": 3,
        "LARGE_SESSION_NODES": 5000,
        "IMPORT_MAX_NODES": 200_000,
        "IMPORT_MAX_TIES": 1_000_000,
        "IMPORT_MAX_BYTES": 64 * 1024 * 1024,
        "IMPORT_MAX_RATIO": 100,
    }


def create_app(test_config: dict[str, Any] | None = None) -> Flask:
    """Build the app. ``test_config`` overrides settings (tests pass ``DATA`` and keys).

    Settings: ``DATA`` (data folder, default ``$TSUNAGARI_DATA`` or ``./sessions``),
    ``FACILITATOR_KEY`` (default ``$TSUNAGARI_FACILITATOR_KEY``, else generated once and kept
    in the data folder), ``SECRET_KEY`` (kept in the data folder likewise).
    """
    app = Flask(
        __name__,
        template_folder=str(asset_folder("templates")),
        static_folder=str(asset_folder("static")),
    )
    app.config.from_mapping(
        DATA=os.environ.get("TSUNAGARI_DATA", "sessions"),
        FACILITATOR_KEY=os.environ.get("TSUNAGARI_FACILITATOR_KEY") or None,
        SECRET_KEY=None,
        MAX_CONTENT_LENGTH=2 * 1024 * 1024,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="tsunagari",
        WTF_CSRF_TIME_LIMIT=None,
        WTF_CSRF_HEADERS=["X-CSRFToken"],
        QUIET_CHECKPOINT_SECONDS=60,
        WIFI_SSID=None,
        WIFI_PASSWORD=None,
        BABEL_DEFAULT_LOCALE="ja",
        **_hardening_defaults(),
    )
    app.url_rule_class = LazyBuilderRule
    if cache := template_cache():
        app.jinja_options = {**app.jinja_options, "bytecode_cache": cache}
    if test_config:
        app.config.update(test_config)
    app.config["DATA"] = Path(app.config["DATA"])
    app.config["DATA"].mkdir(parents=True, exist_ok=True)

    from . import (
        api,
        auth,
        coordinator,
        curation_api,  # noqa: F401  (its routes join api.bp before it is registered)
        errors,
        facilitation,
        heavy,
        i18n,
        inspector,
        live,
        node_list,
        participant,
        phone_actions,
        present,
        region_refresh,
        tree,
        web,
        wifi,
    )

    auth.init_app(app)
    i18n.init_app(app)
    errors.init_app(app)
    web.init_app(app)
    heavy.init_app(app)
    live.init_app(app)
    present.init_app(app)
    app.register_blueprint(auth.bp)
    app.register_blueprint(participant.bp)
    app.register_blueprint(facilitation.bp)
    app.register_blueprint(api.bp)
    app.register_blueprint(tree.bp)
    app.register_blueprint(present.bp)
    app.register_blueprint(coordinator.bp)
    app.register_blueprint(wifi.bp)
    app.register_blueprint(inspector.bp)
    app.register_blueprint(node_list.bp)
    app.register_blueprint(region_refresh.bp)
    app.register_blueprint(phone_actions.bp)
    return app
