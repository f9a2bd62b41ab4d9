"""The `tsunagari` command line as a coordinator uses it."""

import json
import subprocess
import sys
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from facilitator.cli import main

NODES = (
    "id,kind,label,lives_alone\nh1,household,佐藤さん宅,はい\np1,person,田中,\np2,person,鈴木,\n"
)
TIES = "source,target,kind\np1,h1,snow\n"


@pytest.fixture
def run(tmp_path, monkeypatch):
    monkeypatch.setenv("TSUNAGARI_LANG", "en")

    def invoke(*args):
        return CliRunner().invoke(main, ["--data", str(tmp_path / "data"), *args])

    return invoke


@pytest.fixture
def csv_file(tmp_path):
    (tmp_path / "nodes.csv").write_text(NODES, encoding="utf-8-sig")
    (tmp_path / "ties.csv").write_text(TIES, encoding="utf-8")
    return tmp_path / "nodes.csv"


def _new(run, title="茶志内 お宝さがし"):
    result = run("new", title, "--area", "茶志内")
    assert result.exit_code == 0, result.output
    session_id, code, _ = result.output.strip().split("\t")
    return session_id, code


def test_new_then_sessions_lists_it(run):
    session_id, code = _new(run)
    assert len(code) == 6
    rows = json.loads(run("sessions", "--json").output)
    assert [(r["id"], r["code"], r["area"]) for r in rows] == [(session_id, code, "茶志内")]


def test_import_flags_and_export_round_trip(run, csv_file, tmp_path):
    session_id, _ = _new(run)
    result = run("import", session_id, str(csv_file))
    assert result.exit_code == 0, result.output
    assert "3 nodes and 1 ties" in result.output
    flags = json.loads(run("flags", session_id, "--json").output)
    by_node = {(f["flag"], f["node"]) for f in flags}
    assert ("single_supporter", "h1") in by_node
    assert ("isolated_household", "p2") in by_node
    assert all({"flag", "node", "label", "reason"} <= f.keys() for f in flags)
    out = tmp_path / "out.graphml"
    args = ("export", session_id, "--format", "graphml", "-o", str(out), "--real-names")
    assert run(*args).exit_code == 0
    assert json.loads(run("flags", str(out), "--json").output) == flags


def test_flags_reads_a_graph_file_directly(run, csv_file):
    result = run("flags", str(csv_file))
    assert result.exit_code == 0
    assert "Connections to check" in result.output


def test_whatif_names_the_household_that_loses_its_helper(run, csv_file):
    result = run("whatif", str(csv_file), "p1", "--json")
    assert json.loads(result.output) == [
        {"unit": "h1", "label": "佐藤さん宅", "effect": "isolated"}
    ]


def test_invalid_file_is_rejected_whole_with_every_problem(run, tmp_path):
    session_id, _ = _new(run)
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "nodes.csv").write_text("id,kind,label\nh1,household,A\np1,tree,B\nh1,household,C\n")
    (bad / "ties.csv").write_text("source,target,kind\nh1,p9,snow\n")
    result = run("import", session_id, str(bad / "nodes.csv"))
    assert result.exit_code == 2
    assert "nodes.csv line 3" in result.output and "unknown kind" in result.output
    assert "nodes.csv line 4" in result.output and "duplicate" in result.output
    assert "ties.csv line 2" in result.output
    assert "Traceback" not in result.output
    rows = json.loads(run("sessions", "--json").output)
    assert rows[0]["nodes"] == 0


@pytest.mark.parametrize(
    "args",
    [
        ("flags", "nosuchid"),
        ("import", "nosuchid", "__FILE__"),
        ("export", "../etc", "--format", "json", "-o", "x.json"),
        ("whatif", "__FILE__", "h1"),
    ],
)
def test_user_mistakes_exit_2_without_traceback(run, csv_file, args):
    args = [str(csv_file) if a == "__FILE__" else a for a in args]
    result = run(*args)
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert result.output.strip()


def test_messages_are_japanese_by_default(tmp_path, monkeypatch):
    monkeypatch.delenv("TSUNAGARI_LANG", raising=False)
    result = CliRunner().invoke(main, ["--data", str(tmp_path), "flags", "nosuchid"])
    assert result.exit_code == 2
    assert "見つかりません" in result.output


def test_demo_session_is_created_once(run):
    first = run("demo").output.strip()
    assert run("demo").output.strip() == first
    flags = json.loads(run("flags", first, "--json").output)
    kinds = {f["flag"] for f in flags}
    assert {"isolated_household", "overloaded_person", "winter_risk"} <= kinds


def _commands(group, prefix=()):
    for name, command in group.commands.items():
        yield (*prefix, name), command
        if isinstance(command, click.Group):
            yield from _commands(command, (*prefix, name))


@pytest.mark.parametrize(("path", "command"), list(_commands(main)))
def test_every_command_has_help_text(path, command):
    assert command.help and len(command.help.strip()) > 10, path
    for param in command.params:
        if isinstance(param, click.Option):
            assert param.help, f"{' '.join(path)} {param.opts}"


def test_every_command_is_in_the_readme():
    readme = (Path(__file__).parents[2] / "README.md").read_text(encoding="utf-8")
    for path, _ in _commands(main):
        assert f"tsunagari {' '.join(path)}" in readme


def test_graph_package_is_pure():
    code = "import sys, graph, graph.analysis, graph.io, graph.demo, graph.names; print(sorted(m for m in ('flask', 'sqlite_utils', 'pyvis', 'werkzeug') if m in sys.modules))"
    root = Path(__file__).parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=root
    )
    assert out.stdout.strip() == "[]"
