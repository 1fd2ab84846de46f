"""Measure second-stage weights on the A (or B) halves of every dev set at once.

    uv run python bench/halves.py ../shared/eval/xquad-ar /tmp/halves/xquad-ar   # each set
    uv run python bench/tune.py /tmp/halves A context_weight=0.3,0.5 context_ahead=0,0.5,1
    uv run python bench/tune.py /tmp/halves A meaning.weight=0.3,0.5 meaning.candidates=10,20

Each set's half is indexed once; every combination of the given values is then asked of
all of them, and one line per combination prints R@1 / R@3 / MRR@10 per set and their mean.
Names are the second stage's weights (index.retrieval.rerank.Weights), or ``meaning.``
and a field of index.retrieval.search.Meaning (matching by meaning).
"""

from __future__ import annotations

import dataclasses
import itertools
import sys
from pathlib import Path
from typing import Any

from index.collection import Collection
from index.config import Config
from index.evaluate import evaluate, load_questions, read_corpus
from index.retrieval.settings import SemanticSettings


def main(root: Path, half: str, grid: list[str]) -> None:
    # the halves' vectors are kept between runs, by their texts
    config = Config(semantic=SemanticSettings(cache=str(root / "vectors.sqlite3")))
    sets = []
    for folder in sorted(p for p in root.iterdir() if (p / half).is_dir()):
        documents, ids = read_corpus(folder / half / "corpus.jsonl")
        questions = load_questions(folder / half / "questions.jsonl")
        sets.append((folder.name, Collection.in_memory(documents, config), ids, questions))
    names = [item.split("=")[0] for item in grid]
    values = [[float(v) for v in item.split("=")[1].split(",")] for item in grid]
    print("  ".join(names) + "  |  " + "  |  ".join(name for name, *_ in sets) + "  |  mean")
    for combination in itertools.product(*values):
        chosen = dict(zip(names, combination, strict=True))
        weights: dict[str, Any] = {k: v for k, v in chosen.items() if not k.startswith("meaning.")}
        meaning: dict[str, Any] = {
            k.removeprefix("meaning."): int(v) if k.endswith("candidates") else v
            for k, v in chosen.items()
            if k.startswith("meaning.")
        }
        cells, total = [], [0.0, 0.0, 0.0]
        for _, collection, ids, questions in sets:
            searcher = collection.searcher
            searcher.settings = dataclasses.replace(searcher.settings, **weights)
            searcher.generation.reranker.weights = searcher.settings
            now = collection.searcher.meaning
            if now is not None:
                settings = dataclasses.replace(now.settings, **meaning)
                collection.searcher.meaning = dataclasses.replace(now, settings=settings)
            row = evaluate(collection, ids, questions).summary()
            cells.append(f"{row[0]:.1f} {row[1]:.1f} {row[2]:.3f}")
            total = [t + r / len(sets) for t, r in zip(total, row, strict=True)]
        print(
            "  ".join(f"{v:g}" for v in combination)
            + "  |  "
            + "  |  ".join(cells)
            + f"  |  {total[0]:.1f} {total[1]:.1f} {total[2]:.3f}",
            flush=True,
        )


if __name__ == "__main__":
    main(Path(sys.argv[1]), sys.argv[2], sys.argv[3:])
