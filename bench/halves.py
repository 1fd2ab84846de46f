"""Split a `sanad eval` set into two halves by document (sorted titles: even → A, odd → B),
so weights can be tuned on one half and reported on the other.

    uv run python bench/halves.py ../shared/eval/xquad-ar /tmp/halves
    uv run sanad eval /tmp/halves/B/corpus.jsonl /tmp/halves/B/questions.jsonl
"""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(source: Path, out: Path) -> None:
    corpus = [json.loads(line) for line in (source / "corpus.jsonl").open(encoding="utf-8")]
    questions = [json.loads(line) for line in (source / "questions.jsonl").open(encoding="utf-8")]
    titles = sorted({row["doc"] for row in corpus})
    half_of_title = {title: "AB"[i % 2] for i, title in enumerate(titles)}
    half_of_sentence = {row["id"]: half_of_title[row["doc"]] for row in corpus}
    for half in "AB":
        folder = out / half
        folder.mkdir(parents=True, exist_ok=True)
        rows = [r for r in corpus if half_of_title[r["doc"]] == half]
        asked = [q for q in questions if half_of_sentence[q["gold"][0]] == half]
        for name, items in (("corpus", rows), ("questions", asked)):
            with (folder / f"{name}.jsonl").open("w", encoding="utf-8") as f:
                f.writelines(json.dumps(item, ensure_ascii=False) + "\n" for item in items)
        print(f"{half}: {len(rows)} sentences, {len(asked)} questions → {folder}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
