"""Small maps and a graph snapshot shared by the storage tests."""

from __future__ import annotations

import networkx as nx

from facilitator.storage import Session


def snapshot(G: nx.MultiDiGraph):
    """Everything about a graph that matters, in a comparable form."""
    return (
        sorted(G.nodes(data=True)),
        sorted(G.edges(keys=True, data=True), key=lambda e: e[2]),
    )


def small_map(s: Session) -> dict[str, str]:
    """Four nodes and three ties added to ``s``, their ids by short name."""
    ids = {
        "sato": s.add_node("person", "佐藤さん", "sc", age_band="75-84", consent="initials"),
        "suzuki": s.add_node("household", "鈴木宅", "sc", lives_alone=True),
        "salon": s.add_node("group", "くりの木サロン", "sc"),
        "hall": s.add_node("place", "福祉会館", "sc"),
    }
    ids["snow"] = s.add_tie(ids["sato"], ids["suzuki"], "snow", "sc", season="winter_only")
    ids["member"] = s.add_tie(ids["sato"], ids["salon"], "member", "sc", frequency="weekly")
    ids["held_at"] = s.add_tie(ids["salon"], ids["hall"], "held_at", "sc")
    return ids


def imported() -> nx.MultiDiGraph:
    """A graph to import: two nodes, a keyed tie and a tie with NetworkX's integer key."""
    G = nx.MultiDiGraph()
    G.add_node("p1", kind="person", label="田中さん", age_band="85+")
    G.add_node("h1", kind="household", label="田中宅", elderly_only=True, status="pending")
    G.add_edge("p1", "h1", key="imp1", kind="lives_in")
    G.add_edge("p1", "h1", kind="kin")  # integer key 0: gets a new id
    return G
