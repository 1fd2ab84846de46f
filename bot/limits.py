"""Per-user question limits, saying no once, and Telegram's pace for groups."""

from __future__ import annotations

import bisect
import threading
import time
from collections.abc import Callable, Hashable

FORGET_AFTER = 100_000  # users remembered before idle ones are forgotten
GROUP_MESSAGES = 20  # Telegram: about 20 messages a minute to one group, in bursts of up to 20
GROUP_PERIOD = 60.0


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
        self, limit: int, window: float = 60.0, clock: Callable[[], float] = time.time
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


class GroupPace:
    """Telegram's pace for messages to a group (``messages`` per ``period`` seconds, in bursts
    of up to ``messages``), as one leaky bucket per group. The sender books each message's
    slot and waits for it; the update queue asks when a group's next slot is free, so that
    the group's next turn goes to whoever is fairest then. Private chats (ids ≥ 0) have no
    such pace.

    >>> now = [0.0]
    >>> pace = GroupPace(messages=2, period=6, clock=lambda: now[0])
    >>> [pace.book(-5) for _ in range(4)]  # two at once, then one every 3 s
    [0.0, 0.0, 3.0, 6.0]
    >>> pace.wait(-5), pace.wait(-6), pace.wait(42), pace.book(42)
    (9.0, 0.0, 0.0, 0.0)
    >>> now[0] = 9.0
    >>> pace.wait(-5), pace.wait(-5, messages=2)
    (0.0, 3.0)
    """

    def __init__(
        self,
        messages: int = GROUP_MESSAGES,
        period: float = GROUP_PERIOD,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.messages = messages
        self.rate = messages / period  # slots freed a second
        self._clock = clock
        self._level: dict[int, tuple[float, float]] = {}  # group → (booked slots, when)

    def _drained(self, chat: int, now: float) -> float:
        level, when = self._level.get(chat, (0.0, now))
        return max(0.0, level - (now - when) * self.rate)

    def wait(self, chat: int, messages: int = 1) -> float:
        """Seconds until ``messages`` more could go to ``chat`` at once (0: now)."""
        if chat >= 0:
            return 0.0
        level = self._drained(chat, self._clock())
        return max(0.0, (level + messages - self.messages) / self.rate)

    def book(self, chat: int) -> float:
        """Take the next slot for a message to ``chat``: seconds to wait before sending."""
        if chat >= 0:
            return 0.0
        now = self._clock()
        level = self._drained(chat, now)
        if len(self._level) > FORGET_AFTER:  # forget drained groups
            kept = {c: self._level[c] for c in self._level if self._drained(c, now)}
            self._level = kept
        self._level[chat] = (level + 1, now)
        return max(0.0, (level + 1 - self.messages) / self.rate)
