"""Readers beside a writer: `sanad ask`, `sanad status` and `sanad docs` timed in a copy of
the seeds, first with nobody writing, then while another connection holds the index's
write lock (as a build or an upload does); prints the median of 5 runs of each.

    uv run python bench/reader_wait.py
"""

from __future__ import annotations

import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.seeds import SEEDS, sanad_free_environ

SANAD = str(Path(sys.executable).parent / "sanad")
QUESTION = "ماذا قال رودينكو عن أوزبكستان؟"
COMMANDS = [["ask", QUESTION], ["status"], ["docs"]]
RUNS = 5


def median_seconds(args: list[str], cwd: Path, env: dict[str, str]) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([SANAD, *args], cwd=cwd, env=env, capture_output=True, timeout=120)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        shutil.copytree(SEEDS, work / "seeds")
        env = sanad_free_environ()
        subprocess.run([SANAD, "build"], cwd=work, env=env, check=True, capture_output=True)
        quiet = {args[0]: median_seconds(args, work, env) for args in COMMANDS}
        writer = sqlite3.connect(work / "data" / "sanad.sqlite3", isolation_level=None)
        writer.execute("BEGIN IMMEDIATE")
        try:
            held = {args[0]: median_seconds(args, work, env) for args in COMMANDS}
        finally:
            writer.execute("ROLLBACK")
            writer.close()
    for name in quiet:
        print(f"sanad {name}: {quiet[name]:.2f} s alone, {held[name]:.2f} s beside a writer")


if __name__ == "__main__":
    main()
