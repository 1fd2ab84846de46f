"""One way to open Sanad's SQLite files: WAL, a lock per connection, numbered migrations."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

MEMORY = ":memory:"
BUSY_SECONDS = 60  # a second writer waits this long for the first to finish


class Database:
    """A connection shared by threads for writing (each statement under one lock), in WAL
    mode with foreign keys on, and transactions that are all or nothing; and one for
    reading, so that a question never waits for a writer: it reads what was last
    committed while a transaction is open (a thread inside a transaction reads through it,
    and sees its own changes).

    >>> db = Database(MEMORY)
    >>> with db.transaction() as c:
    ...     _ = c.execute("CREATE TABLE t (x INTEGER)")
    ...     _ = c.execute("INSERT INTO t VALUES (1)")
    >>> db.query("SELECT x FROM t")
    [(1,)]
    """

    def __init__(self, path: Path | str) -> None:
        self.path = str(path)
        if str(path) != MEMORY:
            Path(path).parent.mkdir(parents=True, exist_ok=True)
        self.connection = sqlite3.connect(
            str(path), check_same_thread=False, isolation_level=None, timeout=BUSY_SECONDS
        )
        self.lock = threading.RLock()
        with self.lock:
            self.connection.execute("PRAGMA journal_mode=WAL")
            self.connection.execute("PRAGMA foreign_keys=ON")
            self.connection.execute("PRAGMA synchronous=NORMAL")
        self._writing = threading.local()  # this thread is inside a transaction
        self._reader, self._read_lock = self.connection, self.lock
        if str(path) != MEMORY:  # (a database in memory is one connection's alone)
            self._reader = sqlite3.connect(
                str(path), check_same_thread=False, isolation_level=None, timeout=BUSY_SECONDS
            )
            self._read_lock = threading.RLock()

    def query(self, sql: str, args: Sequence[Any] = ()) -> list[tuple[Any, ...]]:
        """Every row a statement returns (as last committed, unless this thread is inside
        a transaction)."""
        if getattr(self._writing, "active", False):
            with self.lock:
                return self.connection.execute(sql, args).fetchall()
        with self._read_lock:
            return self._reader.execute(sql, args).fetchall()

    def execute(self, sql: str, args: Sequence[Any] = ()) -> int:
        """Run one statement (its own transaction); how many rows it changed."""
        with self.lock:
            return self.connection.execute(sql, args).rowcount

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """BEGIN IMMEDIATE … COMMIT, rolled back on any error."""
        with self.lock:
            self.connection.execute("BEGIN IMMEDIATE")
            outer = getattr(self._writing, "active", False)
            self._writing.active = True
            try:
                yield self.connection
            except BaseException:
                self.connection.execute("ROLLBACK")
                raise
            finally:
                self._writing.active = outer
            self.connection.execute("COMMIT")

    def close(self) -> None:
        with self.lock:
            self.connection.close()
        if self._reader is not self.connection:
            with self._read_lock:
                self._reader.close()


Migration = Callable[[sqlite3.Connection], None]


class NewerSchema(RuntimeError):
    """A file migrated by a newer Sanad than this one (a rollback without its backup)."""


def migrate(db: Database, migrations: Sequence[Migration]) -> int:
    """Bring ``db`` to the newest of its numbered migrations (migration n takes ``PRAGMA
    user_version`` from n-1 to n, in one transaction with the others due); its version
    after. A file already up to date is only read: opening it never waits for a writer.

    >>> db = Database(MEMORY)
    >>> steps = [lambda c: c.execute("CREATE TABLE t (x INTEGER)")]
    >>> migrate(db, steps), migrate(db, steps), db.query("SELECT COUNT(*) FROM t")
    (1, 1, [(0,)])
    >>> migrate(db, [])  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    index.storage.sqlite.NewerSchema: :memory:: made by a newer Sanad (schema 1; this ...
    """
    [(version,)] = db.query("PRAGMA user_version")
    if version > len(migrations):
        raise NewerSchema(
            f"{db.path}: made by a newer Sanad (schema {version}; this one knows"
            f" {len(migrations)}): run that one, or restore the backup made before upgrading"
        )
    if version == len(migrations):
        return version
    with db.transaction() as c:
        [(version,)] = c.execute("PRAGMA user_version").fetchall()  # (another process's?)
        for number in range(version + 1, len(migrations) + 1):
            migrations[number - 1](c)
            c.execute(f"PRAGMA user_version = {number}")
    return max(version, len(migrations))
