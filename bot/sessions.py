"""Server-side state behind inline buttons: a short id per asked question, with expiry."""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field


@dataclass(slots=True)
class Session:
    """One answered question: what was asked, and which sentences are shown for it."""

    question: str
    shown: list[int] = field(default_factory=list)  # sentence ids on the current page
    created: float = 0.0


class Sessions:
    """Question sessions under short ids (fit in callback_data), dropped after ``ttl``
    seconds or when more than ``capacity`` are kept (least recently used first).

    >>> s = Sessions(ttl=60, clock=lambda: 0.0)
    >>> sid = s.open("ماذا قال رودينكو؟")
    >>> len(sid), s.get(sid).question
    (8, 'ماذا قال رودينكو؟')
    >>> s.get("unknown") is None
    True
    """

    def __init__(
        self, ttl: float = 86_400, capacity: int = 50_000, clock: Callable[[], float] = time.time
    ) -> None:
        self.ttl = ttl
        self.capacity = capacity
        self._clock = clock
        self._items: OrderedDict[str, Session] = OrderedDict()
        self._lock = threading.Lock()

    def open(self, question: str, shown: list[int] | None = None) -> str:
        """Keep ``question`` (and the sentences shown for it); return its new id."""
        sid = secrets.token_urlsafe(6)
        with self._lock:
            self._items[sid] = Session(question, shown=shown or [], created=self._clock())
            while len(self._items) > self.capacity:
                self._items.popitem(last=False)
        return sid

    def get(self, sid: str) -> Session | None:
        """The live session, or None when unknown or expired."""
        with self._lock:
            session = self._items.get(sid)
            if session is None:
                return None
            if self._clock() - session.created > self.ttl:
                del self._items[sid]
                return None
            self._items.move_to_end(sid)
            return session
