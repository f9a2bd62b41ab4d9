"""`tsunagari serve`: the workshop server on the laptop, with the URLs and QR code to join."""

from __future__ import annotations

import gc
import io
import ipaddress
import os
import socket
import struct
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import segno

from . import connections
from .keyfile import MIN_KEY_LENGTH

#: The cyclic collector's thresholds while serving (generation 0, 1, 2; default 700, 10, 10).
GC_THRESHOLDS = (20000, 20, 10)
#: glibc's malloc arenas while serving (its default: 8 per core). Each worker thread that
#: allocates at a busy moment gets an arena of its own, and memory freed in one is not given
#: to another: with 2, a city-sized session's server peaked at 663 MB instead of 785 MB
#: (bench/rss.py); bench/load.py --quick showed no difference beyond its noise.
MALLOC_ARENAS = 2
_M_ARENA_MAX = -8  # mallopt's parameter number for the arena limit (glibc malloc.h)

__all__ = [
    "lan_addresses",
    "startup_lines",
    "run",
    "ListenError",
    "StartError",
    "DEFAULT_THREADS",
]

#: Worker threads: each live stream (projector, facilitator screen) holds one while it is
#: open, so a handful of streams plus the phones' ordinary requests fit in 24.
DEFAULT_THREADS = 24
#: Open connections waitress keeps (its default is 100): 150 phones each keep at least one
#: connection alive, and past the limit new phones would wait unanswered. ``poll()`` instead
#: of ``select()`` so more than 1024 sockets are possible.
CONNECTION_LIMIT = 1000
_SIOCGIFADDR = 0x8915  # Linux ioctl: the IPv4 address of an interface


class ListenError(Exception):
    """The server could not open its port (another program uses it, or it is not allowed)."""

    def __init__(self, host: str, port: int, error: OSError):
        super().__init__(f"{host}:{port}: {error.strerror or error}")
        self.host, self.port, self.reason = host, port, error.strerror or str(error)


class StartError(Exception):
    """The server must not start (a weak key, a folder it cannot write): ``(ja, en)``."""

    def __init__(self, ja: str, en: str):
        super().__init__(en)
        self.ja, self.en = ja, en


def check_key(key: str | None) -> None:
    """Refuse a facilitator key shorter than :data:`MIN_KEY_LENGTH` characters."""
    if key is not None and len(key) < MIN_KEY_LENGTH:
        raise StartError(
            f"進行役の鍵が短すぎます（{len(key)}文字）。{MIN_KEY_LENGTH}文字以上にするか、"
            "--facilitator-key を付けずに起動して自動で作らせてください。",
            f"the facilitator key is too short ({len(key)} characters): use at least "
            f"{MIN_KEY_LENGTH}, or start without --facilitator-key to have one generated.",
        )


def check_folder(data: Path) -> None:
    """Make the data folder (0700 where the OS allows) and prove it can be written.

    A read-only folder (a write-protected stick, a folder of another user) would let the
    server start and print its URLs, then fail on every page.
    """
    try:
        data.mkdir(mode=0o700, parents=True, exist_ok=True)
        try:
            os.chmod(data, 0o700)
        except OSError:
            pass  # not ours to tighten, or a file system without modes
        fd, probe = tempfile.mkstemp(prefix=".write-test-", dir=data)
        os.close(fd)
        os.unlink(probe)
    except OSError as e:
        raise StartError(
            f"データフォルダ {data} に書き込めません（{e.strerror or e}）。"
            "書き込めるフォルダを --data で指定してください。",
            f"cannot write to the data folder {data} ({e.strerror or e}); "
            "choose a writable folder with --data.",
        ) from e


def _say(ja: str, en: str) -> str:
    """The message in TSUNAGARI_LANG ("ja" by default, or "en")."""
    return en if os.environ.get("TSUNAGARI_LANG", "ja").lower().startswith("en") else ja


def _hostname_addresses() -> list[str]:
    """The IPv4 addresses the machine's own name resolves to (on Windows: every adapter)."""
    try:
        infos = socket.getaddrinfo(socket.gethostname(), None, socket.AF_INET)
    except OSError:
        return []
    return [str(info[4][0]) for info in infos]


def _interface_addresses() -> list[str]:
    """The IPv4 address of each network interface, asked of the Linux kernel.

    Linux often resolves the host name to 127.0.1.1 only; this reads the addresses without
    sending anything. Empty elsewhere.
    """
    if not sys.platform.startswith("linux"):
        return []
    import fcntl

    found = []
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            for _index, name in socket.if_nameindex():
                request = struct.pack("256s", name.encode()[:15])
                try:
                    answer = fcntl.ioctl(s.fileno(), _SIOCGIFADDR, request)
                except OSError:
                    continue  # an interface without an IPv4 address
                found.append(socket.inet_ntoa(answer[20:24]))
    except OSError:
        return found
    return found


def _rank(address: ipaddress.IPv4Address) -> int:
    """Home and hall networks first, then other private ones, then public, link-local last."""
    if address in ipaddress.IPv4Network("192.168.0.0/16"):
        return 0
    if address in ipaddress.IPv4Network("10.0.0.0/8"):
        return 1
    if address in ipaddress.IPv4Network("172.16.0.0/12"):
        return 2
    if address.is_link_local:
        return 4
    return 3


def lan_addresses() -> list[str]:
    """The IPv4 addresses at which phones on the same network can reach this machine.

    Loopback and unspecified addresses are left out; the likeliest hall or hotspot network
    comes first. Nothing is sent on the network to find them.
    """
    seen: dict[str, ipaddress.IPv4Address] = {}
    for text in [*_hostname_addresses(), *_interface_addresses()]:
        try:
            address = ipaddress.IPv4Address(text)
        except ValueError:
            continue
        if address.is_loopback or address.is_unspecified or address.is_multicast:
            continue
        seen.setdefault(str(address), address)
    return sorted(seen, key=lambda a: _rank(seen[a]))


def _participant_hosts(host: str) -> list[str]:
    if host in ("", "0.0.0.0"):
        return lan_addresses()
    return [host]


def _is_loopback(host: str) -> bool:
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return host == "localhost"


def _qr_lines(url: str) -> list[str]:
    out = io.StringIO()
    segno.make(url, error="m").terminal(out=out, compact=True)
    return out.getvalue().rstrip("\n").split("\n")


def startup_lines(host: str, port: int, key: str, demo_code: str | None = None) -> list[str]:
    """What `tsunagari serve` prints on start: the join URLs, a QR code, the facilitator URL.

    Parameters
    ----------
    host : str
        The address the server listens on; ``0.0.0.0`` means every network of the machine.
    port : int
    key : str
        The facilitator key, part of the facilitator URL.
    demo_code : str, optional
        The demo session's join code, when it was asked for.

    Returns
    -------
    list of str
        Lines without line ends, in TSUNAGARI_LANG's language.
    """
    lines = [_say("つながり を起動しました。", "Tsunagari is running."), ""]
    hosts = _participant_hosts(host)
    lan = [h for h in hosts if not _is_loopback(h)]
    local = host if host not in ("", "0.0.0.0") and not _is_loopback(host) else "127.0.0.1"
    if not hosts:
        hosts = ["127.0.0.1"]
    lines.append(
        _say(
            "参加者用のURL（スマートフォンで開くか、QRコードを読み取ってください）:",
            "Participants join at (open on a phone, or scan the QR code):",
        )
    )
    lines += [f"  http://{h}:{port}/j" for h in hosts]
    if lan:
        lines.append("")
        lines += _qr_lines(f"http://{lan[0]}:{port}/j")
    elif _is_loopback(host):
        lines.append(
            _say(
                "  ※ このパソコンからしか開けません。スマートフォンから参加するには --host 0.0.0.0 で起動してください。",
                "  Note: only this computer can open it. Start with --host 0.0.0.0 for phones.",
            )
        )
    else:
        lines.append(
            _say(
                "  ※ ネットワークが見つかりません。会場のWi-Fiにつなぐか、パソコンのテザリング（ホットスポット）をオンにしてから起動し直してください。",
                "  Note: no network found. Join the hall Wi-Fi or turn on this computer's "
                "hotspot, then start again.",
            )
        )
    lines += [
        "",
        _say(
            "進行役用のURL（このパソコンのブラウザで開いてください。参加者には見せないでください）:",
            "Facilitator URL (open it in this computer's browser; do not show it to participants):",
        ),
        f"  http://{local}:{port}/login?key={key}",
    ]
    if demo_code:
        lines += [
            "",
            _say(f"デモの参加コード: {demo_code}", f"Demo session join code: {demo_code}"),
            f"  http://{hosts[0]}:{port}/j/{demo_code}",
        ]
    lines += ["", _say("終了するには Ctrl+C を押してください。", "Press Ctrl+C to stop.")]
    return lines


def _printable(lines: list[str], encoding: str | None) -> list[str]:
    """Leave out the QR code on a console that cannot show its block characters."""
    try:
        "\n".join(lines).encode(encoding or "utf-8")
        return lines
    except (UnicodeEncodeError, LookupError):
        return [line for line in lines if not set(line) <= set(" ▀▄█")] or lines


def _check_port(host: str, port: int) -> None:
    """Raise :class:`ListenError` if ``host:port`` cannot be opened.

    Checked before waitress tries, because waitress leaves its half-made socket open when the
    port is taken.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host or None, port, socket.AF_UNSPEC, socket.SOCK_STREAM, 0, socket.AI_PASSIVE
        )[0]
        with socket.socket(family, kind, proto) as probe:
            if os.name == "posix":  # as waitress does, so a just-stopped server's port is free
                probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except OSError as e:
        raise ListenError(host, port, e) from e


def _server(app, host: str, port: int, threads: int):
    """The waitress server for ``app``, fitted with the connection guard (connections.py)."""
    from waitress import create_server

    try:
        server = create_server(
            app,
            host=host,
            port=port,
            threads=threads,
            ident="tsunagari",
            connection_limit=CONNECTION_LIMIT,
            asyncore_use_poll=True,
            # A body over the limit is refused (413) as soon as its Content-Length is read,
            # never buffered to a temporary file first (waitress refuses at >=, Flask at >).
            max_request_body_size=app.config["MAX_CONTENT_LENGTH"] + 1,
            **connections.settings(),
        )
    except OSError as e:
        raise ListenError(host, port, e) from e
    return connections.guard(server)


def fewer_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Limit glibc's malloc arenas to ``arenas`` (before any other thread starts); False
    where the C library is not glibc (Windows, macOS, musl) and nothing changed."""
    import ctypes
    import ctypes.util

    name = ctypes.util.find_library("c")
    if sys.platform != "linux" or not name:
        return False
    try:
        libc = ctypes.CDLL(name)
        libc.gnu_get_libc_version  # glibc only  # noqa: B018
        return libc.mallopt(_M_ARENA_MAX, arenas) == 1
    except (OSError, AttributeError):
        return False


def run(
    data: Path,
    host: str = "0.0.0.0",
    port: int = 8000,
    key: str | None = None,
    threads: int = DEFAULT_THREADS,
    demo: bool = False,
    echo: Callable[[str], object] = print,
    encoding: str | None = None,
    wifi: tuple[str, str | None] | None = None,
) -> None:
    """Build the app over ``data``, print the startup lines and serve until interrupted.

    Raises :class:`ListenError` when the port cannot be opened (say, another server uses it).
    """
    from . import create_app
    from .storage import Store, demo_session

    # Before any thread starts: glibc fixes its arena limit when a second thread first
    # allocates (waitress's workers, the checkpoint thread), and ignores a later change.
    fewer_malloc_arenas()
    check_key(key or None)
    check_folder(Path(data))
    ssid, password = wifi or (None, None)  # the hotspot's QR on the projector (wifi.py)
    try:
        app = create_app(
            {
                "DATA": data,
                "FACILITATOR_KEY": key or None,
                "WIFI_SSID": ssid,
                "WIFI_PASSWORD": password,
                # Live streams each hold a thread; a third of the pool stays for the phones.
                "MAX_STREAMS": max(1, threads * 2 // 3),
                # Heavy pages of large sessions: one per 12 threads (facilitator/heavy.py).
                "HEAVY_PAGES": max(1, threads // 12),
            }
        )
    except OSError as e:  # the key files could not be written (a full disk)
        raise StartError(
            f"データフォルダ {data} に鍵を保存できません（{e.strerror or e}）。"
            "ディスクの空きを確かめてください。",
            f"cannot keep the keys in {data} ({e.strerror or e}); is the disk full?",
        ) from e
    demo_code = None
    if demo:
        store = Store(app.config["DATA"])
        with store.open(demo_session(store)) as session:
            demo_code = session.meta()["code"]
    _check_port(host, port)
    server = _server(app, host, port, threads)
    port = server.effective_port if port == 0 else port
    lan = [h for h in _participant_hosts(host) if not _is_loopback(h)]
    if lan:  # the QR on the projector must carry an address the phones can reach
        app.config["PUBLIC_URL"] = f"http://{lan[0]}:{port}"
    # A thread waiting for the GIL (a phone's note, between its SQLite calls) gets it after
    # 2 ms instead of 5 while a heavy page computes: the phones' answers stay short.
    switch = sys.getswitchinterval()
    sys.setswitchinterval(0.002)
    # The live model keeps big graphs and what screens derived from them: with the default
    # thresholds the collector ran ~3 full passes per approved note on a town-sized session
    # (0.2 s). Younger generations collected less often: 1 pass, a third of the time.
    thresholds = gc.get_threshold()
    gc.set_threshold(*GC_THRESHOLDS)
    for line in _printable(
        startup_lines(host, port, app.config["FACILITATOR_KEY"], demo_code), encoding
    ):
        echo(line)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        sys.setswitchinterval(switch)
        gc.set_threshold(*thresholds)
