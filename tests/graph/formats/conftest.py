"""The sample session graph as a fixture."""

import pytest

from graph.model import build_graph
from tests.graph.formats.samples import NODES, TIES


@pytest.fixture
def G():
    return build_graph(NODES, TIES)
