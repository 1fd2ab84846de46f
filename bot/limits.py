"""Per-user question limits: a sliding window of recent requests per user."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable


class RateLimiter:
    """At most ``limit`` requests per ``window`` seconds per user; 0 means no limit.

    :meth:`check` says whether this request may go on, and whether the user should be
    told they hit the limit (only once per window, so a flood gets one reply).

    >>> now = [0.0]
    >>> r = RateLimiter(limit=2, window=60, clock=lambda: now[0])
    >>> [r.check(7) for _ in range(4)]
    [(True, False), (True, False), (False, True), (False, False)]
    >>> now[0] = 61.0
    >>> r.check(7)
    (True, False)
    """

    def __init__(
        self, limit: int = 20, window: float = 60.0, clock: Callable[[], float] = time.monotonic
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._seen: dict[int, deque[float]] = {}
        self._told: dict[int, float] = {}
        self._lock = threading.Lock()

    def check(self, user_id: int) -> tuple[bool, bool]:
        """(allowed, tell_the_user)."""
        if self.limit <= 0:
            return True, False
        now = self._clock()
        with self._lock:
            recent = self._seen.setdefault(user_id, deque())
            while recent and now - recent[0] >= self.window:
                recent.popleft()
            if len(recent) < self.limit:
                recent.append(now)
                return True, False
            told = self._told.get(user_id)
            tell = told is None or now - told >= self.window
            if tell:
                self._told[user_id] = now
            if len(self._seen) > 100_000:  # forget idle users
                idle = [u for u, q in self._seen.items() if not q or now - q[-1] >= self.window]
                for u in idle:
                    self._seen.pop(u, None)
                    self._told.pop(u, None)
            return False, tell
