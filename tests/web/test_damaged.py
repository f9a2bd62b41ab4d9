"""One broken session file breaks one session only (issue 13 row 4)."""

import pytest
from click.testing import CliRunner

from facilitator.cli import main

BROKEN = "zzzzzzzz"


@pytest.fixture
def broken(tmp_path, session_id):
    """A session file that is not a database at all (a cut download, a disk error)."""
    path = tmp_path / f"{BROKEN}.sqlite"
    path.write_bytes(b"this is not a session file\n" * 200)
    return path


def test_joins_lists_and_creation_work_beside_a_broken_file(client, fac, code, broken):
    r = client.post("/api/v1/join", json={"code": code, "nickname": "さとう"})
    assert r.status_code == 201, r.get_data(as_text=True)
    assert fac.get("/sessions").status_code == 200
    assert fac.get("/api/v1/sessions").status_code == 200
    assert len(fac.get("/api/v1/sessions").get_json()) == 1
    r = fac.post("/api/v1/sessions", json={"title": "新しい会"})
    assert r.status_code == 201
    r = fac.post("/sessions", data={"title": "もうひとつ"})
    assert r.status_code in (200, 201, 204, 302, 303)
    assert client.get("/j/ZZZZZZ").status_code == 404


def test_the_archive_lists_the_broken_file_as_damaged(fac, broken):
    r = fac.get("/archive")
    assert r.status_code == 200
    page = r.get_data(as_text=True)
    assert "テスト" in page  # the good session is still there
    assert f"{BROKEN}.sqlite" in page and "壊れて" in page


@pytest.mark.parametrize("url", [f"/archive/{BROKEN}", f"/api/v1/sessions/{BROKEN}/graph"])
def test_opening_the_broken_session_is_a_clear_refusal(fac, broken, url):
    r = fac.get(url)
    assert r.status_code == 409
    text = r.get_json()["error"]["message"] if r.is_json else r.get_data(as_text=True)
    assert "壊れて" in text


def test_the_cli_names_the_damaged_file_and_lists_the_rest(tmp_path, session_id, broken):
    result = CliRunner().invoke(main, ["--data", str(tmp_path), "sessions"])
    assert result.exit_code == 0, result.output
    assert session_id in result.output
    assert f"{BROKEN}.sqlite" in result.output and "壊れて" in result.output
    assert "Traceback" not in result.output
    new = CliRunner().invoke(main, ["--data", str(tmp_path), "new", "次の会"])
    assert new.exit_code == 0, new.output
