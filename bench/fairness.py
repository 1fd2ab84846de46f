"""Fairness under a backlog: many users each send a burst of questions at once, a newcomer
asks one a moment later; with Telegram's flood limit (30 messages a second) the backlog
takes a while to drain. Prints the p50 and max wait of every answer and the newcomer's wait.

Usage: uv run python bench/fairness.py [--users 50] [--per-user 20] [--newcomer-after 2]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.bot import make_services, running_bot
from harness.fake_telegram import FakeTelegram
from harness.stops import QUESTIONS


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--per-user", type=int, default=20)
    parser.add_argument("--newcomer-after", type=float, default=2.0)
    args = parser.parse_args()
    fake = FakeTelegram().start()
    pushed: dict[int, float] = {}
    try:
        with (
            tempfile.TemporaryDirectory() as folder,
            running_bot(fake, make_services(Path(folder))),
        ):
            for n in range(args.per_user):
                for user in range(args.users):
                    m = fake.message(70_000 + user, QUESTIONS[(n + user) % len(QUESTIONS)])
                    pushed[m["message_id"]] = time.monotonic()
            time.sleep(args.newcomer_after)
            newcomer = fake.message(79_999, QUESTIONS[0])
            pushed[newcomer["message_id"]] = time.monotonic()
            total = len(pushed)
            fake.wait_for(lambda: len(fake.sent("sendMessage")) >= total, timeout=600)
    finally:
        fake.stop()
    waits = {
        c.params["reply_parameters"]["message_id"]: c.at
        - pushed[c.params["reply_parameters"]["message_id"]]
        for c in fake.sent("sendMessage")
        if c.params.get("reply_parameters")
    }
    all_waits = sorted(waits.values())
    after = args.newcomer_after
    print(f"{args.users} users × {args.per_user} questions, a newcomer after {after:.0f} s")
    print(
        f"wait: p50 {statistics.median(all_waits):.1f} s, max {all_waits[-1]:.1f} s; "
        f"newcomer's first answer after {waits[newcomer['message_id']]:.1f} s; "
        f"typing actions {len(fake.sent('sendChatAction'))} for {len(waits)} answers"
    )


if __name__ == "__main__":
    main()
