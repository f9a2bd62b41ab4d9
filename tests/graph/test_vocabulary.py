"""The vocabulary (graph/vocabulary.py) and its table in the README agree."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from graph.vocabulary import NODE_KINDS, TIE_KINDS, tie_allowed

README = Path(__file__).resolve().parents[2] / "README.md"


def test_the_readme_tie_table_is_the_vocabulary():
    rows = re.findall(r"^\| `(\w+)` \| ([^|]+) \| ([^|]+) → ([^|]+) \|$", README.read_text(), re.M)
    table = {
        k: (ja.strip(), set(src.split(" / ")), set(tgt.split(" / "))) for k, ja, src, tgt in rows
    }
    assert table == {
        k: (t.ja, {s.strip() for s in t.sources}, {s.strip() for s in t.targets})
        for k, t in TIE_KINDS.items()
    }


@pytest.mark.parametrize("kind", ["watch", "snow", "ride", "errand", "share"])
@pytest.mark.parametrize("giver", ["person", "group", "activity"])
def test_groups_and_activities_give_support(kind, giver):
    assert tie_allowed(kind, giver, "household") and tie_allowed(kind, giver, "person")
    assert not tie_allowed(kind, giver, "place")


def test_only_people_take_part():
    assert not tie_allowed("member", "activity", "group")
    assert set(NODE_KINDS) >= {k for t in TIE_KINDS.values() for k in t.sources | t.targets}
