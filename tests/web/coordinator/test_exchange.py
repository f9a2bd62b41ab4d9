"""Export (pseudonymised unless chosen), import from a file, delete."""

import io
import json
import zipfile

import pytest

from facilitator.storage import Store
from graph.demo import demo_graph

from .helpers import HX, names_in

# -- export -------------------------------------------------------------------------------------


def _download(fac, sid, fmt, real_names=False):
    data = {"format": fmt}
    if real_names:
        data["real_names"] = "1"
    r = fac.post(f"/archive/{sid}/export", data=data)
    assert r.status_code == 200, r.data[:500]
    assert r.headers["Content-Disposition"].startswith("attachment")
    return r


def _all_bytes(r) -> bytes:
    if r.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(r.data)) as z:
            assert sorted(z.namelist()) == ["nodes.csv", "ties.csv"]
            members = [z.read(name) for name in z.namelist()]
        assert all(m.startswith(b"\xef\xbb\xbf") for m in members)  # UTF-8 BOM for Excel
        return b"\n".join(members)
    return r.data


@pytest.mark.parametrize("fmt", ["gexf", "graphml", "json", "csv"])
def test_export_is_pseudonymised_by_default_and_logged(fac, app, demo_id, fmt):
    with Store(app.config["DATA"]).open(demo_id) as s:
        before = s.last_seq()
    r = _download(fac, demo_id, fmt)
    data = _all_bytes(r)
    assert not names_in(data)
    assert "世帯-001".encode() in data
    with Store(app.config["DATA"]).open(demo_id) as s:
        events = s.events(after=before)
    assert len(events) == 1 and "export" in events[0]["type"]
    assert events[0]["actor"] == "facilitator"
    assert fmt in json.dumps(events[0]["payload"])
    history = fac.get(f"/archive/{demo_id}/history").get_data(as_text=True)
    assert f"{fmt.upper()}（仮名）" in history


@pytest.mark.parametrize("fmt", ["gexf", "csv"])
def test_export_real_names_only_when_ticked(fac, app, demo_id, fmt):
    data = _all_bytes(_download(fac, demo_id, fmt, real_names=True))
    assert "高橋 恵子".encode() in data and "山田さん宅".encode() in data
    with Store(app.config["DATA"]).open(demo_id) as s:
        payload = json.dumps(s.events()[-1]["payload"])
    assert "true" in payload


def test_export_form_names_the_choice(fac, demo_id):
    text = fac.get(f"/archive/{demo_id}/export").get_data(as_text=True)
    assert "実名を含めて書き出す（個人情報）" in text
    assert 'method="post"' in text and 'name="real_names"' in text


def test_export_needs_a_known_format(fac, demo_id):
    assert fac.post(f"/archive/{demo_id}/export", data={"format": "exe"}).status_code == 400


def test_export_needs_the_csrf_token(csrf_app, demo_id):
    c = csrf_app.test_client()
    c.get("/login?key=test-key")
    r = c.post(f"/archive/{demo_id}/export", data={"format": "json"})
    assert r.status_code == 400
    with Store(csrf_app.config["DATA"]).open(demo_id) as s:
        assert "export" not in s.events()[-1]["type"]


# -- import -------------------------------------------------------------------------------------


def _csv_zip(nodes: str, ties: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("nodes.csv", nodes)
        z.writestr("ties.csv", ties)
    return buffer.getvalue()


GOOD_JSON = json.dumps(
    {
        "nodes": [
            {"id": "h1", "kind": "household", "label": "佐藤さん宅"},
            {"id": "p1", "kind": "person", "label": "工藤 誠"},
        ],
        "edges": [{"source": "p1", "target": "h1", "kind": "snow", "key": "t1"}],
    }
).encode()


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("map.json", GOOD_JSON),
        (
            "map.zip",
            _csv_zip(
                "id,kind,label\nh1,household,佐藤さん宅\np1,person,工藤 誠\n",
                "id,source,target,kind\nt1,p1,h1,snow\n",
            ),
        ),
    ],
)
def test_import_creates_a_session(fac, app, name, content):
    r = fac.post(
        "/archive/import",
        data={"file": (io.BytesIO(content), name), "title": "取り込み", "area": "茶志内"},
        content_type="multipart/form-data",
    )
    assert r.status_code == 303, r.data[:800]
    sid = r.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    with Store(app.config["DATA"]).open(sid) as s:
        assert s.meta()["title"] == "取り込み"
        G = s.graph()
    assert G.number_of_nodes() == 2 and G.number_of_edges() == 1


def test_import_round_trips_an_export(fac, app, demo_id, tmp_path):
    data = _download(fac, demo_id, "gexf").data
    r = fac.post(
        "/archive/import",
        data={"file": (io.BytesIO(data), "demo.gexf")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 303
    sid = r.headers["Location"].split("?")[0].rsplit("/", 1)[1]
    with Store(app.config["DATA"]).open(sid) as s:
        assert s.graph().number_of_nodes() == demo_graph().number_of_nodes()


def test_import_into_an_existing_session(fac, app, session_id):
    r = fac.post(
        "/archive/import",
        data={"file": (io.BytesIO(GOOD_JSON), "map.json"), "target": session_id},
        content_type="multipart/form-data",
    )
    assert r.status_code == 303
    with Store(app.config["DATA"]).open(session_id) as s:
        assert s.graph().number_of_nodes() == 2


@pytest.mark.parametrize("hx", [{}, HX])
def test_import_bad_file_lists_every_problem_and_writes_nothing(fac, app, hx, session_id):
    bad = _csv_zip(
        "id,kind,label\nh1,household,佐藤さん宅\nx1,spaceship,UFO\n",
        "id,source,target,kind\nt1,h1,zz,snow\n",
    )
    files = sorted(p.name for p in app.config["DATA"].iterdir())
    r = fac.post(
        "/archive/import",
        data={"file": (io.BytesIO(bad), "bad.zip"), "title": "壊れた"},
        content_type="multipart/form-data",
        headers=hx,
    )
    text = r.get_data(as_text=True)
    assert r.status_code == 422
    assert "nodes.csv line 3" in text and "ties.csv line 2" in text
    assert 'role="alert"' in text
    assert sorted(p.name for p in app.config["DATA"].iterdir()) == files
    r = fac.post(
        "/archive/import",
        data={"file": (io.BytesIO(b'{"nodes": [{"id": "a", "kind": "nope"}]'), "bad.json")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422 and "bad.json" in r.get_data(as_text=True)
    r = fac.post(
        "/archive/import",
        data={"file": (io.BytesIO(b"MZ"), "virus.exe")},
        content_type="multipart/form-data",
    )
    assert r.status_code == 422
    assert sorted(p.name for p in app.config["DATA"].iterdir()) == files


# -- delete -------------------------------------------------------------------------------------


def test_delete_needs_the_title_then_removes_the_file(fac, app, demo_id):
    path = app.config["DATA"] / f"{demo_id}.sqlite"
    with Store(app.config["DATA"]).open(demo_id) as s:  # as closing the session does
        kept = s.backup(app.config["DATA"] / "backups" / f"{demo_id}-20261127T093000Z.sqlite")
    page = fac.get(f"/archive/{demo_id}/delete").get_data(as_text=True)
    assert "茶志内 今年" in page and 'name="confirm_title"' in page
    r = fac.post(f"/archive/{demo_id}/delete", data={"confirm_title": "茶志内"})
    assert r.status_code == 422 and 'role="alert"' in r.get_data(as_text=True)
    assert path.exists()
    r = fac.post(f"/archive/{demo_id}/delete", data={"confirm_title": "茶志内 今年"})
    assert r.status_code == 303 and r.headers["Location"].startswith("/archive")
    assert not path.exists() and not kept.exists()  # the backups go with it
    assert not list(app.config["DATA"].glob(f"{demo_id}*"))
    assert demo_id not in Store(app.config["DATA"]).ids()
    assert "茶志内 今年" in fac.get(r.headers["Location"]).get_data(as_text=True)
    assert fac.get(f"/archive/{demo_id}").status_code == 404


def test_delete_with_htmx_redirects(fac, app, session_id):
    r = fac.post(f"/archive/{session_id}/delete", data={"confirm_title": "テスト"}, headers=HX)
    assert r.status_code == 204 and r.headers["HX-Redirect"].startswith("/archive")
    assert session_id not in Store(app.config["DATA"]).ids()
