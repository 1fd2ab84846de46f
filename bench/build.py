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
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.engine import rss_mb, sample_shape, synthetic_queries
from index.analysis import Analyzer, LightSegmenter
from index.build import add_document
from index.documents import parse_document
from index.search import Searcher
from index.store import Store

ROOT = Path(__file__).resolve().parent.parent
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
    lengths, size, draws = sample_shape(sentences, rng)
    tokens = len(draws)
    words = np.array(vocabulary(size, rng), dtype=object)  # index = frequency rank - 1
    clitics = np.array(CLITICS, dtype=object)[rng.integers(0, len(CLITICS), tokens)]
    text_words = clitics + words[draws]
    at = 0
    for d in range(0, sentences, per_doc):
        lines = []
        for length in lengths[d : d + per_doc].tolist():
            lines.append(" ".join(text_words[at : at + length].tolist()) + ".")
            at += length
        (folder / f"doc{d // per_doc:06}.txt").write_text("\n".join(lines) + "\n", "utf-8")
    return words.tolist()


BUILD = """
import sys, time
from pathlib import Path
from index.analysis import Analyzer, LightSegmenter
from index.build import build_index
from index.engine import BM25Params
from index.search import save_index_files
from index.store import Store
t = time.perf_counter()
store = Store(sys.argv[1])
report = build_index(store, Analyzer(LightSegmenter()), [Path(sys.argv[2])])
save_index_files(store, BM25Params())  # what `sanad build` does after the documents
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
print(time.perf_counter() - t, report.sentences, report.words, int(peak.split()[1]) / 1024)
"""

SERVE = """
import json, sys
from index.analysis import Analyzer, LightSegmenter
from index.search import Searcher
from index.store import Store
searcher = Searcher(Store(sys.argv[1]), Analyzer(LightSegmenter()))
for q in json.loads(sys.stdin.read()):
    searcher.ask(q, 3)
# VmHWM, not ru_maxrss: on Linux ru_maxrss survives exec and would report the parent's peak
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
print(int(peak.split()[1]) / 1024)
"""


def serve_like_rss(db: Path, questions: list[str]) -> float:
    """Peak RSS of a fresh process that opens the index and answers the questions, as
    `sanad serve` does (without Telegram)."""
    done = subprocess.run(
        [sys.executable, "-c", SERVE, str(db)],
        input=json.dumps(questions),
        capture_output=True,
        text=True,
        check=True,
        cwd=Path(__file__).resolve().parent.parent,
    )
    return float(done.stdout.strip())


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

        done = subprocess.run(  # as `sanad build` would run: its own process
            [sys.executable, "-c", BUILD, str(work / "index.sqlite3"), str(docs)],
            capture_output=True,
            text=True,
            check=True,
            cwd=ROOT,
        )
        build_s, sentences, words_n, peak = done.stdout.split()
        print(
            f"build: {float(build_s):.1f} s for {int(sentences):,} sentences, "
            f"{int(words_n):,} words; peak RSS {float(peak):.0f} MB"
        )
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

        store.close()
        serve_rss = serve_like_rss(work / "index.sqlite3", questions)
        print(f"a serving process (open + 200 questions): peak RSS {serve_rss:.0f} MB")
        store = Store(work / "index.sqlite3")
        searcher = Searcher(store, Analyzer(LightSegmenter()))
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
