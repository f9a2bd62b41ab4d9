"""The pseudonym each node keeps across exports of its session (DESIGN.md §6)."""

from __future__ import annotations

import networkx as nx

from graph.pseudonym import pseudonym_ids, pseudonymise

from .log import EventLog

__all__ = ["Pseudonyms"]


class Pseudonyms(EventLog):
    """Stored pseudonyms (a base of :class:`~facilitator.storage.session.Session`).

    The first export gives each node the next number of its kind (``人-014``); the number is
    kept in the ``pseudonyms`` table, so every later export, report and diff of the session
    calls the node the same, however many nodes were added, hidden or removed since. Keeping
    them is not an event of the log: no map changes, and undo must not renumber anyone.
    """

    def pseudonyms(self, G: nx.MultiDiGraph | None = None) -> dict[str, str]:
        """node → pseudonym for every node of ``G`` (the current graph if ``None``).

        Nodes without one are given theirs and stored, in one transaction.
        """
        G = self.graph() if G is None else G
        known = {r["node_id"]: r["pseudonym"] for r in self._rows("pseudonyms")}
        ids = pseudonym_ids(G, known)
        if all(known.get(n) == p for n, p in ids.items()):
            return ids  # nothing new: no write on a page view
        with self._transaction():
            known = {r["node_id"]: r["pseudonym"] for r in self._rows("pseudonyms")}
            ids = pseudonym_ids(G, known)
            new = [(n, p) for n, p in ids.items() if known.get(n) != p]
            if new:
                # A node whose kind changed gives up its old pseudonym for a new one.
                self._conn.executemany(
                    "INSERT INTO pseudonyms (node_id, pseudonym) VALUES (?, ?) "
                    "ON CONFLICT(node_id) DO UPDATE SET pseudonym = excluded.pseudonym",
                    [(str(n), p) for n, p in new],
                )
        return ids

    def pseudonymised(self, G: nx.MultiDiGraph | None = None) -> nx.MultiDiGraph:
        """``G`` (the current graph if ``None``) pseudonymised under the stored pseudonyms."""
        G = self.graph() if G is None else G
        return pseudonymise(G, self.pseudonyms(G))
