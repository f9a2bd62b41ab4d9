"""sqlite-utils imported without compiling, at start-up, a pattern the app never uses.

sqlite-utils (4.2) compiles at import ``_virtual_table_using_re``: case-insensitive over the
characters ``\\u0080``–``\\uffff``, which makes Python's ``re`` fold every one of them — 62 ms
of the server's ~0.8 s start (bench/startup.py), for a pattern read only by
``Table.virtual_table_using`` (full-text tables, which sessions do not have). While
sqlite-utils is imported, such a pattern is made a :class:`LazyPattern`: compiled on first
use, the same pattern with the same flags. Every other pattern is compiled as before.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["LazyPattern", "import_sqlite_utils"]


class LazyPattern:
    """A regular expression compiled when it is first used (any attribute of the pattern)."""

    def __init__(self, pattern: str, flags: int) -> None:
        self._source = (pattern, flags)
        self._compiled: re.Pattern | None = None

    def __getattr__(self, name: str) -> Any:
        if self._compiled is None:
            self._compiled = _real_compile(*self._source)
        return getattr(self._compiled, name)


_real_compile = re.compile


def _slow(pattern: Any, flags: int) -> bool:
    """Case-insensitive over the whole Basic Multilingual Plane: slow to compile."""
    return isinstance(pattern, str) and bool(flags & re.IGNORECASE) and "\\uffff" in pattern


def import_sqlite_utils() -> None:
    """Import sqlite-utils with its slow patterns left until they are used."""
    import sys

    if "sqlite_utils.db" in sys.modules:
        return

    def compile_(pattern: Any, flags: int = 0) -> Any:
        return (
            LazyPattern(pattern, flags) if _slow(pattern, flags) else _real_compile(pattern, flags)
        )

    re.compile = compile_
    try:
        import sqlite_utils.db  # noqa: F401
    finally:
        re.compile = _real_compile
