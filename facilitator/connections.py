"""The workshop server's guard over connections: per-address caps and request deadlines.

waitress serves the phones from a fixed pool of threads and keeps every open connection in one
table with a global ``connection_limit``. A single laptop on the hall Wi-Fi (or a broken script)
could fill that table with 1,000 slow, unfinished requests, and then no phone got an answer.

Here each client address may hold at most :data:`PER_ADDRESS` connections (a phone's browser
uses about six): the next one is closed at once, so one address can never take the table. A
request must arrive whole within :data:`REQUEST_SECONDS` of its first byte (a slowloris sends
a header line every few seconds to stay "active"), and an idle keep-alive connection is closed
after :data:`IDLE_SECONDS`. Unfinished requests never hold a thread: waitress reads them in its
main loop and hands only complete requests to the pool.
"""

from __future__ import annotations

import socket
import time
from collections import Counter

from waitress.channel import HTTPChannel

__all__ = ["PER_ADDRESS", "REQUEST_SECONDS", "IDLE_SECONDS", "GuardedChannel", "guard", "settings"]

#: Connections one client address may hold open at once.
PER_ADDRESS = 50
#: Seconds from a request's first byte until it must be complete (headers and body).
REQUEST_SECONDS = 60
#: Seconds an idle keep-alive connection is kept (waitress's ``channel_timeout``).
IDLE_SECONDS = 30
#: How often waitress looks for connections to close.
CLEANUP_SECONDS = 2
#: Milliseconds sent data may stay unacknowledged before the kernel drops the connection
#: (Linux ``TCP_USER_TIMEOUT``): a phone that vanished from the Wi-Fi frees its stream's
#: thread at the next heartbeat plus this, instead of after the kernel's ~15 minutes.
UNACKED_MS = 30_000


def settings() -> dict:
    """The waitress adjustments the guard relies on."""
    return {"channel_timeout": IDLE_SECONDS, "cleanup_interval": CLEANUP_SECONDS}


def _socket_options() -> list[tuple[int, int, int]]:
    options = [(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    if hasattr(socket, "TCP_USER_TIMEOUT"):
        options.append((socket.IPPROTO_TCP, socket.TCP_USER_TIMEOUT, UNACKED_MS))
    return options


class GuardedChannel(HTTPChannel):
    """waitress's channel, counted per client address and given a deadline per request."""

    def __init__(self, server, sock, addr, adj, map=None):
        self._host = addr[0] if isinstance(addr, tuple) and addr else str(addr)
        self._counted = False
        self._started = time.time()
        super().__init__(server, sock, addr, adj, map)
        counts: Counter = server.tsunagari_per_address
        counts[self._host] += 1
        self._counted = True
        if counts[self._host] > server.tsunagari_per_address_limit:
            self.will_close = True  # closed on the next turn of the loop, nothing read

    def received(self, data):
        if self.request is None:
            self._started = time.time()
        return super().received(data)

    def overdue(self, now: float) -> bool:
        """Whether an unfinished request has been arriving for too long."""
        return (
            self.request is not None
            and not self.requests
            and now - self._started > self.server.tsunagari_request_seconds
        )

    def del_channel(self, map=None):
        if self._counted:
            self._counted = False
            counts: Counter = self.server.tsunagari_per_address
            counts[self._host] -= 1
            if counts[self._host] <= 0:
                del counts[self._host]
        super().del_channel(map)


def guard(server, per_address: int = PER_ADDRESS, request_seconds: float = REQUEST_SECONDS):
    """Fit ``server`` (from ``waitress.create_server``) with the guard; returns it."""
    server.channel_class = GuardedChannel
    server.adj.socket_options = _socket_options()  # applied to every accepted socket
    server.tsunagari_per_address = Counter()
    server.tsunagari_per_address_limit = per_address
    server.tsunagari_request_seconds = request_seconds
    maintenance = server.maintenance

    def close_overdue(now):
        maintenance(now)
        for channel in list(server.active_channels.values()):
            if isinstance(channel, GuardedChannel) and channel.overdue(now):
                channel.will_close = True

    server.maintenance = close_overdue
    return server
