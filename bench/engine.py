"""Engine benchmark: Sanad's engine against rank-bm25 and bm25s on synthetic Arabic-shaped
corpora, all measured in one run.

Usage: uv run python bench/engine.py --sizes 10000,100000,1000000 [--repeats 3]

The corpus: sentence lengths drawn from the analysed seed + XQuAD-ar sentences (LENGTHS),
terms from a Zipf law fitted there (exponent 0.76), with a vocabulary growing by Heaps'
law (V = 51 · tokens^0.48: ~6 k types at XQuAD's size, ~150 k at 1 M sentences). The 200
queries (3-8 terms) are real XQuAD-ar questions, each term replaced by the synthetic term
of the same frequency rank (bench/query_ranks.json; ranks only, no text).

Printed per engine and size: build time, resident memory of the index, p50/p99 of a
top-5 search on pre-analysed tokens (median of --repeats rounds), persisted size, load
time, and agreement with BM25Okapi's top 5; then each figure's ratio to rank-bm25 and to
bm25s. rank-bm25's get_scores is skipped at sizes where one query takes over 5 s.
"""

from __future__ import annotations

import argparse
import gc
import json
import math
import os
import pickle
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.retrieval.scoring import BM25Params, Engine

ZIPF_S = 0.76
HEAPS_K, HEAPS_BETA = 51.0, 0.48
# analysed terms per sentence → number of sentences, seed + XQuAD-ar (capped at 80)
LENGTHS = {
    1: 1,
    2: 12,
    3: 13,
    4: 15,
    5: 29,
    6: 29,
    7: 45,
    8: 44,
    9: 59,
    10: 50,
    11: 75,
    12: 69,
    13: 70,
    14: 66,
    15: 57,
    16: 60,
    17: 52,
    18: 54,
    19: 55,
    20: 37,
    21: 37,
    22: 41,
    23: 24,
    24: 32,
    25: 31,
    26: 30,
    27: 20,
    28: 17,
    29: 7,
    30: 12,
    31: 6,
    32: 12,
    33: 9,
    34: 9,
    35: 3,
    36: 5,
    37: 4,
    38: 6,
    39: 3,
    40: 2,
    41: 1,
    42: 1,
    43: 4,
    44: 3,
    45: 3,
    46: 1,
    47: 3,
    48: 2,
    50: 2,
    51: 1,
    52: 1,
    53: 1,
    57: 1,
    60: 1,
    61: 1,
    62: 1,
    65: 1,
    70: 1,
    80: 1,
}
K = 5
SLOW_QUERY_S = 5.0
PARAMS = BM25Params(0.9, 0.4)


def rss_mb() -> float:
    with open("/proc/self/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def sample_shape(n: int, rng: np.random.Generator) -> tuple[np.ndarray, int, np.ndarray]:
    """n sentence lengths, the vocabulary size for that many tokens (Heaps), and each
    token's frequency rank, 0-based (Zipf)."""
    lengths_k = np.array(list(LENGTHS))
    lengths_p = np.array(list(LENGTHS.values()), dtype=float)
    lengths = rng.choice(lengths_k, size=n, p=lengths_p / lengths_p.sum())
    tokens = int(lengths.sum())
    vocabulary = int(HEAPS_K * tokens**HEAPS_BETA)
    p = np.arange(1, vocabulary + 1, dtype=float) ** -ZIPF_S
    draws = np.searchsorted(np.cumsum(p / p.sum()), rng.random(tokens))
    return lengths, vocabulary, np.minimum(draws, vocabulary - 1)


def synthetic_corpus(n: int, seed: int = 1) -> tuple[list[list[str]], int]:
    """n sentences of synthetic terms ("t<rank>"), and the vocabulary size used."""
    lengths, vocabulary, draws = sample_shape(n, np.random.default_rng(seed))
    names = np.array([f"t{i}" for i in range(vocabulary)], dtype=object)
    words = names[draws]
    out, at = [], 0
    for length in lengths.tolist():
        out.append(words[at : at + length].tolist())
        at += length
    return out, vocabulary


def synthetic_queries(vocabulary: int) -> list[list[str]]:
    data = json.loads((Path(__file__).with_name("query_ranks.json")).read_text())
    small = data["vocabulary"] + 1
    scale = math.log(vocabulary) / math.log(small)
    return [[f"t{min(vocabulary, round(r**scale)) - 1}" for r in q] for q in data["queries"]]


def percentile(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))]


def time_queries(
    search: Callable[[list[str]], list[int]], queries: list[list[str]], repeats: int
) -> tuple[float, float, list[list[int]]]:
    rounds = []
    results: list[list[int]] = []
    for _ in range(repeats):
        took = []
        results = []
        for q in queries:
            t = time.perf_counter()
            results.append(search(q))
            took.append(time.perf_counter() - t)
        rounds.append(took)
    p50 = statistics.median(percentile(r, 0.5) for r in rounds) * 1000
    p99 = statistics.median(percentile(r, 0.99) for r in rounds) * 1000
    return p50, p99, results


def folder_mb(path: Path) -> float:
    if path.is_file():
        return path.stat().st_size / 2**20
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20


def bench_sanad(corpus, queries, repeats, work: Path) -> dict:
    gc.collect()
    before = rss_mb()
    t = time.perf_counter()
    built = [Engine(corpus, PARAMS)]  # a list, to let go of the engine before loading
    build = time.perf_counter() - t
    gc.collect()
    memory = rss_mb() - before
    p50, p99, results = time_queries(
        lambda q: [d for d, _ in built[0].top_k(q, K)], queries, repeats
    )
    built[0].save(work / "sanad")
    built.clear()  # free it before loading
    gc.collect()
    t = time.perf_counter()
    loaded = Engine.load(work / "sanad", PARAMS)
    loaded.top_k(queries[0], K)
    load = time.perf_counter() - t
    del loaded
    return dict(
        build=build,
        rss=memory,
        p50=p50,
        p99=p99,
        size=folder_mb(work / "sanad"),
        load=load,
        results=results,
    )


def bench_rank_bm25(corpus, queries, repeats, work: Path) -> dict:
    from rank_bm25 import BM25Okapi

    gc.collect()
    before = rss_mb()
    t = time.perf_counter()
    bm25 = BM25Okapi(corpus, k1=PARAMS.k1, b=PARAMS.b, epsilon=PARAMS.epsilon)
    build = time.perf_counter() - t
    gc.collect()
    memory = rss_mb() - before

    def search(q: list[str]) -> list[int]:
        scores = bm25.get_scores(q)
        return np.lexsort((np.arange(len(scores)), -scores))[:K].tolist()

    t = time.perf_counter()
    search(queries[0])
    one = time.perf_counter() - t
    if one > SLOW_QUERY_S:
        result: dict[str, object] = dict(
            build=build, rss=memory, p50=math.nan, p99=math.nan, skipped=True
        )
    else:
        p50, p99, results = time_queries(search, queries, 1 if one > 0.2 else repeats)
        result = dict(build=build, rss=memory, p50=p50, p99=p99, results=results)
    with open(work / "rank_bm25.pkl", "wb") as out:
        pickle.dump(bm25, out)
    bm25 = None
    gc.collect()
    t = time.perf_counter()
    with open(work / "rank_bm25.pkl", "rb") as f:
        pickle.load(f)
    result.update(size=folder_mb(work / "rank_bm25.pkl"), load=time.perf_counter() - t)
    return result


def bench_bm25s(corpus, queries, repeats, work: Path, backend: str = "numpy") -> dict:
    import bm25s

    gc.collect()
    before = rss_mb()
    t = time.perf_counter()
    retriever = bm25s.BM25(k1=PARAMS.k1, b=PARAMS.b, method="robertson", backend=backend)
    retriever.index(corpus, show_progress=False)
    build = time.perf_counter() - t
    gc.collect()
    memory = rss_mb() - before

    def search(q: list[str]) -> list[int]:
        known = [w for w in q if w in retriever.vocab_dict]
        if not known:
            return []
        ids, _ = retriever.retrieve([known], k=K, show_progress=False, n_threads=1)
        return ids[0].tolist()

    p50, p99, results = time_queries(search, queries, repeats)
    retriever.save(str(work / "bm25s"))
    retriever = None
    gc.collect()
    t = time.perf_counter()
    bm25s.BM25.load(str(work / "bm25s"), mmap=True)
    load = time.perf_counter() - t
    return dict(
        build=build,
        rss=memory,
        p50=p50,
        p99=p99,
        size=folder_mb(work / "bm25s"),
        load=load,
        results=results,
    )


def agreement(results: list[list[int]] | None, reference: list[list[int]] | None) -> str:
    if results is None or reference is None:
        return "-"
    same = sum(a == b for a, b in zip(results, reference, strict=True))
    return f"{100 * same / len(reference):.0f}%"


def ratio(a: float, b: float) -> str:
    if not (a == a and b == b) or b == 0:  # NaN
        return "-"
    return f"{a / b:.2g}×"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--engines", default="sanad,rank_bm25,bm25s")
    args = parser.parse_args()
    engines = args.engines.split(",")
    benches = {"sanad": bench_sanad, "rank_bm25": bench_rank_bm25, "bm25s": bench_bm25s}
    for size in (int(s) for s in args.sizes.split(",")):
        corpus, vocabulary = synthetic_corpus(size)
        queries = synthetic_queries(vocabulary)
        types = len({w for doc in corpus for w in doc})
        print(
            f"\n## {size:,} sentences, {sum(map(len, corpus)):,} tokens, {types:,} types, "
            f"{len(queries)} queries, top {K}, one thread"
        )
        rows: dict[str, dict] = {}
        work = Path(tempfile.mkdtemp(prefix="sanad-bench-"))
        try:
            for name in engines:
                rows[name] = benches[name](corpus, queries, args.repeats, work)
                print(f"  measured {name}", file=sys.stderr, flush=True)
        finally:
            shutil.rmtree(work, ignore_errors=True)
        reference = rows.get("rank_bm25", {}).get("results")
        if reference is None and "sanad" in rows:
            reference = rows["sanad"]["results"]  # exact by construction (tests prove it)
        header = (
            f"| engine | build s | index RSS MB | p50 ms | p99 ms | persisted MB | "
            f"load s | top-{K} = BM25Okapi |"
        )
        print(header)
        print("|" + "---|" * 8)
        for name, r in rows.items():
            print(
                f"| {name} | {r['build']:.2f} | {r['rss']:.0f} | {r['p50']:.3f} | "
                f"{r['p99']:.3f} | {r.get('size', math.nan):.1f} | {r.get('load', math.nan):.3f} |"
                f" {agreement(r.get('results'), reference)} |"
            )
        for base in ("rank_bm25", "bm25s"):
            if base not in rows or "sanad" not in rows:
                continue
            s, b = rows["sanad"], rows[base]
            print(
                f"sanad / {base}: build {ratio(s['build'], b['build'])}, "
                f"RSS {ratio(s['rss'], b['rss'])}, p50 {ratio(s['p50'], b['p50'])}, "
                f"p99 {ratio(s['p99'], b['p99'])}, size {ratio(s['size'], b['size'])}, "
                f"load {ratio(s['load'], b['load'])}"
            )
        del corpus
        gc.collect()
    print(f"\n(pid {os.getpid()}; {time.strftime('%Y-%m-%d %H:%M')})")


if __name__ == "__main__":
    main()
