"""One process against shards on a local Ray instance, on synthetic Arabic-shaped text
(bench/build.py's generator): build time, memory, ask p50/p99 and the fan-out's cost.

    uv run python bench/cluster.py [--sentences 4000000] [--shards 4] [--repeat 3]

Prints, each the median of ``--repeat`` runs: the build (analysis in worker processes,
then the one index) and the build with `--cluster` (analysis and the shards' postings as
Ray tasks); the time to start the shards; the resident memory of one serving process, of
the front and of each shard; `Collection.ask` p50/p99 over 200 questions, alone and
sharded; the shard files on disk.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.build import ask_timings, bench_config, bench_questions, write_corpus
from bench.engine import rss_mb
from index.cluster.actors import connect
from index.collection import Collection
from index.config import ClusterSettings


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=4_000_000)
    parser.add_argument("--shards", type=int, default=4)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    import ray

    connect("")  # a local Ray instance, every core of this machine
    work = Path(tempfile.mkdtemp(prefix="sanad-cluster-"))
    sharding = ClusterSettings(shards=args.shards)
    try:
        docs = work / "docs"
        docs.mkdir()
        words = write_corpus(docs, args.sentences, 50)
        questions = bench_questions(words)
        print(f"{args.sentences:,} sentences, {args.shards} shards, median of {args.repeat}")
        for name, cluster in (("build", False), ("build --cluster", True)):
            took = []
            phases: dict[str, list[float]] = {}
            for run in range(args.repeat):
                db = work / f"{name.replace(' ', '')}{run}.sqlite3"
                config = replace(bench_config(db), cluster=sharding)
                start = time.perf_counter()
                with Collection.open(config, prepare=False, cluster=cluster) as collection:
                    report = collection.rebuild([docs])
                took.append(time.perf_counter() - start)
                for phase, seconds in report.phases.items():
                    phases.setdefault(phase, []).append(seconds)
            each = ", ".join(f"{p} {statistics.median(s):.1f}" for p, s in phases.items())
            print(f"{name}: {statistics.median(took):.1f} s ({_runs(took)}); {each}")
        before = rss_mb()
        alone = Collection.open(bench_config(work / "build0.sqlite3"))
        _ = alone.searcher
        held = rss_mb() - before
        p50, p99 = _median_timings(alone, questions, args.repeat)
        print(f"one process: {held:.0f} MB; ask p50 {p50:.1f} ms, p99 {p99:.1f} ms")
        before = rss_mb()
        start = time.perf_counter()
        config = replace(bench_config(work / "build--cluster0.sqlite3"), cluster=sharding)
        sharded = Collection.open(config, cluster=True)
        engine = sharded.searcher.generation.engine
        started = time.perf_counter() - start
        front = rss_mb() - before
        q50, q99 = _median_timings(sharded, questions, args.repeat)
        shards = [
            i["memory_mb"]
            for i in ray.get([a.info.remote() for r in engine.actors for a in r])  # type: ignore[attr-defined]
        ]
        root = sharded._shard_set().root
        files = sum(f.stat().st_size for f in root.rglob("*") if f.is_file())
        print(
            f"{len(shards)} shards: started in {started:.1f} s; front {front:.0f} MB; shards "
            f"{' + '.join(f'{m:.0f}' for m in shards)} = {sum(shards):.0f} MB; "
            f"files {files / 2**20:.0f} MB; ask p50 {q50:.1f} ms, p99 {q99:.1f} ms "
            f"(fan-out +{q50 - p50:.1f} ms at p50)"
        )
        sharded.close()
        alone.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)
        ray.shutdown()


def _median_timings(collection: Collection, questions: list[str], runs: int) -> tuple[float, float]:
    """The median over ``runs`` rounds of ask p50 and of ask p99."""
    rounds = [ask_timings(collection, questions) for _ in range(runs)]
    return statistics.median(r[0] for r in rounds), statistics.median(r[1] for r in rounds)


def _runs(took: list[float]) -> str:
    return ", ".join(f"{t:.1f}" for t in took)


if __name__ == "__main__":
    main()
