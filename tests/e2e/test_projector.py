"""The projector in Chromium at 1920×1080 on the demo (issue 9): what the room may see.

No flag word or marker anywhere on the projector (its tree, its wall, its page text), no need
drawn tied to a person or household, and every room label unique.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from graph.analysis import FLAG_KINDS

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
FULL_HD = {"width": 1920, "height": 1080}
PHONE = {"width": 360, "height": 780}
FLAG_WORDS = sorted(
    {ja for ja, _ in FLAG_KINDS.values()} | {"孤立", "行き来が月1回以下", "要確認", "⚑"}
)

#: Every drawn node: id, kind, band, label, hidden, border dashes and width.
NODES_JS = """() => window.tsunagariNetwork.body.data.nodes.get().map((d) => ({
  id: d.id, kind: d.kind, band: d.band, label: d.label || '', hidden: !!d.hidden,
  dashes: d.shapeProperties ? d.shapeProperties.borderDashes : null,
  title: d.title || null}))"""
EDGES_JS = """() => window.tsunagariNetwork.body.data.edges.get().map((e) => ({
  id: e.id, from: e.from, to: e.to, kind: e.kind}))"""


def _cli(server, *args: str) -> str:
    env = os.environ | {"PYTHONPATH": str(ROOT), "TSUNAGARI_LANG": "en"}
    env.pop("TSUNAGARI_DATA", None)
    done = subprocess.run(  # noqa: S603
        [sys.executable, "-m", "facilitator.cli", "--data", str(server.data), *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.fixture(scope="module")
def demo(server) -> str:
    return _cli(server, "demo").strip()


def _page(server, context, size: dict):
    page = context("laptop", viewport=size).new_page()
    page.goto(f"/login?key={server.key}")
    return page


def _wait_loads(page, loads: int = 1, timeout: float = 8000) -> None:
    page.wait_for_function(
        "n => window.tsunagariNetwork && "
        "Number(document.getElementById('tree').dataset.loads || 0) >= n",
        arg=loads,
        timeout=timeout,
    )


def _flag_words(text: str) -> list[str]:
    return [word for word in FLAG_WORDS if word in text]


@pytest.mark.parametrize("path", ["projector?view=tree", "projector/tree"])
def test_the_demo_projector_shows_no_flag_and_no_need_beside_a_person(
    server, context, demo, screenshot, path
):
    page = _page(server, context, FULL_HD)
    page.goto(f"/sessions/{demo}/{path}")
    _wait_loads(page)
    nodes = page.evaluate(NODES_JS)
    edges = page.evaluate(EDGES_JS)
    labels = [n["label"] for n in nodes]
    assert not _flag_words(" ".join(labels)), _flag_words(" ".join(labels))
    assert not _flag_words(page.evaluate("() => document.body.innerText"))
    assert not [n for n in nodes if n["dashes"] not in (None, False)], "a node is marked"
    assert not [n for n in nodes if n["title"]], "a tooltip on the projector"

    kind = {n["id"]: n["kind"] for n in nodes}
    for edge in edges:
        ends = {kind.get(edge["from"]), kind.get(edge["to"])}
        if "need" in ends:
            assert ends - {"need"} <= {"idea", "activity"}, edge
    assert sum(1 for k in kind.values() if k == "need") == 7

    shown = [n["label"] for n in nodes if n["kind"] in ("person", "household")]
    assert len(shown) == 130 and len(set(shown)) == len(shown), "two units share a label"
    real = [n["label"] for n in nodes if n["kind"] not in ("trunk",)]
    assert len(set(real)) == len(real)
    screenshot(page, f"projector-{path.replace('/', '-').replace('?', '-')}-1920")


def test_the_demo_wall_shows_no_flag_and_unique_labels(server, context, demo):
    page = _page(server, context, FULL_HD)
    page.goto(f"/sessions/{demo}/projector?view=wall")
    wall = page.locator("#wall")
    wall.wait_for()
    assert not _flag_words(page.evaluate("() => document.body.innerText"))
    stickies = page.evaluate(
        "() => [...document.querySelectorAll('#wall [data-node]')].map(e => e.innerText.trim())"
    )
    assert len(stickies) == 168 and len(set(stickies)) == len(stickies)
