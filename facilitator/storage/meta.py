"""A session's metadata: title, area, stage, auto-approval, closing and the flag settings."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from graph.errors import Problem, ValidationError
from graph.model import coerce_value

from .log import EventLog
from .rows import clean_text, row_change, utc_now

__all__ = ["STAGES", "DEFAULT_SETTINGS", "MAX_TITLE", "Metadata", "clean_settings"]

STAGES = ("closed", "notes", "ties")
DEFAULT_SETTINGS: dict[str, int] = {
    "overload_households": 5,
    "overload_roles": 3,
    "overload_sole": 2,
}
#: Longest session title (and area name), in characters after NFC.
MAX_TITLE = 100
#: The metadata that set_meta may change (id, code and created never change).
_META_KEYS = ("title", "area", "stage", "auto_approve", "settings", "closed")


def clean_settings(settings: Mapping[str, Any], base: Mapping[str, int]) -> dict[str, int]:
    """``base`` with ``settings`` checked against :data:`DEFAULT_SETTINGS` and applied."""
    clean = dict(base)
    problems = []
    for name, value in settings.items():
        if name not in DEFAULT_SETTINGS:
            problems.append(
                Problem(
                    f"settings.{name}",
                    f"知らない設定です（{'、'.join(DEFAULT_SETTINGS)}）",
                    f"unknown setting (known: {', '.join(DEFAULT_SETTINGS)})",
                )
            )
        elif isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 100:
            problems.append(
                Problem(
                    f"settings.{name}",
                    "1から100までの整数で指定してください",
                    f"must be a whole number from 1 to 100, not {value!r}",
                )
            )
        else:
            clean[name] = value
    if problems:
        raise ValidationError(problems)
    return clean


class Metadata(EventLog):
    """The ``meta`` table of a session (a base of :class:`Session`)."""

    # -- metadata ---------------------------------------------------------------------------

    def meta(self) -> dict:
        """The session's metadata.

        Keys: ``id``, ``title``, ``area``, ``created``, ``code``, ``stage``, ``auto_approve``,
        ``closed``, ``closed_at`` and ``settings`` (the flag thresholds, defaults filled in).
        """
        meta = {row["key"]: row["value"] for row in self._rows("meta")}
        meta["settings"] = {**DEFAULT_SETTINGS, **meta.get("settings", {})}
        return meta

    def set_meta(self, actor: str, **changes: Any) -> None:
        """Change ``title``, ``area``, ``stage``, ``auto_approve``, ``settings`` or ``closed``.

        ``settings`` is merged into the current thresholds; ``closed=True`` also records
        ``closed_at``. Raises ``ValidationError`` (nothing written) on any bad value.
        """
        unknown = sorted(set(changes) - set(_META_KEYS))
        if unknown:
            raise ValidationError(
                Problem(
                    "meta",
                    f"{'、'.join(unknown)} は変更できません",
                    f"cannot change {', '.join(unknown)}",
                )
            )
        with self._transaction():
            current = self.meta()
            new: dict[str, Any] = {}
            for key, value in changes.items():
                if key == "title":
                    new[key] = clean_text(value, "title", MAX_TITLE)
                elif key == "area":
                    new[key] = clean_text(value, "area", MAX_TITLE, required=False)
                elif key == "stage":
                    if value not in STAGES:
                        raise ValidationError(
                            Problem(
                                "stage",
                                f"段階は {'、'.join(STAGES)} のどれかです",
                                f"stage must be one of {', '.join(STAGES)}, not {value!r}",
                            )
                        )
                    new[key] = value
                elif key == "settings":
                    if not isinstance(value, Mapping):
                        raise ValidationError(
                            Problem("settings", "設定の形が違います", "settings must be a mapping")
                        )
                    new[key] = clean_settings(value, current["settings"])
                else:
                    try:
                        flag = coerce_value(key, value, bool)
                    except ValueError as e:
                        raise ValidationError(
                            Problem(key, "はい/いいえで指定してください", str(e))
                        ) from e
                    new[key] = bool(flag)
                    if key == "closed" and new[key] != current.get("closed"):
                        new["closed_at"] = utc_now() if new[key] else None
            changes_ = [
                row_change(
                    "meta",
                    key,
                    {"key": key, "value": current[key]} if key in current else None,
                    {"key": key, "value": value},
                )
                for key, value in new.items()
                if current.get(key) != value or key not in current
            ]
            if changes_:
                self._record(actor, "meta", changes_, keys=[c["id"] for c in changes_])
        if new.get("closed") or new.get("stage") == "closed":
            # A closed session is handed over by copying its file: put the WAL into it.
            self.checkpoint()

    def _init_meta(self, actor: str, meta: Mapping[str, Any]) -> None:
        with self._transaction():
            changes = [
                row_change("meta", key, None, {"key": key, "value": value})
                for key, value in meta.items()
            ]
            self._record(actor, "create", changes)
