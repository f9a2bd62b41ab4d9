"""Times as people read them: stored UTC times shown in the machine's own time zone.

Every row and event keeps its time in UTC (``storage.rows.utc_now``); a workshop in
Hokkaido at 10:20 must read 10:20, not 01:20, on every page, report and CLI line, and a
workshop held at 08:00 JST is dated that day, not the UTC day before.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

__all__ = ["local", "local_date", "local_datetime", "local_hhmm", "install"]


def local(iso: Any) -> datetime | None:
    """The stored time ``iso`` in the machine's zone; ``None`` when it is not a time.

    A time without an offset was written as UTC.
    """
    try:
        when = datetime.fromisoformat(str(iso))
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return when.astimezone()


def local_date(iso: Any) -> str:
    """``YYYY-MM-DD`` of ``iso`` in the machine's zone (``""`` if it is not a time)."""
    when = local(iso)
    return when.strftime("%Y-%m-%d") if when else ""


def local_datetime(iso: Any) -> str:
    """``YYYY-MM-DD HH:MM`` of ``iso`` in the machine's zone (``""`` if it is not a time)."""
    when = local(iso)
    return when.strftime("%Y-%m-%d %H:%M") if when else ""


def local_hhmm(iso: Any) -> str:
    """``HH:MM`` of ``iso`` in the machine's zone (``""`` if it is not a time)."""
    when = local(iso)
    return when.strftime("%H:%M") if when else ""


def install(app: Any) -> None:
    """Register the template filters ``local_date``, ``local_datetime`` and ``local_hhmm``."""
    for f in (local_date, local_datetime, local_hhmm):
        app.add_template_filter(f, f.__name__)
