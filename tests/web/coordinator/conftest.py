"""Fixtures of the coordinator's tests: the demo map this year and last year."""

import json

import pytest

from facilitator.storage import Store
from graph.demo import AREA, demo_graph


@pytest.fixture
def demo_id(app):
    with Store(app.config["DATA"]).create("茶志内 今年", area=AREA) as s:
        s.import_graph(demo_graph(), "test")
        return s.id


@pytest.fixture
def older_id(app, demo_id):
    """Last year's map of the same area: the demo without 高橋 恵子's snow tie to h12."""
    G = demo_graph()
    with Store(app.config["DATA"]).create("茶志内 昨年", area=AREA) as s:
        s.import_graph(G, "test")
        _backdate(s, "2020-05-01T10:00:00+00:00")
        sid = s.id
    with Store(app.config["DATA"]).open(demo_id) as s:
        s.add_tie("p004", "h12", "snow", "facilitator")
    return sid


def _backdate(session, when: str) -> None:
    session.db.execute("UPDATE meta SET value = ? WHERE key = 'created'", [json.dumps(when)])
