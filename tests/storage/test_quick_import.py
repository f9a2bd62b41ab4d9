"""sqlite-utils imported with its one slow pattern compiled on first use (quick_import.py)."""

import re

import sqlite_utils.db
from sqlite_utils import Database

import facilitator.storage  # noqa: F401  (imports sqlite-utils the quick way first)
from facilitator.storage import quick_import
from facilitator.storage.quick_import import LazyPattern


def test_only_the_slow_pattern_waits_and_it_matches_as_compiled():
    lazy = sqlite_utils.db._virtual_table_using_re
    assert isinstance(lazy, LazyPattern)
    assert isinstance(sqlite_utils.db._quote_fts_re, re.Pattern)  # the others as before
    assert re.compile is quick_import._real_compile  # re.compile is put back
    same = re.compile(*lazy._source)
    for sql in (
        'CREATE VIRTUAL TABLE "notes_fts" USING FTS5 (text)',
        "create virtual table if not exists [旅程] using fts4(a)",
        "CREATE TABLE notes (id TEXT)",
    ):
        found, expected = lazy.match(sql), same.match(sql)
        assert (found and found.groupdict()) == (expected and expected.groupdict()), sql


def test_sqlite_utils_still_tells_a_full_text_table():
    db = Database(memory=True)
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(body)")
    db.execute("CREATE TABLE plain (id TEXT)")
    assert db["docs"].virtual_table_using == "FTS5"
    assert db["plain"].virtual_table_using is None
