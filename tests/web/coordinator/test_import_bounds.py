"""Bombs and odd values (issue 13 rows 7 and 8): imports bounded in size, ratio, nodes and
ties; at most 100 problems listed; NaN, Infinity, huge integers and control characters in keys
refused; a failed import leaves no session behind."""

from __future__ import annotations

import io
import json
import time
import zipfile

import pytest

from tests.web.conftest import _make_app

KEY = "test-key"


def _upload(fac, content: bytes, name: str, **form):
    return fac.post(
        "/archive/import",
        data={"file": (io.BytesIO(content), name), **form},
        content_type="multipart/form-data",
    )


def _sessions(app):
    return sorted(p.name for p in app.config["DATA"].glob("*.sqlite"))


def _bomb() -> bytes:
    rows = "id,kind,label\n" + "p1,person,佐藤\n" * 4_000_000
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        z.writestr("nodes.csv", rows)
    return out.getvalue()


def test_a_zip_bomb_is_refused_before_it_is_unpacked(app, fac):
    bomb = _bomb()
    assert len(bomb) < 200_000
    before = _sessions(app)
    started = time.monotonic()
    r = _upload(fac, bomb, "bomb.zip", title="爆弾")
    assert r.status_code == 422
    assert time.monotonic() - started < 3
    assert "zip 爆弾" in r.get_data(as_text=True)
    assert _sessions(app) == before


def _node_link(nodes):
    return json.dumps(
        {"directed": True, "multigraph": True, "graph": {}, "nodes": nodes, "edges": []},
        ensure_ascii=False,
    )


def test_the_maxima_are_settings(tmp_path):
    app = _make_app(tmp_path, IMPORT_MAX_NODES=5)
    fac = app.test_client()
    fac.get(f"/login?key={KEY}")
    nodes = [{"id": f"p{i}", "kind": "person", "label": f"人{i}"} for i in range(6)]
    r = _upload(fac, _node_link(nodes).encode(), "six.json", title="六人")
    assert r.status_code == 422
    assert "ノードが多すぎます" in r.get_data(as_text=True)
    assert _sessions(app) == []
    ok = _upload(fac, _node_link(nodes[:5]).encode(), "five.json", title="五人")
    assert ok.status_code == 303


def test_at_most_100_problems_are_listed_then_the_rest_counted(app, fac):
    nodes = [{"id": f"p{i}", "kind": "tree", "label": f"人{i}"} for i in range(300)]
    r = _upload(fac, _node_link(nodes).encode(), "bad.json", title="多すぎる問題")
    assert r.status_code == 422
    page = r.get_data(as_text=True)
    assert "ほか 200 件" in page
    assert (
        page.count("種類 &#39;tree&#39; はありません") + page.count("種類 'tree' はありません")
        == 100
    )


@pytest.mark.parametrize(
    "value",
    ["NaN", "Infinity", "-Infinity", "9" * 5000, "9" * 30],
    ids=["nan", "inf", "-inf", "5000-digits", "30-digits"],
)
def test_odd_numbers_are_refused_and_leave_no_session(app, fac, value):
    text = _node_link([{"id": "p1", "kind": "person", "label": "佐藤", "weight": 0}])
    text = text.replace('"weight": 0', f'"weight": {value}')
    before = _sessions(app)
    r = _upload(fac, text.encode(), "odd.json", title="変な数")
    assert r.status_code == 422, r.get_data(as_text=True)[:300]
    assert _sessions(app) == before


@pytest.mark.parametrize("key", ["w\u0001x", "a\u0000", "tab\u000bkey"])
def test_control_characters_in_attribute_keys_are_refused(app, fac, key):
    text = _node_link([{"id": "p1", "kind": "person", "label": "佐藤", key: "v"}])
    r = _upload(fac, text.encode(), "ctl.json", title="制御文字")
    assert r.status_code == 422
    assert "使えない文字" in r.get_data(as_text=True)
    assert _sessions(app) == []


def test_a_failed_import_leaves_no_session_behind(app, fac, monkeypatch):
    from facilitator.storage.graph_state import GraphState

    def fail(self, G, actor):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(GraphState, "import_graph", fail)
    text = _node_link([{"id": "p1", "kind": "person", "label": "佐藤"}])
    r = _upload(fac, text.encode(), "ok.json", title="途中で失敗")
    assert r.status_code == 507
    assert list(app.config["DATA"].glob("*.sqlite")) == []
    assert list(app.config["DATA"].glob(".*.sqlite*")) == []
