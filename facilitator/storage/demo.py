"""The fictional demo session (茶志内地区), made from ``graph.demo`` the first time it is asked for."""

from __future__ import annotations

from graph.demo import AREA, TITLE, demo_graph

from .store import Store

__all__ = ["DEMO_TITLE", "demo_session"]

#: The demo session's title, by which it is found again.
DEMO_TITLE = TITLE


def demo_session(store: Store) -> str:
    """The id of the demo session in ``store``, created from the fictional demo on first use."""
    for row in store.list():
        if row["title"] == DEMO_TITLE:
            return row["id"]
    with store.create(DEMO_TITLE, area=AREA, actor="demo") as session:
        session.import_graph(demo_graph(), actor="demo")
        return session.id
