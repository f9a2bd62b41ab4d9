"""Rate limits: wrong guesses per address (join codes, facilitator keys) and phones' bursts."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict, deque

__all__ = ["FailureLimiter", "Bucket", "BucketLimiter"]

#: How many addresses or phones a limiter remembers; the least recently seen are forgotten
#: first, so a flood of made-up addresses cannot grow the memory without bound.
_REMEMBERED = 10_000


class FailureLimiter:
    """Counts failures per key (a client address) in a sliding minute.

    Parameters
    ----------
    limit : callable
        Returns the number of failures a key may have in a minute (read on every check, so a
        setting changed in a test applies at once).
    window : float
        Seconds a failure is remembered.
    """

    def __init__(self, limit, window: float = 60.0) -> None:
        self._limit = limit
        self._window = window
        self._fails: OrderedDict[str, deque[float]] = OrderedDict()
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        fails = self._fails.setdefault(key, deque())
        self._fails.move_to_end(key)
        while fails and now - fails[0] > self._window:
            fails.popleft()
        while len(self._fails) > _REMEMBERED:
            self._fails.popitem(last=False)
        return fails

    def retry_after(self, key: str) -> int:
        """0 if ``key`` may try again now, else the whole seconds until it may."""
        with self._lock:
            now = time.monotonic()
            fails = self._recent(key, now)
            if len(fails) < self._limit():
                return 0
            return max(1, math.ceil(self._window - (now - fails[0])))

    def blocked(self, key: str) -> bool:
        """Whether ``key`` has used up its failures for the minute."""
        return self.retry_after(key) > 0

    def failed(self, key: str) -> None:
        """Record one failure of ``key``."""
        with self._lock:
            now = time.monotonic()
            self._recent(key, now).append(now)


class Bucket:
    """A token bucket: ``burst`` at once, then ``per_minute`` a minute."""

    __slots__ = ("tokens", "stamp")

    def __init__(self, burst: float, now: float) -> None:
        self.tokens = float(burst)
        self.stamp = now


class BucketLimiter:
    """A token bucket per key (a phone): a short burst, then a few a minute.

    ``burst`` and ``per_minute`` are callables read on every take (settings of the app).
    """

    def __init__(self, burst, per_minute) -> None:
        self._burst = burst
        self._per_minute = per_minute
        self._buckets: OrderedDict[str, Bucket] = OrderedDict()
        self._lock = threading.Lock()

    def take(self, key: str) -> int:
        """Spend one token of ``key``: 0 if it had one, else the seconds until it will."""
        with self._lock:
            now = time.monotonic()
            burst, rate = float(self._burst()), float(self._per_minute()) / 60.0
            bucket = self._buckets.get(key)
            if bucket is None:
                bucket = self._buckets[key] = Bucket(burst, now)
            self._buckets.move_to_end(key)
            while len(self._buckets) > _REMEMBERED:
                self._buckets.popitem(last=False)
            bucket.tokens = min(burst, bucket.tokens + (now - bucket.stamp) * rate)
            bucket.stamp = now
            if bucket.tokens >= 1:
                bucket.tokens -= 1
                return 0
            if rate <= 0:
                return 60
            return max(1, math.ceil((1 - bucket.tokens) / rate))
