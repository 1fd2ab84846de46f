"""Quick retrieval check on a sentence-retrieval set (until `sanad eval` lands).

Usage: uv run python bench/xquad_quick.py CORPUS.jsonl QUESTIONS.jsonl [--segmenter light]
Prints R@1, R@3, R@5 and MRR@10 of the gold sentence over the whole set.
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from index.analysis import Analyzer
from index.camel import make_segmenter
from index.engine import BM25Params, Engine


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("corpus", type=Path)
    p.add_argument("questions", type=Path)
    p.add_argument("--segmenter", default="light")
    p.add_argument("--k1", type=float, default=0.9)
    p.add_argument("--b", type=float, default=0.4)
    args = p.parse_args()
    rows = [json.loads(line) for line in args.corpus.open(encoding="utf-8")]
    questions = [json.loads(line) for line in args.questions.open(encoding="utf-8")]
    analyzer = Analyzer(make_segmenter(args.segmenter))
    started = time.perf_counter()
    engine = Engine([analyzer.terms(r["text"]) for r in rows], BM25Params(args.k1, args.b))
    ids = [r["id"] for r in rows]
    hits = {1: 0, 3: 0, 5: 0}
    mrr = 0.0
    for q in questions:
        ranked = [ids[d] for d, _ in engine.top_k(analyzer.terms(q["question"]), 10, True)]
        gold = set(q["gold"])
        rank = next((i for i, sid in enumerate(ranked, 1) if sid in gold), None)
        for cut in hits:
            hits[cut] += rank is not None and rank <= cut
        mrr += 1 / rank if rank else 0.0
    n = len(questions)
    took = time.perf_counter() - started
    print(f"segmenter={analyzer.signature} k1={args.k1} b={args.b} n={n} ({took:.1f} s)")
    print(" ".join(f"R@{c}={100 * v / n:.1f}%" for c, v in hits.items()) + f" MRR@10={mrr / n:.3f}")


if __name__ == "__main__":
    main()
