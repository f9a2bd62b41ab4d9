"""How much an import may hold: bytes, zip expansion, nodes and ties (issue 13: zip bombs).

The readers of :mod:`graph.formats` ask :func:`current` for the limits; a caller sets other
maxima for the duration of one read with :func:`limited` (the app from its settings).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

from .errors import Problem, ValidationError

__all__ = ["ImportLimits", "current", "limited", "check_count", "MAX_PROBLEMS_SHOWN", "shown"]

#: Problems listed in full; the rest are counted (「ほか N 件」).
MAX_PROBLEMS_SHOWN = 100


@dataclass(frozen=True)
class ImportLimits:
    """The maxima of one import.

    ``nodes`` and ``ties``: records in the file; ``bytes``: the file, or what a zip unpacks
    to; ``ratio``: how many times a zip member may be larger unpacked than packed (a sheet of
    a few hundred rows packs about 5×; 4 million copies of one row pack 500×).
    """

    nodes: int = 200_000
    ties: int = 1_000_000
    bytes: int = 64 * 1024 * 1024
    ratio: int = 100


_DEFAULT = ImportLimits()
_current: ContextVar[ImportLimits | None] = ContextVar("import_limits", default=None)


def current() -> ImportLimits:
    """The limits of the read under way (the defaults unless :func:`limited` set others)."""
    return _current.get() or _DEFAULT


@contextmanager
def limited(limits: ImportLimits) -> Iterator[ImportLimits]:
    """Read with ``limits`` inside the ``with`` block.

    >>> with limited(ImportLimits(nodes=5)):
    ...     current().nodes
    5
    >>> current().nodes
    200000
    """
    token = _current.set(limits)
    try:
        yield limits
    finally:
        _current.reset(token)


def check_count(what: str, count: int, where: str) -> None:
    """Raise :class:`ValidationError` if ``count`` nodes or ties (``what``) exceed the limit."""
    limit = getattr(current(), what)
    if count > limit:
        ja = {"nodes": "ノード", "ties": "つながり"}[what]
        raise ValidationError(
            Problem(
                where,
                f"{ja}が多すぎます（{count:,} 件、{limit:,} 件まで）",
                f"too many {what} ({count:,}; at most {limit:,})",
            )
        )


def shown(messages: list[str], lang: str = "ja") -> list[str]:
    """The first :data:`MAX_PROBLEMS_SHOWN` messages, then one line counting the rest.

    >>> shown([str(i) for i in range(102)])[-1]
    'ほか 2 件'
    >>> shown(["a"], "en")
    ['a']
    """
    if len(messages) <= MAX_PROBLEMS_SHOWN:
        return messages
    rest = len(messages) - MAX_PROBLEMS_SHOWN
    more = f"ほか {rest:,} 件" if lang == "ja" else f"and {rest:,} more"
    return [*messages[:MAX_PROBLEMS_SHOWN], more]
