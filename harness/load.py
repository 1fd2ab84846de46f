"""A burst of questions from many chats through the fake Bot API (used by a test and by
bench/load.py, which prints the latencies)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from bot.limits import RateLimiter
from harness.bot import make_services, running_bot
from harness.fake_telegram import FakeTelegram

QUESTIONS = [
    "ماذا قال رودينكو عن أوزبكستان؟",
    "ما هي حصة روسيا في التجارة الخارجية لكازاخستان؟",
    "متى جاء كلام رودينكو؟",
    "ما موقف روسيا من كازاخستان؟",
    "كم مشروع اتفاقية بين روسيا وأوزبكستان؟",
    "من هو ميخائيل غوسمان؟",
    "ما هو الاتحاد الاقتصادي الأوراسي؟",
    "ما عاصمة البرازيل؟",  # no answer: still one reply
]


@dataclass
class LoadResult:
    questions: int
    replies_per_question: dict[int, list[int]]  # question message id -> chats replied in
    expected_chat: dict[int, int]
    latencies: list[float]  # seconds, push → reply recorded
    seconds: float


def run_burst(tmp_path: Path, chats: int = 100, per_chat: int = 10) -> LoadResult:
    fake = FakeTelegram().start()
    services = make_services(tmp_path, limiter=RateLimiter(limit=per_chat * 2))
    pushed: dict[int, float] = {}
    expected: dict[int, int] = {}
    try:
        with running_bot(fake, services, max_messages_per_second=100_000):
            started = time.monotonic()
            for i in range(per_chat):
                for c in range(chats):
                    chat_id = 10_000 + c
                    message = fake.message(chat_id, QUESTIONS[(i + c) % len(QUESTIONS)])
                    pushed[message["message_id"]] = time.monotonic()
                    expected[message["message_id"]] = chat_id
            total = chats * per_chat
            fake.wait_for(lambda: len(fake.sent("sendMessage")) >= total, timeout=120)
            seconds = time.monotonic() - started
            time.sleep(0.3)  # anything extra would show up now
    finally:
        fake.stop()
    replies: dict[int, list[int]] = {}
    latencies = []
    for call in fake.sent("sendMessage"):
        asked = call.params["reply_parameters"]["message_id"]
        replies.setdefault(asked, []).append(call.params["chat_id"])
        latencies.append(call.at - pushed[asked])
    return LoadResult(len(pushed), replies, expected, sorted(latencies), seconds)
