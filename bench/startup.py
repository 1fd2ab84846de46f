"""Start-up time of the command line: median of 10 runs of `sanad --help` and of a warm
`sanad ask` (the index built beforehand), in a copy of the seeds.

    uv run python bench/startup.py
"""

from __future__ import annotations

import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.seeds import ROOT, SANAD

QUESTION = "ماذا قال رودينكو عن أوزبكستان؟"
RUNS = 10


def median_seconds(args: list[str], cwd: Path) -> float:
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([SANAD, *args], cwd=cwd, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        shutil.copytree(ROOT / "seeds", work / "seeds")
        (work / "config.toml").write_text("", encoding="utf-8")
        subprocess.run([SANAD, "build"], cwd=work, check=True, capture_output=True)
        subprocess.run([SANAD, "ask", QUESTION], cwd=work, check=True, capture_output=True)
        print(f"sanad --help        median of {RUNS}: {median_seconds(['--help'], work):.3f} s")
        warm = median_seconds(["ask", QUESTION], work)
        print(f"sanad ask (warm)    median of {RUNS}: {warm:.3f} s")


if __name__ == "__main__":
    main()
