"""A full disk (issue 13 rows 3 and 9), on a real, tiny tmpfs (root only; skipped otherwise).

Bounded: a 2 MiB file system, a handful of requests.
"""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from facilitator import create_app
from facilitator.storage import Store

ROOT = Path(__file__).resolve().parents[2]
KEY = "full-disk-key-0123456789"


@pytest.fixture
def tiny_disk(tmp_path):
    """A 2 MiB tmpfs mounted for the test, and a way to fill it up."""
    mount = tmp_path / "disk"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a tmpfs needs root")
    done = subprocess.run(  # noqa: S603
        ["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(mount)],  # noqa: S607
        capture_output=True,
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {done.stderr.decode(errors='replace')}")

    def fill():
        try:  # a disk already full refuses even a new file: it is full, as wanted
            with open(mount / f"filler-{uuid.uuid4().hex}", "wb") as out:
                while True:
                    out.write(b"\0" * 65536)
                    out.flush()
        except OSError:
            pass

    try:
        yield mount, fill
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)  # noqa: S603,S607


def test_a_first_start_on_a_full_disk_refuses_and_leaves_no_empty_key(tiny_disk):
    mount, fill = tiny_disk
    data = mount / "data"
    data.mkdir()
    fill()
    env = os.environ | {"PYTHONPATH": str(ROOT), "TSUNAGARI_LANG": "ja"}
    env.pop("TSUNAGARI_FACILITATOR_KEY", None)
    command = [sys.executable, "-m", "facilitator.cli", "--data", str(data), "serve"]
    command += ["--host", "127.0.0.1", "--port", "0"]
    try:
        done = subprocess.run(  # noqa: S603
            command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=20
        )
    except subprocess.TimeoutExpired:
        pytest.fail("serve started on a full disk")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "Traceback" not in done.stderr and "ディスク" in done.stderr
    assert not (data / ".facilitator_key").exists()
    assert not [p for p in data.iterdir() if p.stat().st_size == 0]


def test_a_full_disk_is_507_in_japanese_and_nothing_half_written(tiny_disk):
    mount, fill = tiny_disk
    data = mount / "data"
    config = {"DATA": data, "FACILITATOR_KEY": KEY, "TESTING": True, "WTF_CSRF_ENABLED": False}
    app = create_app(config)
    with Store(data).create("満杯の会") as session:
        session_id, code = session.id, session.meta()["code"]
    client = app.test_client()
    token = client.post("/api/v1/join", json={"code": code}).get_json()["token"]
    phone = {"Authorization": f"Bearer {token}"}
    fac = {"Authorization": f"Bearer {KEY}"}
    before = sorted(p.name for p in data.iterdir())
    fill()
    answers = []
    for i in range(40):  # until SQLite's spare pages are used up too
        r = client.post(
            f"/api/v1/sessions/{session_id}/notes",
            json={"kind": "place", "text": f"集会所 {i} " + "あ" * 150},
            headers=phone,
        )
        answers.append(r)
        if r.status_code != 201:
            break
    refused = answers[-1]
    assert refused.status_code == 507, refused.get_data(as_text=True)[:300]
    error = refused.get_json()["error"]
    assert error["code"] == "disk_full" and "ディスク" in error["message"]
    created = client.post("/api/v1/sessions", json={"title": "新しい会"}, headers=fac)
    assert created.status_code == 507
    assert created.get_json()["error"]["code"] == "disk_full"
    # No new file, no 0-byte file, and every acknowledged note is there.
    for filler in mount.glob("filler-*"):
        filler.unlink()
    after = sorted(p.name for p in data.iterdir() if not p.name.endswith(("-wal", "-shm")))
    assert after == [n for n in before if not n.endswith(("-wal", "-shm"))]
    with Store(data).open(session_id) as session:
        assert len(session.notes()) == sum(r.status_code == 201 for r in answers)
