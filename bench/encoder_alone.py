"""The encoder alone on a dev set: every question answered by its nearest sentences by
cosine (no words, no threshold), measured as ``sanad eval`` measures Sanad — the
"encoder alone" column of the README's table.

    uv run python bench/encoder_alone.py ../shared/eval/xquad-ar/corpus.jsonl \\
        ../shared/eval/xquad-ar/questions.jsonl

The corpus's vectors are kept in data/eval-vectors.sqlite3, as ``sanad eval`` keeps them.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.cli import EVAL_VECTORS
from index.collection import Collection
from index.config import Config
from index.evaluate import evaluate, load_questions, read_corpus
from index.retrieval.answers import Answer, Hit
from index.retrieval.settings import SemanticSettings
from index.storage.rows import Rows

ROOT = Path(__file__).resolve().parent.parent


class EncoderAlone:
    """Answers a question with the sentences nearest it by cosine, nothing else."""

    def __init__(self, collection: Collection) -> None:
        self.searcher = collection.searcher

    def ask(self, question: str, k: int | None = None) -> Answer:
        now = self.searcher.generation
        meaning = self.searcher.meaning
        assert meaning is not None and now.dense is not None
        vector = meaning.embedding.encoder.queries([question])[0]
        near = now.dense.top(vector, k or 10)
        rows = Rows(self.searcher.store, now.ids).get([n for n, _ in near])
        hits = tuple(
            Hit(
                text=rows[n].text,
                document=now.documents[rows[n].document].name,
                title="",
                ordinal=rows[n].ordinal,
                sentence_count=0,
                score=cosine,
                spans=(),
                sentence_id=rows[n].id,
            )
            for n, cosine in near
        )
        return Answer(question, hits)


def main(corpus: Path, questions: Path) -> None:
    cache = str(ROOT / "data" / EVAL_VECTORS)
    documents, ids = read_corpus(corpus)
    config = Config(semantic=SemanticSettings(cache=cache))
    with Collection.in_memory(documents, config) as collection:
        report = evaluate(EncoderAlone(collection), ids, load_questions(questions))
    r1, r3, mrr = report.summary()
    print(f"encoder alone: R@1 {r1:.1f}%  R@3 {r3:.1f}%  MRR@10 {mrr:.3f}  n={report.n}")


if __name__ == "__main__":
    main(Path(sys.argv[1]), Path(sys.argv[2]))
