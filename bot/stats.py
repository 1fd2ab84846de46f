"""What people asked and how it went, for operators: a log that never names the asker."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass

from bot.state import open_state
from index.storage.sqlite import Database

DAY = 86_400.0
TOP = 5  # unanswered questions and busiest hours shown


@dataclass(frozen=True, slots=True)
class Stats:
    """The operator's summary at one moment."""

    today: int  # questions since local midnight
    week: int  # questions in the last 7 days
    answered: int  # of the week's, those that got sentences
    helpful: int  # 👍 in the last 7 days
    unhelpful: int  # 👎
    unanswered: list[tuple[str, int]]  # the week's most asked questions with no answer
    hours: list[tuple[int, int]]  # the week's busiest hours of the day (local), with counts

    @property
    def answered_share(self) -> float:
        return self.answered / self.week if self.week else 0.0


class QuestionLog:
    """Every question the bot answered or could not (table ``question_log`` of the index
    file): when, whether it got sentences, and its text — never who asked or where. Texts
    older than ``keep_days`` are blanked (the counts stay); with 0 none is kept.

    >>> log = QuestionLog(keep_days=30, clock=lambda: 1_000_000.0)
    >>> log.record("ما عاصمة البرازيل؟", answered=False)
    >>> log.record("ما عاصمة البرازيل؟", answered=False)
    >>> log.record("ماذا قال رودينكو؟", answered=True)
    >>> s = log.stats()
    >>> s.week, s.answered, s.unanswered
    (3, 1, [('ما عاصمة البرازيل؟', 2)])
    """

    def __init__(
        self,
        db: Database | None = None,
        *,
        keep_days: float,  # telegram.keep_questions_days
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.keep_days = keep_days
        self._clock = clock
        self._db = db or open_state()
        self._recorded = 0

    def record(self, question: str, answered: bool, sets: str = "") -> None:
        """One question, whether it got sentences (its text only if texts are kept) and
        the sets it was answered from (see bot.chat_sets.scope_key)."""
        now = self._clock()
        text = " ".join(question.split())[:500] if self.keep_days > 0 else None
        self._db.execute(
            "INSERT INTO question_log(at, answered, question, sets) VALUES (?, ?, ?, ?)",
            (now, int(answered), text, sets),
        )
        self._recorded += 1
        if self._recorded % 100 == 1:
            self.forget()

    def forget(self) -> None:
        """Blank the texts older than ``keep_days`` (all of them with 0)."""
        cutoff = self._clock() - self.keep_days * DAY
        self._db.execute(
            "UPDATE question_log SET question = NULL WHERE question IS NOT NULL AND at < ?",
            (cutoff if self.keep_days > 0 else float("inf"),),
        )

    def stats(self, votes: tuple[int, int] = (0, 0), sets: str | None = None) -> Stats:
        """The summary now (of the questions answered from ``sets``, when given); ``votes``:
        the last 7 days' 👍 and 👎 (from the feedback)."""
        now = self._clock()
        local = time.localtime(now)
        midnight = now - (local.tm_hour * 3600 + local.tm_min * 60 + local.tm_sec)
        rows = self._db.query(
            "SELECT at, answered, question FROM question_log WHERE at >= ?"
            + ("" if sets is None else " AND sets = ?"),
            (now - 7 * DAY, *(() if sets is None else (sets,))),
        )
        missed = Counter(q for _, answered, q in rows if not answered and q)
        hours = Counter(time.localtime(at).tm_hour for at, _, _ in rows)
        return Stats(
            today=sum(1 for at, _, _ in rows if at >= midnight),
            week=len(rows),
            answered=sum(1 for _, answered, _ in rows if answered),
            helpful=votes[0],
            unhelpful=votes[1],
            unanswered=missed.most_common(TOP),
            hours=sorted(hours.most_common(TOP), key=lambda h: (-h[1], h[0])),
        )

    def close(self) -> None:
        self._db.close()
