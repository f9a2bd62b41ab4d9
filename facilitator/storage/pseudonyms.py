"""The pseudonym each node keeps across exports of its session (DESIGN.md §6)."""

from __future__ import annotations

import networkx as nx

from graph.errors import Problem, ValidationError
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

    def export_graph(self, real_names: bool = False) -> nx.MultiDiGraph:
        """The graph an export writes: with the session's title and area (GEXF ``<meta>``,
        GraphML and JSON graph attributes), pseudonymised unless ``real_names``."""
        G = self.graph()
        meta = self.meta()  # type: ignore[attr-defined]  # (the Meta base of Session)
        for key in ("title", "area"):
            if meta.get(key):
                G.graph[key] = str(meta[key])
        return G if real_names else self.pseudonymised(G)

    def refuse_pseudonymised_copy(self, G: nx.MultiDiGraph) -> None:
        """``ValidationError`` if ``G`` is a pseudonymised export of this session.

        Its ids are this session's pseudonyms (人-001 …), not its node ids: imported, every
        node would come in a second time under its pseudonym. Only an export with real names
        can update the session.
        """
        if not G.number_of_nodes() or any(self._row("nodes", n) is not None for n in G.nodes):
            return
        given = {r["pseudonym"] for r in self._rows("pseudonyms")}
        if given and all(str(n) in given for n in G.nodes):
            raise ValidationError(
                Problem(
                    "",
                    "このセッションから仮名化して書き出したファイルです。取り込むと同じ人や場所が"
                    "仮名のまま二重に入るため、取り込みませんでした。更新するには実名で書き出した"
                    "ファイル（--real-names）を編集してください。",
                    "This is a pseudonymised export of this session: importing it would add every "
                    "node again under its pseudonym, so nothing was imported. To update the "
                    "session, edit an export with real names (--real-names).",
                )
            )
