"""End-to-end scale benchmark: build an index from N real-shaped Arabic sentences on disk,
then open it as `sanad serve` would, ask questions, and add one document.

Usage: uv run python bench/build.py [--sentences 1000000] [--docs-of 50]

Prints: the build's time and peak RSS (read documents → sentences → analysis → SQLite →
engine files), the time to open the saved index and the searcher's RSS, Searcher.ask p50/p99
end to end (analysis, search, spans) over 200 questions, and the time to add one
100-sentence document. The text: pseudo-Arabic words (Arabic letters, some with و / ال / ب
clitics) drawn from the same Zipf law and sentence lengths as bench/engine.py.
"""

from __future__ import annotations

import argparse
import gc
import resource
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engine import HEAPS_BETA, HEAPS_K, LENGTHS, ZIPF_S, rss_mb, synthetic_queries
from index.analysis import Analyzer, LightSegmenter
from index.build import add_document, build_index
from index.documents import parse_document
from index.search import Searcher
from index.store import Store

LETTERS = list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")
CLITICS = ["", "", "", "", "و", "ال", "وال", "ب", "بال", "ل"]


def vocabulary(size: int, rng: np.random.Generator) -> list[str]:
    words = set()
    while len(words) < size:
        length = int(rng.integers(3, 9))
        words.add("".join(rng.choice(LETTERS, length)))
    return sorted(words, key=lambda w: rng.random())


def write_corpus(folder: Path, sentences: int, per_doc: int, seed: int = 3) -> list[str]:
    """Write the documents; return the vocabulary (frequency order) for the questions."""
    rng = np.random.default_rng(seed)
    lengths_k = np.array(list(LENGTHS))
    lengths_p = np.array(list(LENGTHS.values()), dtype=float)
    lengths = rng.choice(lengths_k, size=sentences, p=lengths_p / lengths_p.sum())
    tokens = int(lengths.sum())
    size = int(HEAPS_K * tokens**HEAPS_BETA)
    words = np.array(vocabulary(size, rng), dtype=object)  # index = frequency rank - 1
    p = np.arange(1, size + 1, dtype=float) ** -ZIPF_S
    draws = np.searchsorted(np.cumsum(p / p.sum()), rng.random(tokens))
    clitics = np.array(CLITICS, dtype=object)[rng.integers(0, len(CLITICS), tokens)]
    text_words = clitics + words[np.minimum(draws, size - 1)]
    at = 0
    for d in range(0, sentences, per_doc):
        lines = []
        for length in lengths[d : d + per_doc].tolist():
            lines.append(" ".join(text_words[at : at + length].tolist()) + ".")
            at += length
        (folder / f"doc{d // per_doc:06}.txt").write_text("\n".join(lines) + "\n", "utf-8")
    return words.tolist()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=1_000_000)
    parser.add_argument("--docs-of", type=int, default=50, help="sentences per document")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="sanad-build-"))
    try:
        docs = work / "docs"
        docs.mkdir()
        t = time.perf_counter()
        words = write_corpus(docs, args.sentences, args.docs_of)
        print(
            f"wrote {args.sentences:,} sentences in {len(list(docs.iterdir())):,} documents "
            f"({time.perf_counter() - t:.0f} s)"
        )

        analyzer = Analyzer(LightSegmenter())
        store = Store(work / "index.sqlite3")
        t = time.perf_counter()
        report = build_index(store, analyzer, [docs])
        Searcher(store, analyzer)  # the engine files, as `sanad build` leaves them
        build_s = time.perf_counter() - t
        peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(
            f"build: {build_s:.1f} s for {report.sentences:,} sentences, "
            f"{report.words:,} words; peak RSS {peak:.0f} MB"
        )
        store.close()
        gc.collect()

        before = rss_mb()
        t = time.perf_counter()
        store = Store(work / "index.sqlite3")
        searcher = Searcher(store, Analyzer(LightSegmenter()))
        open_s = time.perf_counter() - t
        # the 200 real question profiles of bench/engine.py, as words of the same rank
        questions = [
            "ما " + " ".join(words[int(t[1:])] for t in q) for q in synthetic_queries(len(words))
        ]
        for q in questions[:20]:
            searcher.ask(q, 3)
        took = []
        for q in questions:
            t = time.perf_counter()
            searcher.ask(q, 3)
            took.append(1000 * (time.perf_counter() - t))
        took.sort()
        print(
            f"open: {open_s:.2f} s; searcher RSS {rss_mb() - before:.0f} MB "
            f"(process {rss_mb():.0f} MB)"
        )
        print(
            f"ask end to end: p50 {statistics.median(took):.2f} ms, "
            f"p99 {took[int(0.99 * len(took))]:.2f} ms"
        )

        doc = parse_document(
            "added.txt",
            "\n".join(
                " ".join(words[(i * 7 + j) % 5000] for j in range(15)) + "." for i in range(100)
            ).encode(),
        )
        t = time.perf_counter()
        add_document(store, searcher.analyzer, doc)
        searcher.reload()
        print(f"add one 100-sentence document: {time.perf_counter() - t:.2f} s")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
