"""The bot's records in their own file: made by numbered migrations, carried over on upgrade."""

from __future__ import annotations

import sqlite3
import time
from pathlib import Path

from bot.feedback import FeedbackStore
from bot.journal import UpdateJournal
from bot.state import FIRST_TABLES, MIGRATIONS, state_file, state_of
from bot.stats import QuestionLog

QUESTION = "ماذا قال رودينكو عن أوزبكستان؟"
BODY = '{"update_id": 42}'


def older_index(path: Path) -> None:
    """An index file as an older Sanad left it: the bot's tables beside the documents'."""
    with sqlite3.connect(path) as db:
        for statement in FIRST_TABLES:
            db.execute(statement)
        db.execute("CREATE TABLE documents (id INTEGER PRIMARY KEY, name TEXT)")
        now = time.time()
        db.execute("INSERT INTO update_journal VALUES (7, 41, '', ?, ?)", (now, now))
        db.execute("INSERT INTO update_journal VALUES (7, 42, ?, ?, NULL)", (BODY, now))
        db.execute(
            "INSERT INTO question_log (at, answered, question) VALUES (?, 0, ?)", (now, QUESTION)
        )
        db.execute("INSERT INTO feedback_salt VALUES ('old-salt')")


def test_an_upgrade_keeps_the_questions_waiting_and_the_records(tmp_path: Path) -> None:
    index = tmp_path / "sanad.sqlite3"
    older_index(index)
    records = state_of(index)
    assert state_file(index).is_file()
    journal = UpdateJournal(records, bot=7)
    assert journal.pending() == [(42, BODY)]  # answered after the upgrade
    assert not journal.record(41, "{}")  # a second delivery of an answered one: skipped
    assert QuestionLog(records, keep_days=30).stats().unanswered == [(QUESTION, 1)]
    FeedbackStore(records)  # the old salt kept: a chat's old and new votes group together
    assert records.query("SELECT salt FROM feedback_salt") == [("old-salt",)]
    records.close()
    again = state_of(index)  # opened again: nothing copied twice
    assert len(again.query("SELECT * FROM update_journal")) == 2
    assert again.query("PRAGMA user_version") == [(len(MIGRATIONS),)]


def test_a_new_data_folder_starts_with_empty_records(tmp_path: Path) -> None:
    records = state_of(tmp_path / "sanad.sqlite3")  # no index yet: nothing to carry over
    assert UpdateJournal(records, bot=7).pending() == []
    assert records.query("PRAGMA user_version") == [(len(MIGRATIONS),)]
