"""One process against shards on a local Ray instance, on synthetic Arabic-shaped text
(bench/build.py's generator): build time, memory, ask p50/p99 and the fan-out's cost.

    uv run python bench/cluster.py [--sentences 4000000] [--shards 4]

Prints: the build (analysis in worker processes) and the build with `--cluster` (analysis
as Ray tasks); the time to start the shards; the resident memory of one serving process
and of each shard; `Collection.ask` p50/p99 over 200 questions, alone and sharded.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.build import ask_timings, bench_config, bench_questions, write_corpus
from bench.engine import rss_mb
from index.collection import Collection
from index.config import ClusterSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=4_000_000)
    parser.add_argument("--shards", type=int, default=4)
    args = parser.parse_args()
    import ray

    ray.init(log_to_driver=False, include_dashboard=False)
    work = Path(tempfile.mkdtemp(prefix="sanad-cluster-"))
    try:
        docs = work / "docs"
        docs.mkdir()
        words = write_corpus(docs, args.sentences, 50)
        questions = bench_questions(words)
        for name, cluster in (("build", False), ("build --cluster", True)):
            db = work / f"{name.replace(' ', '')}.sqlite3"
            start = time.perf_counter()
            with Collection.open(bench_config(db), prepare=False, cluster=cluster) as collection:
                collection.rebuild([docs])
            print(f"{name}: {time.perf_counter() - start:.1f} s, {args.sentences:,} sentences")
        db = work / "build.sqlite3"
        before = rss_mb()
        alone = Collection.open(bench_config(db))
        _ = alone.searcher
        p50, p99 = ask_timings(alone, questions)
        print(f"one process: {rss_mb() - before:.0f} MB; ask p50 {p50:.1f} ms, p99 {p99:.1f} ms")
        start = time.perf_counter()
        sharded = alone.sharded(ClusterSettings(shards=args.shards))
        engine = sharded.searcher.generation.engine
        started = time.perf_counter() - start
        shards = ray.get([s.memory_mb.remote() for r in engine.actors for s in r])  # type: ignore[attr-defined]
        q50, q99 = ask_timings(sharded, questions)
        print(
            f"{len(shards)} shards: started in {started:.1f} s; "
            f"{' + '.join(f'{m:.0f}' for m in shards)} = {sum(shards):.0f} MB; "
            f"ask p50 {q50:.1f} ms, p99 {q99:.1f} ms (fan-out +{q50 - p50:.1f} ms at p50)"
        )
    finally:
        shutil.rmtree(work, ignore_errors=True)
        ray.shutdown()


if __name__ == "__main__":
    main()
