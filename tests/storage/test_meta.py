"""Tests for facilitator.storage.meta: a session's metadata and settings."""

from __future__ import annotations

import pytest

from graph.errors import ValidationError


def test_set_meta(session):
    session.set_meta("sc", stage="ties", auto_approve=True, settings={"overload_roles": 4})
    meta = session.meta()
    assert meta["stage"] == "ties" and meta["auto_approve"] is True
    assert meta["settings"]["overload_roles"] == 4
    assert meta["settings"]["overload_households"] == 5
    session.set_meta("sc", closed=True)
    assert session.meta()["closed"] is True and session.meta()["closed_at"]
    before = session.last_seq()
    for bad in ({"stage": "party"}, {"settings": {"overload_roles": 0}}, {"code": "AAAAAA"}):
        with pytest.raises(ValidationError):
            session.set_meta("sc", **bad)
    assert session.last_seq() == before
