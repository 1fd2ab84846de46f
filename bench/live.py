"""A live collection at scale: on an index of N real-shaped sentences, the time from
`sanad add` (another process) to the first answer from the new document in a running
reader, and the reader's answer latency while another process adds and removes documents
in a loop, against a quiet reader.

Usage: uv run python bench/live.py [--sentences 1000000] [--seconds 60]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.build import BUILD, ROOT, bench_config, write_corpus
from bench.engine import synthetic_queries
from harness.seeds import SANAD
from index.collection import Collection


def latencies(collection: Collection, questions: list[str], seconds: float) -> list[float]:
    took = []
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        for q in questions:
            t = time.perf_counter()
            collection.ask(q, 3)
            took.append(1000 * (time.perf_counter() - t))
            if time.monotonic() >= deadline:
                break
    return sorted(took)


def summary(took: list[float]) -> str:
    p99 = took[int(0.99 * len(took))]
    return f"p50 {statistics.median(took):.1f} ms, p99 {p99:.1f} ms (n={len(took)})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--seconds", type=float, default=60)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sanad-live-"))
    try:
        docs = work / "docs"
        docs.mkdir()
        words = write_corpus(docs, args.sentences, 50)
        db = work / "index.sqlite3"
        subprocess.run(
            [sys.executable, "-c", BUILD, str(db), str(docs)],
            check=True,
            cwd=ROOT,
            capture_output=True,
        )
        config = bench_config(db)
        env = {
            **os.environ,
            "SANAD_INDEX_PATH": str(db),
            "SANAD_ANALYSIS_SEGMENTER": "light",
            "SANAD_INDEX_UPLOADS": str(work / "uploads"),
        }
        reader = Collection.open(config)
        questions = [
            "ما " + " ".join(words[int(t[1:])] for t in q) for q in synthetic_queries(len(words))
        ]
        reader.ask(questions[0], 3)
        quiet = latencies(reader, questions, args.seconds / 2)
        print(f"{args.sentences:,} sentences; a quiet reader: {summary(quiet)}")

        added = work / "added.txt"
        added.write_text("طشقند عاصمة أوزبكستان وأكبر مدنها وفيها سوق شورسو الشهير.\n", "utf-8")
        t = time.monotonic()
        subprocess.run([SANAD, "add", str(added)], env=env, check=True, capture_output=True)
        command_done = time.monotonic() - t
        while reader.ask("ما سوق شورسو؟", 3).empty:
            time.sleep(0.05)
        print(
            f"`sanad add` of one document: the command takes {command_done:.1f} s; the running "
            f"reader answers from it {time.monotonic() - t:.1f} s after the command started"
        )

        stop = time.monotonic() + args.seconds
        churn = 0

        def writer_loop() -> None:
            nonlocal churn
            n = 0
            while time.monotonic() < stop:
                doc = work / f"churn{n % 3}.txt"
                doc.write_text(f"وثيقة متغيرة رقم {n} عن مدينة بخارى.\n", "utf-8")
                subprocess.run([SANAD, "add", str(doc)], env=env, capture_output=True)
                subprocess.run([SANAD, "remove", doc.name], env=env, capture_output=True)
                churn += 2
                n += 1

        import threading

        thread = threading.Thread(target=writer_loop)
        thread.start()
        busy = latencies(reader, questions, args.seconds)
        thread.join()
        print(f"while another process added and removed {churn} documents: {summary(busy)}")
        reader.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
