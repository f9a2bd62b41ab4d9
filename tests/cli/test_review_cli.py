"""The coordinator's review on the command line: diff, merge and pseudonymised exports."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from facilitator.cli import main
from facilitator.storage import Store
from graph.demo import demo_graph
from graph.io import FORMATS, read_graph, write_graph
from graph.model import build_graph, graph_records


@pytest.fixture
def data(tmp_path):
    return tmp_path / "data"


@pytest.fixture
def run(data, monkeypatch):
    monkeypatch.setenv("TSUNAGARI_LANG", "en")

    def invoke(*args):
        return CliRunner().invoke(main, ["--data", str(data), *map(str, args)])

    return invoke


def new_session(data, G, title="茶志内"):
    with Store(data).create(title, area="茶志内") as session:
        session.import_graph(G, actor="test")
        return session.id


@pytest.fixture
def demo_id(data):
    return new_session(data, demo_graph(), "茶志内地区 お宝さがし（デモ）")


# --- export ------------------------------------------------------------------------------


def private_words(G) -> list[str]:
    """Person and household labels, and family names alone (「佐藤さん宅」 → 「佐藤」)."""
    words = set()
    for _, attrs in G.nodes(data=True):
        if attrs["kind"] in ("person", "household"):
            words.add(attrs["label"])
            words.add(attrs["label"].removesuffix("さん宅"))
    return sorted(words)


def exported_bytes(paths: list[Path]) -> bytes:
    out = b""
    for path in paths:
        raw = path.read_bytes()
        out += raw
        if path.suffix == ".zip":
            with zipfile.ZipFile(io.BytesIO(raw)) as zf:
                out += b"".join(zf.read(member) for member in zf.namelist())
    return out


TARGETS = [(fmt, f"map.{ {'csv': 'zip'}.get(fmt, fmt) }") for fmt in FORMATS] + [("csv", "folder")]


@pytest.mark.parametrize(("fmt", "name"), TARGETS)
def test_pseudonymised_export_of_the_demo_names_nobody(run, demo_id, tmp_path, fmt, name):
    result = run("export", demo_id, "--format", fmt, "-o", tmp_path / name)
    assert result.exit_code == 0, result.output
    paths = [Path(line) for line in result.output.split()]
    data = exported_bytes(paths)
    words = private_words(demo_graph())
    assert "佐藤" in words and "佐藤さん宅" in words and "高橋 恵子" in words
    assert [w for w in words if w.encode("utf-8") in data] == []
    assert "世帯-001".encode() in data and "匿名".encode() in data
    G = read_graph(paths[0] if name != "folder" else tmp_path / name)
    assert G.number_of_nodes() == demo_graph().number_of_nodes()


def test_real_names_only_when_asked_and_every_export_is_logged(run, data, demo_id, tmp_path):
    assert run("export", demo_id, "--format", "json", "-o", tmp_path / "p.json").exit_code == 0
    args = ("export", demo_id, "--format", "gexf", "-o", tmp_path / "r.gexf", "--real-names")
    assert run(*args).exit_code == 0
    assert "佐藤さん宅".encode() in (tmp_path / "r.gexf").read_bytes()
    assert "佐藤さん宅".encode() not in (tmp_path / "p.json").read_bytes()
    with Store(data).open(demo_id) as session:
        exports = [e for e in session.events() if e["type"] == "export"]
        assert [
            (e["actor"], e["payload"]["format"], e["payload"]["real_names"]) for e in exports
        ] == [
            ("cli", "json", False),
            ("cli", "gexf", True),
        ]
        assert exports[1]["payload"]["path"].endswith("r.gexf")
        assert exports[0]["payload"]["changes"] == []
        # Undo steps over the exports and takes back the import.
        assert session.undo("test")["payload"]["undone_type"] == "import"


# --- diff --------------------------------------------------------------------------------


def test_diff_a_session_with_itself_earlier(run, data, demo_id):
    with Store(data).open(demo_id) as session:
        before = session.last_seq()
        session.add_tie("p044", "h27", "watch", actor="test")
    result = run("diff", f"{demo_id}@{before}", demo_id, "--json")
    assert result.exit_code == 0, result.output
    d = json.loads(result.output)
    assert [(t["source"], t["target"]) for t in d["ties_added"]] == [("p044", "h27")]
    assert [u["id"] for u in d["no_longer_isolated"]] == ["h27"]
    assert d["matches"] == []
    text = run("diff", f"{demo_id}@{before}", demo_id).output
    assert "1 tie was added" in text and "1 is no longer flagged." in text
    assert "中島" not in text
    assert "中島さん宅" in run("diff", f"{demo_id}@{before}", demo_id, "--names").output


def test_diff_summary_is_japanese_by_default(data, demo_id, monkeypatch):
    monkeypatch.delenv("TSUNAGARI_LANG", raising=False)
    with Store(data).open(demo_id) as session:
        before = session.last_seq()
        session.add_tie("p044", "h27", "watch", actor="test")
    args = ["--data", str(data), "diff", f"{demo_id}@{before}", demo_id]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0
    assert result.output.startswith("前回と比べて、つながりが1本増え")


def test_diff_of_independent_sessions_matches_people_by_label(run, data, tmp_path):
    nodes, ties = graph_records(demo_graph())
    renamed = {n["id"]: f"x{i}" for i, n in enumerate(nodes)}
    other = build_graph(
        [{**n, "id": renamed[n["id"]]} for n in nodes],
        [
            {**t, "id": f"y{i}", "source": renamed[t["source"]], "target": renamed[t["target"]]}
            for i, t in enumerate(ties)
        ],
    )
    a, b = new_session(data, demo_graph()), new_session(data, other)
    d = json.loads(run("diff", a, b, "--json").output)
    assert len(d["matches"]) == len(nodes)
    assert d["nodes_added"] == d["nodes_removed"] == d["ties_added"] == d["ties_removed"] == []
    assert "matched by name" in run("diff", a, b).output


def test_diff_reads_graph_files(run, tmp_path):
    G = demo_graph()
    write_graph(G, tmp_path / "a.json", "json")
    H = G.copy()
    H.add_edge("p044", "h27", key="new", kind="watch")
    write_graph(H, tmp_path / "b.graphml", "graphml")
    d = json.loads(run("diff", tmp_path / "a.json", tmp_path / "b.graphml", "--json").output)
    assert [t["id"] for t in d["ties_added"]] == ["new"]


@pytest.mark.parametrize("ref", ["__ID__@x", "__ID__@999999", "nosuchid@1", "nosuchid"])
def test_diff_bad_references_exit_2(run, demo_id, ref):
    result = run("diff", demo_id, ref.replace("__ID__", demo_id))
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


# --- merge -------------------------------------------------------------------------------

EAST = (
    [
        {"id": "h1", "kind": "household", "label": "佐藤さん宅", "district": "1丁目"},
        {"id": "p1", "kind": "person", "label": "田中"},
        {"id": "g1", "kind": "group", "label": "老人クラブ"},
    ],
    [
        {"id": "t1", "source": "p1", "target": "h1", "kind": "snow"},
        {"id": "t2", "source": "p1", "target": "g1", "kind": "member"},
    ],
)
WEST = (
    [
        {"id": "h1", "kind": "household", "label": "さとうさん宅", "district": "1丁目"},
        {"id": "p2", "kind": "person", "label": "山本"},
        {"id": "g1", "kind": "group", "label": "老人クラブ"},
    ],
    [
        {"id": "t1", "source": "p2", "target": "h1", "kind": "watch"},
        {"id": "t2", "source": "p2", "target": "g1", "kind": "member"},
    ],
)


@pytest.fixture
def neighbourhoods(data):
    return new_session(data, build_graph(*EAST), "東"), new_session(data, build_graph(*WEST), "西")


def fingerprint(data, session_id):
    with Store(data).open(session_id) as session:
        events = session.events()
    digest = hashlib.sha256((data / f"{session_id}.sqlite").read_bytes()).hexdigest()
    return digest, events


def test_merge_without_a_decision_lists_candidates(run, data, neighbourhoods):
    a, b = neighbourhoods
    before = len(Store(data).ids())
    result = run("merge", a, b, "-o", "町全体")
    assert result.exit_code == 2
    assert "佐藤さん宅" in result.output and "さとうさん宅" in result.output
    assert (
        f"{a}:h1={b}:h1" in result.output and "--auto merges exact matches only" in result.output
    )
    assert "district: 1丁目" in result.output and "ties: snow ← 田中" in result.output
    assert len(Store(data).ids()) == before


def test_merge_auto_joins_exact_matches_only(run, data, neighbourhoods):
    a, b = neighbourhoods
    prints = [fingerprint(data, s) for s in neighbourhoods]
    result = run("merge", a, b, "-o", "町全体", "--auto", "--area", "茶志内")
    assert result.exit_code == 0, result.output
    merged = result.output.strip()
    with Store(data).open(merged) as session:
        G = session.graph()
        assert (session.meta()["title"], session.meta()["area"]) == ("町全体", "茶志内")
    labels = sorted(label for _, label in G.nodes(data="label"))
    assert labels == ["さとうさん宅", "佐藤さん宅", "山本", "田中", "老人クラブ"]
    club = next(n for n, label in G.nodes(data="label") if label == "老人クラブ")
    assert G.nodes[club]["from_session"] == f"{a}|{b}"
    assert G.in_degree(club) == 2
    assert [fingerprint(data, s) for s in neighbourhoods] == prints


def test_merge_with_decisions(run, data, neighbourhoods, tmp_path):
    a, b = neighbourhoods
    listing = run("merge", a, b, "-o", "町全体").output
    sato = next(ln.split()[0] for ln in listing.splitlines() if ln.startswith(f"{a}:h1="))
    (tmp_path / "d.json").write_text(json.dumps({"accept": [sato], "reject": []}))
    result = run("merge", a, b, "-o", "町全体", "--decisions", tmp_path / "d.json")
    assert result.exit_code == 0, result.output
    assert "undecided" in result.output  # 老人クラブ was not decided: kept apart
    with Store(data).open(result.output.split()[-1]) as session:
        G = session.graph()
    (house,) = [n for n, kind in G.nodes(data="kind") if kind == "household"]
    assert G.nodes[house]["label"] == "佐藤さん宅"
    assert G.nodes[house]["from_id"] == "h1|h1"
    assert sorted(G.nodes[u]["label"] for u, _ in G.in_edges(house)) == ["山本", "田中"]
    for _, _, attrs in G.edges(data=True):
        assert attrs["from_session"] in (a, b)


def test_merge_graph_files_leaves_them_unchanged(run, data, tmp_path):
    write_graph(build_graph(*EAST), tmp_path / "east.json", "json")
    write_graph(build_graph(*WEST), tmp_path / "west.graphml", "graphml")
    files = [tmp_path / "east.json", tmp_path / "west.graphml"]
    before = [f.read_bytes() for f in files]
    result = run("merge", *files, "-o", "町全体", "--auto")
    assert result.exit_code == 0, result.output
    assert [f.read_bytes() for f in files] == before
    with Store(data).open(result.output.strip()) as session:
        sessions = {s for _, s in session.graph().nodes(data="from_session")}
    assert sessions == {"east", "west", "east|west"}


@pytest.mark.parametrize(
    "extra",
    [
        ("--auto", "--decisions", "__D__"),
        ("--decisions", "__BAD__"),
        ("--decisions", "__UNKNOWN__"),
    ],
)
def test_merge_mistakes_exit_2(run, neighbourhoods, tmp_path, extra):
    (tmp_path / "d.json").write_text('{"accept": []}')
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "unknown.json").write_text('{"accept": ["c1"]}')  # positional ids are gone
    paths = {"__D__": "d.json", "__BAD__": "bad.json", "__UNKNOWN__": "unknown.json"}
    extra = [str(tmp_path / paths[e]) if e in paths else e for e in extra]
    result = run("merge", *neighbourhoods, "-o", "町全体", *extra)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output


def test_merge_needs_two_sources(run, neighbourhoods):
    assert run("merge", neighbourhoods[0], "-o", "x", "--auto").exit_code == 2


def test_merge_decisions_survive_a_changed_source_and_stale_ones_exit_2(
    run, data, neighbourhoods, tmp_path
):
    a, b = neighbourhoods
    template = tmp_path / "d.json"
    assert run("merge", a, b, "-o", "町全体", "--template", template).exit_code == 2
    doc = json.loads(template.read_text(encoding="utf-8"))
    assert [e["nodes"][0]["id"] for e in doc["reject"]] == ["g1", "h1"]
    # Reject everything, then a new note in a source: the decisions still mean the same pairs.
    with Store(data).open(b) as session:
        session.add_node("household", "佐藤さん宅", actor="test", district="1丁目")
    result = run("merge", a, b, "-o", "町全体", "--decisions", template)
    assert result.exit_code == 0, result.output
    with Store(data).open(result.output.split()[-1]) as session:
        labels = sorted(label for _, label in session.graph().nodes(data="label"))
    assert labels.count("老人クラブ") == 2 and "さとうさん宅" in labels
    # A renamed node makes its decision stale: refused with a list, nothing created.
    with Store(data).open(b) as session:
        session.update_node("h1", "test", label="斎藤さん宅")
    before = len(Store(data).ids())
    result = run("merge", a, b, "-o", "町全体", "--decisions", template)
    assert result.exit_code == 2
    assert f"{a}:h1={b}:h1" in result.output and "Traceback" not in result.output
    assert len(Store(data).ids()) == before


def test_merge_auto_never_joins_two_people_of_one_name(run, data, tmp_path):
    def town(age, home):
        return build_graph(
            [
                {"id": "p", "kind": "person", "label": "佐藤 花子", "age_band": age},
                {"id": "h", "kind": "household", "label": home},
            ],
            [{"id": "t", "source": "p", "target": "h", "kind": "lives_in"}],
        )

    a = new_session(data, town("85+", "佐藤さん宅"), "東")
    b = new_session(data, town("under-65", "佐藤さん方"), "西")
    result = run("merge", a, b, "-o", "町全体", "--auto")
    assert result.exit_code == 0, result.output
    with Store(data).open(result.output.strip()) as session:
        G = session.graph()
    people = [d for _, d in G.nodes(data=True) if d["kind"] == "person"]
    assert sorted(p["age_band"] for p in people) == ["85+", "under-65"]
