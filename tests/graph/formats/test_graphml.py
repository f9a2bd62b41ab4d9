"""Tests for graph.formats.graphml: our GraphML, other tools' GraphML, and files refused or broken."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from graph.errors import ValidationError
from graph.io import graphml_bytes, read_graph
from graph.model import build_graph
from tests.graph.formats.samples import NODES, TIES, problems_of


def test_graphml_keeps_tie_ids_and_bools(G):
    data = graphml_bytes(G)
    assert b'id="t1"' in data and b'attr.type="boolean"' in data
    with tempfile.TemporaryDirectory() as d:
        path = Path(d, "m.graphml")
        path.write_bytes(data)
        H = read_graph(path)
    assert H.nodes["h1"]["lives_alone"] is True
    assert set(H.edges(keys=True)) == {("p1", "h1", "t1"), ("p1", "g1", "t2")}


def test_graphml_from_another_tool_applies_key_defaults(tmp_path):
    path = tmp_path / "m.xml"
    path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
        '<key id="k" for="node" attr.name="kind" attr.type="string">'
        "<default>person</default></key>\n"
        '<key id="l" for="node" attr.name="label" attr.type="string"/>\n'
        '<key id="e" for="edge" attr.name="kind" attr.type="string"/>\n'
        '<graph edgedefault="directed">\n'
        '<node id="a"><data key="l">A</data></node>\n'
        '<node id="b"><data key="l">B</data></node>\n'
        '<edge source="a" target="b"><data key="e">talk</data></edge>\n'
        "</graph></graphml>\n",
        encoding="utf-8",
    )
    H = read_graph(path)
    assert H.nodes["a"] == {"kind": "person", "label": "A"}
    assert [(u, v, d["kind"]) for u, v, d in H.edges(data=True)] == [("a", "b", "talk")]


def test_graphml_untyped_keys_and_ports_do_not_warn(tmp_path):
    path = tmp_path / "m.graphml"
    path.write_text(
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        '<key id="k" for="node" attr.name="kind"/><key id="l" for="node" attr.name="label"/>'
        '<graph edgedefault="directed"><node id="a"><data key="k">place</data>'
        '<data key="l">集会所</data><port name="p"/></node></graph></graphml>',
        encoding="utf-8",
    )
    assert read_graph(path).nodes["a"] == {"kind": "place", "label": "集会所"}


XXE = b"""<?xml version="1.0"?>
<!DOCTYPE graphml [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph edgedefault="directed">
<node id="&xxe;"/></graph></graphml>
"""


@pytest.mark.parametrize(
    "data", [XXE, XXE.decode().encode("utf-16"), XXE.replace(b"<!ENTITY", b"<!entity")]
)
def test_graphml_with_doctype_is_refused(tmp_path, data):
    path = tmp_path / "evil.graphml"
    path.write_bytes(data)
    with pytest.raises(ValidationError) as excinfo:
        read_graph(path)
    [problem] = excinfo.value.problems
    assert problem.where == "evil.graphml line 2"
    assert "DOCTYPE" in problem.en and "DOCTYPE" in problem.ja


@pytest.mark.parametrize(
    ("data", "where", "en"),
    [
        (graphml_bytes(build_graph(NODES, TIES))[:300], "m.graphml line", "not well-formed"),
        (b"", "m.graphml line 1", "not well-formed"),
        (b"<a><b></a>", "m.graphml line 1 col 9", "not well-formed"),
        (b"<graphml><graph/></graphml>", "m.graphml", "not GraphML"),
        (
            b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph><node/></graph>'
            b"</graphml>",
            "m.graphml line 1",
            "node without an id",
        ),
        (
            b'<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph><node id="a">'
            b'<data key="nope">x</data></node></graph></graphml>',
            "m.graphml",
            "cannot read",
        ),
    ],
)
def test_broken_graphml(tmp_path, data, where, en):
    path = tmp_path / "m.graphml"
    path.write_bytes(data)
    with pytest.raises(ValidationError) as excinfo:
        read_graph(path)
    assert any(w.startswith(where) and en in e for w, e in problems_of(excinfo)), problems_of(
        excinfo
    )


def test_graphml_problems_name_the_line(tmp_path):
    data = graphml_bytes(build_graph(NODES, TIES)).replace(b">household<", b">hut<")
    path = tmp_path / "m.graphml"
    path.write_bytes(data)
    with pytest.raises(ValidationError) as excinfo:
        read_graph(path)
    [(where, en), *_] = problems_of(excinfo)
    line = data.decode().splitlines().index('    <node id="h1">') + 1
    assert (where, en) == (f"m.graphml line {line}", "unknown kind 'hut'")
