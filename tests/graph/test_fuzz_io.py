"""Fuzzing the importers (GraphML, node-link JSON, CSV): a graph or a ValidationError with a
message — never another exception — and an import into a session writes all or nothing.

GraphML with a DOCTYPE or external entities is refused, never resolved.
"""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from graph.errors import ValidationError
from graph.io import read_graph

FUZZ = settings(
    max_examples=100,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
NASTY = [
    "佐藤\u202eさん",
    "\u200b",
    "<script>alert(1)</script>",
    "🍎",
    "a\x00b",
    "\x1b",
    "\ud800",
    "=cmd|' /C calc'!A0",
    "",
    " ",
    "x" * 600,
    '"',
    "\n",
]
text = st.one_of(
    st.sampled_from(NASTY), st.text(st.characters(exclude_categories=()), max_size=30)
)
ids = st.one_of(st.sampled_from(["p1", "h1", "g1", "", "p1 "]), text, st.integers(-3, 3))
kinds = st.one_of(st.sampled_from(["person", "household", "group", "need", "tree"]), text)
scalar = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), text)
json_value = st.recursive(
    scalar,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=6,
)
node = st.fixed_dictionaries(
    {"id": ids, "kind": kinds, "label": text},
    optional={
        "lives_alone": scalar,
        "age_band": st.one_of(st.sampled_from(["85+", "65-74"]), text),
        "consent": text,
        "district": text,
        "extra": json_value,
    },
)
tie = st.fixed_dictionaries(
    {
        "source": ids,
        "target": ids,
        "kind": st.one_of(st.sampled_from(["lives_in", "watch"]), text),
    },
    optional={"key": ids, "season": text, "status": text},
)


def _read(path):
    """``read_graph`` must give a graph or a ValidationError that says what is wrong."""
    try:
        return read_graph(path)
    except ValidationError as e:
        for lang in ("ja", "en"):
            assert e.message(lang).strip()
        return None


def _surrogate_safe(value: str) -> bytes:
    return value.encode("utf-8", "surrogatepass")


@FUZZ
@given(nodes=st.lists(node, max_size=4), ties=st.lists(tie, max_size=3), directed=scalar)
def test_node_link_json(tmp_path, nodes, ties, directed):
    data = {"directed": directed, "multigraph": True, "nodes": nodes, "edges": ties}
    path = tmp_path / "g.json"
    path.write_bytes(json.dumps(data, ensure_ascii=True).encode())
    _read(path)


@FUZZ
@given(value=json_value)
def test_any_json_document(tmp_path, value):
    path = tmp_path / "g.json"
    path.write_text(json.dumps(value, ensure_ascii=True), encoding="utf-8")
    _read(path)


@FUZZ
@given(raw=st.binary(max_size=400), suffix=st.sampled_from([".json", ".graphml", ".csv", ".zip"]))
def test_any_bytes(tmp_path, raw, suffix):
    path = tmp_path / f"g{suffix}"
    path.write_bytes(raw)
    _read(path)


def _csv_cell(value) -> str:
    value = "" if value is None else str(value)
    return '"' + value.replace('"', '""') + '"'


@FUZZ
@given(
    nodes=st.lists(node, max_size=4),
    ties=st.lists(tie, max_size=3),
    bom=st.booleans(),
    extra_header=st.sampled_from(["", ",extra", ",id", ",,"]),
)
def test_csv_pair(tmp_path, nodes, ties, bom, extra_header):
    lines = ["id,kind,label,district" + extra_header]
    for n in nodes:
        lines.append(",".join(_csv_cell(n.get(k)) for k in ("id", "kind", "label", "district")))
    tie_lines = ["source,target,kind,season"]
    for t in ties:
        tie_lines.append(
            ",".join(_csv_cell(t.get(k)) for k in ("source", "target", "kind", "season"))
        )
    prefix = b"\xef\xbb\xbf" if bom else b""
    (tmp_path / "nodes.csv").write_bytes(prefix + _surrogate_safe("\n".join(lines) + "\n"))
    (tmp_path / "ties.csv").write_bytes(_surrogate_safe("\r\n".join(tie_lines)))
    _read(tmp_path / "nodes.csv")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("nodes.csv", prefix + _surrogate_safe("\n".join(lines)))
        zf.writestr("ties.csv", _surrogate_safe("\n".join(tie_lines)))
    (tmp_path / "g.zip").write_bytes(buffer.getvalue())
    _read(tmp_path / "g.zip")


def _xml(value) -> str:
    return str(value).replace("&", "&amp;").replace("<", "&lt;").replace('"', "&quot;")


GRAPHML = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    '<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n'
    '<key id="kind" for="all" attr.name="kind" attr.type="string"/>\n'
    '<key id="label" for="node" attr.name="label" attr.type="string"/>\n'
    '<key id="lives_alone" for="node" attr.name="lives_alone" attr.type="{bool_type}"/>\n'
    '<graph edgedefault="directed">\n{body}</graph>\n</graphml>\n'
)


@FUZZ
@given(
    nodes=st.lists(node, max_size=4),
    ties=st.lists(tie, max_size=3),
    bool_type=st.sampled_from(["boolean", "string", "int", "bogus"]),
)
def test_graphml(tmp_path, nodes, ties, bool_type):
    body = []
    for n in nodes:
        body.append(
            f'<node id="{_xml(n["id"])}"><data key="kind">{_xml(n["kind"])}</data>'
            f'<data key="label">{_xml(n["label"])}</data>'
            + (
                f'<data key="lives_alone">{_xml(n["lives_alone"])}</data>'
                if "lives_alone" in n
                else ""
            )
            + "</node>\n"
        )
    for t in ties:
        body.append(
            f'<edge source="{_xml(t["source"])}" target="{_xml(t["target"])}">'
            f'<data key="kind">{_xml(t["kind"])}</data></edge>\n'
        )
    path = tmp_path / "g.graphml"
    path.write_bytes(_surrogate_safe(GRAPHML.format(bool_type=bool_type, body="".join(body))))
    _read(path)


# -- named cases ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "doctype",
    [
        '<!DOCTYPE graphml [<!ENTITY secret SYSTEM "file:///etc/passwd">]>',
        '<!DOCTYPE graphml SYSTEM "http://example.invalid/evil.dtd">',
        '<!DOCTYPE graphml [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>',
        '<!DOCTYPE graphml [<!ENTITY % p SYSTEM "http://example.invalid/x"> %p;]>',
    ],
)
def test_graphml_with_external_entities_is_refused_not_resolved(tmp_path, doctype):
    path = tmp_path / "evil.graphml"
    path.write_text(
        '<?xml version="1.0"?>\n'
        + doctype
        + '\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">'
        '<key id="label" for="node" attr.name="label" attr.type="string"/>'
        '<key id="kind" for="node" attr.name="kind" attr.type="string"/>'
        '<graph edgedefault="directed"><node id="p1"><data key="kind">person</data>'
        '<data key="label">&secret;</data></node></graph></graphml>',
        encoding="utf-8",
    )
    with pytest.raises(ValidationError) as excinfo:
        read_graph(path)
    message = excinfo.value.message("en")
    assert "DOCTYPE" in message and "root:" not in message


def test_graphml_in_utf16_with_a_doctype_is_refused(tmp_path):
    path = tmp_path / "evil.graphml"
    path.write_bytes(
        '<?xml version="1.0" encoding="UTF-16"?>\n<!DOCTYPE g [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        '<graphml xmlns="http://graphml.graphdrawing.org/xmlns"><graph/></graphml>'.encode(
            "utf-16"
        )
    )
    with pytest.raises(ValidationError):
        read_graph(path)


def test_deeply_nested_json_is_a_validation_error(tmp_path):
    path = tmp_path / "deep.json"
    path.write_text("[" * 100_000 + "]" * 100_000, encoding="utf-8")
    with pytest.raises(ValidationError):
        read_graph(path)


@pytest.mark.parametrize("label", ["a\x00b", "\x1b[2J", "x\u0085y", "\ud800"])
def test_control_characters_in_labels_are_problems(tmp_path, label):
    path = tmp_path / "g.json"
    data = {"nodes": [{"id": "p1", "kind": "person", "label": label}], "edges": []}
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ValidationError) as excinfo:
        read_graph(path)
    assert "U+" in excinfo.value.message("en")


def test_a_spreadsheet_cell_may_keep_its_line_break(tmp_path):
    (tmp_path / "nodes.csv").write_text(
        'id,kind,label\np1,story,"炭鉱の\nころ"\n', encoding="utf-8"
    )
    G = read_graph(tmp_path / "nodes.csv")
    assert G.nodes["p1"]["label"] == "炭鉱の\nころ"


@FUZZ
@given(nodes=st.lists(node, min_size=1, max_size=4), ties=st.lists(tie, max_size=3))
def test_import_into_a_session_writes_all_or_nothing(tmp_path_factory, nodes, ties):
    from facilitator.storage import Store

    folder = tmp_path_factory.mktemp("import")
    path = folder / "g.json"
    path.write_text(
        json.dumps({"nodes": nodes, "edges": ties}, ensure_ascii=True), encoding="utf-8"
    )
    G = _read(path)
    if G is None:
        return
    with Store(folder / "data").create("取り込み", actor="test") as session:
        before = session.last_seq()
        try:
            session.import_graph(G, actor="test")
        except ValidationError as e:
            assert e.message("ja").strip()
            assert session.last_seq() == before
            assert session.graph().number_of_nodes() == 0
        else:
            assert session.last_seq() == before + 1
            assert session.graph().number_of_nodes() == G.number_of_nodes()
