"""Tests for graph.formats.gexf: a file as Gephi 0.10 saves it (GEXF 1.3), and one that declares entities."""

from __future__ import annotations

import pytest

from graph.errors import ValidationError
from graph.io import gexf_bytes, read_graph
from tests.graph.formats.samples import assert_same

GEPHI = """<?xml version="1.0" encoding="UTF-8"?>
<gexf xmlns="http://gexf.net/1.3" xmlns:viz="http://gexf.net/1.3/viz" version="1.3">
  <graph defaultedgetype="directed" name="2丁目">
    <attributes class="node">
      <attribute id="0" title="kind" type="string"/>
    </attributes>
    <attributes class="edge">
      <attribute id="1" title="kind" type="string"/>
    </attributes>
    <nodes>
      <node id="p1" label="佐藤"><attvalues><attvalue for="0" value="person"/></attvalues>
        <viz:position x="1.0" y="2.0"/><viz:color r="200" g="10" b="10"/></node>
      <node id="h1" label="鈴木宅"><attvalues><attvalue for="0" value="household"/></attvalues>
        <viz:size value="4.0"/></node>
    </nodes>
    <edges><edge id="t1" source="p1" target="h1" weight="1.0">
      <attvalues><attvalue for="1" value="snow"/></attvalues></edge></edges>
  </graph>
</gexf>
"""


def test_gephi_file_drops_presentation_and_keeps_the_name(tmp_path):
    path = tmp_path / "m.gexf"
    path.write_text(GEPHI, encoding="utf-8")
    H = read_graph(path)
    assert H.graph == {"title": "2丁目"}
    assert dict(H.nodes(data=True)) == {
        "p1": {"kind": "person", "label": "佐藤"},
        "h1": {"kind": "household", "label": "鈴木宅"},
    }
    assert list(H.edges(keys=True, data="kind")) == [("p1", "h1", "t1", "snow")]


def test_gexf_round_trip_keeps_the_title(G, tmp_path):
    G.graph["title"] = "2丁目の支え合い"
    path = tmp_path / "m.gexf"
    path.write_bytes(gexf_bytes(G))
    H = read_graph(path)
    assert H.graph == {"title": "2丁目の支え合い"}
    assert_same(G, H)


def test_gexf_with_an_entity_is_refused(tmp_path):
    path = tmp_path / "evil.gexf"
    path.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE gexf [<!ENTITY x SYSTEM "file:///etc/passwd">]>\n'
        '<gexf xmlns="http://gexf.net/1.2" version="1.3"><graph><nodes>'
        '<node id="p1" label="&x;"/></nodes></graph></gexf>\n',
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as excinfo:
        read_graph(path)
    [problem] = excinfo.value.problems
    assert problem.where == "evil.gexf line 2" and "DOCTYPE" in problem.en
