"""Sets of documents at scale: one collection of N synthetic sentences (bench/build.py's
corpus) cut into S sets of documents, asked the 200 question profiles of bench/engine.py
from the whole collection, from one set, and from the S sets in turn (each set's first
question pays for its statistics: shown apart, as 'first', and again after a restart,
when they are read back); p50 / p99 in ms, and the process's memory with every set's
statistics kept.

    uv run python bench/sets.py --sentences 1000000 --sets 100
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.build import bench_config, bench_questions, write_corpus
from index.collection import Collection


def timings(
    collection: Collection, questions: list[str], sets_of: Callable[[int], list[str] | None]
) -> tuple[float, float]:
    took = []
    for n, question in enumerate(questions):
        start = time.perf_counter()
        collection.ask(question, 3, sets_of(n))
        took.append(1000 * (time.perf_counter() - start))
    took.sort()
    return statistics.median(took), took[int(0.99 * len(took))]


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sentences", type=int, default=200_000)
    parser.add_argument("--sets", type=int, default=100)
    parser.add_argument("--per-doc", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        docs = work / "docs"
        docs.mkdir()
        words = write_corpus(docs, args.sentences, args.per_doc)
        questions = bench_questions(words)
        collection = Collection.open(bench_config(work / "index.sqlite3"), prepare=False)
        started = time.perf_counter()
        collection.rebuild([docs])
        built = time.perf_counter() - started
        names = sorted(p.name for p in docs.iterdir())
        for s in range(args.sets):  # documents dealt to the sets in turn
            collection.assign(names[s :: args.sets], f"s{s}")
        for q in questions[:20]:  # warm up the whole collection's engine
            collection.ask(q, 3)
        whole = timings(collection, questions, lambda n: None)
        start = time.perf_counter()
        collection.ask(questions[0], 3, ["s0"])
        one_first = 1000 * (time.perf_counter() - start)
        one = timings(collection, questions, lambda n: ["s0"])
        firsts = []
        for s in range(1, args.sets):
            start = time.perf_counter()
            collection.ask(questions[s % len(questions)], 3, [f"s{s}"])
            firsts.append(1000 * (time.perf_counter() - start))
        many = timings(collection, questions, lambda n: [f"s{n % args.sets}"])
        memory = rss_mb()
        other = " ".join(words[:50]) + "."  # another set changes: a new generation
        collection.add("another.txt", other.encode(), sets=[f"s{args.sets - 1}"])
        start = time.perf_counter()
        collection.ask(questions[1], 3, ["s1"])
        after_change = 1000 * (time.perf_counter() - start)
        collection.close()
        collection = Collection.open(bench_config(work / "index.sqlite3"), prepare=False)
        collection.ask(questions[0], 3)  # the engine loaded; then a set's first question
        start = time.perf_counter()
        collection.ask(questions[2], 3, ["s2"])
        after_restart = 1000 * (time.perf_counter() - start)
        collection.close()
    print(
        f"{args.sentences:,} sentences in {len(names):,} documents, {args.sets} sets"
        f" (built in {built:.0f} s)"
    )
    print("| asked from | p50 ms | p99 ms |\n|---|---|---|")
    print(f"| the whole collection | {whole[0]:.1f} | {whole[1]:.1f} |")
    print(f"| one set | {one[0]:.1f} | {one[1]:.1f} |")
    print(f"| {args.sets} sets in turn | {many[0]:.1f} | {many[1]:.1f} |")
    print(
        f"a set's first question (its statistics): {one_first:.0f} ms;"
        f" median over the others {statistics.median(firsts):.0f} ms"
    )
    print(f"a set's first question after another set changed: {after_change:.0f} ms")
    print(f"a set's first question after a restart (statistics read back): {after_restart:.0f} ms")
    print(
        f"{args.sets} sets in turn / one set, p50: {many[0] / one[0]:.2f}×;"
        f" memory with every set's statistics: {memory:.0f} MB"
    )


if __name__ == "__main__":
    main()
