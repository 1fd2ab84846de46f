"""End-to-end scale benchmark: build an index from N real-shaped Arabic sentences on disk,
then open it as `sanad serve` would, ask questions, and add one document.

Usage: uv run python bench/build.py [--sentences 1000000] [--docs-of 50]

Prints: the build's time and peak RSS (read documents → sentences → analysis → SQLite →
engine files), the time to open the saved index and the searcher's RSS, Collection.ask p50/p99
end to end (analysis, search, spans) over 200 questions, and the time to add one
100-sentence document. The text: pseudo-Arabic words (Arabic letters, some with و / ال / ب
clitics) drawn from the same Zipf law and sentence lengths as bench/engine.py.

Matching by meaning: the encoder's throughput on 256 of the sentences (and what encoding
all of them would take), then ask p50/p99 with matching by meaning on and off. Encoding a
million sentences takes hours on two cores, so the build itself runs with it off and every
other sentence gets a real-shaped vector made from those 256 (bench/meaning.py's
``synthetic``); each question is encoded for real.
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
from bench.meaning import synthetic
from index.collection import Collection
from index.config import AnalysisSettings, Config, IndexSettings
from index.retrieval.encoder import E5_NAME, E5Encoder, passage, text_key
from index.retrieval.settings import SemanticSettings
from index.storage.store import Store

ROOT = Path(__file__).resolve().parent.parent
LETTERS = list("ابتثجحخدذرزسشصضطظعغفقكلمنهوي")
CLITICS = ["", "", "", "", "و", "ال", "وال", "ب", "بال", "ل"]


def vocabulary(size: int, rng: np.random.Generator) -> list[str]:
    words: set[str] = set()
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


def bench_questions(words: list[str]) -> list[str]:
    """The 200 real question profiles of bench/engine.py, as words of the same rank."""
    return ["ما " + " ".join(words[int(t[1:])] for t in q) for q in synthetic_queries(len(words))]


def ask_timings(collection: Collection, questions: list[str]) -> tuple[float, float]:
    """``Collection.ask`` p50 and p99 in ms over ``questions``, after 20 to warm up."""
    for q in questions[:20]:
        collection.ask(q, 3)
    took = []
    for q in questions:
        start = time.perf_counter()
        collection.ask(q, 3)
        took.append(1000 * (time.perf_counter() - start))
    took.sort()
    return statistics.median(took), took[int(0.99 * len(took))]


def bench_config(db: Path, meaning: bool = False) -> Config:
    """The configuration of the benched index: the file ``db``, light segmentation, matching
    by meaning on or off."""
    return Config(
        index=IndexSettings(path=str(db)),
        analysis=AnalysisSettings("light"),
        semantic=SemanticSettings(enabled=meaning),
    )


ENCODED = 256  # sentences the encoder's throughput is measured on


def fill_vectors(db: Path, chunk: int = 50_000) -> float:
    """Keep a vector for every stored sentence: ENCODED of them encoded for real, the rest
    synthetic from those. Returns the encoder's sentences a second."""
    store = Store(db)
    try:
        texts = [passage(title, text) for title, text in store.titled_texts()]
        started = time.perf_counter()
        real = E5Encoder().passages(texts[:ENCODED])
        rate = min(ENCODED, len(texts)) / (time.perf_counter() - started)
        rng = np.random.default_rng(5)
        for start in range(0, len(texts), chunk):
            part = texts[start : start + chunk]
            vectors = synthetic(real, len(part), rng)
            if start == 0:
                vectors[: len(real)] = real[: len(part)]
            store.vectors.put((text_key(E5_NAME, t), v) for t, v in zip(part, vectors, strict=True))
        return rate
    finally:
        store.close()


BUILD = """
import sys, time
from pathlib import Path
from bench.build import bench_config
from index.collection import Collection
t = time.perf_counter()
with Collection.open(bench_config(Path(sys.argv[1])), prepare=False) as collection:
    report = collection.rebuild([Path(sys.argv[2])])  # what `sanad build PATH` does
peak = [line for line in open("/proc/self/status") if line.startswith("VmHWM:")][0]
print(time.perf_counter() - t, report.sentences, report.words, int(peak.split()[1]) / 1024)
"""

ASK = """
import index  # first: it sets up the process as `sanad` does (one BLAS thread)
import json, sys, time
from pathlib import Path
from bench.build import ask_timings, bench_config
from index.collection import Collection
t = time.perf_counter()
collection = Collection.open(bench_config(Path(sys.argv[1]), sys.argv[2] == "True"))
_ = collection.searcher
opened = time.perf_counter() - t
print(opened, *ask_timings(collection, json.loads(sys.stdin.read())))
"""

SERVE = """
import json, sys
from pathlib import Path
from bench.build import bench_config
from index.collection import Collection
collection = Collection.open(bench_config(Path(sys.argv[1])))
for q in json.loads(sys.stdin.read()):
    collection.ask(q, 3)
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
        collection = Collection.open(bench_config(work / "index.sqlite3"))
        _ = collection.searcher  # loaded now, not on the first question
        open_s = time.perf_counter() - t
        questions = bench_questions(words)
        p50, p99 = ask_timings(collection, questions)
        print(
            f"open: {open_s:.2f} s; searcher RSS {rss_mb() - before:.0f} MB "
            f"(process {rss_mb():.0f} MB)"
        )
        print(f"ask end to end: p50 {p50:.2f} ms, p99 {p99:.2f} ms")

        collection.close()
        rate = fill_vectors(work / "index.sqlite3")
        print(
            f"encoder: {rate:.0f} sentences a second; all {args.sentences:,} would take "
            f"{args.sentences / rate / 60:.0f} min (on this machine's cores)"
        )
        for meaning in (False, True):
            done = subprocess.run(  # as `sanad serve` would: its own process
                [sys.executable, "-c", ASK, str(work / "index.sqlite3"), str(meaning)],
                input=json.dumps(questions),
                capture_output=True,
                text=True,
                check=True,
                cwd=ROOT,
            )
            opened, p50, p99 = (float(v) for v in done.stdout.split())
            print(
                f"matching by meaning {'on ' if meaning else 'off'}: ask p50 {p50:.2f} ms, "
                f"p99 {p99:.2f} ms (opened in {opened:.1f} s)"
            )
        serve_rss = serve_like_rss(work / "index.sqlite3", questions)
        print(f"a serving process (open + 200 questions): peak RSS {serve_rss:.0f} MB")
        collection = Collection.open(bench_config(work / "index.sqlite3"))
        collection.ask(questions[0], 3)  # loaded, as in a running bot
        raw = "\n".join(
            " ".join(words[(i * 7 + j) % 5000] for j in range(15)) + "." for i in range(100)
        ).encode()
        t = time.perf_counter()
        collection.add("added.txt", raw, keep_copy=False)
        print(f"add one 100-sentence document: {time.perf_counter() - t:.2f} s")
        collection.close()
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
