"""The dashboard's node list pages the newest nodes without a row for every node
(node_list._newest_page): the same pages as paging every row."""

import random

import networkx as nx
import pytest

from facilitator.node_list import PAGE_SIZE, _newest_page, _row, paged


def _every_row(G):
    return [
        _row(n, d) for n, d in reversed(list(G.nodes(data=True))) if d.get("status") != "pending"
    ]


@pytest.mark.parametrize("seed", range(6))
def test_each_page_is_the_page_of_every_row(seed):
    rng = random.Random(seed)
    G = nx.MultiDiGraph()
    for i in range(rng.choice([0, 1, PAGE_SIZE, PAGE_SIZE + 1, 137])):
        status = rng.choice(["approved", "pending", "hidden", None])
        G.add_node(f"n{rng.randrange(10**6)}", kind="person", label=f"佐藤 {i}", status=status)
    if seed % 2:
        G.remove_nodes_from(rng.sample(list(G), len(G) // 3))  # removed notes leave gaps
    for page in range(1, 10):
        assert _newest_page(G, page) == paged(_every_row(G), page), page
