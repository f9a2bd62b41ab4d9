"""The printable report in headless Chromium: A4 portrait and A3 landscape PDFs.

The demo session (茶志内地区) is printed to PDF with ``page.pdf``; the PDF must have a
reasonable number of pages and the page must hold the report's headings. By default no
person or household of the demo is named. The PDFs are kept in tests/e2e/screenshots/.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from facilitator.storage import Store, demo_session
from graph.demo import demo_graph

SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"

pytestmark = pytest.mark.e2e

HEADINGS = (
    "地域の支え合いマップ 報告書",
    "地域づくりの木",
    "種類別の数",
    "種類別の気づき",
    "支え合いの種類別のつながり",
)
#: One page object per page; ``/Pages`` (the page tree) does not match.
PAGE_RE = re.compile(rb"/Type\s*/Page(?![a-zA-Z])")


@pytest.fixture(scope="module")
def demo_id(server):
    return demo_session(Store(server.data))


def _pages(pdf: bytes) -> int:
    return len(PAGE_RE.findall(pdf))


def _report(server, context, demo_id, query: str = ""):
    page = context("laptop").new_page()
    page.goto(f"/login?key={server.key}")
    page.goto(f"/archive/{demo_id}/report{query}")
    page.emulate_media(media="print")
    return page


@pytest.mark.parametrize(
    ("name", "query", "options"),
    [
        ("report-a4", "", {"format": "A4"}),
        ("report-a3", "?paper=a3", {"format": "A3", "landscape": True}),
    ],
)
def test_report_prints_to_pdf(server, context, demo_id, screenshot, name, query, options):
    page = _report(server, context, demo_id, query)
    text = page.inner_text("main")
    for heading in HEADINGS:
        assert heading in text
    labels = [
        d["label"]
        for _, d in demo_graph().nodes(data=True)
        if d["kind"] in ("person", "household")
    ]
    assert not [label for label in labels if label in page.content()]
    path = SCREENSHOTS / f"{name}.pdf"
    page.pdf(path=str(path), print_background=True, **options)
    pdf = path.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert 1 <= _pages(pdf) <= 6, _pages(pdf)
    screenshot(page, name)


def test_report_with_names_prints(server, context, demo_id):
    page = _report(server, context, demo_id, "?names=1")
    assert "高橋 恵子" in page.content()
    pdf = page.pdf(format="A4")
    assert 1 <= _pages(pdf) <= 6


def test_archive_pages_draw_their_trees(server, context, demo_id, screenshot):
    """The read-only view, the history and the compare page draw the tree without errors."""
    page = context("laptop").new_page()
    page.goto(f"/login?key={server.key}")
    for path, least in (
        (f"/archive/{demo_id}", 100),
        (f"/archive/{demo_id}/history?seq=1", 0),  # seq 1 is the session's creation
        (f"/archive/{demo_id}/history?seq=2", 100),  # seq 2 the demo's import
        (f"/archive/compare?a={demo_id}@1&b={demo_id}&names=1", 100),
    ):
        page.goto(path)
        page.wait_for_function(
            "n => window.tsunagariNetwork && "
            "Number(document.getElementById('tree').dataset.loads || 0) >= n",
            arg=1,
        )
        count = page.evaluate("() => window.tsunagariNetwork.body.data.nodes.length")
        assert count >= least
    screenshot(page, "archive-compare")
