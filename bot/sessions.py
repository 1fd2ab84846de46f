"""State behind inline buttons, in SQLite: a short id per asked question, kept for its TTL."""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from bot.state import open_state
from index.storage.sqlite import Database

PRUNE_EVERY = 500  # sessions opened between two sweeps of expired ones


@dataclass(slots=True)
class Session:
    """One answered question: what was asked, and which sentences are shown for it."""

    question: str
    shown: list[int] = field(default_factory=list)  # sentence ids on the current page
    created: float = 0.0


class Sessions:
    """Question sessions under short ids (they fit in callback_data), in the bot's SQLite
    file (table ``button_sessions``), so that a button works for ``ttl`` seconds whatever
    happens to the process that made it: a restart, a crash, a second bot process behind a
    load balancer. Expired ones are swept now and then.

    >>> s = Sessions(ttl=60, clock=lambda: 0.0)
    >>> sid = s.open("ماذا قال رودينكو؟", [3, 4])
    >>> len(sid), s.get(sid).question, s.get(sid).shown
    (8, 'ماذا قال رودينكو؟', [3, 4])
    >>> s.show(sid, [5]); s.get(sid).shown
    [5]
    >>> s.get("unknown") is None
    True
    """

    def __init__(
        self,
        db: Database | None = None,
        *,
        ttl: float,  # telegram.button_ttl
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.ttl = ttl
        self._clock = clock
        self._db = db or open_state()
        self._opened = 0

    def open(self, question: str, shown: list[int] | None = None) -> str:
        """Keep ``question`` (and the sentences shown for it); return its new id."""
        sid = secrets.token_urlsafe(6)
        now = self._clock()
        self._db.execute(
            "INSERT INTO button_sessions(id, question, shown, created) VALUES (?, ?, ?, ?)",
            (sid, question, json.dumps(shown or []), now),
        )
        self._opened += 1
        if self._opened % PRUNE_EVERY == 0:
            self._db.execute("DELETE FROM button_sessions WHERE created < ?", (now - self.ttl,))
        return sid

    def get(self, sid: str) -> Session | None:
        """The live session, or None when unknown or expired."""
        rows = self._db.query(
            "SELECT question, shown, created FROM button_sessions WHERE id = ?", (sid,)
        )
        if not rows:
            return None
        question, shown, created = rows[0]
        if self._clock() - created > self.ttl:
            return None
        return Session(question, json.loads(shown), created)

    def show(self, sid: str, shown: list[int]) -> None:
        """The sentences now shown for a session (another page of its answer)."""
        self._db.execute(
            "UPDATE button_sessions SET shown = ? WHERE id = ?", (json.dumps(shown), sid)
        )

    def close(self) -> None:
        self._db.close()
