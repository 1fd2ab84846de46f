"""Fairness under a backlog: many users each send a burst of questions at once, a newcomer
asks one a moment later; with Telegram's flood limit (30 messages a second) the backlog
takes a while to drain. Prints the p50 and max wait of every answer and the newcomer's wait.

With --group, the users are members of one group (Telegram lets a bot send it 20 messages
a minute), and newcomers ask there one after another, each at a random moment after the
one before was answered: prints each newcomer's wait, while the backlog is still long.

Usage: uv run python bench/fairness.py [--users 50] [--per-user 20] [--newcomer-after 2]
       uv run python bench/fairness.py --group [--users 30] [--per-user 10] [--newcomers 8]
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import tempfile
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.limits import RateLimiter
from harness.bot import make_services, running_bot
from harness.fake_telegram import FakeTelegram
from harness.stops import QUESTIONS

GROUP = -100_777


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--users", type=int, help="50, or 30 with --group")
    parser.add_argument("--per-user", type=int, help="20, or 10 with --group")
    parser.add_argument("--newcomer-after", type=float, default=2.0)
    parser.add_argument("--group", action="store_true", help="the users in one group")
    parser.add_argument("--newcomers", type=int, default=8, help="with --group")
    args = parser.parse_args()
    if args.group:
        group(args.users or 30, args.per_user or 10, args.newcomers)
        return
    args.users, args.per_user = args.users or 50, args.per_user or 20
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


def group(members: int, per_member: int, newcomers: int) -> None:
    """Newcomers' waits in a group with a long backlog."""
    fake = FakeTelegram().start()
    fake.add_chat(GROUP, "supergroup")
    rng = random.Random(7)
    waits = []
    try:
        with (
            tempfile.TemporaryDirectory() as folder,
            running_bot(fake, make_services(Path(folder), limiter=RateLimiter(limit=0))),
        ):
            for n in range(per_member):
                for member in range(members):
                    question = QUESTIONS[(n + member) % len(QUESTIONS)]
                    fake.message(GROUP, f"/ask {question}", user_id=70_000 + member)
            fake.wait_for(lambda: len(fake.sent("sendMessage", GROUP)) >= 20, timeout=60)
            for n in range(newcomers):
                time.sleep(rng.uniform(0, 3))
                mine = fake.message(GROUP, f"/ask {QUESTIONS[n % len(QUESTIONS)]}", user_id=n + 1)
                asked = time.monotonic()
                fake.wait_for(partial(answered, fake, mine["message_id"]), timeout=120)
                waits.append(time.monotonic() - asked)
            left = members * per_member + newcomers - len(fake.sent("sendMessage", GROUP))
    finally:
        fake.stop()
    print(f"one group, {members} members × {per_member} questions; {newcomers} newcomers")
    print(
        f"newcomers' waits: {', '.join(f'{w:.1f}' for w in waits)} s "
        f"(max {max(waits):.1f} s); {left} members' questions still waiting at the end"
    )


def answered(fake: FakeTelegram, message_id: int) -> bool:
    """Whether a reply to the group's message ``message_id`` went out."""
    sent = fake.sent("sendMessage", GROUP)
    return any(c.params["reply_parameters"]["message_id"] == message_id for c in sent)


if __name__ == "__main__":
    main()
