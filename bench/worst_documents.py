"""The worst text an operator can add: 2 MB on one line with no stop (and a 6,000-character
first line with none). Times `sanad add` of it in a copy of the seeds, then `sanad ask` of
a question it answers and of the mission question (median of 5), and the longest sentence
kept, as `sanad ask --json` prints it.

    uv run python bench/worst_documents.py
"""

from __future__ import annotations

import json
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.seeds import seeded_project, timed_sanad

FILLER = "تتناول الفقرة موضوعات عامة بلا علامة وقف واحدة "
QUESTIONS = ["أين يزور رودينكو سمرقند؟", "ماذا قال رودينكو عن أوزبكستان؟"]
RUNS = 5


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        env = seeded_project(work)
        worst = work / "no-stops.txt"
        worst.write_text((FILLER * 40 + "رودينكو يزور سمرقند ") * 600, encoding="utf-8")
        (work / "long-line.txt").write_text(FILLER * 130 + "\nنص.\n", encoding="utf-8")
        size = worst.stat().st_size
        added, _ = timed_sanad(["add", str(worst), str(work / "long-line.txt")], work, env)
        print(f"sanad add of {size / 1e6:.1f} MB with no stop: {added:.1f} s")
        for question in QUESTIONS:
            times = [timed_sanad(["ask", question], work, env)[0] for _ in range(RUNS)]
            _, out = timed_sanad(["ask", "--json", question], work, env)
            longest = max((len(h["text"]) for h in json.loads(out)["hits"]), default=0)
            print(
                f"sanad ask {question}: {statistics.median(times):.2f} s (median of {RUNS}),"
                f" --json {len(out.encode()) / 1e3:.1f} kB, longest hit {longest} characters"
            )


if __name__ == "__main__":
    main()
