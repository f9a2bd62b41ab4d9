"""The coordinator's review: archive, history, compare, merge, printable report, export/import.

One blueprint (``coordinator``, under ``/archive``) shared by a module per feature:
``archive`` (the list and the read-only view), ``history``, ``compare``, ``merge``, ``report``
(with its SVG), ``exchange`` (export, delete) and ``imports`` (a file into a session, with its
mapping and update steps); ``_common`` holds what they share.
"""

from __future__ import annotations

from . import archive, compare, exchange, history, imports, merge, report
from ._common import STALE_AFTER, bp, counts, support_counts
from .compare import diff_tables, highlight
from .imports import IMPORT_SUFFIXES
from .report import poster, poster_svg

__all__ = [
    "bp",
    "STALE_AFTER",
    "IMPORT_SUFFIXES",
    "counts",
    "support_counts",
    "diff_tables",
    "highlight",
    "poster",
    "poster_svg",
    "archive",
    "compare",
    "exchange",
    "history",
    "imports",
    "merge",
    "report",
]
