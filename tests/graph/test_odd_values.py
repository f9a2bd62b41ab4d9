"""Odd values every reader refuses (issue 13 row 8), so no export can carry them."""

from __future__ import annotations

import math

import pytest

from graph.errors import ValidationError
from graph.io import read_graph
from graph.model import build_graph


def _graphml(attr_type: str, value: str, key: str = "note") -> str:
    return f"""<?xml version="1.0" encoding="UTF-8"?>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns">
<key id="d0" for="node" attr.name="kind" attr.type="string"/>
<key id="d1" for="node" attr.name="label" attr.type="string"/>
<key id="d2" for="node" attr.name="{key}" attr.type="{attr_type}"/>
<graph edgedefault="directed"><node id="a"><data key="d0">person</data>
<data key="d1">佐藤</data><data key="d2">{value}</data></node></graph></graphml>"""


def _json(value: str) -> str:
    return (
        '{"directed": true, "multigraph": true, "graph": {}, "nodes": '
        f'[{{"id": "a", "kind": "person", "label": "佐藤", "w": {value}}}], "edges": []}}'
    )


CASES = {
    "nan.json": _json("NaN"),
    "inf.json": _json("Infinity"),
    "big.json": _json("9" * 5000),
    "long.json": _json("9" * 20),
    "key.json": _json("1").replace('"w"', '"w\\u0001x"'),
    "nan.graphml": _graphml("double", "NaN"),
    "inf.graphml": _graphml("double", "INF"),
    "big.graphml": _graphml("long", "9" * 5000),
    "long.graphml": _graphml("long", "9" * 30),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_every_reader_refuses_odd_values(tmp_path, name):
    path = tmp_path / name
    path.write_text(CASES[name], encoding="utf-8")
    with pytest.raises(ValidationError) as caught:
        read_graph(path)
    assert len(caught.value.message("ja")) < 400  # short, even for a 5,000-digit number


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, 2**64, -(2**63) - 1])
def test_the_model_refuses_them_from_any_caller(value):
    with pytest.raises(ValidationError):
        build_graph([{"id": "a", "kind": "person", "label": "佐藤", "w": value}], [])


def test_ordinary_numbers_still_pass():
    G = build_graph([{"id": "a", "kind": "person", "label": "佐藤", "w": 2**63 - 1, "x": 1.5}], [])
    assert G.nodes["a"]["w"] == 2**63 - 1
