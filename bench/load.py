"""Answer latency under a burst: N chats × M questions pushed at once through the fake Bot API.

Usage: uv run python bench/load.py [--chats 100] [--per-chat 10]
Prints p50/p90/p99/max latency (question pushed → answer recorded by the fake) and throughput.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from harness.load import run_burst


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--chats", type=int, default=100)
    p.add_argument("--per-chat", type=int, default=10)
    args = p.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        r = run_burst(Path(folder), args.chats, args.per_chat)
    lat = r.latencies
    once = sum(len(c) == 1 for c in r.replies_per_question.values())

    def q(p: float) -> float:
        return 1000 * lat[min(len(lat) - 1, int(p * len(lat)))]

    print(
        f"questions {r.questions}, answered exactly once {once}, in {r.seconds:.1f} s "
        f"({r.questions / r.seconds:.0f} answers/s)"
    )
    print(
        f"latency ms: p50 {q(0.50):.0f}  p90 {q(0.90):.0f}  p99 {q(0.99):.0f}  "
        f"max {1000 * lat[-1]:.0f}  mean {1000 * statistics.mean(lat):.0f}"
    )


if __name__ == "__main__":
    main()
