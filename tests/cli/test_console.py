"""The CLI on a console that cannot encode every character (a Windows cp932 console)."""

import os
import subprocess
import sys

import pytest

NODES = "id,kind,label\nh1,household,𠮷野さん宅 🏠\np1,person,𠮷田 ミツ 😊\n"


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_cp932_console_prints_what_it_can_and_does_not_crash(tmp_path, lang):
    (tmp_path / "nodes.csv").write_text(NODES, encoding="utf-8")
    env = {**os.environ, "PYTHONIOENCODING": "cp932", "TSUNAGARI_LANG": lang}
    env.pop("PYTHONUTF8", None)
    done = subprocess.run(
        [sys.executable, "-m", "facilitator.cli", "flags", str(tmp_path / "nodes.csv")],
        env=env,
        capture_output=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode("cp932", "replace")
    out = done.stdout.decode("cp932")  # what the console shows: valid cp932 throughout
    assert "?野さん宅 ?" in out  # 𠮷 and 🏠 have no cp932 code: replaced, not a traceback
    assert "Traceback" not in done.stderr.decode("cp932", "replace")


def test_cp932_console_lists_a_session_titled_with_emoji(tmp_path):
    def tsunagari(*args, encoding):
        env = {**os.environ, "PYTHONIOENCODING": encoding, "TSUNAGARI_LANG": "ja"}
        return subprocess.run(
            [sys.executable, "-m", "facilitator.cli", "--data", str(tmp_path), *args],
            env=env,
            capture_output=True,
            timeout=60,
        )

    assert tsunagari("new", "𠮷岡 夏祭り 🎆", encoding="utf-8").returncode == 0
    done = tsunagari("sessions", encoding="cp932")
    assert done.returncode == 0, done.stderr.decode("cp932", "replace")
    assert "?岡 夏祭り ?" in done.stdout.decode("cp932")
