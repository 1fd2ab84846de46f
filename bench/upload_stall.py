"""Answers while an admin's upload is stored: the seed's collection answers questions in
one thread while another adds a large text document (as the bot does, in a worker
thread); prints the answer latency before and during the upload, and the longest wait.
Then «ماذا قال …» about the large document (a minister speaks in it now and then): its
latency and the memory it adds.

Then the same through the bot (python-telegram-bot's polling loop against the fake Bot
API): a reader asks a question every 0.2 s while an admin uploads the document, then
while the admin's /reload rebuilds the collection; prints the answers' latencies,
question pushed to answer recorded.

Usage: uv run python bench/upload_stall.py [--mb 15]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from functools import partial
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engine import rss_mb
from bot.limits import RateLimiter
from harness.bot import ADMIN, make_services, running_bot
from harness.fake_telegram import FakeTelegram
from harness.seeds import seed_config
from index.collection import Collection

QUESTIONS = [
    "ماذا قال رودينكو عن أوزبكستان؟",
    "ما حصة روسيا في التجارة الخارجية لكازاخستان؟",
    "متى جاء كلام رودينكو؟",
    "كم مشروع اتفاقية ستوقع روسيا وأوزبكستان؟",
]


def document(megabytes: float) -> bytes:
    """A long report of distinct sentences (numbered, so none repeats)."""
    lines, size, n = [], 0, 0
    while size < megabytes * 2**20:
        line = (
            f"وفي البند رقم {n} من التقرير السنوي ناقشت اللجنة مشروع الطريق {n % 97} "
            f"بين المدينتين وكلفته البالغة {n * 7} مليون دينار.\n"
        )
        if n % 50 == 0:
            line += f"وقال وزير النقل سالم الراشد إن الجسر رقم {n} سيفتتح في موعده.\n"
        lines.append(line)
        size += len(line.encode())
        n += 1
    return "".join(lines).encode()


def ask_while(collection: Collection, busy: threading.Event | None) -> list[float]:
    """Ask the questions in turn (for two seconds, or while ``busy`` is set); latencies, ms."""
    took: list[float] = []
    deadline = time.monotonic() + 2.0
    while (busy.is_set() if busy is not None else time.monotonic() < deadline) or not took:
        for question in QUESTIONS:
            started = time.perf_counter()
            collection.ask(question, 3)
            took.append(1000 * (time.perf_counter() - started))
    return took


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mb", type=float, default=15.0)
    args = parser.parse_args()
    raw = document(args.mb)
    with (
        tempfile.TemporaryDirectory() as folder,
        Collection.open(seed_config(Path(folder))) as collection,
    ):
        quiet = ask_while(collection, None)
        busy = threading.Event()
        busy.set()
        started = time.perf_counter()

        def upload() -> None:
            try:
                collection.add("تقرير.txt", raw, keep_copy=False)
            finally:
                busy.clear()

        writer = threading.Thread(target=upload)
        writer.start()
        during = ask_while(collection, busy)
        writer.join()
        took = time.perf_counter() - started
        before = rss_mb()
        speech = []
        for n in range(20):
            asked = time.perf_counter()
            answer = collection.ask(f"ماذا قال سالم الراشد عن الجسر رقم {n * 50}؟", 3)
            speech.append(1000 * (time.perf_counter() - asked))
        assert answer.hits and answer.hits[0].speaker, "the minister was not found speaking"
        added = rss_mb() - before
    print(f"upload of {len(raw) / 2**20:.1f} MB stored in {took:.1f} s")
    print(
        f"«ماذا قال …» about it: p50 {statistics.median(speech):.1f} ms, longest "
        f"{max(speech):.1f} ms, {added:.0f} MB more memory"
    )
    for name, values in (("quiet", quiet), ("during the upload", during)):
        print(
            f"answers {name}: {len(values)}, p50 {statistics.median(values):.1f} ms, "
            f"longest {max(values):.1f} ms"
        )
    through_the_bot(raw)


def answered(fake: FakeTelegram, message_id: int) -> bool:
    replies = fake.sent("sendMessage", 1001)
    return any(c.params["reply_parameters"]["message_id"] == message_id for c in replies)


def through_the_bot(raw: bytes) -> None:
    """A reader's answer latencies while an admin's upload of ``raw`` is stored, then while
    the admin's /reload rebuilds the collection (seeds and the upload)."""
    fake = FakeTelegram().start()
    try:
        with tempfile.TemporaryDirectory() as folder:
            services = make_services(Path(folder), limiter=RateLimiter(limit=0))
            with running_bot(fake, services):
                fake.document(ADMIN, "تقرير.txt", raw)
                upload = answers_while(fake, 1)
                fake.message(ADMIN, "/reload")
                reload = answers_while(fake, 2)
    finally:
        fake.stop()
    for name, (took, latencies) in (("upload stored", upload), ("/reload done", reload)):
        print(
            f"through the bot: {name} in {took:.1f} s; {len(latencies)} answers meanwhile, "
            f"p50 {statistics.median(latencies):.0f} ms, longest {max(latencies):.0f} ms"
        )


def answers_while(fake: FakeTelegram, replies: int) -> tuple[float, list[float]]:
    """Ask a question every 0.2 s until the admin has ``replies`` replies: how long that
    took, and each answer's latency (ms), question pushed to answer recorded."""
    latencies: list[float] = []
    started = time.monotonic()
    while len(fake.sent("sendMessage", ADMIN)) < replies and time.monotonic() - started < 300:
        asked = fake.message(1001, QUESTIONS[len(latencies) % len(QUESTIONS)])
        pushed = time.monotonic()
        fake.wait_for(partial(answered, fake, asked["message_id"]), timeout=120)
        latencies.append(1000 * (time.monotonic() - pushed))
        time.sleep(0.2)
    return time.monotonic() - started, latencies


if __name__ == "__main__":
    main()
