"""Rows of the current-state tables: encoding, row changes, and the cleaning of typed text."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from graph.errors import Problem, ValidationError
from graph.model import bad_character

from .schema import JSON_COLUMNS

__all__ = [
    "SURROGATE",
    "utc_now",
    "hash_token",
    "clean_text",
    "nfc",
    "reject_reserved",
    "apply_changes",
    "row_change",
    "encode",
    "decode",
]

#: A lone surrogate, which SQLite cannot store.
SURROGATE = re.compile("[\ud800-\udfff]")


def utc_now() -> str:
    """The current UTC time, ISO 8601 to the millisecond (the time of every row and event)."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def hash_token(token: str) -> str:
    """The SHA-256 of a participant's token: the only form of it that is stored."""
    return hashlib.sha256(token.encode()).hexdigest()


def clean_text(value: Any, where: str, limit: int, required: bool = True) -> str:
    """Text typed by a person: NFC-normalised, stripped, within ``limit`` characters.

    Every way in (forms, API, command line) passes here: control characters (line breaks
    inside the text included) and lone surrogates are refused, so is text over ``limit``.
    """
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationError(Problem(where, "文字で入力してください", "must be text"))
    if len(value) > 4 * limit + 1000:  # no need to normalise a pasted book
        raise ValidationError(
            Problem(where, f"長すぎます（{limit}文字まで）", f"is too long (at most {limit})")
        )
    text = value.strip()
    if bad := bad_character(text, where):
        raise ValidationError(bad)
    text = unicodedata.normalize("NFC", text).strip()
    if required and not text:
        raise ValidationError(Problem(where, "入力してください", "must not be empty"))
    if len(text) > limit:
        raise ValidationError(
            Problem(
                where,
                f"長すぎます（{limit}文字まで、いまは{len(text)}文字）",
                f"is too long ({len(text)} characters, at most {limit})",
            )
        )
    return text


def nfc(value: Any) -> Any:
    """``value`` NFC-normalised if it is text, unchanged otherwise."""
    return unicodedata.normalize("NFC", value) if isinstance(value, str) else value


def apply_changes(
    before: Mapping[str, Any], core_keys: tuple[str, ...], changes: Mapping[str, Any]
) -> tuple[dict[str, Any], dict[str, Any]]:
    """A row's core columns and attributes after ``changes`` (``None`` removes an attribute)."""
    core = {k: before[k] for k in core_keys}
    attrs = dict(before["attrs"])
    for key, value in changes.items():
        if key in core:
            core[key] = value
        elif value is None:
            attrs.pop(key, None)
        else:
            attrs[key] = value
    return core, attrs


def row_change(table: str, row_id: str, before: dict | None, after: dict | None) -> dict:
    """One row change of an event's payload (``None`` = no row before or after)."""
    return {"table": table, "id": row_id, "before": before, "after": after}


def encode(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as stored: its JSON columns serialised."""
    row = dict(row)
    for column in JSON_COLUMNS.get(table, ()):
        row[column] = json.dumps(row[column], ensure_ascii=False)
    return row


def decode(table: str, row: Mapping[str, Any]) -> dict[str, Any]:
    """A row as read: its JSON columns parsed."""
    row = dict(row)
    for column in JSON_COLUMNS.get(table, ()):
        row[column] = json.loads(row[column])
    return row


def reject_reserved(attrs: Mapping[str, Any], reserved: Iterable[str], where: str) -> None:
    """Raise ``ValidationError`` if ``attrs`` use a name ``reserved`` for a column."""
    bad = sorted(set(attrs) & set(reserved))
    if bad:
        raise ValidationError(
            Problem(
                where,
                f"{'、'.join(bad)} は属性として使えません",
                f"{', '.join(bad)} cannot be used as an attribute",
            )
        )
