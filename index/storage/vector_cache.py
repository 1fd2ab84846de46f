"""Sentence vectors kept by their text's key in SQLite: the store's table, or a shared file."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np

from index.storage.sqlite import Database, migrate

VECTORS_SCHEMA = """
CREATE TABLE IF NOT EXISTS vectors (
    key    BLOB PRIMARY KEY,
    vector BLOB NOT NULL
) WITHOUT ROWID
"""
STORED = np.float16  # half the bytes, and cosines equal to 1e-3
LOOKUP_BATCH = 500  # keys asked of SQLite in one statement


def _vectors_table(c: sqlite3.Connection) -> None:
    """A vector cache file's migration 1."""
    c.execute(VECTORS_SCHEMA)


class VectorCache:
    """Vectors by :func:`index.retrieval.encoder.text_key`, in one SQLite table (the store's own, or
    a file of its own shared by collections: ``semantic.cache``)."""

    def __init__(self, db: Database) -> None:
        self.db = db  # (its table made by the file's migrations)

    @classmethod
    def file(cls, path: Path) -> VectorCache:
        """A cache in a file of its own (``semantic.cache``), shared by collections."""
        db = Database(path)
        migrate(db, [_vectors_table])
        return cls(db)

    def get(self, keys: Sequence[bytes]) -> dict[bytes, np.ndarray]:
        """The kept vectors of these keys (as float32); absent keys are left out."""
        found: dict[bytes, np.ndarray] = {}
        unique = list(dict.fromkeys(keys))
        for start in range(0, len(unique), LOOKUP_BATCH):
            part = unique[start : start + LOOKUP_BATCH]
            marks = ",".join("?" * len(part))
            for key, blob in self.db.query(
                f"SELECT key, vector FROM vectors WHERE key IN ({marks})", part
            ):
                found[bytes(key)] = np.frombuffer(blob, dtype=STORED).astype(np.float32)
        return found

    def put(self, items: Iterable[tuple[bytes, np.ndarray]]) -> None:
        """Keep these vectors (one transaction)."""
        rows = [(key, np.asarray(v, dtype=STORED).tobytes()) for key, v in items]
        if not rows:
            return
        with self.db.transaction() as db:
            db.executemany("INSERT OR REPLACE INTO vectors(key, vector) VALUES (?, ?)", rows)

    def close(self) -> None:
        self.db.close()
