"""Readers beside a writer: `sanad ask`, `sanad status` and `sanad docs` timed in a copy of
the seeds, and a question to the bot (through the fake Bot API, question to reply), first
with nobody writing, then while another connection holds the index's write lock for 20 s
or more (as a build or an upload does); prints the median of 5 runs of each.

    uv run python bench/reader_wait.py
"""

from __future__ import annotations

import sqlite3
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.bot import make_services, running_bot
from harness.fake_telegram import FakeTelegram
from harness.seeds import seeded_project, timed_sanad

QUESTION = "ماذا قال رودينكو عن أوزبكستان؟"
COMMANDS = [["ask", QUESTION], ["status"], ["docs"]]
RUNS = 5


def median_seconds(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    return statistics.median(timed_sanad(args, cwd, env, 120)[0] for _ in range(RUNS))


def bot_seconds(fake: FakeTelegram, first_chat: int) -> float:
    """The median time from a question to the running bot's reply."""
    times = []
    for n in range(RUNS):
        chat = first_chat + n
        start = time.perf_counter()
        fake.message(chat, QUESTION)
        fake.wait_sent("sendMessage", chat, timeout=120)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env = seeded_project(work)
        fake = FakeTelegram().start()
        with running_bot(fake, make_services(work / "bot")):  # a bot serving its own folder
            quiet = {args[0]: median_seconds(args, work, env) for args in COMMANDS}
            quiet["the bot"] = bot_seconds(fake, 5000)
            writers = [
                sqlite3.connect(path, isolation_level=None)
                for path in (work / "data" / "sanad.sqlite3", work / "bot" / "index.sqlite3")
            ]
            for writer in writers:  # the CLI's index, and the bot's
                writer.execute("BEGIN IMMEDIATE")
            held_since = time.perf_counter()
            try:
                held = {args[0]: median_seconds(args, work, env) for args in COMMANDS}
                held["the bot"] = bot_seconds(fake, 6000)
                time.sleep(max(0.0, 20 - (time.perf_counter() - held_since)))
            finally:
                for writer in writers:
                    writer.execute("ROLLBACK")
                    writer.close()
        fake.stop()
        print(f"(the write lock was held {time.perf_counter() - held_since:.0f} s)")
    for name in quiet:
        said = name if name == "the bot" else f"sanad {name}"
        print(f"{said}: {quiet[name]:.2f} s alone, {held[name]:.2f} s beside a writer")


if __name__ == "__main__":
    main()
