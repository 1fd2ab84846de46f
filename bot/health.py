"""Is the bot alive and reaching Telegram: a heartbeat in SQLite, one log line per outage."""

from __future__ import annotations

import logging
import os
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from bot.state import open_state
from index.storage.sqlite import Database

log = logging.getLogger(__name__)

WRITE_EVERY = 15.0  # seconds between two heartbeat writes while all is well
OUTAGE_GRACE = 60.0  # Telegram out of reach this long before the log says so (once)


@dataclass(frozen=True, slots=True)
class Status:
    """The bot last seen on a data folder: its process, how it gets updates, since when it
    runs and when it last heard from Telegram (None: not yet); ``stopped`` when it ended."""

    pid: int
    host: str
    mode: str
    started: float
    heard: float | None
    stopped: float | None

    @property
    def running(self) -> bool:
        """Its process is alive (on this machine; another host's cannot be told)."""
        if self.stopped is not None:
            return False
        if self.host != socket.gethostname():
            return True
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return False
        except PermissionError:
            return True
        return True


class Heartbeat:
    """What the running bot writes about itself (table ``bot_status`` of the index file),
    for ``sanad status`` and ``GET /healthz``. :meth:`heard` after every answer from
    Telegram (a poll, a webhook post), :meth:`failed` after every failure to reach it:
    an outage is logged once when it has lasted ``OUTAGE_GRACE`` seconds, and its end once.

    >>> now = [100.0]
    >>> beat = Heartbeat(clock=lambda: now[0])
    >>> beat.start("polling"); beat.heard(); beat.last_heard
    100.0
    >>> now[0] = 130.0; beat.failed(OSError("down"))
    >>> now[0] = 200.0; beat.failed(OSError("down")); beat.outage_since
    130.0
    >>> now[0] = 210.0; beat.heard(); beat.outage_since is None
    True
    """

    def __init__(self, db: Database | None = None, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        self._db = db or open_state()
        self._written = 0.0
        self.last_heard: float | None = None
        self.outage_since: float | None = None
        self._outage_logged = False

    def start(self, mode: str) -> None:
        """This process now runs the bot on this data folder."""
        self._db.execute(
            "INSERT OR REPLACE INTO bot_status(id, pid, host, mode, started, heard, stopped) "
            "VALUES (1, ?, ?, ?, ?, NULL, NULL)",
            (os.getpid(), socket.gethostname(), mode, self._clock()),
        )

    def heard(self) -> None:
        """Telegram answered (or posted an update)."""
        now = self._clock()
        if self._outage_logged and self.outage_since is not None:
            log.warning("Telegram is reachable again, after %.0f s", now - self.outage_since)
        self.outage_since, self._outage_logged = None, False
        self.last_heard = now
        if now - self._written >= WRITE_EVERY or self._written == 0.0:
            self._written = now
            self._db.execute("UPDATE bot_status SET heard = ? WHERE id = 1", (now,))

    def failed(self, error: BaseException) -> None:
        """A call to Telegram failed for want of a network: logged once per outage."""
        now = self._clock()
        if self.outage_since is None:
            self.outage_since = now
        elif not self._outage_logged and now - self.outage_since >= OUTAGE_GRACE:
            self._outage_logged = True
            log.warning(
                "cannot reach Telegram for %.0f s (%s); still trying, quietly",
                now - self.outage_since,
                error,
            )

    def stop(self) -> None:
        self._db.execute("UPDATE bot_status SET stopped = ? WHERE id = 1", (self._clock(),))

    def close(self) -> None:
        self._db.close()


def read_status(path: Path) -> Status | None:
    """The bot last seen with this file of records (:func:`bot.state.state_file`), or None
    when none ever ran on it."""
    if not path.is_file():
        return None
    db = Database(path)
    try:
        exists = db.query(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'bot_status'"
        )
        query = "SELECT pid, host, mode, started, heard, stopped FROM bot_status"
        rows = db.query(query) if exists else []
    finally:
        db.close()
    return Status(*rows[0]) if rows else None
