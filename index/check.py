"""An operator's check of a collection, like ``git fsck``: store, engine files, exact scores."""

from __future__ import annotations

import random
from dataclasses import dataclass

import numpy as np
from rank_bm25 import BM25Okapi

from index.retrieval.encoder import passage, text_key
from index.retrieval.scoring import BM25Params
from index.retrieval.segments import read_engine_files
from index.storage.store import Store

SAMPLE = 20  # questions whose scores are compared with rank_bm25's
RTOL = 1e-9


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of the check: what was looked at, and whether it is sound."""

    ok: bool
    line: str

    def __str__(self) -> str:
        return f"{'ok  ' if self.ok else 'FAIL'} {self.line}"


def check_vectors(store: Store, model: str) -> Finding:
    """Every stored sentence has its vector (by ``model``, kept by its text)."""
    texts = store.titled_texts()
    keys = {text_key(model, passage(title, text)) for title, text in texts}
    missing = len(keys) - len(store.vectors.get(list(keys)))
    if missing:
        return Finding(
            False,
            f"vectors: {missing} of {len(keys)} sentence texts have none (sanad build adds them)",
        )
    return Finding(True, f"vectors: every sentence has one ({len(texts)} sentences, {model})")


def check_store(
    store: Store, params: BM25Params, sample: int = SAMPLE, model: str | None = None
) -> list[Finding]:
    """SQLite's own integrity check; the saved engine files fit the store's generation and
    list its sentences in order; on ``sample`` questions made of stored sentences' terms,
    the engine's scores for every sentence equal ``rank_bm25.BM25Okapi``'s built from the
    stored terms (relative tolerance 1e-9); with a ``model`` (matching by meaning on),
    every sentence has its vector."""
    findings = [
        Finding(True, "sqlite integrity_check")
        if store.integrity_ok()
        else Finding(False, "sqlite integrity_check reports damage (restore a backup)")
    ]
    ids: list[int] = []
    corpus: list[list[str]] = []
    for sentence_id, terms in store.corpus():
        ids.append(sentence_id)
        corpus.append(terms)
    generation = store.generation
    found = read_engine_files(store, params)
    if found is None:
        findings.append(
            Finding(
                False,
                f"engine files: none fits generation {generation} (sanad build rewrites them)",
            )
        )
        return findings
    engine, engine_ids = found
    if not np.array_equal(np.asarray(engine_ids), np.asarray(ids, dtype=np.int64)):
        findings.append(
            Finding(
                False,
                "engine files: their sentences are not the store's "
                f"({len(engine_ids)} against {len(ids)})",
            )
        )
        return findings
    findings.append(
        Finding(True, f"engine files fit generation {generation}, {len(ids)} sentences")
    )
    if model is not None:
        findings.append(check_vectors(store, model))
    if not corpus:
        return findings
    bm25 = BM25Okapi(corpus, k1=params.k1, b=params.b, epsilon=params.epsilon)
    rng = random.Random(generation)
    wrong = 0
    for _ in range(sample):
        terms = rng.choice(corpus) or ["-"]
        query = rng.sample(terms, min(len(terms), rng.randint(1, 4)))
        if not np.allclose(engine.scores(query), bm25.get_scores(query), rtol=RTOL, atol=0):
            wrong += 1
    if wrong:
        findings.append(
            Finding(False, f"scores: {wrong} of {sample} questions differ from rank_bm25.BM25Okapi")
        )
    else:
        findings.append(Finding(True, f"scores equal rank_bm25.BM25Okapi's on {sample} questions"))
    return findings
