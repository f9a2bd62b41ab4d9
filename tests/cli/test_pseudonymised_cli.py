"""Pseudonymised exports from the command line: stable pseudonyms, nothing hidden, no names."""

from __future__ import annotations

import json

from facilitator.storage import Store
from graph.model import build_graph

from .test_review_cli import data, new_session, run  # noqa: F401 (fixtures)


def _exported(run, session_id, path):  # noqa: F811
    result = run("export", session_id, "--format", "json", "-o", path)
    assert result.exit_code == 0, result.output
    return json.loads(path.read_text(encoding="utf-8"))


def _nodes(doc):
    return {n["id"]: n for n in doc["nodes"]}


def test_two_exports_call_every_node_the_same(run, data, tmp_path):  # noqa: F811
    G = build_graph(
        [
            {"id": f"n{i}", "kind": "person", "label": f"小野寺 {g}"}
            for i, g in ((2, "ハル"), (9, "勝"))
        ]
        + [{"id": "h1", "kind": "household", "label": "小野寺さん宅"}],
        [{"id": "t1", "source": "n2", "target": "h1", "kind": "lives_in"}],
    )
    sid = new_session(data, G)
    first = _nodes(_exported(run, sid, tmp_path / "a.json"))
    with Store(data).open(sid) as session:
        # An id that sorts before the others (n10 < n2 as text), and one hidden.
        new = session.add_node("person", "小野寺 新", actor="test")
        session.add_node("place", "小野寺さん宅前のゴミ集積所", actor="test")
        hidden = session.add_node("group", "内緒の会", actor="test")
        session.update_node(hidden, "test", status="hidden")
        ids = session.pseudonyms()
    second = _nodes(_exported(run, sid, tmp_path / "b.json"))
    assert {k: v for k, v in second.items() if k in first} == first
    assert ids[new] in second and ids[new] not in first
    text = (tmp_path / "b.json").read_text(encoding="utf-8")
    assert "小野寺" not in text and "内緒の会" not in text and "ハル" not in text
    assert "ゴミ集積所（場所-001）" in text


def test_session_exports_validate_and_carry_title_and_area(run, data, tmp_path):  # noqa: F811
    from graph.demo import demo_graph

    from ..graph.formats.test_schemas import GEXF_NS, _schema, etree

    sid = new_session(data, demo_graph(), "茶志内 お宝さがし")
    for real in ((), ("--real-names",)):
        gexf, graphml = tmp_path / f"x{len(real)}.gexf", tmp_path / f"x{len(real)}.graphml"
        assert run("export", sid, "--format", "gexf", "-o", gexf, *real).exit_code == 0
        assert run("export", sid, "--format", "graphml", "-o", graphml, *real).exit_code == 0
        doc = etree.parse(str(gexf))
        assert _schema("gexf", "1.2draft", "gexf.xsd").validate(doc)
        assert _schema("graphml", "graphml.xsd").validate(etree.parse(str(graphml)))
        meta = doc.getroot().find(f"{GEXF_NS}meta")
        assert meta.findtext(f"{GEXF_NS}description") == "茶志内 お宝さがし"
        assert meta.findtext(f"{GEXF_NS}keywords") == "茶志内"
