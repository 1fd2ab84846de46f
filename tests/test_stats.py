"""What an operator sees of use: /stats in Telegram, `sanad stats` and `sanad feedback` in
the terminal; question texts kept only as long as configured, never with who asked."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from bot import texts
from bot.stats import QuestionLog
from harness.bot import ADMIN, make_services, running_bot
from harness.fake_telegram import FakeTelegram, buttons
from index.cli import main
from tests.conftest import SEEDS

QUESTION = "ماذا قال رودينكو عن أوزبكستان؟"
MISSING = "ما عاصمة البرازيل؟"
USER = 1001


def test_an_admin_sees_the_weeks_questions_and_what_found_no_answer(
    fake: FakeTelegram,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with running_bot(fake, make_services(tmp_path)):
        for n, text in enumerate([QUESTION, MISSING, MISSING, "متى جاء كلام رودينكو؟"], 1):
            fake.message(USER, text)
            fake.wait_for(lambda n=n: len(fake.bot_messages(USER)) == n)
        first = fake.bot_messages(USER)[0]
        fake.press(first, buttons(first)["👍"])
        fake.wait_for(lambda: fake.sent("answerCallbackQuery"))
        fake.message(USER, "/stats")  # not an admin
        fake.wait_for(lambda: len(fake.bot_messages(USER)) == 5)
        fake.message(ADMIN, "/stats")
        [stats] = fake.wait_sent("sendMessage", ADMIN)
    assert fake.bot_messages(USER)[4]["text"] == texts.ADMINS_ONLY
    text = stats.params["text"]
    assert "الأسئلة اليوم: 4، وفي آخر ٧ أيام: 4" in text
    assert "أُجيب منها: 50٪ (2 من 4)" in text
    assert "👍 1 · 👎 0" in text
    assert f"• {MISSING} — 2" in text

    # the same from the terminal, on the same data folder
    (tmp_path / "config.toml").write_text(
        f'[index]\npath = "index.sqlite3"\nseeds = "{SEEDS}"\n', encoding="utf-8"
    )
    monkeypatch.chdir(tmp_path)
    assert main(["stats"]) == 0
    out = capsys.readouterr().out
    assert "questions today: 4, last 7 days: 4" in out and f"2\t{MISSING}" in out
    assert main(["feedback", "--csv"]) == 0
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0] == ["at", "vote", "question", "sentences shown"]
    [(_, vote, question, shown)] = rows[1:]
    assert (vote, question) == ("helpful", QUESTION) and "رودينكو" in shown


def test_question_texts_are_kept_only_as_long_as_configured() -> None:
    now = [0.0]
    log = QuestionLog(keep_days=30, clock=lambda: now[0])
    log.record(MISSING, answered=False)
    now[0] = 31 * 86_400.0
    log.forget()
    log.record(MISSING, answered=False)
    assert log.stats().unanswered == [(MISSING, 1)]  # the old one counted, its text gone
    never = QuestionLog(keep_days=0)
    never.record(MISSING, answered=False)
    stats = never.stats()
    assert (stats.week, stats.unanswered) == (1, [])


def test_the_log_has_no_place_for_who_asked() -> None:
    log = QuestionLog(keep_days=30)
    columns = {row[1] for row in log._db.query("PRAGMA table_info(question_log)")}
    assert columns == {"id", "at", "answered", "question", "sets"}  # sets of documents, no chat
