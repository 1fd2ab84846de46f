"""Honest "no answer": ask a question set of an index of the seed article alone, print the
share that gets no answer, and check that the seed's own example questions still do.

    uv run python bench/offtopic.py ../shared/eval/xquad-ar/questions.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.build import read_documents
from index.collection import Collection
from index.config import AnalysisSettings, Config

ROOT = Path(__file__).resolve().parent.parent


def main(questions: Path) -> None:
    documents, _ = read_documents([ROOT / "seeds"])
    searcher = Collection.in_memory(documents, Config(analysis=AnalysisSettings("light")))
    asked = [json.loads(line)["question"] for line in questions.open(encoding="utf-8")]
    empty = sum(searcher.ask(q).empty for q in asked)
    share = 100 * empty / len(asked)
    print(f"off-topic: {empty}/{len(asked)} questions get no answer ({share:.1f} %)")
    examples = ROOT / "tests" / "fixtures" / "seed-examples.jsonl"
    for line in examples.open(encoding="utf-8"):
        example = json.loads(line)
        hits = searcher.ask(example["question"]).hits
        good = [any(g in h.text for g in example["gold_any"]) for h in hits]
        print(f"seed example {example['question']}: acceptable sentences in the top 3 {good}")


if __name__ == "__main__":
    main(Path(sys.argv[1]))
