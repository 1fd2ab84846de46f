"""A tiny run of the engine benchmark, so that it keeps working (the real runs are not CI's)."""

import subprocess
import sys

from tests.conftest import ROOT


def test_engine_bench_runs_and_agrees_with_bm25okapi() -> None:
    done = subprocess.run(
        [sys.executable, "bench/engine.py", "--sizes", "3000", "--repeats", "1"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    rows = {
        line.split("|")[1].strip(): line
        for line in done.stdout.splitlines()
        if line.startswith("| ") and "engine" not in line
    }
    assert set(rows) == {"sanad", "rank_bm25", "bm25s"}
    assert rows["sanad"].rstrip().endswith("| 100% |")  # same top 5 as BM25Okapi
    assert "sanad / rank_bm25:" in done.stdout and "sanad / bm25s:" in done.stdout
