"""Fixtures of the storage tests: a data folder and a fresh session in it."""

from __future__ import annotations

import pytest

from facilitator.storage import Store


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "sessions")


@pytest.fixture
def session(store):
    with store.create("茶志内地区 お宝さがし", area="茶志内") as s:
        yield s
