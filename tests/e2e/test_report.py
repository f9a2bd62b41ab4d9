"""The printable report in headless Chromium: A4 portrait and A3 landscape PDFs.

The demo session (茶志内地区) is printed to PDF with ``page.pdf``: A4 portrait on at most 3
pages and A3 landscape on at most 2, none near-empty; the tree readable in print (no text
under 7 pt, no label running out of its note, no two notes overlapping); the report lists the
treasures, needs and ideas; the poster is one vector page on A1 and on A2. By default no
person or household of the demo is named. The PDFs are kept in tests/e2e/screenshots/.
"""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

import pytest
from pypdf import PdfReader

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
CONTENT = ("見つかったお宝", "聞かれた困りごと", "取り組み案と段階", "くりの木サロン")
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


#: Printable width of each paper in CSS px (96 per inch), as Chromium lays the page out.
CONTENT_PX = {"a4": 182 / 25.4 * 96, "a3": 396 / 25.4 * 96, "a1": 564 / 25.4 * 96}


def _text_ops(pdf: bytes) -> list[int]:
    """How many text-showing operators each page's content streams hold, in page order.

    A near-empty page (an orphaned heading, a stray line) shows only a few.
    """
    objects = {
        int(m.group(1)): m.group(2) for m in re.finditer(rb"(\d+) 0 obj(.*?)endobj", pdf, re.S)
    }

    def stream(body: bytes) -> bytes:
        m = re.search(rb"stream\r?\n(.*?)\r?\nendstream", body, re.S)
        if not m:
            return b""
        data = m.group(1)
        return zlib.decompress(data) if b"/FlateDecode" in body else data

    counts = []
    for number in sorted(objects):
        body = objects[number]
        if not PAGE_RE.search(body):
            continue
        refs = re.search(rb"/Contents\s*(\[[^\]]*\]|\d+ 0 R)", body)
        ids = [int(x) for x in re.findall(rb"(\d+) 0 R", refs.group(1))] if refs else []
        ops = sum(len(re.findall(rb"\bT[Jj]\b", stream(objects.get(i, b"")))) for i in ids)
        counts.append(ops)
    return counts


def _page_lines(pdf: bytes) -> list[tuple[float, list[tuple[float, str]]]]:
    """Each page's height (pt) and its lines of text as (height above the page foot, text),
    read by pypdf from the PDF itself: text placed as a fragment per line or glyph run."""
    pages = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        fragments: dict[float, list[str]] = {}

        def visit(text, cm, tm, _font, _size, fragments=fragments):
            if text.strip():
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                fragments.setdefault(round(y, 0), []).append(text.strip())

        page.extract_text(visitor_text=visit)
        lines = sorted(((y, "".join(parts)) for y, parts in fragments.items()), reverse=True)
        pages.append((float(page.mediabox.height), lines))
    return pages


def _assert_pages_hold_content(pdf: bytes, headings: list[str]) -> None:
    """No near-empty page (text over at least a quarter of its height and a fifth of the
    fullest page's characters) and no heading as the last line of a page."""
    pages = _page_lines(pdf)
    chars = [sum(len(text) for _, text in lines) for _, lines in pages]
    for number, ((height, lines), n) in enumerate(zip(pages, chars, strict=True), 1):
        assert lines, f"page {number} is empty"
        extent = (lines[0][0] - lines[-1][0]) / height
        assert extent >= 0.25 and n >= 0.2 * max(chars), (number, round(extent, 2), chars)
        last = lines[-1][1]
        assert not any(last and last in heading for heading in headings), (number, last)


def _tree_print_metrics(page, paper: str) -> dict:
    """Measured in print layout: the smallest text on the tree (pt), overflowing labels
    and overlapping notes."""
    page.set_viewport_size({"width": int(CONTENT_PX[paper]) + 1, "height": 1200})
    page.emulate_media(media="print")
    return page.evaluate(
        """() => {
          const svg = document.querySelector('svg.print-tree');
          const unit = svg.getBoundingClientRect().width / svg.viewBox.baseVal.width;
          let smallest = Infinity, overflow = 0;
          for (const t of svg.querySelectorAll('text')) {
            const mm = parseFloat(t.getAttribute('font-size')) * unit / (96 / 25.4);
            smallest = Math.min(smallest, mm / (25.4 / 72));
            const box = t.parentNode.querySelector('rect');
            if (t.getComputedTextLength() > box.width.baseVal.value - 1.2) overflow += 1;
          }
          const rects = [...svg.querySelectorAll('.note rect')].map(r => r.getBBox());
          let overlaps = 0;
          for (let i = 0; i < rects.length; i++) for (let j = i + 1; j < rects.length; j++) {
            const a = rects[i], b = rects[j];
            if (a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height) overlaps += 1;
          }
          return {smallest, overflow, overlaps, notes: rects.length};
        }"""
    )


@pytest.mark.parametrize(
    ("name", "query", "options", "most"),
    [
        ("report-a4", "", {"format": "A4"}, 3),
        ("report-a3", "?paper=a3", {"format": "A3", "landscape": True}, 2),
    ],
)
def test_report_prints_to_pdf(server, context, demo_id, screenshot, name, query, options, most):
    page = _report(server, context, demo_id, query)
    text = page.inner_text("main")
    for heading in HEADINGS + CONTENT:
        assert heading in text
    labels = [
        d["label"]
        for _, d in demo_graph().nodes(data=True)
        if d["kind"] in ("person", "household")
    ]
    assert not [label for label in labels if label in page.content()]
    metrics = _tree_print_metrics(page, "a3" if "a3" in name else "a4")
    assert metrics["notes"] >= 80
    assert metrics["smallest"] >= 7.0, metrics
    assert metrics["overflow"] == 0 and metrics["overlaps"] == 0, metrics
    path = SCREENSHOTS / f"{name}.pdf"
    page.pdf(path=str(path), print_background=True, **options)
    pdf = path.read_bytes()
    assert pdf.startswith(b"%PDF")
    assert 2 <= _pages(pdf) <= most, _pages(pdf)
    ops = _text_ops(pdf)
    assert len(ops) == _pages(pdf)
    _assert_pages_hold_content(pdf, _headings(page))
    screenshot(page, name)


def _headings(page) -> list[str]:
    return page.eval_on_selector_all(
        ".report-sheet h2, .report-sheet h3, .report-sheet caption",
        "els => els.map(e => e.textContent.replace(/\\s+/g, ''))",
    )


@pytest.mark.parametrize(
    ("query", "options", "most"),
    [
        ("?names=1", {"format": "A4"}, 3),
        ("?names=1&paper=a3", {"format": "A3", "landscape": True}, 2),
    ],
)
def test_report_with_names_prints_as_short(server, context, demo_id, query, options, most):
    """Names ticked: the same page budget, the flagged listed by name in the flags table."""
    page = _report(server, context, demo_id, query)
    assert "高橋 恵子" in page.content()
    flags = page.inner_text(".report-flags")
    assert "山田さん宅" in flags  # the isolated household of the demo, named
    pdf = page.pdf(print_background=True, **options)
    (SCREENSHOTS / f"report-{options['format'].lower()}-names.pdf").write_bytes(pdf)
    assert 2 <= _pages(pdf) <= most, _pages(pdf)
    _assert_pages_hold_content(pdf, _headings(page))
    metrics = _tree_print_metrics(page, "a3" if "a3" in query else "a4")
    assert metrics["smallest"] >= 7.0 and metrics["overlaps"] == 0, metrics


@pytest.mark.parametrize(("paper", "fmt"), [("a1", "A1"), ("a2", "A2")])
def test_poster_is_one_vector_page(server, context, demo_id, paper, fmt):
    page = context("laptop").new_page()
    page.goto(f"/login?key={server.key}")
    page.goto(f"/archive/{demo_id}/poster?paper={paper}")
    page.emulate_media(media="print")
    pdf = page.pdf(format=fmt, print_background=True)
    assert _pages(pdf) == 1
    assert max(_text_ops(pdf)) >= 80  # the notes are text in the PDF, not a picture
    assert b"/Subtype /Image" not in pdf and b"/Subtype/Image" not in pdf
    (SCREENSHOTS / f"poster-{paper}.pdf").write_bytes(pdf)


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
