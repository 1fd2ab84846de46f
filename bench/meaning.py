"""What matching by meaning costs: the encoder's throughput, a question's vector, and the
nearest-sentence search at 100 k and 1 M sentences (exact, and by bit codes beyond
index.retrieval.vectors.EXACT_UP_TO, with the recall of its top 10 against exact search).

    uv run python bench/meaning.py                      # 100 k and 1 M
    uv run python bench/meaning.py --sizes 100000 --base ../shared/eval/xquad-ar/corpus.jsonl

Encoding a million real sentences takes hours on two cores, so the collections here are
made of real vectors: the seed's sentences (or ``--base``'s), each a mix of two of them
with noise, so that they spread as real vectors do around their common direction.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import index  # noqa: F401  first: it sets up the process as `sanad` does (one BLAS thread)

# isort: split
import numpy as np

from index.build import read_documents
from index.retrieval.encoder import E5Encoder
from index.retrieval.vectors import EXACT_UP_TO, RESCORED, Dense

ROOT = Path(__file__).resolve().parent.parent
QUESTIONS = 50


def base_texts(base: Path | None) -> list[str]:
    if base is None:
        documents, _ = read_documents([ROOT / "seeds"])
        return [s.text for d in documents for s in d.sentences]
    rows = [json.loads(line) for line in base.read_text(encoding="utf-8").splitlines() if line]
    return [str(r["text"]) for r in rows][:2000]


def synthetic(base: np.ndarray, size: int, rng: np.random.Generator) -> np.ndarray:
    """``size`` unit vectors, each two base vectors mixed, with noise as large as their
    spread around the mean."""
    spread = float(np.linalg.norm(base - base.mean(axis=0), axis=1).mean())
    out = np.empty((size, base.shape[1]), dtype=np.float32)
    for start in range(0, size, 100_000):
        n = min(100_000, size - start)
        a = base[rng.integers(len(base), size=n)]
        b = base[rng.integers(len(base), size=n)]
        mix = rng.uniform(0, 1, size=(n, 1)).astype(np.float32)
        noise = rng.standard_normal((n, base.shape[1])).astype(np.float32)
        noise *= spread / np.sqrt(base.shape[1])
        part = mix * a + (1 - mix) * b + noise
        out[start : start + n] = part / np.linalg.norm(part, axis=1, keepdims=True)
    return out


def ms(samples: list[float]) -> str:
    ordered = sorted(samples)
    p99 = ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))]
    return f"p50 {1000 * statistics.median(samples):.1f} ms, p99 {1000 * p99:.1f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--base", type=Path, help="a corpus.jsonl whose sentences to mix")
    parser.add_argument(
        "--exact-up-to", type=int, default=EXACT_UP_TO, help="sentences searched exactly"
    )
    parser.add_argument(
        "--rescored", type=int, default=RESCORED, help="sentences the bit codes keep"
    )
    args = parser.parse_args()
    encoder = E5Encoder()
    texts = base_texts(args.base)

    started = time.perf_counter()
    base = encoder.passages(texts)
    took = time.perf_counter() - started
    print(f"encoder: {len(texts)} sentences in {took:.1f} s ({len(texts) / took:.0f} a second)")

    questions = [f"{texts[i % len(texts)][:80]} ؟ {i}" for i in range(QUESTIONS)]
    timings = []
    vectors = []
    for question in questions:
        started = time.perf_counter()
        vectors.append(encoder.queries([question])[0])
        timings.append(time.perf_counter() - started)
    print(f"a question's vector: {ms(timings)}")

    rng = np.random.default_rng(0)
    for size in (int(s) for s in args.sizes.split(",")):
        matrix = synthetic(base, size, rng)
        exact = Dense(matrix, exact_up_to=size)
        started = time.perf_counter()
        dense = Dense(matrix, exact_up_to=args.exact_up_to, rescored=args.rescored)
        made = time.perf_counter() - started
        search, recall = [], []
        for vector in vectors:
            started = time.perf_counter()
            near = dense.top(vector, 10)
            dense.cosines(vector, [n for n, _ in near] * 6)  # the second stage's candidates
            dense.baseline(vector)
            search.append(time.perf_counter() - started)
            truth = {n for n, _ in exact.top(vector, 10)}
            recall.append(len(truth & {n for n, _ in near}) / 10)
        kind = "exact" if dense.codes is None else f"bit codes, {args.rescored} rescored"
        added = [s + t for s, t in zip(search, timings, strict=True)]
        print(
            f"{size:>9,} sentences ({kind}; ready in {made:.1f} s): search {ms(search)}; "
            f"added to a question with its vector {ms(added)}; "
            f"recall of the top 10 against exact {100 * statistics.mean(recall):.1f} %"
        )


if __name__ == "__main__":
    main()
