"""Network faults while answering a burst: the link drops (connections refused) for a while,
or sends are reset after Telegram got them. Counts answers delivered, lost, doubled and
apologies, through the real polling loop against the fake Bot API.

Usage: uv run python bench/faults.py [--questions 100]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.texts import SORRY
from harness.bot import make_services, running_bot
from harness.fake_telegram import FakeTelegram
from harness.stops import QUESTIONS


def run(questions: int, fault: str) -> str:
    fake = FakeTelegram().start()
    asked = []
    try:
        with (
            tempfile.TemporaryDirectory() as folder,
            running_bot(fake, make_services(Path(folder)), max_messages_per_second=1000),
        ):
            if fault == "reset":
                fake.fail("sendMessage", 0, "", reset=True, times=questions // 5)
            for n in range(questions):
                asked.append(fake.message(80_000 + n, QUESTIONS[n % len(QUESTIONS)])["message_id"])
            if fault == "offline":
                fake.wait_for(lambda: len(fake.sent("sendMessage", ok=None)) >= questions // 5)
                fake.go_offline()
                time.sleep(2.0)
                fake.go_online()
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline and len(delivered(fake)) < questions:
                time.sleep(0.1)
            time.sleep(1.0)
    finally:
        fake.stop()
    counts = delivered(fake)
    sorry = sum(c.params.get("text") == SORRY for c in fake.sent("sendMessage", ok=None))
    lost = sum(1 for m in asked if not counts[m])
    doubled = sum(1 for m in asked if counts[m] > 1)
    return f"| {fault} | {questions} | {questions - lost} | {lost} | {doubled} | {sorry} |"


def delivered(fake: FakeTelegram) -> Counter[int]:
    """Answers Telegram received (a reset after delivery counts: it arrived)."""
    return Counter(
        c.params["reply_parameters"]["message_id"]
        for c in fake.sent("sendMessage", ok=None)
        if c.params.get("reply_parameters") and (c.ok or c.error == "reset after delivery")
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--questions", type=int, default=100)
    args = parser.parse_args()
    print("| fault | asked | delivered | lost | doubled | «عذرًا» sent |")
    print("|---|---|---|---|---|---|")
    for fault in ("offline", "reset"):
        print(run(args.questions, fault))


if __name__ == "__main__":
    main()
