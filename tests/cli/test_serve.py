"""`tsunagari serve`: what it prints on start, and a real server answering on its port."""

import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from click.testing import CliRunner

from facilitator import serve
from facilitator.cli import main

ROOT = Path(__file__).parents[2]
QR_BLOCKS = set(" ▀▄█")


def _fake_getaddrinfo(addresses):
    def getaddrinfo(host, port, family=0, *args, **kwargs):
        return [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (a, 0)) for a in addresses]

    return getaddrinfo


@pytest.fixture
def network(monkeypatch):
    """Pretend the machine has the given addresses (host name and interfaces)."""

    def use(hostname=(), interfaces=()):
        monkeypatch.setattr(socket, "getaddrinfo", _fake_getaddrinfo(hostname))
        monkeypatch.setattr(serve, "_interface_addresses", lambda: list(interfaces))

    return use


@pytest.fixture(autouse=True)
def japanese(monkeypatch):
    monkeypatch.delenv("TSUNAGARI_LANG", raising=False)
    monkeypatch.delenv("TSUNAGARI_FACILITATOR_KEY", raising=False)


def test_lan_addresses_skip_loopback_and_put_the_hall_network_first(network):
    network(
        hostname=["127.0.1.1", "172.17.0.1", "192.168.10.5", "192.168.10.5", "not-an-ip"],
        interfaces=["127.0.0.1", "10.0.0.7", "169.254.3.4", "0.0.0.0"],
    )
    assert serve.lan_addresses() == ["192.168.10.5", "10.0.0.7", "172.17.0.1", "169.254.3.4"]


def test_lan_addresses_survive_an_unresolvable_host_name(monkeypatch, network):
    network(interfaces=["192.168.1.20"])

    def fail(*args, **kwargs):
        raise socket.gaierror("no name")

    monkeypatch.setattr(socket, "getaddrinfo", fail)
    assert serve.lan_addresses() == ["192.168.1.20"]


def test_lan_addresses_of_this_machine_are_ipv4_text():
    for address in serve.lan_addresses():
        assert socket.inet_aton(address)
        assert not address.startswith("127.")


def test_startup_lines_on_every_network(network):
    network(hostname=["192.168.10.5"], interfaces=["10.0.0.7"])
    lines = serve.startup_lines("0.0.0.0", 8000, "secret-key", demo_code="ABC234")
    text = "\n".join(lines)
    assert "  http://192.168.10.5:8000/j" in lines
    assert "  http://10.0.0.7:8000/j" in lines
    assert "  http://127.0.0.1:8000/login?key=secret-key" in lines
    assert "参加者用のURL" in text and "進行役用のURL" in text
    assert "ABC234" in text and "http://192.168.10.5:8000/j/ABC234" in text
    qr = [line for line in lines if line and set(line) <= QR_BLOCKS]
    assert len(qr) > 10 and len({len(line) for line in qr}) == 1  # a square block
    # The QR code comes right after the URLs and encodes the first (hall) network.
    assert lines.index(qr[0]) > lines.index("  http://10.0.0.7:8000/j")


def test_qr_code_encodes_the_first_participant_url(network, monkeypatch):
    network(hostname=["192.168.10.5", "10.0.0.7"])
    seen = []
    real = serve.segno.make

    def make(content, **kwargs):
        seen.append(content)
        return real(content, **kwargs)

    monkeypatch.setattr(serve.segno, "make", make)
    serve.startup_lines("0.0.0.0", 8123, "k")
    assert seen == ["http://192.168.10.5:8123/j"]


def test_startup_lines_on_loopback_only(network):
    network(hostname=["192.168.10.5"])
    lines = serve.startup_lines("127.0.0.1", 8001, "k")
    assert "  http://127.0.0.1:8001/j" in lines
    assert not any("192.168" in line for line in lines)
    assert not any(line and set(line) <= QR_BLOCKS for line in lines)
    assert any("--host 0.0.0.0" in line for line in lines)


def test_startup_lines_without_any_network_say_what_to_do(network):
    network()
    lines = serve.startup_lines("0.0.0.0", 8000, "k")
    assert "  http://127.0.0.1:8000/j" in lines
    assert any("Wi-Fi" in line for line in lines)


def test_startup_lines_on_one_chosen_address(network):
    network(hostname=["10.0.0.7"])
    lines = serve.startup_lines("192.168.10.5", 8000, "k")
    assert "  http://192.168.10.5:8000/j" in lines
    # 127.0.0.1 is not served when the server listens on one address only.
    assert "  http://192.168.10.5:8000/login?key=k" in lines


def test_startup_lines_in_english(network, monkeypatch):
    network(hostname=["192.168.10.5"])
    monkeypatch.setenv("TSUNAGARI_LANG", "en")
    text = "\n".join(serve.startup_lines("0.0.0.0", 8000, "k", demo_code="ABC234"))
    assert "Participants join at" in text and "Facilitator URL" in text
    assert "Demo session join code: ABC234" in text


def test_qr_code_is_left_out_where_the_console_cannot_show_it(network):
    network(hostname=["192.168.10.5"])
    lines = serve.startup_lines("0.0.0.0", 8000, "k")
    kept = serve._printable(lines, "cp932")
    assert "  http://192.168.10.5:8000/j" in kept
    assert serve._printable(lines, "utf-8") == lines


class FakeServer:
    """Stands in for waitress: records its settings and returns at once from run()."""

    made: list = []

    def __init__(self, app, **settings):
        self.app, self.settings = app, settings
        self.effective_port = 54321
        self.adj = type("Adjustments", (), {})()
        self.active_channels = {}
        FakeServer.made.append(self)

    def maintenance(self, now):
        pass

    def run(self):
        pass

    def close(self):
        pass


@pytest.fixture
def fake_waitress(monkeypatch, network):
    import waitress

    network(hostname=["192.168.10.5"])
    FakeServer.made = []
    monkeypatch.setattr(waitress, "create_server", FakeServer)
    monkeypatch.setattr(serve, "_check_port", lambda host, port: None)
    return FakeServer.made


def test_serve_command_prints_the_urls_and_serves(tmp_path, fake_waitress):
    result = CliRunner().invoke(
        main,
        ["--data", str(tmp_path / "ignored"), "serve", "--data", str(tmp_path / "d"), "--demo"],
    )
    assert result.exit_code == 0, result.output
    (server,) = fake_waitress
    assert server.settings == {
        "host": "0.0.0.0",
        "port": 8000,
        "threads": 24,
        "ident": "tsunagari",
        "connection_limit": 1000,
        "asyncore_use_poll": True,
        "max_request_body_size": 2 * 1024 * 1024 + 1,
        "channel_timeout": 30,
        "cleanup_interval": 2,
    }
    assert server.channel_class.__name__ == "GuardedChannel"
    assert server.app.config["DATA"] == tmp_path / "d"
    assert not (tmp_path / "ignored").exists()
    key = (tmp_path / "d" / ".facilitator_key").read_text().strip()
    assert f"http://127.0.0.1:8000/login?key={key}" in result.output
    assert "http://192.168.10.5:8000/j" in result.output
    sessions = list((tmp_path / "d").glob("*.sqlite"))
    assert len(sessions) == 1
    from facilitator.storage import Store

    with Store(tmp_path / "d").open(sessions[0].stem) as s:
        assert f"デモの参加コード: {s.meta()['code']}" in result.output
    # The demo is created once: a second start finds it.
    again = CliRunner().invoke(main, ["--data", str(tmp_path / "d"), "serve", "--demo"])
    assert again.exit_code == 0
    assert len(list((tmp_path / "d").glob("*.sqlite"))) == 1
    assert f"login?key={key}" in again.output


def test_serve_takes_the_key_threads_and_port(tmp_path, fake_waitress, monkeypatch):
    args = ["--data", str(tmp_path), "serve", "--host", "127.0.0.1", "--port", "0"]
    result = CliRunner().invoke(
        main, [*args, "--facilitator-key", "given-key-0123456789", "--threads", "4"]
    )
    assert result.exit_code == 0, result.output
    assert fake_waitress[0].settings["threads"] == 4
    assert fake_waitress[0].app.config["FACILITATOR_KEY"] == "given-key-0123456789"
    assert "http://127.0.0.1:54321/login?key=given-key-0123456789" in result.output
    assert "デモ" not in result.output
    monkeypatch.setenv("TSUNAGARI_FACILITATOR_KEY", "from-env-0123456789")
    result = CliRunner().invoke(main, args)
    assert "login?key=from-env-0123456789" in result.output


def test_port_in_use_is_a_plain_message(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        result = CliRunner().invoke(
            main, ["--data", str(tmp_path), "serve", "--host", "127.0.0.1", "--port", str(port)]
        )
    assert result.exit_code == 2
    assert "待ち受けられません" in result.output and "--port" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize("value", ["0", "-1", "x"])
def test_bad_threads_are_refused(tmp_path, value):
    result = CliRunner().invoke(main, ["--data", str(tmp_path), "serve", "--threads", value])
    assert result.exit_code == 2


def _free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get(url):
    """Status and Location of ``url``, without following redirects."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(url, timeout=2) as response:
            return response.status, response.headers.get("Location")
    except urllib.error.HTTPError as e:
        e.close()
        return e.code, e.headers.get("Location")


@pytest.mark.slow
def test_real_server_starts_serves_and_stops(tmp_path):
    port = _free_port()
    env = {**os.environ, "TSUNAGARI_LANG": "en", "PYTHONUNBUFFERED": "1"}
    env.pop("TSUNAGARI_FACILITATOR_KEY", None)
    command = [sys.executable, "-m", "facilitator.cli", "--data", str(tmp_path / "data")]
    command += ["serve", "--port", str(port), "--host", "127.0.0.1", "--demo"]
    process = subprocess.Popen(
        command,
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        encoding="utf-8",
    )
    try:
        deadline = time.monotonic() + 8
        status = None
        while time.monotonic() < deadline:
            assert process.poll() is None, process.stdout.read()
            try:
                status, _ = _get(f"http://127.0.0.1:{port}/j")
                break
            except OSError:
                time.sleep(0.1)
        assert status == 200
        key = (tmp_path / "data" / ".facilitator_key").read_text().strip()
        status, location = _get(f"http://127.0.0.1:{port}/login?key={key}")
        assert status in (302, 303) and location.endswith("/sessions")
        assert _get(f"http://127.0.0.1:{port}/login?key=wrong")[0] == 403
    finally:
        process.terminate()
        try:
            output, _ = process.communicate(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()
            output, _ = process.communicate()
    assert f"http://127.0.0.1:{port}/login?key={key}" in output
    assert f"http://127.0.0.1:{port}/j" in output
    assert "Demo session join code: " in output


# -- refusing to start (issue 13 rows 3, 5, 10 and 14) ------------------------------------------


@pytest.mark.parametrize("key", ["1234", "fifteen-chars!!"])
def test_a_short_key_is_refused_at_start(tmp_path, fake_waitress, key):
    result = CliRunner().invoke(main, ["--data", str(tmp_path), "serve", "--facilitator-key", key])
    assert result.exit_code == 2
    assert "16文字以上" in result.output and "Traceback" not in result.output
    assert fake_waitress == []


def test_a_read_only_data_folder_is_refused_at_start(tmp_path, fake_waitress, monkeypatch):
    import errno
    import tempfile

    def read_only(*args, **kwargs):
        raise OSError(errno.EROFS, "Read-only file system")

    # Root may write into a 0500 folder; a read-only mount says EROFS to everyone.
    monkeypatch.setattr(tempfile, "mkstemp", read_only)
    (tmp_path / "d").mkdir()
    result = CliRunner().invoke(main, ["--data", str(tmp_path / "d"), "serve"])
    assert result.exit_code == 2, result.output
    assert "書き込めません" in result.output and "--data" in result.output
    assert fake_waitress == []


def test_the_data_folder_and_key_files_are_private(tmp_path, fake_waitress):
    data = tmp_path / "d"
    data.mkdir(mode=0o755)
    data.chmod(0o755)
    result = CliRunner().invoke(main, ["--data", str(data), "serve", "--demo"])
    assert result.exit_code == 0, result.output
    assert data.stat().st_mode & 0o777 == 0o700
    for path in [data / ".facilitator_key", data / ".secret_key", *data.glob("*.sqlite")]:
        assert path.stat().st_mode & 0o777 == 0o600, path


@pytest.mark.skipif(sys.platform != "linux", reason="glibc's malloc arenas are Linux's")
def test_the_server_limits_malloc_arenas_in_a_fresh_process():
    """Run in a child, as ``serve`` does before its threads start: glibc takes the limit."""
    probe = "from facilitator import serve; print(serve.fewer_malloc_arenas())"
    root = Path(__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", probe], cwd=root, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "True", out.stderr


def test_the_arena_limit_is_set_before_the_server_starts_a_thread(tmp_path, monkeypatch):
    """glibc fixes its arena limit when a second thread first allocates: ``run`` sets it
    before the app, the demo or waitress can start one."""
    import threading

    seen = []
    monkeypatch.setattr(
        serve, "fewer_malloc_arenas", lambda: seen.append(threading.active_count())
    )

    class Started(Exception):
        pass

    def no_server(*args):
        raise Started

    monkeypatch.setattr(serve, "_server", no_server)
    before = threading.active_count()
    with pytest.raises(Started):
        serve.run(tmp_path, host="127.0.0.1", port=0, key="k" * 24, demo=True, echo=lambda _: None)
    assert seen == [before]
