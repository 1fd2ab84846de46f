"""A burst of questions to `sanad serve` stopped half-way, then started again: answered, lost,
answered twice, for kill -9 and for SIGINT / SIGTERM to the process group of `uv run`.

Usage: uv run python bench/stops.py [--chats 30] [--per-chat 10]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.fake_telegram import FakeTelegram
from harness.stops import burst_through_a_stop


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chats", type=int, default=30)
    parser.add_argument("--per-chat", type=int, default=10)
    args = parser.parse_args()
    print("| stop | asked | answered before the stop | answered | lost | doubled |")
    print("|---|---|---|---|---|---|")
    for how, label in (
        ("kill", "kill -9"),
        ("int", "SIGINT to uv run's group"),
        ("term", "SIGTERM to uv run's group"),
    ):
        fake = FakeTelegram().start()
        try:
            with tempfile.TemporaryDirectory() as folder:
                o = burst_through_a_stop(Path(folder), fake, how, args.chats, args.per_chat)
        finally:
            fake.stop()
        print(f"| {label} | {o.asked} | {o.before_stop} | {o.answered} | {o.lost} | {o.doubled} |")


if __name__ == "__main__":
    main()
