"""Remember which updates were answered, so a restart never answers one twice."""

from __future__ import annotations

import time
from pathlib import Path

from index.sqlite import Database

KEEP_SECONDS = 2 * 86_400  # Telegram keeps undelivered updates for 24 hours


class ProcessedUpdates:
    """update_ids handled to the end, in the index's SQLite file (table ``processed_updates``).

    Telegram redelivers updates whose offset was never confirmed (a crash, a kill -9, a
    failed last getUpdates); those already answered are skipped on the next start.
    """

    def __init__(self, path: Path | str) -> None:
        self._db = Database(path)
        with self._db.transaction() as db:
            db.execute(
                "CREATE TABLE IF NOT EXISTS processed_updates "
                "(update_id INTEGER PRIMARY KEY, at REAL NOT NULL)"
            )
            db.execute("DELETE FROM processed_updates WHERE at < ?", (time.time() - KEEP_SECONDS,))

    def seen(self, update_id: int) -> bool:
        return bool(
            self._db.query("SELECT 1 FROM processed_updates WHERE update_id = ?", (update_id,))
        )

    def done(self, update_id: int) -> None:
        self._db.execute(
            "INSERT OR IGNORE INTO processed_updates(update_id, at) VALUES (?, ?)",
            (update_id, time.time()),
        )

    def close(self) -> None:
        self._db.close()
