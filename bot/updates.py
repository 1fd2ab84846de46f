"""Remember which updates were answered, so a restart never answers one twice."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

KEEP_SECONDS = 2 * 86_400  # Telegram keeps undelivered updates for 24 hours


class ProcessedUpdates:
    """update_ids handled to the end, in the index's SQLite file (table ``processed_updates``).

    Telegram redelivers updates whose offset was never confirmed (a crash, a kill -9, a
    failed last getUpdates); those already answered are skipped on the next start.
    """

    def __init__(self, path: Path | str) -> None:
        self._db = sqlite3.connect(str(path), check_same_thread=False, isolation_level=None)
        self._lock = threading.Lock()
        with self._lock:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute(
                "CREATE TABLE IF NOT EXISTS processed_updates "
                "(update_id INTEGER PRIMARY KEY, at REAL NOT NULL)"
            )
            self._db.execute(
                "DELETE FROM processed_updates WHERE at < ?", (time.time() - KEEP_SECONDS,)
            )

    def seen(self, update_id: int) -> bool:
        with self._lock:
            row = self._db.execute(
                "SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,)
            ).fetchone()
        return row is not None

    def done(self, update_id: int) -> None:
        with self._lock:
            self._db.execute(
                "INSERT OR IGNORE INTO processed_updates(update_id, at) VALUES (?, ?)",
                (update_id, time.time()),
            )

    def close(self) -> None:
        self._db.close()
