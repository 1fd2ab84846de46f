"""Every question of the shared dev sets asked of one machine and of 3 shards on a local
Ray instance, with matching by meaning on (the shards hold the vectors) unless
SANAD_SEMANTIC_ENABLED=0: how many were compared, how many differ (hits, order, scores
within 1e-9, marks, speakers, found by meaning). The corpora's vectors are kept in
data/eval-vectors.sqlite3, as ``sanad eval`` keeps them.

    uv run python bench/cluster_exact.py ../shared/eval
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from index.cli import EVAL_VECTORS
from index.collection import Collection
from index.config import ClusterSettings, Config, load_config
from index.evaluate import corpus_documents
from index.retrieval.settings import SemanticSettings
from tests.test_cluster import same


def main(root: Path) -> None:
    import ray

    ray.init(num_cpus=2, log_to_driver=False, include_dashboard=False)
    on = load_config().semantic.enabled  # SANAD_SEMANTIC_ENABLED=0: off
    cache = str(Path(__file__).resolve().parent.parent / "data" / EVAL_VECTORS)
    config = Config(semantic=SemanticSettings(enabled=on, cache=cache))
    print(f"matching by meaning {'on' if on else 'off'}")
    for folder in sorted(p for p in root.iterdir() if (p / "corpus.jsonl").is_file()):
        rows = [json.loads(line) for line in (folder / "corpus.jsonl").open(encoding="utf-8")]
        docs = corpus_documents(rows)[0]
        asked = [json.loads(line)["question"] for line in (folder / "questions.jsonl").open()]
        one = Collection.in_memory(docs, config)
        many = one.sharded(ClusterSettings(shards=3))
        start = time.perf_counter()
        differ = sum(not same(one.ask(q, 10), many.ask(q, 10)) for q in asked)
        took = time.perf_counter() - start
        print(f"{folder.name}: {len(asked)} questions compared, {differ} differ ({took:.0f} s)")
    ray.shutdown()


if __name__ == "__main__":
    main(Path(sys.argv[1]))
