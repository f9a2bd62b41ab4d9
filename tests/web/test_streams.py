"""Live streams never take every thread (issue 13 row 2): bounded, oldest dropped, and ended
after a while so a vanished screen is released."""

import threading
import time

import pytest

from tests.web.conftest import KEY, _make_app


class Stream:
    """One screen's stream, read in a thread of its own (SQLite handles stay in their thread)."""

    def __init__(self, app, url):
        self.started, self.ended = threading.Event(), threading.Event()
        client = app.test_client()
        assert client.get(f"/login?key={KEY}").status_code == 302
        threading.Thread(target=self._read, args=(client, url), daemon=True).start()
        assert self.started.wait(5), "the stream did not start"

    def _read(self, client, url):
        response = client.get(url, buffered=False)
        for chunk in response.response:
            if chunk.decode().startswith("retry:"):
                self.started.set()
        self.ended.set()


@pytest.fixture
def streaming(tmp_path, store, session_id):
    def make(**config):
        app = _make_app(tmp_path, **config)
        return app, lambda: Stream(app, f"/sessions/{session_id}/stream")

    return make


def test_a_new_stream_beyond_the_limit_ends_the_oldest(streaming):
    app, open_stream = streaming(MAX_STREAMS=2, STREAM_SECONDS=6)
    first = open_stream()
    second = open_stream()
    assert app.extensions["tsunagari_streams"].count() == 2
    third = open_stream()
    assert first.ended.wait(5), "the oldest stream was not dropped"
    assert app.extensions["tsunagari_streams"].count() == 2
    assert not second.ended.wait(1.5) and not third.ended.is_set()


def test_a_stream_ends_by_itself_so_a_vanished_screen_is_released(streaming):
    app, open_stream = streaming(STREAM_SECONDS=1)
    started = time.monotonic()
    stream = open_stream()
    assert stream.ended.wait(5), "the stream never ended"
    assert time.monotonic() - started < 5
    assert app.extensions["tsunagari_streams"].count() == 0


def test_the_default_limits_release_a_stream_within_a_minute(app):
    assert app.config["STREAM_SECONDS"] < 60
    assert 1 <= app.config["MAX_STREAMS"] < 24
