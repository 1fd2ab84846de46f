"""Per-user question limits, and saying no once: sliding windows kept per user."""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Hashable

FORGET_AFTER = 100_000  # users remembered before idle ones are forgotten


class Once:
    """True the first time a key is seen in each ``window`` seconds: whom to tell
    something, so that a flood gets one reply.

    >>> now = [0.0]
    >>> once = Once(window=600, clock=lambda: now[0])
    >>> once.first(7), once.first(7), once.first(8)
    (True, False, True)
    >>> now[0] = 601.0
    >>> once.first(7)
    True
    """

    def __init__(self, window: float = 600.0, clock: Callable[[], float] = time.time) -> None:
        self.window = window
        self._clock = clock
        self._told: dict[Hashable, float] = {}
        self._lock = threading.Lock()

    def first(self, key: Hashable, at: float | None = None) -> bool:
        now = self._clock() if at is None else at
        with self._lock:
            told = self._told.get(key)
            if told is not None and now - told < self.window:
                return False
            if len(self._told) > FORGET_AFTER:
                self._told = {k: t for k, t in self._told.items() if now - t < self.window}
            self._told[key] = now
            return True


class RateLimiter:
    """At most ``limit`` requests per ``window`` seconds per user; 0 means no limit.

    :meth:`check` says whether this request may go on, and whether the user should be
    told they hit the limit (only once per window, so a flood gets one reply). A message
    counts when its user wrote it (``at``: Telegram's date for it), not when the bot got to
    it: questions that waited while the bot was down are not held against their writer.

    >>> now = [0.0]
    >>> r = RateLimiter(limit=2, window=60, clock=lambda: now[0])
    >>> [r.check(7) for _ in range(4)]
    [(True, False), (True, False), (False, True), (False, False)]
    >>> now[0] = 61.0
    >>> r.check(7)
    (True, False)
    >>> [r.check(8, at=t) for t in (0.0, 40.0, 80.0)]  # written 40 s apart, all read now
    [(True, False), (True, False), (True, False)]
    """

    def __init__(
        self, limit: int = 20, window: float = 60.0, clock: Callable[[], float] = time.time
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: dict[int, list[float]] = {}
        self._told = Once(window, clock)
        self._lock = threading.Lock()

    def check(self, user_id: int, at: float | None = None) -> tuple[bool, bool]:
        """(allowed, tell_the_user) for a request made at ``at`` (default: now)."""
        if self.limit <= 0:
            return True, False
        now = self._clock() if at is None else at
        with self._lock:
            recent = self._seen.setdefault(user_id, [])
            recent[:] = [t for t in recent if abs(now - t) < self.window]
            if len(recent) < self.limit:
                bisect.insort(recent, now)
                return True, False
            if len(self._seen) > FORGET_AFTER:  # forget idle users
                self._seen = {
                    u: q for u, q in self._seen.items() if q and now - q[-1] < self.window
                }
                self._seen[user_id] = recent
        return False, self._told.first(user_id, now)
