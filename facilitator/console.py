"""The CLI's console: never crash on a character the console cannot encode (Windows cp932)."""

from __future__ import annotations

import codecs
import sys

__all__ = ["safe_console"]


def _fits(stream) -> bool:
    """Whether ``stream`` encodes every character (a UTF encoding) or already replaces."""
    encoding = getattr(stream, "encoding", None) or "ascii"
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        return False
    return name.startswith("utf") or getattr(stream, "errors", "strict") != "strict"


def safe_console() -> None:
    """Make stdout and stderr replace what their encoding cannot hold (𠮷, emoji on cp932).

    A Windows console, or ``tsunagari flags … > out.txt`` there, writes cp932, which has no
    𠮷 nor any emoji; Python would stop with ``UnicodeEncodeError`` halfway through the
    output. Such characters are written as ``?`` instead. ``PYTHONUTF8=1`` writes UTF-8.
    """
    for stream in (sys.stdout, sys.stderr):
        if stream is not None and not _fits(stream) and hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
