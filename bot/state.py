"""The bot's own SQLite file, beside the index's: its tables, by numbered migrations."""

# The update journal, button sessions, follow-up turns, question log, votes and the bot's
# status are written while questions are answered; in a file of their own they never wait
# for an upload or a build holding the index's write lock (SQLite has one writer a file).
# One connection (index.storage.sqlite.Database) serves them all.

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from index.storage.sqlite import MEMORY, Database, Migration, migrate

log = logging.getLogger(__name__)

# The tables as Sanad kept them in the index's file until they moved here.
FIRST_TABLES = (
    "CREATE TABLE update_journal (bot INTEGER NOT NULL, update_id INTEGER NOT NULL,"
    " body TEXT NOT NULL, received REAL NOT NULL, done REAL, PRIMARY KEY (bot, update_id))",
    "CREATE TABLE button_sessions (id TEXT PRIMARY KEY, question TEXT NOT NULL,"
    " shown TEXT NOT NULL, created REAL NOT NULL)",
    "CREATE TABLE chat_turns (chat INTEGER NOT NULL, asker INTEGER NOT NULL,"
    " question TEXT NOT NULL, at REAL NOT NULL, PRIMARY KEY (chat, asker))",
    "CREATE TABLE question_log (id INTEGER PRIMARY KEY, at REAL NOT NULL,"
    " answered INTEGER NOT NULL, question TEXT)",
    "CREATE INDEX question_log_at ON question_log(at)",
    "CREATE TABLE feedback_salt (salt TEXT NOT NULL)",
    "CREATE TABLE feedback (id INTEGER PRIMARY KEY, question TEXT NOT NULL,"
    " shown TEXT NOT NULL, chat_hash TEXT NOT NULL, helpful INTEGER NOT NULL,"
    " at TEXT NOT NULL)",
    "CREATE TABLE bot_status (id INTEGER PRIMARY KEY CHECK (id = 1), pid INTEGER NOT NULL,"
    " host TEXT NOT NULL, mode TEXT NOT NULL, started REAL NOT NULL, heard REAL,"
    " stopped REAL)",
)
MOVED = (  # the tables migration 1 copies from the index's file, where they were before
    "update_journal",
    "button_sessions",
    "chat_turns",
    "question_log",
    "feedback_salt",
    "feedback",
    "bot_status",
)


def state_file(index_path: Path) -> Path:
    """Where the bot keeps its records: beside the index's file (in memory with it).

    >>> state_file(Path("data/sanad.sqlite3")).as_posix(), str(state_file(Path(MEMORY)))
    ('data/sanad-bot.sqlite3', ':memory:')
    """
    if str(index_path) == MEMORY:
        return index_path
    return index_path.with_name(f"{index_path.stem}-bot{index_path.suffix}")


def state_of(index_path: Path) -> Database:
    """The bot's file of records for the index at ``index_path`` (see :func:`open_state`)."""
    return open_state(state_file(index_path), earlier=index_path)


def open_state(path: Path | str = MEMORY, earlier: Path | None = None) -> Database:
    """The bot's file at ``path``, migrated to the newest schema. The first time, the records
    an older Sanad kept in the index's file (``earlier``) are copied over; they are left
    there, for a rollback.

    >>> db = open_state()
    >>> db.query("PRAGMA user_version"), len(db.query("SELECT * FROM update_journal"))
    ([(3,)], 0)
    """
    db = Database(path)
    [(version,)] = db.query("PRAGMA user_version")
    copying = version == 0 and earlier is not None and earlier.is_file()
    with db.lock:
        if copying:  # (ATTACH cannot happen inside a transaction)
            db.connection.execute("ATTACH DATABASE ? AS earlier", (str(earlier),))
        try:
            migrate(db, MIGRATIONS)
        finally:
            if copying:
                db.connection.execute("DETACH DATABASE earlier")
    return db


def _first(c: sqlite3.Connection) -> None:
    """Migration 1: the tables, and an older Sanad's records when its index file is
    attached as ``earlier``."""
    for statement in FIRST_TABLES:
        c.execute(statement)
    if any(row[1] == "earlier" for row in c.execute("PRAGMA database_list")):
        _copy_earlier(c)


def _copy_earlier(c: sqlite3.Connection) -> None:
    """The moved tables' rows, from the attached ``earlier`` file (the columns both have)."""
    copied = []
    for table in MOVED:
        there = {row[1] for row in c.execute(f"PRAGMA earlier.table_info({table})")}
        if not there:
            continue
        here = [row[1] for row in c.execute(f"PRAGMA main.table_info({table})")]
        columns = ", ".join(name for name in here if name in there)
        c.execute(
            f"INSERT OR IGNORE INTO main.{table} ({columns}) SELECT {columns} FROM earlier.{table}"
        )
        copied.append(table)
    if copied:
        log.info("the bot's records moved to their own file: %s", ", ".join(copied))


# The bot file's migrations, in order (a new one goes at the end; none is ever changed).
def _chat_sets(c: sqlite3.Connection) -> None:
    """Migration 2: the sets of documents each chat is answered from (none: the default)."""
    c.execute(
        "CREATE TABLE chat_sets (chat INTEGER NOT NULL, name TEXT NOT NULL,"
        " PRIMARY KEY (chat, name)) WITHOUT ROWID"
    )


def _sets_of_questions(c: sqlite3.Connection) -> None:
    """Migration 3: the sets of documents each logged question and vote was answered from
    ('' : every document), so that /stats in a chat speaks of its own sets."""
    c.execute("ALTER TABLE question_log ADD COLUMN sets TEXT NOT NULL DEFAULT ''")
    c.execute("ALTER TABLE feedback ADD COLUMN sets TEXT NOT NULL DEFAULT ''")


MIGRATIONS: list[Migration] = [_first, _chat_sets, _sets_of_questions]
