"""Live updates: a per-session wake-up broker and the Server-Sent Events stream."""

from __future__ import annotations

import itertools
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator

from flask import Flask

__all__ = ["Broker", "StreamSlots", "init_app", "sse_stream"]

HEARTBEAT_SECONDS = 15.0
# Writes from another process (the CLI) are noticed by polling the event log this often.
POLL_SECONDS = 1.0


class Broker:
    """Wakes the streams of a session as soon as a change to it is committed."""

    def __init__(self) -> None:
        self._condition = threading.Condition()
        self._versions: dict[str, int] = {}

    def version(self, session_id: str) -> int:
        """How many notifications ``session_id`` has had; pass it to :meth:`wait`."""
        with self._condition:
            return self._versions.get(session_id, 0)

    def notify(self, session_id: str) -> None:
        """Call after a commit: every stream of ``session_id`` looks for new events now."""
        with self._condition:
            self._versions[session_id] = self._versions.get(session_id, 0) + 1
            self._condition.notify_all()

    def wake(self) -> None:
        """Wake every waiting stream so it checks whether it must end (see StreamSlots)."""
        with self._condition:
            self._condition.notify_all()

    def wait(
        self,
        session_id: str,
        version: int,
        timeout: float,
        stop: Callable[[], bool] = lambda: False,
    ) -> int:
        """Block until ``session_id`` is notified after ``version``, ``stop()`` is true after a
        :meth:`wake`, or ``timeout`` seconds.

        Taking the version before looking at the log means no notification is ever missed.
        """
        with self._condition:
            self._condition.wait_for(
                lambda: self._versions.get(session_id, 0) != version or stop(), timeout
            )
            return self._versions.get(session_id, 0)


class StreamSlots:
    """At most ``limit`` live streams at once; a new one ends the oldest.

    Each open stream holds one of the server's threads for as long as it lasts, so without a
    bound 24 idle streams left no thread for the phones. The oldest is dropped rather than the
    newest refused: the screen someone just opened is the one being looked at, and a dropped
    browser reconnects by itself (``retry``) if it is still there.
    """

    def __init__(self, limit: Callable[[], int], wake: Callable[[], None] = lambda: None) -> None:
        self._limit = limit
        self._wake = wake
        self._lock = threading.Lock()
        self._open: OrderedDict[int, threading.Event] = OrderedDict()
        self._numbers = itertools.count()

    def open(self) -> tuple[int, threading.Event]:
        """A slot for a new stream: its number and the event set when it must end."""
        ended = threading.Event()
        dropped = False
        with self._lock:
            number = next(self._numbers)
            self._open[number] = ended
            while len(self._open) > max(1, self._limit()):
                _oldest, oldest = self._open.popitem(last=False)
                oldest.set()
                dropped = True
        if dropped:
            self._wake()  # the dropped stream frees its thread now, not at its next poll
        return number, ended

    def close(self, number: int) -> None:
        """The stream ``number`` has ended."""
        with self._lock:
            self._open.pop(number, None)

    def count(self) -> int:
        """How many streams are open."""
        with self._lock:
            return len(self._open)


def sse_stream(
    broker: Broker,
    session_id: str,
    last_seq: Callable[[], int],
    after: int,
    stop: Callable[[], bool] = lambda: False,
    present: Callable[[], tuple[int, str]] | None = None,
    regions: Callable[[int, int], Iterable[str]] | None = None,
    along: Callable[[int, frozenset[str]], bytes | None] | None = None,
) -> Iterator[str | bytes]:
    """Yield SSE messages: ``changed`` with the newest seq whenever the log grows, and a
    comment line as heartbeat at least every 15 s so proxies and phones keep the line open.

    With ``regions`` (the names of the regions the events after one seq up to another
    touched, facilitator/regions.py), each ``changed`` comes after one ``region-<name>``
    event per touched region (data: the same seq), in the same message: a screen refreshes
    only what changed, and the dashboard all of it in one request.

    With ``present`` (``(version, JSON)`` of the projector's view, facilitator/present.py),
    a ``present`` event carries the view on connecting (once the facilitator set one) and
    whenever it changes.

    With ``along`` (``(seen, touched) → bytes``, facilitator/stream_push.py), what it gives
    goes into the message (then bytes) before its ``changed`` (the tree a screen shows, so it need not ask
    for it); ``None`` ends the stream.

    ``retry`` tells the browser to reconnect after 2 s when the Wi-Fi drops.
    """
    yield "retry: 2000\n\n"
    seen = after
    shown = 0  # version 0 is the default view: nothing to say
    quiet_since = time.monotonic()
    while not stop():
        version = broker.version(session_id)
        if present is not None:
            view_version, view = present()
            if view_version != shown:
                shown = view_version
                yield f"event: present\ndata: {view}\n\n"
        newest = last_seq()
        if newest != seen:
            touched = sorted(regions(seen, newest)) if regions is not None else ()
            extra = along(seen, frozenset(touched)) if along is not None else b""
            if extra is None:
                return
            seen = newest
            quiet_since = time.monotonic()
            names = "".join(f"event: region-{name}\ndata: {newest}\n\n" for name in touched)
            tail = f"id: {newest}\nevent: changed\ndata: {newest}\n\n"
            # A picture brought along is bytes already: not decoded and encoded again.
            yield (names + tail) if not extra else names.encode() + extra + tail.encode()
        elif time.monotonic() - quiet_since >= HEARTBEAT_SECONDS:
            quiet_since = time.monotonic()
            yield ": heartbeat\n\n"
        broker.wait(session_id, version, POLL_SECONDS, stop)


def init_app(app: Flask) -> None:
    """Give the app its broker (one process serves the whole workshop) and its stream slots."""
    broker = app.extensions["tsunagari_broker"] = Broker()
    app.extensions["tsunagari_streams"] = StreamSlots(
        lambda: app.config["MAX_STREAMS"], wake=broker.wake
    )
