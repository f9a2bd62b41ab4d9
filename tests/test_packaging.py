"""A non-editable install must carry the templates, static files and catalogues."""

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[1]


@pytest.mark.slow
def test_wheel_contains_templates_static_and_translations(tmp_path):
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "-q",
            "-w",
            str(tmp_path),
            str(ROOT),
        ],
        check=True,
        capture_output=True,
    )
    (wheel,) = tmp_path.glob("tsunagari-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in (
        "facilitator/templates/base.html",
        "facilitator/static/css/app.css",
        "facilitator/static/vendor/htmx/htmx.min.js",
        "facilitator/static/vendor/vis-network/vis-network.min.js",
        "facilitator/translations/ja/LC_MESSAGES/messages.mo",
        "graph/analysis.py",
    ):
        assert needed in names, needed
    assert not any(n.startswith("sessions/") for n in names)
